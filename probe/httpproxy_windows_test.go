//go:build windows

package probe

import (
	"os"
	"testing"

	"golang.org/x/sys/windows/registry"

	"github.com/rtcprobe/rtcprobe/internal/wine"
)

// registryValue is one saved value of the user's Internet Settings key.
type registryValue struct {
	name string
	typ  uint32
	data []byte // nil: the value did not exist
}

// useInternetSettings lets the test write the current user's proxy settings
// (the key the browsers read) and puts back what was there when it ends. It
// runs under Wine (CI's throw-away prefix) and on Windows only when asked
// with RTCPROBE_REGISTRY_TESTS=1: it changes the user's live proxy setting.
func useInternetSettings(t *testing.T) registry.Key {
	t.Helper()
	if !wine.Detected() && os.Getenv("RTCPROBE_REGISTRY_TESTS") != "1" {
		t.Skip("writes the user's proxy settings: runs under Wine, or with RTCPROBE_REGISTRY_TESTS=1")
	}
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(v, "") // the registry, not the environment, must answer
	}
	k, existed, err := registry.CreateKey(registry.CURRENT_USER, internetSettings, registry.ALL_ACCESS)
	if err != nil {
		t.Fatalf("open HKCU\\%s: %v", internetSettings, err)
	}
	var saved []registryValue
	for _, name := range []string{"ProxyEnable", "ProxyServer", "AutoConfigURL"} {
		v := registryValue{name: name}
		if n, _, err := k.GetValue(name, nil); err == nil {
			v.data = make([]byte, n)
			_, v.typ, _ = k.GetValue(name, v.data)
		}
		saved = append(saved, v)
	}
	t.Cleanup(func() {
		defer k.Close()
		for _, v := range saved {
			if v.data == nil {
				_ = k.DeleteValue(v.name)
			} else if err := setRaw(k, v); err != nil {
				t.Errorf("restoring %s: %v", v.name, err)
			}
		}
		if !existed {
			_ = registry.DeleteKey(registry.CURRENT_USER, internetSettings)
		}
	})
	return k
}

// setRaw writes a saved value back with its original type.
func setRaw(k registry.Key, v registryValue) error {
	switch v.typ {
	case registry.DWORD:
		if len(v.data) >= 4 {
			return k.SetDWordValue(v.name, uint32(v.data[0])|uint32(v.data[1])<<8|uint32(v.data[2])<<16|uint32(v.data[3])<<24)
		}
	case registry.SZ, registry.EXPAND_SZ:
		return k.SetStringValue(v.name, decodeUTF16(v.data))
	}
	return k.SetBinaryValue(v.name, v.data)
}

func decodeUTF16(b []byte) string {
	var r []rune
	for i := 0; i+1 < len(b); i += 2 {
		c := rune(b[i]) | rune(b[i+1])<<8
		if c == 0 {
			break
		}
		r = append(r, c)
	}
	return string(r)
}

// TestSystemProxyFromRegistry writes the proxy settings as the Internet
// Options dialog (or a group policy) does, and reads them back through the
// functions `check` uses.
func TestSystemProxyFromRegistry(t *testing.T) {
	k := useInternetSettings(t)
	for _, tt := range []struct {
		name      string
		enable    int // -1: no ProxyEnable value
		server    string
		pac       string
		wantProxy string
	}{
		{"one proxy for every scheme", 1, "127.0.0.1:3128", "", "http://127.0.0.1:3128"},
		{"per scheme: https wins", 1, "http=10.0.0.1:80;https=10.0.0.2:8443;ftp=10.0.0.3:21", "", "http://10.0.0.2:8443"},
		{"per scheme: http only", 1, "http=10.0.0.1:8080", "", "http://10.0.0.1:8080"},
		{"proxy switched off", 0, "127.0.0.1:3128", "", ""},
		{"no ProxyEnable", -1, "127.0.0.1:3128", "", ""},
		{"PAC only", 0, "", "http://wpad.corp.example/proxy.pac", ""},
		{"proxy and PAC", 1, "proxy.corp.example:8080", "http://wpad.corp.example/proxy.pac", "http://proxy.corp.example:8080"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"ProxyEnable", "ProxyServer", "AutoConfigURL"} {
				_ = k.DeleteValue(name)
			}
			if tt.enable >= 0 {
				mustReg(t, k.SetDWordValue("ProxyEnable", uint32(tt.enable)))
			}
			if tt.server != "" {
				mustReg(t, k.SetStringValue("ProxyServer", tt.server))
			}
			if tt.pac != "" {
				mustReg(t, k.SetStringValue("AutoConfigURL", tt.pac))
			}
			u, err := SystemHTTPProxy()
			if err != nil {
				t.Fatalf("SystemHTTPProxy: %v", err)
			}
			got := ""
			if u != nil {
				got = u.String()
			}
			if got != tt.wantProxy {
				t.Errorf("SystemHTTPProxy = %q, want %q", got, tt.wantProxy)
			}
			if got := SystemPACURL(); got != tt.pac {
				t.Errorf("SystemPACURL = %q, want %q", got, tt.pac)
			}
		})
	}
}

func mustReg(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
