package main

import (
	"testing"

	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/probe"
)

// TestPolicyProxyDiscovery: a browser's proxy policy decides the proxy
// after the flags and before the environment and the system settings,
// and only for the browser the calls are made in.
func TestPolicyProxyDiscovery(t *testing.T) {
	set := func(mode, server, pac string) *policy.Set {
		return &policy.Set{Browsers: []policy.Browser{{Name: policy.Edge,
			Proxy: &policy.Proxy{ProxyMode: mode, ProxyServer: server, ProxyPacUrl: pac, Source: `HKLM\SOFTWARE\Policies\Microsoft\Edge`}}}}
	}
	env := map[string]string{"HTTPS_PROXY": "http://env-proxy:8080"}
	for _, tc := range []struct {
		name, mode, server, pac, browser string
		flagProxy                        string
		wantBy, wantMode, wantManual     string
		wantPAC                          string
	}{
		{name: "fixed host:port", mode: "fixed_servers", server: "proxy.corp:3128",
			wantBy: "policy", wantMode: "fixed", wantManual: "proxy.corp:3128"},
		{name: "per-scheme list", mode: "fixed_servers", server: "http=a:1;https=b:2",
			wantBy: "policy", wantMode: "fixed", wantManual: "http=a:1;https=b:2"},
		{name: "direct", mode: "direct", wantBy: "policy", wantMode: "direct"},
		{name: "pac", mode: "pac_script", pac: "http://wpad.corp/proxy.pac",
			wantBy: "policy", wantMode: "pac", wantPAC: "http://wpad.corp/proxy.pac"},
		{name: "other browser: the environment decides", mode: "fixed_servers", server: "proxy.corp:3128", browser: policy.Chrome,
			wantBy: "environment", wantMode: "fixed"},
		{name: "the flag wins", mode: "fixed_servers", server: "proxy.corp:3128", flagProxy: "http://flag:1",
			wantBy: "--http-proxy", wantMode: "fixed", wantManual: "http://flag:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := probe.DiscoverProxy(probe.ProxyInput{
				FlagProxy: tc.flagProxy,
				Policy:    browserProxyPolicy(set(tc.mode, tc.server, tc.pac), tc.browser),
				Getenv:    func(k string) string { return env[k] },
				System:    func() (probe.SystemProxy, error) { return probe.SystemProxy{}, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.By != tc.wantBy || s.Mode() != tc.wantMode || (tc.wantManual != "" && s.Manual != tc.wantManual) || s.PACURL != tc.wantPAC {
				t.Errorf("got by %q mode %q manual %q pac %q; want by %q mode %q manual %q pac %q",
					s.By, s.Mode(), s.Manual, s.PACURL, tc.wantBy, tc.wantMode, tc.wantManual, tc.wantPAC)
			}
		})
	}
	if browserProxyPolicy(nil, "") != nil || browserProxyPolicy(&policy.Set{}, "") != nil {
		t.Error("no policies must give no proxy policy")
	}
}
