//go:build linux

package lab

import (
	"slices"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestScenarioFiles checks every scenario file without root: it parses,
// says what every verdict field and path should be, and uses only values
// the result model (package result) defines.
func TestScenarioFiles(t *testing.T) {
	scenarios, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 12 {
		t.Errorf("%d scenarios, the issue asks for at least 12", len(scenarios))
	}
	// untested/inconclusive: what lies behind a proxy login rtcprobe
	// could not give (the proxy-auth-*-no-* scenarios).
	signaling := []string{string(result.SignalingOK), string(result.SignalingViaProxy), string(result.SignalingBlocked), string(result.SignalingUntested)}
	media := []string{string(result.MediaNone), string(result.MediaUntested)}
	for _, p := range result.PathOrder {
		media = append(media, string(p))
	}
	status := []string{string(result.PathOK), string(result.PathPartial), string(result.PathBlocked), string(result.PathUntested), string(result.PathError)}
	outcomes := []string{string(result.OutcomeWorks), string(result.OutcomeWorksDegraded), string(result.OutcomeFails), string(result.OutcomeInconclusive)}
	if *updateReadme {
		if err := rewriteReadme("scenarios", "\n"+scenarioTable(scenarios)); err != nil {
			t.Error(err)
		}
	}
	for _, s := range scenarios {
		e := s.Expect
		check := func(field, value string, allowed []string) {
			for _, v := range strings.Split(value, "|") {
				if !slices.Contains(allowed, v) {
					t.Errorf("%s: %s %q is not one of %v", s.Name, field, v, allowed)
				}
			}
		}
		check("signaling", e.Signaling, signaling)
		check("media", e.Media, media)
		check("outcome", e.Outcome, outcomes)
		for _, p := range result.PathOrder {
			check(string("paths."+p), e.Paths[string(p)], status)
		}
		if e.Remediation == nil {
			t.Errorf("%s: no remediation expectation (use [] for none)", s.Name)
		}
		if s.Description == "" || s.Firewall.Default == "" {
			t.Errorf("%s: needs a description and a firewall policy", s.Name)
		}
		if e.FirewallError5501 != (e.Signaling == string(result.SignalingBlocked) || result.PathName(e.Media) == result.MediaNone) && !strings.Contains(e.Media, "|") {
			t.Errorf("%s: firewallError5501 must be true exactly when signalling is blocked or there is no media path", s.Name)
		}
	}
}

// TestCompare checks the comparison the lab relies on can fail.
func TestCompare(t *testing.T) {
	r := &result.Report{
		Verdict: result.Verdict{Signaling: "ok", Media: "turn-tcp", Outcome: "works-degraded"},
		Paths: result.Paths{DirectUDP: result.Path{Status: "blocked", Counts: true}, TURNUDP: result.Path{Status: "blocked", Counts: true},
			TURNTCP: result.Path{Status: "ok", Counts: true}, TURNTLS: result.Path{Status: "ok", Counts: true}},
		Probes:      []result.Probe{{ID: "stun/8000", Status: "blocked", Reason: "timeout"}, {ID: "stun/443", Status: "rejected", Reason: "icmp-unreachable"}},
		Remediation: []result.Rule{{Protocol: "udp", Port: "8000"}},
		Findings:    []result.Finding{{Code: "x"}},
	}
	base := Expect{Signaling: "ok", Media: "turn-tcp", Outcome: "works-degraded",
		Paths:       map[string]string{"direct-udp": "blocked", "turn-udp": "blocked", "turn-tcp": "ok", "turn-tls": "ok"},
		Remediation: []string{"udp/8000"}, Findings: []string{"x"}}
	tests := []struct {
		name   string
		change func(e *Expect)
		want   string // substring of the first difference, "" for none
	}{
		{"same", func(e *Expect) {}, ""},
		{"alternatives", func(e *Expect) { e.Media = "none|turn-tcp" }, ""},
		{"signaling", func(e *Expect) { e.Signaling = "blocked" }, "verdict.signaling"},
		{"5501", func(e *Expect) { e.FirewallError5501 = true }, "firewallError5501"},
		{"path", func(e *Expect) { e.Paths["turn-tls"] = "blocked" }, "paths.turn-tls"},
		{"counts", func(e *Expect) { e.Uncounted = []string{"direct-udp"} }, "counts"},
		{"missing path", func(e *Expect) { delete(e.Paths, "turn-udp") }, "turn-udp should be"},
		{"remediation", func(e *Expect) { e.Remediation = []string{"udp/8000", "tcp/443"} }, "remediation"},
		{"finding", func(e *Expect) { e.Findings = []string{"y"} }, `finding "y"`},
		{"probe status", func(e *Expect) { e.Probes = map[string]string{"stun/*": "blocked"} }, "stun/443 = rejected"},
		{"probe reason", func(e *Expect) { e.Probes = map[string]string{"stun/8000": "blocked/rst"} }, "blocked/timeout"},
		{"no probe", func(e *Expect) { e.Probes = map[string]string{"turn*": "ok"} }, "no probe matches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			e.Paths = map[string]string{}
			for k, v := range base.Paths {
				e.Paths[k] = v
			}
			tt.change(&e)
			errs := compare(e, r)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("unexpected differences: %v", errs)
			case tt.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], tt.want)):
				t.Errorf("differences %v, want one about %q", errs, tt.want)
			}
		})
	}
}
