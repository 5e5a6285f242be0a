package report

import (
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// busy marks probes as a rate-limiting reflector leaves them.
func busy(pat string) mod {
	return mod{pat: pat, status: result.StatusUntested, reason: "reflector-busy"}
}

// TestReflectorBusyIsNotAFirewall: ports the reflector would not answer
// (it said it was rate-limiting the address) are untested, never blocked:
// no UDP rule, no 5501, and the verdict says why it cannot tell.
func TestReflectorBusyIsNotAFirewall(t *testing.T) {
	for _, s := range []scenario{
		{name: "all-ports-busy", net: defaultNet(), mods: []mod{busy("stun/*")},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeInconclusive,
			paths: [4]result.PathStatus{result.PathUntested, result.PathOK, result.PathOK, result.PathOK}},
		{name: "busy-and-turn-dropped", net: defaultNet(), mods: []mod{busy("stun/*"), dropped("turn?-*")},
			signaling: result.SignalingOK, media: result.MediaUntested, outcome: result.OutcomeInconclusive,
			paths: [4]result.PathStatus{result.PathUntested, result.PathBlocked, result.PathBlocked, result.PathBlocked}, rules: []string{"udp/3478"}},
		{name: "busy-relay-policy", net: n(func(x *labNet) { x.policy = "relay" }), mods: []mod{busy("stun/*")},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorks, uncounted: []result.PathName{result.PathDirectUDP},
			paths: [4]result.PathStatus{result.PathUntested, result.PathOK, result.PathOK, result.PathOK}},
		{name: "some-ports-busy", net: defaultNet(), mods: []mod{busy("stun/8800"), busy("stun/16285")},
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK},
		{name: "busy-and-dropped", net: defaultNet(), mods: []mod{busy("stun/8800"), dropped("stun/16285")},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathPartial, result.PathOK, result.PathOK, result.PathOK}, rules: []string{"udp/16285"}},
	} {
		t.Run(s.name, func(t *testing.T) {
			r := s.report(t)
			s.check(t, r)
			d := r.Paths.DirectUDP.Detail
			if !strings.Contains(d, "rate-limiting") {
				t.Errorf("directUdp detail %q does not say the reflector was limiting", d)
			}
			if s.outcome == result.OutcomeInconclusive && !strings.Contains(r.Verdict.Headline+r.Verdict.Summary, "rate-limiting") {
				t.Errorf("verdict %q / %q does not say why it cannot tell", r.Verdict.Headline, r.Verdict.Summary)
			}
		})
	}
}
