package probe

import (
	"net/url"
	"testing"
)

// FuzzProxySettings: whatever the OS settings hold (scutil output,
// gsettings values, a ProxyServer or bypass string), parsing and routing
// by them never panics and always gives a route.
func FuzzProxySettings(f *testing.F) {
	for _, s := range []string{
		"http=h:80;https=s:3128;socks=x:1080", "proxy.corp:8080", "https://[::1]:443", "*.corp;<local>;10.0.0.0/8",
		"<dictionary> {\n  HTTPSEnable : 1\n  HTTPSProxy : p\n  ExceptionsList : <array> {\n    0 : *.local\n  }\n}",
		"['a', 'b\\'c']", "@as []", "=;=;https=", "socks=:", "[", "http://u:p@h:99999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseScutilProxy(s)
		_ = gvariantStrings(s)
		_ = gnomeProxy(map[string]string{"org.gnome.system.proxy mode": "'manual'", "org.gnome.system.proxy.https host": s,
			"org.gnome.system.proxy.https port": s, "org.gnome.system.proxy ignore-hosts": s})
		_ = hopOf(s)
		setup := &ProxySetup{Manual: s, Bypass: splitList(s), By: "system"}
		for _, raw := range []string{"wss://trtc.rtc.qq.com/", "https://10.1.2.3:8443/", "https://intranet/"} {
			u, _ := url.Parse(raw)
			if rt := setup.manualRoute(u); len(rt.Hops) == 0 {
				t.Fatalf("no route for %s with %q", raw, s)
			}
		}
		_ = setup.fixedHTTPSProxy()
	})
}
