//go:build !windows

package wine

// Detected is false off Windows: Wine runs Windows binaries only.
func Detected() bool { return false }
