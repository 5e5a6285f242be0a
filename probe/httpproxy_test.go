package probe

import (
	"net/url"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

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
