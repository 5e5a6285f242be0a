package probe

import (
	"bufio"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/pac"
)

func noEnv(string) string { return "" }

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func sysOf(s SystemProxy) func() (SystemProxy, error) {
	return func() (SystemProxy, error) { return s, nil }
}

// TestDiscoverProxyPrecedence: flags > policy > environment > system.
func TestDiscoverProxyPrecedence(t *testing.T) {
	winSys := SystemProxy{Source: "HKCU", PACURL: "http://wpad.corp/proxy.pac", Server: "sys.corp:8080"}
	policyPAC := &BrowserProxyPolicy{Mode: "pac_script", PacURL: "http://policy.corp/p.pac", PacMandatory: true, Source: "HKLM\\Software\\Policies\\Google\\Chrome"}
	for _, tt := range []struct {
		name              string
		in                ProxyInput
		by, mode, pac     string
		manual            string
		mandatory, detect bool
	}{
		{"--pac beats all", ProxyInput{FlagPAC: "/tmp/x.pac", Policy: policyPAC, Getenv: envOf("HTTPS_PROXY", "http://e:1"), System: sysOf(winSys)}, "--pac", "pac", "/tmp/x.pac", "", false, false},
		{"--http-proxy beats policy", ProxyInput{FlagProxy: "http://flag.corp:3128", Policy: policyPAC, System: sysOf(winSys)}, "--http-proxy", "fixed", "", "http://flag.corp:3128", false, false},
		{"--http-proxy none", ProxyInput{FlagProxy: "none", Policy: policyPAC, System: sysOf(winSys)}, "--http-proxy", "direct", "", "", false, false},
		{"policy pac beats env and system", ProxyInput{Policy: policyPAC, Getenv: envOf("HTTPS_PROXY", "http://e:1"), System: sysOf(winSys)}, "policy", "pac", "http://policy.corp/p.pac", "", true, false},
		{"policy fixed", ProxyInput{Policy: &BrowserProxyPolicy{Mode: "fixed_servers", Server: "https=pol.corp:443", BypassList: "*.corp;<local>"}, Getenv: noEnv, System: sysOf(winSys)}, "policy", "fixed", "", "https=pol.corp:443", false, false},
		{"policy direct", ProxyInput{Policy: &BrowserProxyPolicy{Mode: "direct"}, Getenv: noEnv, System: sysOf(winSys)}, "policy", "direct", "", "", false, false},
		{"policy auto_detect", ProxyInput{Policy: &BrowserProxyPolicy{Mode: "auto_detect"}, Getenv: noEnv, System: sysOf(winSys)}, "policy", "auto-detect", "", "", false, true},
		{"policy no mode, pac url", ProxyInput{Policy: &BrowserProxyPolicy{PacURL: "http://p/p.pac", Server: "s:1"}, Getenv: noEnv, System: sysOf(winSys)}, "policy", "pac", "http://p/p.pac", "", false, false},
		{"policy system mode defers", ProxyInput{Policy: &BrowserProxyPolicy{Mode: "system", Server: "ignored:1"}, Getenv: noEnv, System: sysOf(winSys)}, "system", "pac", "http://wpad.corp/proxy.pac", "sys.corp:8080", false, false},
		{"env beats system", ProxyInput{Getenv: envOf("https_proxy", "http://e.corp:1"), System: sysOf(winSys)}, "environment", "fixed", "", "", false, false},
		{"env auto_proxy", ProxyInput{Getenv: envOf("auto_proxy", "http://e.corp/a.pac"), System: sysOf(winSys)}, "environment", "pac", "http://e.corp/a.pac", "", false, false},
		{"system", ProxyInput{Getenv: noEnv, System: sysOf(winSys)}, "system", "pac", "http://wpad.corp/proxy.pac", "sys.corp:8080", false, false},
		{"env auto_proxy empty is WPAD", ProxyInput{Getenv: noEnv, LookupEnv: func(k string) (string, bool) { return "", k == "auto_proxy" }, System: sysOf(winSys)}, "environment", "auto-detect", "", "", false, true},
		{"nothing", ProxyInput{Getenv: noEnv, System: sysOf(SystemProxy{Source: "scutil --proxy"})}, "none", "direct", "", "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DiscoverProxy(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if s.By != tt.by || s.Mode() != tt.mode || s.PACURL != tt.pac || s.Manual != tt.manual || s.PACMandatory != tt.mandatory || s.AutoDetect != tt.detect {
				t.Errorf("got by=%s mode=%s pac=%q manual=%q mandatory=%v detect=%v", s.By, s.Mode(), s.PACURL, s.Manual, s.PACMandatory, s.AutoDetect)
			}
			for _, st := range s.Settings {
				if st.Source == "" || st.Name == "" {
					t.Errorf("setting without name or source: %+v", st)
				}
			}
		})
	}
	if _, err := DiscoverProxy(ProxyInput{FlagProxy: "ftp://x"}); err == nil {
		t.Error("--http-proxy ftp://x accepted")
	}
	if _, err := DiscoverProxy(ProxyInput{Getenv: noEnv, System: func() (SystemProxy, error) { return SystemProxy{}, errors.New("boom") }}); err == nil {
		t.Error("system reader error lost")
	}
	s, _ := DiscoverProxy(ProxyInput{Getenv: envOf("HTTPS_PROXY", "http://user:secret@e.corp:1")})
	for _, st := range s.Settings {
		if strings.Contains(st.Value, "secret") {
			t.Errorf("credential in the report's settings: %+v", st)
		}
	}
}

