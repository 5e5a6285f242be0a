package report

import (
	"strings"
	"testing"
)

// TestSignalingCauseNamesTheDecisiveStep: the summary explains a blocked
// signalling path with the furthest step that failed, not with a direct
// nameserver query that the browser never makes.
func TestSignalingCauseNamesTheDecisiveStep(t *testing.T) {
	direct := &Probe{ID: "signaling-proxy/dns@10.0.0.1:53", Kind: KindDNS, Target: "wss://proxy.example/ws/",
		Status: StatusFailed, Reason: "refused", Details: map[string]string{"resolver": "10.0.0.1:53"}}
	ws := &Probe{ID: "signaling-proxy/ws", Kind: KindWebSocket, Target: "wss://proxy.example/ws/",
		Status: StatusFailed, Reason: "http-502"}
	tcp := &Probe{ID: "schedule/tcp/1.2.3.4", Kind: KindTCP, Target: "https://schedule.example/",
		Status: StatusBlocked, Reason: "timeout"}
	sys := &Probe{ID: "schedule/dns", Kind: KindDNS, Target: "https://schedule.example/", Status: StatusFailed, Reason: "nxdomain"}
	for _, tc := range []struct {
		failing []*Probe
		want    string
	}{
		{[]*Probe{direct, ws}, "websocket failed (http-502)"},
		{[]*Probe{ws, direct}, "websocket failed (http-502)"},
		{[]*Probe{direct}, "dns failed (refused)"},
		{[]*Probe{direct, tcp}, "tcp blocked (timeout)"},
		{[]*Probe{sys, direct}, "dns failed (nxdomain)"},
	} {
		rs := regionSignal{region: "mainland", schedule: true, failing: tc.failing}
		got := signaling{}.causeOf(rs)
		if !strings.Contains(got, tc.want) {
			t.Errorf("cause of %d failing probes (first %s) = %q, want it to say %q", len(tc.failing), tc.failing[0].ID, got, tc.want)
		}
	}
}
