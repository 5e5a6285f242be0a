package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadLinux(t *testing.T) {
	set := Read(Sources{Root: "testdata/linux", OS: "linux", FirefoxDirs: []string{"/usr/lib/firefox"}})
	var names []string
	for _, b := range set.Browsers {
		names = append(names, b.Name)
	}
	if want := []string{Edge, Chromium, Firefox}; !reflect.DeepEqual(names, want) {
		t.Fatalf("browsers %v, want %v", names, want)
	}
	cr := set.Get(Chromium)
	dir := "/etc/chromium/policies/managed/"
	if cr.WebRtcIPHandling != (String{IPHandlingDisableNonProxied, dir + "20-override.json"}) {
		t.Errorf("chromium WebRtcIPHandling %+v: the later file must win", cr.WebRtcIPHandling)
	}
	if cr.WebRtcUdpPortRange != (PortRange{10000, 10100, dir + "10-webrtc.json"}) {
		t.Errorf("chromium range %+v", cr.WebRtcUdpPortRange)
	}
	if !reflect.DeepEqual(cr.WebRtcLocalIpsAllowedUrls.Values, []string{"https://meet.example.com", "*.example.org"}) {
		t.Errorf("allowed urls %+v", cr.WebRtcLocalIpsAllowedUrls)
	}
	if cr.Proxy == nil || *cr.Proxy != (Proxy{ProxyMode: "fixed_servers", ProxyServer: "proxy.example.com:3128", ProxyBypassList: "*.local", Source: dir + "20-override.json"}) {
		t.Errorf("chromium proxy %+v", cr.Proxy)
	}
	ed := set.Get(Edge)
	if ed.WebRtcUdpPortRange.Set() {
		t.Errorf("an invalid range must be ignored, got %+v", ed.WebRtcUdpPortRange)
	}
	if ed.Proxy == nil || ed.Proxy.ProxyMode != "pac_script" || !ed.Proxy.ProxyPacMandatory || ed.Proxy.ProxyPacUrl != "http://wpad.example.com/proxy.pac" {
		t.Errorf("edge ProxySettings %+v", ed.Proxy)
	}
	ff := set.Get(Firefox)
	etc := "/etc/firefox/policies/policies.json"
	if ff.ICEProxyOnly != (Bool{true, etc}) || ff.ICERelayOnly != (Bool{false, etc}) {
		t.Errorf("firefox proxy_only %+v relay_only %+v: /etc must win", ff.ICEProxyOnly, ff.ICERelayOnly)
	}
	if ff.PeerConnectionEnabled != (Bool{true, "/usr/lib/firefox/distribution/policies.json"}) {
		t.Errorf("firefox enabled %+v", ff.PeerConnectionEnabled)
	}
	if ff.Proxy == nil || ff.Proxy.ProxyMode != "fixed_servers" || ff.Proxy.ProxyServer != "proxy.example.com:8080" || ff.Proxy.ProxyBypassList != "localhost" {
		t.Errorf("firefox proxy %+v", ff.Proxy)
	}
	wantProbs := []string{dir + "30-broken.json: not a JSON object", "/etc/opt/edge/policies/managed/edge.json: WebRtcUdpPortRange \"20000-1000\""}
	checkProblems(t, set.Problems, wantProbs)
}

func checkProblems(t *testing.T, got []Problem, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("problems %v, want %d", got, len(want))
	}
	for _, w := range want {
		found := false
		for _, p := range got {
			found = found || strings.HasPrefix(p.Error(), w)
		}
		if !found {
			t.Errorf("no problem starting %q in %v", w, got)
		}
	}
	for _, p := range got {
		if strings.Contains(p.Error(), "\n") {
			t.Errorf("problem spans lines: %q", p.Error())
		}
	}
}

func TestReadMac(t *testing.T) {
	set := Read(Sources{Root: "testdata/mac", OS: "darwin", User: "alice", FirefoxDirs: []string{}})
	ch := set.Get(Chrome)
	if ch == nil {
		t.Fatal("no chrome policies")
	}
	user := macManaged + "/alice/com.google.Chrome.plist"
	if ch.WebRtcIPHandling != (String{IPHandlingDisableNonProxied, user}) {
		t.Errorf("the user's managed plist must win: %+v", ch.WebRtcIPHandling)
	}
	if ch.WebRtcUdpPortRange.String() != "30000-30010" || ch.Proxy == nil || ch.Proxy.ProxyMode != "system" {
		t.Errorf("machine plist not read: %+v %+v", ch.WebRtcUdpPortRange, ch.Proxy)
	}
	ff := set.Get(Firefox)
	if ff == nil || ff.PeerConnectionEnabled != (Bool{false, macManaged + "/org.mozilla.firefox.plist"}) || !ff.ICEDefaultAddressOnly.Value {
		t.Fatalf("firefox plist: %+v", ff)
	}
	if ff.Proxy.ProxyMode != "pac_script" || ff.Proxy.ProxyPacUrl != "http://pac.example.com/p.pac" {
		t.Errorf("firefox proxy %+v", ff.Proxy)
	}
	checkProblems(t, set.Problems, []string{macManaged + "/com.microsoft.Edge.plist: not a property list"})
	// Another user sees only the machine's policies.
	set = Read(Sources{Root: "testdata/mac", OS: "darwin", User: "bob", FirefoxDirs: []string{}})
	if got := set.Get(Chrome).WebRtcIPHandling.Value; got != IPHandlingPublicOnly {
		t.Errorf("bob's chrome WebRtcIPHandling %q", got)
	}
}

