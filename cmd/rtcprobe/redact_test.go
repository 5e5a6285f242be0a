package main

import (
	"context"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// stunResponder answers Binding requests on loopback until closed.
func stunResponder(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if req.Decode() != nil || req.Type != stun.BindingRequest {
				continue
			}
			ua := from.(*net.UDPAddr)
			resp, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
				&stun.XORMappedAddress{IP: ua.IP, Port: ua.Port}, stun.Fingerprint)
			if err == nil {
				pc.WriteTo(resp.Raw, from)
			}
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// --redact covers what the screen shows during the run (progress events),
// not only the final report.
func TestRunEngineRedactsEvents(t *testing.T) {
	port := stunResponder(t)
	plan := &probe.Plan{Budget: 5 * time.Second, Reflector: &probe.ReflectorTarget{Host: "127.0.0.1", Ports: []int{port}}}
	var events []result.Probe
	r := runEngine(context.Background(), plan, nil, true, func(p result.Probe) { events = append(events, p) })
	sawMapped := false
	for _, p := range append(events, r.Probes...) {
		if v, ok := p.Details["mappedAddress"]; ok {
			sawMapped = true
			if v != "[redacted]" {
				t.Errorf("%s (%s) shows mappedAddress %q under --redact", p.ID, p.Status, v)
			}
		}
	}
	if !sawMapped {
		t.Fatalf("no probe reported a mapped address; probes: %+v", r.Probes)
	}
	if r.Host.Hostname != "" || !r.Redacted {
		t.Errorf("report Hostname %q Redacted %v", r.Host.Hostname, r.Redacted)
	}
}

// TestPrivateNames: the names --redact removes include what the report does
// not carry as such (the machine, the proxy user, the TURN usernames), and
// a report redacted with them names none of them anywhere.
func TestPrivateNames(t *testing.T) {
	u, _ := url.Parse("http://bob.proxy:pw@proxy.corp.example:3128")
	plan := &probe.Plan{HTTPProxy: u, TURN: []probe.TURNTarget{{Username: "carol7"}}}
	names := privateNames(plan)
	host, _ := os.Hostname()
	for _, want := range []string{"bob.proxy", "carol7", host} {
		if !slices.Contains(names, want) {
			t.Errorf("privateNames lacks %q: %q", want, names)
		}
	}
	r := &result.Report{Host: result.Host{Hostname: host},
		Verdict: result.Verdict{Summary: "proxy: bob.proxy denied on " + host + "; TURN user carol7 got 401"}}
	report.Redact(r, names...)
	for _, v := range []string{"bob.proxy", "carol7", host} {
		if len(v) >= 4 && strings.Contains(r.Verdict.Summary, v) {
			t.Errorf("redacted summary still names %q: %q", v, r.Verdict.Summary)
		}
	}
}
