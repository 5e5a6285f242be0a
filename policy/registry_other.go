//go:build !windows

package policy

// systemRegistry: there is no registry outside Windows.
func systemRegistry() Registry { return nil }
