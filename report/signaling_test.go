package report

import (
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestSignalingCauseNamesTheDecisiveStep: the summary explains a blocked
// signalling path with the furthest step that failed, not with a direct
// nameserver query that the browser never makes.
func TestSignalingCauseNamesTheDecisiveStep(t *testing.T) {
	direct := &result.Probe{ID: "signaling-proxy/dns@10.0.0.1:53", Kind: result.KindDNS, Target: "wss://proxy.example/ws/",
		Status: result.StatusFailed, Reason: "refused", Details: map[result.DetailKey]string{"resolver": "10.0.0.1:53"}}
	ws := &result.Probe{ID: "signaling-proxy/ws", Kind: result.KindWebSocket, Target: "wss://proxy.example/ws/",
		Status: result.StatusFailed, Reason: "http-502"}
	tcp := &result.Probe{ID: "schedule/tcp/1.2.3.4", Kind: result.KindTCP, Target: "https://schedule.example/",
		Status: result.StatusBlocked, Reason: "timeout"}
	sys := &result.Probe{ID: "schedule/dns", Kind: result.KindDNS, Target: "https://schedule.example/", Status: result.StatusFailed, Reason: "nxdomain"}
	for _, tc := range []struct {
		failing []*result.Probe
		want    string
	}{
		{[]*result.Probe{direct, ws}, "websocket failed (http-502)"},
		{[]*result.Probe{ws, direct}, "websocket failed (http-502)"},
		{[]*result.Probe{direct}, "dns failed (refused)"},
		{[]*result.Probe{direct, tcp}, "tcp blocked (timeout)"},
		{[]*result.Probe{sys, direct}, "dns failed (nxdomain)"},
	} {
		rs := regionSignal{region: "mainland", schedule: true, failing: tc.failing}
		got := signaling{}.causeOf(rs)
		if !strings.Contains(got, tc.want) {
			t.Errorf("cause of %d failing probes (first %s) = %q, want it to say %q", len(tc.failing), tc.failing[0].ID, got, tc.want)
		}
	}
}
