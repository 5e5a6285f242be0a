package main

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/rtcprobe/rtcprobe/probe"
)

// nxdomainResolver answers NXDOMAIN to every query, from loopback.
func nxdomainResolver(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeNameError)
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp4", pc.LocalAddr().String())
	}}
}

// A --reflector name that does not resolve, through the engine and the
// verdict: the reflector's own finding, no DNS-filter finding.
func TestRunEngineReflectorUnresolved(t *testing.T) {
	plan := &probe.Plan{Budget: 5 * time.Second,
		Reflector: &probe.ReflectorTarget{Host: "reflector.example.com", Ports: []int{8000}}}
	r := runEngine(context.Background(), plan, &probe.Env{Resolver: nxdomainResolver(t)}, false, nil)
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code+": "+f.Title)
	}
	if !slices.Contains(codes, "reflector-unresolved: reflector.example.com does not resolve: check the name") {
		t.Errorf("findings %q, want reflector-unresolved", codes)
	}
	for _, c := range codes {
		if strings.HasPrefix(c, "dns-") {
			t.Errorf("a DNS finding for the reflector: %s", c)
		}
	}
}
