package ui

import (
	"context"
	"strconv"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Fixtures: hand-built reports, so the screens do not depend on the verdict
// rules (the UI only shows what report decided).

var fixedStart = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)

func ms(v float64) *float64 { return &v }

func signallingProbes(wsStatus, wsReason string) []result.Probe {
	ws := result.Probe{ID: "signaling-intl/ws", Kind: result.KindWebSocket, Role: "signaling", Region: "international",
		Target: "wss://signaling.rtc.tencentcloud.com", Address: "43.152.1.10", Port: 443, Transport: "tcp",
		Status: result.Status(wsStatus), Reason: result.Reason(wsReason), StartMs: 210, Via: result.ViaDirect}
	if result.Status(wsStatus) == result.StatusOK {
		ws.RTTMs = ms(48)
		ws.Details = map[result.DetailKey]string{"httpStatus": "101"}
	} else {
		ws.Step, ws.Error = "upgrade", "no answer to the WebSocket upgrade within 5s"
	}
	return []result.Probe{
		{ID: "schedule-intl/dns", Kind: result.KindDNS, Role: "schedule", Region: "international",
			Target: "schedule.rtc.tencentcloud.com", Status: result.StatusOK, RTTMs: ms(12),
			Details: map[result.DetailKey]string{"addresses": "43.152.1.2"}},
		{ID: "schedule-intl/tcp/43.152.1.2", Kind: result.KindTCP, Role: "schedule", Region: "international",
			Target: "schedule.rtc.tencentcloud.com", Address: "43.152.1.2", Port: 443, Transport: "tcp",
			Status: result.StatusOK, RTTMs: ms(31), After: "schedule-intl/dns", StartMs: 12.5},
		{ID: "schedule-intl/tls", Kind: result.KindTLS, Role: "schedule", Region: "international",
			Target: "schedule.rtc.tencentcloud.com", Address: "43.152.1.2", Port: 443, Transport: "tls",
			Status: result.StatusOK, RTTMs: ms(64), StartMs: 44,
			Steps:   []result.Step{{Name: "connect", Status: "ok", Ms: 31}, {Name: "handshake", Status: "ok", Ms: 33}},
			Details: map[result.DetailKey]string{"issuer": "DigiCert Global G2", "verified": "true"}},
		ws,
	}
}

func mediaProbes(status result.Status, reason result.Reason) []result.Probe {
	var out []result.Probe
	for _, port := range []int{8000, 8080} {
		p := result.Probe{ID: result.ID("stun/" + strconv.Itoa(port)), Kind: result.KindSTUN, Role: "media", Target: "reflector.example.com",
			Address: "198.51.100.7", Port: port, Transport: "udp", Status: status, Reason: reason, StartMs: 300}
		if status == result.StatusOK {
			p.RTTMs = ms(22)
			p.Details = map[result.DetailKey]string{"mappedAddress": "203.0.113.5:50012"}
		} else {
			p.Error = "no STUN answer within 2s"
		}
		out = append(out, p)
	}
	turn := result.Probe{ID: "turn/turn.example.com:3478/tcp", Kind: result.KindTURN, Role: "turn",
		Target: "turn:turn.example.com:3478?transport=tcp", Address: "198.51.100.9", Port: 3478, Transport: "tcp",
		Status: status, Reason: reason, StartMs: 320}
	if status != result.StatusOK {
		turn.Step, turn.Error = "allocate", "no answer to Allocate within 3s"
	} else {
		turn.RTTMs = ms(70)
	}
	return append(out, turn)
}

func paths(direct, tcp string) result.Paths {
	return result.Paths{
		DirectUDP: result.Path{Status: result.PathStatus(direct), Evidence: []result.ID{"stun/8000", "stun/8080"}, Counts: true,
			Detail: "STUN answered on the reflector's media ports"},
		TURNUDP: result.Path{Status: result.PathUntested, Counts: true, Detail: "no TURN server over UDP given"},
		TURNTCP: result.Path{Status: result.PathStatus(tcp), Evidence: []result.ID{"turn/turn.example.com:3478/tcp"}, Counts: true,
			Detail: "Allocate over TCP to turn.example.com:3478"},
		TURNTLS: result.Path{Status: result.PathUntested, Counts: true, Detail: "no TURN server over TLS given"},
	}
}

func baseReport(probes []result.Probe, complete bool) *result.Report {
	return &result.Report{
		Schema: result.SchemaID, Tool: result.Tool{Name: "rtcprobe", Version: "test"},
		StartedAt: fixedStart, DurationMs: 4200, Complete: complete,
		Host:   result.Host{Hostname: "desk-42", OS: "linux", Arch: "amd64"},
		Config: result.Config{Regions: []string{"international"}, BudgetMs: 15000, MediaPorts: []int{8000, 8080}},
		Probes: probes, Findings: []result.Finding{}, Remediation: []result.Rule{},
	}
}

// reportOK is a run where everything works.
func reportOK() *result.Report {
	r := baseReport(append(signallingProbes(string(result.StatusOK), ""), mediaProbes(result.StatusOK, "")...), true)
	r.Verdict = result.Verdict{Signaling: result.SignalingOK, Media: result.PathDirectUDP, Outcome: result.OutcomeWorks,
		Headline: "Calls will work: direct UDP", Summary: "Signalling reaches TRTC and media flows over direct UDP to the reflector."}
	r.Paths = paths(string(result.PathOK), string(result.PathOK))
	return r
}

// report5501 is a run where signalling and every media path are blocked.
func report5501() *result.Report {
	r := baseReport(append(signallingProbes(string(result.StatusBlocked), "timeout"), mediaProbes(result.StatusBlocked, "timeout")...), true)
	r.Verdict = result.Verdict{Signaling: result.SignalingBlocked, Media: result.MediaNone, FirewallError5501: true,
		Outcome: result.OutcomeFails, Headline: "Calls will fail: the SDK will raise 5501",
		Summary: "The WebSocket to the signalling server gets no answer and no media path works: the firewall drops TRTC traffic."}
	r.Paths = paths(string(result.PathBlocked), string(result.PathBlocked))
	r.Findings = []result.Finding{{Code: "signalling-blocked", Severity: "critical", Title: "WebSocket signalling is blocked"}}
	r.Remediation = []result.Rule{
		{Protocol: "tcp", Port: "443", Destination: "*.rtc.tencentcloud.com", Reason: "signalling"},
		{Protocol: "udp", Port: "8000", Destination: "*.rtc.tencentcloud.com", Reason: "media"},
	}
	return r
}

// reportIncomplete is a run stopped with ctrl-c.
func reportIncomplete() *result.Report {
	probes := signallingProbes(string(result.StatusSkipped), "interrupted")
	r := baseReport(probes[:3], false)
	r.Verdict = result.Verdict{Signaling: result.SignalingUntested, Media: result.MediaUntested,
		Outcome: result.OutcomeInconclusive, Headline: "Inconclusive: the run was interrupted",
		Summary: "The run ended before signalling and media were tested."}
	r.Paths = paths(string(result.PathUntested), string(result.PathUntested))
	return r
}

// scriptedEngine sends events, then returns final; when ctx is cancelled
// before the end it returns partial instead (like probe.Run does).
func scriptedEngine(events []result.Probe, final, partial *result.Report, hold bool) Engine {
	return func(ctx context.Context, onEvent func(result.Probe)) *result.Report {
		for _, p := range events {
			onEvent(p)
		}
		if hold {
			<-ctx.Done()
			return partial
		}
		return final
	}
}
