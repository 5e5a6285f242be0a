//go:build windows

package probe

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// testKey creates HKCU\Software\rtcprobe-test-<pid>\Internet Settings
// with the given values and removes the tree when the test ends.
func testKey(t *testing.T, set func(k registry.Key)) string {
	t.Helper()
	base := fmt.Sprintf(`Software\rtcprobe-test-%d`, os.Getpid())
	path := base + `\Internet Settings`
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	set(k)
	k.Close()
	t.Cleanup(func() {
		registry.DeleteKey(registry.CURRENT_USER, path+`\Connections`)
		registry.DeleteKey(registry.CURRENT_USER, path)
		registry.DeleteKey(registry.CURRENT_USER, base)
	})
	return path
}

// TestReadWinProxyRegistry reads real registry values: per-scheme
// ProxyServer, ProxyOverride with <local>, AutoConfigURL and the
// auto-detect bit of DefaultConnectionSettings.
func TestReadWinProxyRegistry(t *testing.T) {
	path := testKey(t, func(k registry.Key) {
		k.SetDWordValue("ProxyEnable", 1)
		k.SetStringValue("ProxyServer", "http=h.corp:80;https=s.corp:3128")
		k.SetStringValue("ProxyOverride", "*.corp;<local>")
		k.SetStringValue("AutoConfigURL", "http://wpad.corp/proxy.pac")
		c, _, err := registry.CreateKey(k, "Connections", registry.ALL_ACCESS)
		if err != nil {
			t.Fatal(err)
		}
		blob := make([]byte, 24)
		blob[0], blob[8] = 0x46, 0x01|0x02|0x04|0x08
		c.SetBinaryValue("DefaultConnectionSettings", blob)
		c.Close()
	})
	s, err := readWinProxy(registry.CURRENT_USER, path)
	if err != nil {
		t.Fatal(err)
	}
	if !s.AutoDetect || s.PACURL != "http://wpad.corp/proxy.pac" || s.Server != "http=h.corp:80;https=s.corp:3128" ||
		strings.Join(s.Bypass, ",") != "*.corp,<local>" {
		t.Errorf("readWinProxy = %+v", s)
	}
	names := map[string]bool{}
	for _, st := range s.Settings {
		names[st.Name] = true
		if st.Source != internetSettingsKey {
			t.Errorf("setting source %q", st.Source)
		}
	}
	for _, n := range []string{"ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"} {
		if !names[n] {
			t.Errorf("setting %s not reported (%v)", n, s.Settings)
		}
	}
	// Discovery takes it as the system settings: auto-detect first.
	setup, err := DiscoverProxy(ProxyInput{Getenv: noEnv, System: func() (SystemProxy, error) { return s, nil }})
	if err != nil || setup.Mode() != "auto-detect" || setup.By != "system" {
		t.Errorf("DiscoverProxy = %+v, %v", setup, err)
	}
}

func TestReadWinProxyDisabled(t *testing.T) {
	path := testKey(t, func(k registry.Key) {
		k.SetDWordValue("ProxyEnable", 0)
		k.SetStringValue("ProxyServer", "stale.corp:8080")
	})
	s, err := readWinProxy(registry.CURRENT_USER, path)
	if err != nil || !s.empty() {
		t.Errorf("ProxyEnable=0 read as %+v, %v", s, err)
	}
	if s, err := readWinProxy(registry.CURRENT_USER, `Software\rtcprobe-no-such-key`); err != nil || !s.empty() {
		t.Errorf("missing key read as %+v, %v", s, err)
	}
	// The real per-user key reads without error (whatever it holds), and
	// so do the DNS suffixes WPAD walks.
	if _, err := readSystemProxy(); err != nil {
		t.Errorf("readSystemProxy: %v", err)
	}
	for _, d := range searchDomainsOS() {
		if d == "" || strings.ContainsAny(d, " ,") {
			t.Errorf("search domain %q", d)
		}
	}
}
