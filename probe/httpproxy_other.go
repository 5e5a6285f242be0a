//go:build !windows && !darwin

package probe

// systemProxySettings: Linux and the BSDs have no system-wide proxy setting
// beyond the environment variables (desktop settings are per desktop).
func systemProxySettings() (proxySettings, error) { return proxySettings{}, nil }
