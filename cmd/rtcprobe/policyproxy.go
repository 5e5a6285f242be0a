package main

import (
	"net/url"
	"strings"

	"github.com/rtcprobe/rtcprobe/policy"
)

// policyProxy returns the proxy the judged browser's managed policy fixes,
// which the browser uses whatever the system settings say: ProxyMode
// "direct" means none, "fixed_servers" with a single host:port (or
// http://host:port) means that proxy. ok is false when the policy leaves
// the choice to the system or to a PAC script (the proxy discovery
// decides then), or when ProxyServer is a per-scheme list this does not
// parse.
func policyProxy(set *policy.Set, browser string) (*url.URL, bool) {
	if browser == "" {
		browser = set.Default()
	}
	b := set.Get(browser)
	if b == nil || b.Proxy == nil {
		return nil, false
	}
	switch b.Proxy.ProxyMode {
	case "direct":
		return nil, true
	case "fixed_servers":
		s := strings.TrimSpace(b.Proxy.ProxyServer)
		if s == "" || strings.ContainsAny(s, "=; ") {
			return nil, false
		}
		if !strings.Contains(s, "://") {
			s = "http://" + s
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, false
		}
		return u, true
	}
	return nil, false
}
