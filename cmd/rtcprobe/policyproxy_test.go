package main

import (
	"testing"

	"github.com/rtcprobe/rtcprobe/policy"
)

func TestPolicyProxy(t *testing.T) {
	set := func(mode, server string) *policy.Set {
		return &policy.Set{Browsers: []policy.Browser{{Name: policy.Edge, Proxy: &policy.Proxy{ProxyMode: mode, ProxyServer: server, Source: "k"}}}}
	}
	for _, tc := range []struct {
		name, mode, server, browser string
		want                        string // "" = no proxy
		ok                          bool
	}{
		{"fixed host:port", "fixed_servers", "proxy.corp:3128", "", "http://proxy.corp:3128", true},
		{"fixed url", "fixed_servers", "https://proxy.corp:443", "edge", "https://proxy.corp:443", true},
		{"direct", "direct", "", "", "", true},
		{"per-scheme list left to discovery", "fixed_servers", "http=a:1;https=b:2", "", "", false},
		{"socks not an http proxy", "fixed_servers", "socks5://s:1080", "", "", false},
		{"pac left to discovery", "pac_script", "", "", "", false},
		{"system", "system", "", "", "", false},
		{"other browser", "fixed_servers", "proxy.corp:3128", "chrome", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, ok := policyProxy(set(tc.mode, tc.server), tc.browser)
			got := ""
			if u != nil {
				got = u.String()
			}
			if got != tc.want || ok != tc.ok {
				t.Errorf("policyProxy = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
