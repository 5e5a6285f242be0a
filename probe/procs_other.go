//go:build !linux && !windows

package probe

// processNames: on macOS the process list needs sysctl KERN_PROC (cgo-free
// but not done yet); agents are then recognised by interface only, and
// utun interfaces name no agent.
func processNames() []string { return nil }
