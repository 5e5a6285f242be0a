//go:build !windows

package probe

// platformICMPErrnos: nothing beyond the POSIX errors on Linux and macOS.
var platformICMPErrnos []error
