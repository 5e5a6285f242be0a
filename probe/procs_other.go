//go:build !linux && !windows && !darwin

package probe

// processNames: no process list on this OS; agents are then recognised by
// interface only.
func processNames() []string { return nil }
