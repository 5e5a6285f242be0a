//go:build !windows

package probe

// searchDomainsOS: resolv.conf has them on Unix.
func searchDomainsOS() []string { return nil }