// fakeRegistry is the registry as nested maps keyed "HIVE\path".
type fakeRegistry map[string]map[string]any

func (f fakeRegistry) Read(hive, path string) (map[string]any, bool, error) {
	m, ok := f[hive+`\`+path]
	return m, ok, nil
}

func TestReadRegistryFixture(t *testing.T) {
	reg := fakeRegistry{
		`HKCU\SOFTWARE\Policies\Microsoft\Edge`: {"WebRtcIPHandling": "default", "WebRtcUdpPortRange": "10000-10100"},
		`HKLM\SOFTWARE\Policies\Microsoft\Edge`: {"WebRtcIPHandling": "disable_non_proxied_udp",
			"WebRtcLocalIpsAllowedUrls": map[string]any{"2": "b", "1": "a", "10": "c"}, "ProxyPacMandatory": uint64(1), "ProxyMode": "pac_script"},
		`HKLM\SOFTWARE\Policies\Mozilla\Firefox`: {"Preferences": `{"media.peerconnection.ice.relay_only": {"Value": true, "Status": "locked"}}`,
			"Proxy": map[string]any{"Mode": "autoConfig", "AutoConfigURL": "http://pac/p.pac"}},
		`HKCU\SOFTWARE\Policies\Google\Chrome`: {"WebRtcUdpPortRange": uint64(5)},
	}
	set := Read(Sources{OS: "windows", Registry: reg, FirefoxDirs: []string{}})
	ed := set.Get(Edge)
	if ed.WebRtcIPHandling != (String{IPHandlingDisableNonProxied, `HKLM\SOFTWARE\Policies\Microsoft\Edge`}) {
		t.Errorf("HKLM must win: %+v", ed.WebRtcIPHandling)
	}
	if ed.WebRtcUdpPortRange.Source != `HKCU\SOFTWARE\Policies\Microsoft\Edge` {
		t.Errorf("range %+v", ed.WebRtcUdpPortRange)
	}
	if !reflect.DeepEqual(ed.WebRtcLocalIpsAllowedUrls.Values, []string{"a", "b", "c"}) {
		t.Errorf("list subkey %+v", ed.WebRtcLocalIpsAllowedUrls)
	}
	if ed.Proxy == nil || !ed.Proxy.ProxyPacMandatory {
		t.Errorf("proxy %+v", ed.Proxy)
	}
	ff := set.Get(Firefox)
	if ff == nil || !ff.ICERelayOnly.Value || ff.Proxy.ProxyPacUrl != "http://pac/p.pac" {
		t.Errorf("firefox %+v", ff)
	}
	if set.Get(Chrome) != nil {
		t.Errorf("chrome with only an invalid range must not be managed")
	}
	checkProblems(t, set.Problems, []string{`HKCU\SOFTWARE\Policies\Google\Chrome: WebRtcUdpPortRange ""`})
}

func TestBounds(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc/opt/chrome/policies/managed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	big := `{"WebRtcIPHandling": "` + strings.Repeat("x", maxFileSize) + `"}`
	if err := os.WriteFile(filepath.Join(dir, "big.json"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	set := Read(Sources{Root: root, OS: "linux", FirefoxDirs: []string{}})
	checkProblems(t, set.Problems, []string{"/etc/opt/chrome/policies/managed/big.json: larger than"})
	if len(set.Browsers) != 0 {
		t.Errorf("a too-large file was used: %+v", set.Browsers)
	}
}

func TestParsePortRange(t *testing.T) {
	for _, tc := range []struct {
		in       string
		min, max int
		ok       bool
	}{
		{"10000-10100", 10000, 10100, true},
		{" 1 - 65535 ", 1, 65535, true},
		{"5000-5000", 5000, 5000, true},
		{"", 0, 0, false}, {"10000", 0, 0, false}, {"0-10", 0, 0, false},
		{"100-99", 0, 0, false}, {"1-65536", 0, 0, false}, {"a-b", 0, 0, false},
	} {
		r, err := ParsePortRange(tc.in)
		if (err == nil) != tc.ok || r.Min != tc.min || r.Max != tc.max {
			t.Errorf("ParsePortRange(%q) = %+v, %v", tc.in, r, err)
		}
	}
}

func TestDefaultAndParseBrowser(t *testing.T) {
	if d := (&Set{}).Default(); d != Chrome {
		t.Errorf("no policies: default %q", d)
	}
	s := &Set{Browsers: []Browser{{Name: Edge}, {Name: Firefox}}}
	if d := s.Default(); d != Edge {
		t.Errorf("default %q", d)
	}
	if b, err := ParseBrowser("Firefox"); err != nil || b != Firefox {
		t.Errorf("ParseBrowser: %q %v", b, err)
	}
	if _, err := ParseBrowser("safari"); err == nil {
		t.Error("safari accepted")
	}
}