func TestManualRoute(t *testing.T) {
	for _, tt := range []struct {
		manual string
		bypass []string
		url    string
		want   string
	}{
		{"proxy.corp:8080", nil, "wss://trtc.rtc.qq.com/", "PROXY proxy.corp:8080"},
		{"proxy.corp", nil, "https://a.b/", "PROXY proxy.corp:80"},
		{"http=h.corp:80;https=s.corp:3128", nil, "wss://a.b/", "PROXY s.corp:3128"},
		{"http=h.corp:80;https=s.corp:3128", nil, "https://a.b:8443/", "PROXY s.corp:3128"},
		{"http=h.corp:80", nil, "https://a.b/", "DIRECT"},
		{"http=h.corp:80;socks=s.corp:1080", nil, "https://a.b/", "SOCKS4 s.corp:1080"},
		{"https://sec.corp:443", nil, "https://a.b/", "HTTPS sec.corp:443"},
		{"a.corp:1,b.corp:2", nil, "https://a.b/", "PROXY a.corp:1; PROXY b.corp:2"},
		{"proxy.corp:8080", []string{"*.qq.com"}, "wss://trtc.rtc.qq.com/", "DIRECT"},
		{"proxy.corp:8080", []string{"<local>"}, "https://intranet/", "DIRECT"},
		{"proxy.corp:8080", []string{"<local>"}, "https://intranet.corp/", "PROXY proxy.corp:8080"},
		{"", nil, "https://a.b/", "DIRECT"},
	} {
		s := &ProxySetup{Manual: tt.manual, Bypass: tt.bypass, By: "system"}
		u, _ := url.Parse(tt.url)
		if got := hopsText(s.manualRoute(u).Hops); got != tt.want {
			t.Errorf("manual %q bypass %v %s = %q, want %q", tt.manual, tt.bypass, tt.url, got, tt.want)
		}
	}
	env, _ := DiscoverProxy(ProxyInput{Getenv: envOf("HTTPS_PROXY", "http://e.corp:3128", "NO_PROXY", ".qq.com")})
	for u, want := range map[string]string{"wss://trtc.rtc.qq.com/": "DIRECT", "wss://x.tencentcloud.com/": "PROXY e.corp:3128"} {
		pu, _ := url.Parse(u)
		if got := hopsText(env.manualRoute(pu).Hops); got != want {
			t.Errorf("env route %s = %q, want %q", u, got, want)
		}
	}
}

func TestBypassed(t *testing.T) {
	for _, tt := range []struct {
		rule, url string
		want      bool
	}{
		{"*.corp", "https://a.corp/", true},
		{"*.corp", "https://corp/", false},
		{".corp", "https://corp/", true},
		{".corp", "https://x.y.corp/", true},
		{"a.corp", "https://a.corp/", true},
		{"a.corp", "https://b.a.corp/", false},
		{"10.*", "https://10.1.2.3/", true},
		{"10.0.0.0/8", "https://10.1.2.3/", true},
		{"10.0.0.0/8", "https://11.1.2.3/", false},
		{"<local>", "https://printer/", true},
		{"<local>", "https://[::1]/", false},
		{"*.corp:8443", "https://a.corp:8443/", true},
		{"*.corp:8443", "https://a.corp/", false},
		{"https://*.corp", "wss://a.corp/", false},
		{"wss://*.corp", "wss://a.corp/", true},
		{"[", "https://a.corp/", false},
	} {
		u, _ := url.Parse(tt.url)
		if got := bypassed([]string{tt.rule}, u); got != tt.want {
			t.Errorf("bypassed(%q, %s) = %v, want %v", tt.rule, tt.url, got, tt.want)
		}
	}
}

func TestParseScutilProxy(t *testing.T) {
	out := `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  ExcludeSimpleHostnames : 1
  FTPPassive : 1
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : proxy.corp
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://wpad.corp/wpad.dat
  ProxyAutoDiscoveryEnable : 1
}`
	s := parseScutilProxy(out)
	if !s.AutoDetect || s.PACURL != "http://wpad.corp/wpad.dat" || s.Server != "https=proxy.corp:3128" ||
		strings.Join(s.Bypass, ",") != "*.local,169.254/16,<local>" {
		t.Errorf("parseScutilProxy = %+v", s)
	}
	if len(s.Settings) < 7 {
		t.Errorf("settings not all recorded: %+v", s.Settings)
	}
	if s := parseScutilProxy("<dictionary> {\n  HTTPSEnable : 0\n  HTTPSProxy : p\n}"); !s.empty() {
		t.Errorf("disabled proxy parsed as %+v", s)
	}
}

