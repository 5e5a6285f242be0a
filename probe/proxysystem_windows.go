//go:build windows

package probe

import "golang.org/x/sys/windows/registry"

// internetSettings is the per-user WinINet proxy configuration that Edge
// and Chrome use.
const internetSettings = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`

// internetSettingsKey is shown in the report as the source.
const internetSettingsKey = `HKCU\` + internetSettings

// readSystemProxy reads the per-user WinINet settings Chrome and Edge use
// (what WinHttpGetIEProxyConfigForCurrentUser returns): ProxyEnable,
// ProxyServer, ProxyOverride, AutoConfigURL, and "Automatically detect
// settings", which lives only in byte 8 of the DefaultConnectionSettings
// blob under Connections (flag 0x08).
func readSystemProxy() (SystemProxy, error) {
	return readWinProxy(registry.CURRENT_USER, internetSettings)
}

func readWinProxy(root registry.Key, path string) (SystemProxy, error) {
	s := SystemProxy{Source: internetSettingsKey}
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE)
	if err != nil {
		return s, nil // no key: no settings
	}
	defer k.Close()
	var w winProxyValues
	if v, _, err := k.GetIntegerValue("ProxyEnable"); err == nil {
		w.enable, w.hasEnable = v != 0, true
	}
	w.server, _, _ = k.GetStringValue("ProxyServer")
	w.override, _, _ = k.GetStringValue("ProxyOverride")
	w.autoConfig, _, _ = k.GetStringValue("AutoConfigURL")
	if c, err := registry.OpenKey(root, path+`\Connections`, registry.QUERY_VALUE); err == nil {
		w.connSettings, _, _ = c.GetBinaryValue("DefaultConnectionSettings")
		c.Close()
	}
	return w.apply(s), nil
}
