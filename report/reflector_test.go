package report

import (
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// A --reflector name that does not resolve is the reflector's problem:
// its own finding, the direct-UDP path and the headline say so, and
// nothing blames a DNS filter or the TRTC domains.
func TestReflectorNameDoesNotResolve(t *testing.T) {
	for _, reason := range []string{"nxdomain", "timeout", "servfail", "nxdomain+turn"} {
		t.Run(reason, func(t *testing.T) {
			net := labNet{regions: []string{"mainland"}, reflector: true}
			withTURN := strings.HasSuffix(reason, "+turn")
			if withTURN {
				reason = strings.TrimSuffix(reason, "+turn")
				net.turn = []string{"turn:turn.lab.test:3478"}
			}
			probes := net.probes(t)
			status := result.StatusFailed
			if reason == "timeout" {
				status = result.StatusBlocked
			}
			dns := result.Probe{ID: result.ReflectorDNSID, Kind: result.KindDNS, Role: "media", Target: "reflector.example.com",
				Status: status, Reason: result.Reason(reason), Error: "lookup reflector.example.com: no such host"}
			for i := range probes {
				if isSTUN(&probes[i]) {
					probes[i] = result.Probe{ID: probes[i].ID, Kind: result.KindSTUN, Role: "media", Target: "reflector.example.com",
						Port: probes[i].Port, Transport: "udp", Status: result.StatusSkipped, Reason: "dns", After: result.ReflectorDNSID}
				}
			}
			r := &result.Report{Schema: result.SchemaID, Complete: true, Host: result.Host{OS: "linux", Arch: "amd64"},
				Config: result.Config{Regions: net.regions, ICETransportPolicy: "all", Reflector: "reflector.example.com",
					MediaPorts: []int{8000}, TURNServers: append([]string{}, net.turn...)},
				Probes: append([]result.Probe{dns}, probes...)}
			Judge(r)
			var found *result.Finding
			for i, f := range r.Findings {
				if strings.HasPrefix(f.Code, "dns-") {
					t.Errorf("finding %s (%s) blames DNS for the reflector's name", f.Code, f.Title)
				}
				if f.Code == "reflector-unresolved" {
					found = &r.Findings[i]
				}
			}
			if found == nil {
				t.Fatalf("no reflector-unresolved finding; findings %+v", r.Findings)
			}
			if found.Title != "reflector.example.com does not resolve: check the name" || strings.Contains(found.Detail, "filter") {
				t.Errorf("finding %q: %s", found.Title, found.Detail)
			}
			d := r.Paths.DirectUDP
			if d.Status != result.PathUntested || !strings.Contains(d.Detail, "does not resolve") {
				t.Errorf("directUdp %s: %s", d.Status, d.Detail)
			}
			v := r.Verdict
			if !strings.Contains(v.Summary, "reflector reflector.example.com does not resolve") || strings.Contains(v.Summary, "no reflector") {
				t.Errorf("summary %q", v.Summary)
			}
			if withTURN {
				if v.Media != result.PathTURNUDP || v.Outcome != result.OutcomeWorksDegraded {
					t.Errorf("with TURN: media %s, outcome %s, want turn-udp, works-degraded", v.Media, v.Outcome)
				}
				return
			}
			if v.Outcome != result.OutcomeInconclusive || !strings.Contains(v.Headline, "reflector.example.com does not resolve") {
				t.Errorf("verdict %s: %q / %q", v.Outcome, v.Headline, v.Summary)
			}
		})
	}
}
