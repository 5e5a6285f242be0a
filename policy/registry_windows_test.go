//go:build windows

package policy

import (
	"os"
	"reflect"
	"strconv"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// prefixRegistry reads the real registry under a private test key, so the
// test never touches (or depends on) the machine's real policies.
type prefixRegistry struct{ prefix string }

func (p prefixRegistry) Read(hive, path string) (map[string]any, bool, error) {
	return winRegistry{}.Read(hive, p.prefix+path)
}

// writeKey creates hive\path with the given values (string, uint32,
// []string) and registers its removal.
func writeKey(t *testing.T, hive registry.Key, path string, vals map[string]any) {
	t.Helper()
	k, _, err := registry.CreateKey(hive, path, registry.ALL_ACCESS)
	if err != nil {
		t.Skipf("cannot create %s: %v", path, err)
	}
	defer k.Close()
	for n, v := range vals {
		switch x := v.(type) {
		case string:
			err = k.SetStringValue(n, x)
		case uint32:
			err = k.SetDWordValue(n, x)
		case []string:
			err = k.SetStringsValue(n, x)
		}
		if err != nil {
			t.Fatalf("set %s: %v", n, err)
		}
	}
}

// deleteTree removes path and its subkeys (registry.DeleteKey needs
// empty keys).
func deleteTree(hive registry.Key, path string) {
	if k, err := registry.OpenKey(hive, path, registry.ENUMERATE_SUB_KEYS); err == nil {
		subs, _ := k.ReadSubKeyNames(-1)
		k.Close()
		for _, s := range subs {
			deleteTree(hive, path+`\`+s)
		}
	}
	_ = registry.DeleteKey(hive, path)
}

func TestReadRealRegistry(t *testing.T) {
	base := `SOFTWARE\rtcprobe-test-` + strconv.Itoa(os.Getpid())
	prefix := base + `\`
	hives := map[string]registry.Key{"HKCU": registry.CURRENT_USER, "HKLM": registry.LOCAL_MACHINE}
	for _, h := range hives {
		t.Cleanup(func() { deleteTree(h, base) })
	}
	edge := prefix + registryKeys[Edge]
	writeKey(t, registry.CURRENT_USER, edge, map[string]any{"WebRtcIPHandling": "default", "WebRtcUdpPortRange": "10000-10100"})
	writeKey(t, registry.CURRENT_USER, edge+`\WebRtcLocalIpsAllowedUrls`, map[string]any{"1": "https://a.example", "2": "https://b.example"})
	ff := prefix + registryKeys[Firefox]
	writeKey(t, registry.CURRENT_USER, ff, map[string]any{"Preferences": []string{`{"media.peerconnection.ice.proxy_only":`, `{"Value": true, "Status": "locked"}}`}})
	writeKey(t, registry.CURRENT_USER, ff+`\Proxy`, map[string]any{"Mode": "manual", "HTTPProxy": "proxy.example.com:3128"})
	hklm := false
	if k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, edge, registry.ALL_ACCESS); err == nil {
		k.Close()
		writeKey(t, registry.LOCAL_MACHINE, edge, map[string]any{"WebRtcIPHandling": "disable_non_proxied_udp", "ProxyPacMandatory": uint32(1)})
		hklm = true
	} else {
		t.Logf("HKLM not writable here (%v): machine precedence checked on fixtures only", err)
	}

	set := Read(Sources{OS: "windows", Registry: prefixRegistry{prefix}, FirefoxDirs: []string{}})
	if len(set.Problems) > 0 {
		t.Errorf("problems: %v", set.Problems)
	}
	e := set.Get(Edge)
	if e == nil {
		t.Fatal("no Edge policies read from the registry")
	}
	if e.WebRtcUdpPortRange.String() != "10000-10100" || e.WebRtcUdpPortRange.Source != `HKCU\`+registryKeys[Edge] {
		t.Errorf("range %+v source %q", e.WebRtcUdpPortRange, e.WebRtcUdpPortRange.Source)
	}
	if !reflect.DeepEqual(e.WebRtcLocalIpsAllowedUrls.Values, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("list policy %+v", e.WebRtcLocalIpsAllowedUrls)
	}
	wantHandling := "default"
	if hklm {
		wantHandling = IPHandlingDisableNonProxied
		if e.Proxy == nil || !e.Proxy.ProxyPacMandatory {
			t.Errorf("DWORD policy %+v", e.Proxy)
		}
	}
	if e.WebRtcIPHandling.Value != wantHandling {
		t.Errorf("WebRtcIPHandling %+v, want %q", e.WebRtcIPHandling, wantHandling)
	}
	f := set.Get(Firefox)
	if f == nil || !f.ICEProxyOnly.Value || f.Proxy == nil || f.Proxy.ProxyServer != "proxy.example.com:3128" {
		t.Errorf("firefox %+v", f)
	}
	if set.Get(Chrome) != nil {
		t.Error("chrome policies from nowhere")
	}
}