func TestGnomeProxy(t *testing.T) {
	manual := gnomeProxy(map[string]string{
		"org.gnome.system.proxy mode":         "'manual'",
		"org.gnome.system.proxy ignore-hosts": "['localhost', '127.0.0.0/8', '*.corp']",
		"org.gnome.system.proxy.https host":   "'proxy.corp'",
		"org.gnome.system.proxy.https port":   "3128",
	})
	if manual.Server != "https=proxy.corp:3128" || strings.Join(manual.Bypass, ",") != "localhost,127.0.0.0/8,*.corp" {
		t.Errorf("manual = %+v", manual)
	}
	auto := gnomeProxy(map[string]string{"org.gnome.system.proxy mode": "'auto'", "org.gnome.system.proxy autoconfig-url": "'http://p.corp/p.pac'"})
	if auto.PACURL != "http://p.corp/p.pac" || auto.AutoDetect {
		t.Errorf("auto = %+v", auto)
	}
	wpad := gnomeProxy(map[string]string{"org.gnome.system.proxy mode": "'auto'", "org.gnome.system.proxy autoconfig-url": "''"})
	if !wpad.AutoDetect {
		t.Errorf("auto without URL is WPAD: %+v", wpad)
	}
	if none := gnomeProxy(map[string]string{"org.gnome.system.proxy mode": "'none'"}); !none.empty() {
		t.Errorf("none = %+v", none)
	}
	if got := gvariantStrings("@as []"); len(got) != 0 {
		t.Errorf("empty array = %v", got)
	}
}

func TestWinProxyValues(t *testing.T) {
	blob := make([]byte, 16)
	blob[8] = 0x01 | 0x08
	s := winProxyValues{enable: true, hasEnable: true, server: "http=h:80;https=s.corp:8443", override: "*.corp;<local>",
		autoConfig: "http://wpad.corp/p.pac", connSettings: blob}.apply(SystemProxy{Source: "HKCU"})
	if !s.AutoDetect || s.PACURL != "http://wpad.corp/p.pac" || s.Server != "http=h:80;https=s.corp:8443" || len(s.Bypass) != 2 {
		t.Errorf("apply = %+v", s)
	}
	off := winProxyValues{enable: false, hasEnable: true, server: "s:1"}.apply(SystemProxy{})
	if !off.empty() {
		t.Errorf("ProxyEnable 0 still proxies: %+v", off)
	}
}

func TestWPADCandidates(t *testing.T) {
	got := wpadCandidates([]string{"eng.emea.corp.example.", "corp.example", "single"})
	want := "wpad.eng.emea.corp.example wpad.emea.corp.example wpad.corp.example"
	if strings.Join(got, " ") != want {
		t.Errorf("wpadCandidates = %v, want %s", got, want)
	}
	sc := bufio.NewScanner(strings.NewReader("nameserver 10.0.0.2\nsearch a.corp b.corp\ndomain c.corp\n"))
	if d := parseSearchDomains(sc); strings.Join(d, ",") != "a.corp,b.corp,c.corp" {
		t.Errorf("parseSearchDomains = %v", d)
	}
}

func TestHopOf(t *testing.T) {
	for in, want := range map[string]pac.Hop{
		"p.corp:8080":        {Type: "PROXY", Addr: "p.corp:8080"},
		"http://u:pw@p.corp": {Type: "PROXY", Addr: "p.corp:80"},
		"https://p.corp":     {Type: "HTTPS", Addr: "p.corp:443"},
		"socks5://s.corp":    {Type: "SOCKS5", Addr: "s.corp:1080"},
		"[2001:db8::1]:3128": {Type: "PROXY", Addr: "[2001:db8::1]:3128"},
	} {
		if got := hopOf(in); got != want {
			t.Errorf("hopOf(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestDiscoverProxyBadEnvironment: an HTTPS_PROXY that is not a proxy URL
// is a one-line configuration error without its password, not a silent
// DIRECT run.
func TestDiscoverProxyBadEnvironment(t *testing.T) {
	for _, v := range []string{"http://user:hunter2@[::1", "socks5://user:hunter2@p:1080", "http://user:hunter2@p:99999"} {
		_, err := DiscoverProxy(ProxyInput{Getenv: envOf("HTTPS_PROXY", v), System: sysOf(SystemProxy{})})
		if err == nil || !errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "hunter2") ||
			strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "HTTPS_PROXY") {
			t.Errorf("HTTPS_PROXY=%q: %v, want a one-line redacted ErrConfig naming HTTPS_PROXY", v, err)
		}
	}
	if _, err := DiscoverProxy(ProxyInput{Getenv: envOf("HTTPS_PROXY", "http://p.corp:3128"), System: sysOf(SystemProxy{})}); err != nil {
		t.Errorf("a good HTTPS_PROXY: %v", err)
	}
}
