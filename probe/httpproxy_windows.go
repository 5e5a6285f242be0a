//go:build windows

package probe

import (
	"golang.org/x/sys/windows/registry"
)

// internetSettings is the per-user WinINet proxy configuration that Edge
// and Chrome use.
const internetSettings = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`

// systemProxySettings reads ProxyEnable/ProxyServer/AutoConfigURL.
func systemProxySettings() (proxySettings, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, internetSettings, registry.QUERY_VALUE)
	if err != nil {
		return proxySettings{}, nil // no key: no settings
	}
	defer k.Close()
	var s proxySettings
	if on, _, err := k.GetIntegerValue("ProxyEnable"); err == nil && on != 0 {
		if v, _, err := k.GetStringValue("ProxyServer"); err == nil {
			s.proxy = parseWinProxyServer(v)
		}
	}
	if v, _, err := k.GetStringValue("AutoConfigURL"); err == nil {
		s.pac = v
	}
	return s, nil
}
