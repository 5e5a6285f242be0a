package main

import (
	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/probe"
)

// browserProxyPolicy is the proxy that the managed policies of the browser
// calls are made in (browser, or the default one) set, for proxy discovery
// (probe.DiscoverProxy): it comes after --http-proxy and --pac and before
// the environment and the system settings, as in Chrome. Nil when no
// policy sets a proxy.
func browserProxyPolicy(set *policy.Set, browser string) *probe.BrowserProxyPolicy {
	if set == nil {
		return nil
	}
	if browser == "" {
		browser = set.Default()
	}
	b := set.Get(browser)
	if b == nil || b.Proxy == nil {
		return nil
	}
	p := b.Proxy
	return &probe.BrowserProxyPolicy{
		Mode: p.ProxyMode, Server: p.ProxyServer, PacURL: p.ProxyPacUrl,
		BypassList: p.ProxyBypassList, PacMandatory: p.ProxyPacMandatory, Source: p.Source,
	}
}
