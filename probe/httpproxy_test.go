package probe

import (
	"net/url"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

func TestParseScutil(t *testing.T) {
	out := `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
  }
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : proxy.corp
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://wpad.corp/wpad.dat
}`
	got := parseScutil(out)
	if want := (proxySettings{proxy: "proxy.corp:3128", pac: "http://wpad.corp/wpad.dat"}); got != want {
		t.Errorf("parseScutil = %+v, want %+v", got, want)
	}
	if got := parseScutil("<dictionary> {\n  HTTPSEnable : 0\n  HTTPSProxy : p\n}"); got != (proxySettings{}) {
		t.Errorf("disabled proxy parsed as %+v", got)
	}
}

func TestParseWinProxyServer(t *testing.T) {
	for in, want := range map[string]string{
		"proxy.corp:8080":                   "proxy.corp:8080",
		"http=h1:80;https=h2:443;ftp=h3:21": "h2:443",
		"http=h1:80;socks=s:1080":           "h1:80",
		"socks=s:1080":                      "",
	} {
		if got := parseWinProxyServer(in); got != want {
			t.Errorf("parseWinProxyServer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnvProxy(t *testing.T) {
	for _, tt := range []struct {
		cfg  httpproxy.Config
		want string
	}{
		{httpproxy.Config{HTTPSProxy: "http://proxy.corp:3128"}, "http://proxy.corp:3128"},
		{httpproxy.Config{HTTPSProxy: "proxy.corp:3128"}, "http://proxy.corp:3128"},
		{httpproxy.Config{HTTPSProxy: "http://proxy.corp:3128", NoProxy: ".tencentcloud.com"}, ""},
		{httpproxy.Config{HTTPProxy: "http://only-http:80"}, ""},
		{httpproxy.Config{}, ""},
	} {
		got, err := envProxy(&tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if s := urlString(got); s != tt.want {
			t.Errorf("envProxy(%+v) = %q, want %q", tt.cfg, s, tt.want)
		}
	}
	if _, err := parseProxy("http://[bad"); err == nil {
		t.Error("parseProxy accepted a broken URL")
	}
}

func TestProxyForNoProxy(t *testing.T) {
	px, _ := url.Parse("http://proxy.corp:3128")
	r := &run{plan: &Plan{HTTPProxy: px}}
	t.Setenv("NO_PROXY", ".internal.corp")
	if got := r.proxyFor(WebTarget{URL: "wss://sig.internal.corp/ws"}); got != nil {
		t.Errorf("NO_PROXY host proxied via %v", got)
	}
	if got := r.proxyFor(WebTarget{URL: "wss://signal.trtc.tencent-cloud.com/"}); got != px {
		t.Errorf("proxyFor = %v, want %v", got, px)
	}
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}
