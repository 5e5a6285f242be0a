package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// n returns defaultNet changed by f.
func n(f func(*labNet)) labNet {
	x := defaultNet()
	if f != nil {
		f(&x)
	}
	return x
}

func mods(groups ...[]mod) []mod { return slices.Concat(groups...) }

var (
	allOK      = [4]result.PathStatus{result.PathOK, result.PathOK, result.PathOK, result.PathOK}
	udpGone    = [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathOK, result.PathOK}
	allBlocked = [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathBlocked, result.PathBlocked}
	sol2       = func(x *labNet) { x.sdkProxy = true }
	// solution2Firewall: only the proxy and TURN hosts may be reached, so
	// the legacy endpoints (not replaced by the proxy) time out.
	solution2Firewall = mods([]mod{dropped("*-legacy-*/tcp/*"), dropped("stun/*")},
		gone("*-legacy-*"))
)

func scenarios() []scenario {
	return []scenario{
		{name: "open", net: defaultNet(), signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK},
		{name: "udp-dropped", net: defaultNet(), mods: []mod{dropped("stun/*"), dropped("turn1-udp")},
			signaling: result.SignalingOK, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: udpGone, rules: sixUDP},
		{name: "udp-rejected", net: defaultNet(), mods: []mod{rejected("stun/*"), rejected("turn1-udp")},
			signaling: result.SignalingOK, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: udpGone, rules: sixUDP},
		{name: "tcp443-only", net: defaultNet(), mods: []mod{dropped("stun/*"), dropped("turn1-udp"), dropped("turn1-tcp")},
			signaling: result.SignalingOK, media: result.PathTURNTLS, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathBlocked, result.PathOK}, rules: sixUDP},
		{name: "udp-turn-only", net: defaultNet(), mods: []mod{dropped("stun/*"), dropped("turn1-tcp")},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathBlocked, result.PathOK}, rules: sixUDP},
		{name: "nothing-out", net: defaultNet(), mods: mods([]mod{dropped("*/tcp/*"), dropped("stun/*"), dropped("turn?-*")}, tcpGone),
			signaling: result.SignalingBlocked, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails, paths: allBlocked,
			rules: append([]string{"tcp/443"}, sixUDP...)},
		{name: "replies-dropped", net: defaultNet(), mods: mods([]mod{dropped("*/tcp/*"), dropped("stun/*"), dropped("turn?-*")}, tcpGone),
			signaling: result.SignalingBlocked, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails, paths: allBlocked,
			rules: append([]string{"tcp/443"}, sixUDP...)},
		{name: "tcp-rejected", net: defaultNet(),
			mods:      mods([]mod{{pat: "*/tcp/*", status: result.StatusRejected, reason: "rst"}, {pat: "turn1-tcp", status: result.StatusRejected, reason: "rst"}, {pat: "turn2-tls", status: result.StatusRejected, reason: "rst"}}, tcpGone),
			signaling: result.SignalingBlocked, media: result.PathDirectUDP, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathOK, result.PathOK, result.PathBlocked, result.PathBlocked}, rules: []string{"tcp/443"}},
		{name: "proxy-only", net: n(func(x *labNet) { x.httpProxy = true }),
			mods:      []mod{dropped("stun/*"), dropped("turn1-udp"), {pat: "turn1-tcp", status: result.StatusFailed, reason: "proxy-refused", details: map[result.DetailKey]string{"proxyStatus": "403"}}},
			signaling: result.SignalingViaProxy, media: result.PathTURNTLS, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathBlocked, result.PathOK}, rules: sixUDP, findings: []string{"proxy-refused"}},
		{name: "proxy-connect-turn", net: n(func(x *labNet) { x.httpProxy = true }), mods: []mod{dropped("stun/*"), dropped("turn1-udp")},
			signaling: result.SignalingViaProxy, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: udpGone, rules: sixUDP},
		{name: "proxy-refuses", net: n(func(x *labNet) { x.httpProxy = true }),
			mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
				{pat: "*/tls", status: result.StatusFailed, reason: "connect-refused-by-proxy", details: map[result.DetailKey]string{"proxyStatus": "403"}},
				{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
				{pat: "turn?-t*", status: result.StatusFailed, reason: "proxy-refused", details: map[result.DetailKey]string{"proxyStatus": "403"}}},
			signaling: result.SignalingBlocked, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails, paths: allBlocked,
			rules: append([]string{"tcp/443"}, sixUDP...), findings: []string{"proxy-refused"}},
		{name: "dns-nxdomain-schedule", net: n(func(x *labNet) { x.regions = []string{"mainland"} }),
			mods:      []mod{failed("main-schedule-schedule.cloud-rtc.com/dns", "nxdomain"), {pat: "main-schedule-schedule.cloud-rtc.com/[th]*", status: "-"}},
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK, findings: []string{"dns-nxdomain"}},
		{name: "dns-sinkhole-signaling", net: n(func(x *labNet) { x.regions = []string{"mainland"} }),
			mods: []mod{{pat: "main-signaling-trtc.rtc.qq.com/dns", status: result.StatusFailed, reason: "sinkholed", details: map[result.DetailKey]string{"addresses": "0.0.0.0"}},
				{pat: "main-signaling-trtc.rtc.qq.com/[tw]*", status: "-"},
				failed("main-logger-yun.tim.qq.com/dns", "nxdomain"), {pat: "main-logger-yun.tim.qq.com/[th]*", status: "-"}},
			signaling: result.SignalingBlocked, media: result.PathDirectUDP, fw5501: true, outcome: result.OutcomeFails, paths: allOK,
			findings: []string{"dns-sinkholed", "dns-nxdomain", "logger-blocked"}},
		{name: "udp-loss-25", net: defaultNet(), mods: []mod{{pat: "stun/8*", details: map[result.DetailKey]string{"retransmits": "2"}}},
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK},
		{name: "udp-partial", net: defaultNet(), mods: []mod{dropped("stun/8[08]*"), dropped("stun/16285")},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathPartial, result.PathOK, result.PathOK, result.PathOK}, rules: []string{"udp/8000", "udp/8080", "udp/8800", "udp/16285"}},
		{name: "turn-relay-blocked", net: defaultNet(), mods: []mod{dropped("stun/*"), dropped("turn1-udp"), failed("turn1-tcp", "relay-silent"), failed("turn2-tls", "relay-silent")},
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathError, result.PathError}, rules: sixUDP, findings: []string{"turn-relay-silent"}},
		{name: "turn-wrong-credentials", net: defaultNet(), mods: []mod{dropped("stun/*"), dropped("turn1-udp"), failed("turn1-tcp", "unauthorized"), failed("turn2-tls", "unauthorized")},
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathError, result.PathError}, rules: sixUDP, findings: []string{"turn-unauthorized"}},
		{name: "turn-port-843", net: n(func(x *labNet) { x.turn = []string{"turn:turn843.lab.test:843"} }), mods: []mod{dropped("stun/*")},
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathUntested}, uncounted: []result.PathName{result.PathTURNUDP, result.PathTURNTCP},
			rules: sixUDP, findings: []string{"turn-port-not-browser-usable"}},
		{name: "relay-policy", net: n(func(x *labNet) { x.policy = "relay" }),
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorks, paths: allOK, uncounted: []result.PathName{result.PathDirectUDP}, findings: []string{"relay-policy"}},
		{name: "relay-policy-turn-blocked", net: n(func(x *labNet) { x.policy = "relay" }), mods: []mod{dropped("turn?-*")},
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathOK, result.PathBlocked, result.PathBlocked, result.PathBlocked}, uncounted: []result.PathName{result.PathDirectUDP}, rules: []string{"udp/3478"}},
		{name: "solution2-nginx", net: n(sol2), mods: mods(solution2Firewall),
			signaling: result.SignalingViaProxy, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"legacy-blocked"}},
		{name: "solution2-nginx-no-upgrade", net: n(sol2), mods: mods(solution2Firewall, []mod{failed("signaling-proxy/ws", "http-200")}),
			signaling: result.SignalingBlocked, media: result.PathTURNUDP, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"websocket-proxy-no-upgrade"}},
		{name: "solution2-nginx-upstream-down", net: n(sol2), mods: mods(solution2Firewall, []mod{failed("signaling-proxy/ws", "http-502")}),
			signaling: result.SignalingBlocked, media: result.PathTURNUDP, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"websocket-proxy-upstream-unreachable"}},
		{name: "solution2-nginx-schedule-logger-down", net: n(sol2),
			mods: mods(solution2Firewall, []mod{{pat: "schedule-proxy/https", details: map[result.DetailKey]string{"httpStatus": "502"}},
				{pat: "logger-proxy/https", details: map[result.DetailKey]string{"httpStatus": "502"}}}),
			signaling: result.SignalingBlocked, media: result.PathTURNUDP, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"sdk-proxy-upstream-unreachable", "logger-blocked"}},
		{name: "solution2-proxy-down", net: n(sol2),
			mods:      mods(solution2Firewall, []mod{{pat: "*-proxy/tcp/*", status: result.StatusRejected, reason: "rst"}}, gone("*-proxy")),
			signaling: result.SignalingBlocked, media: result.PathTURNUDP, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"sdk-proxy-unreachable"}},
		{name: "turn-default-credentials", net: n(func(x *labNet) { x.turn = []string{"turn:turn-default.lab.test:3478"} }),
			mods: func() []mod {
				return []mod{dropped("stun/*")}
			}(),
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathUntested}, rules: sixUDP, findings: []string{"turn-default-credentials"}},
		{name: "turn-external-ip-private", net: n(func(x *labNet) { x.turn = []string{"turn:turn-extip.lab.test:3478"} }),
			mods:      []mod{dropped("stun/*"), {pat: "turn1-*", details: map[result.DetailKey]string{"relayedAddress": "10.9.9.9:49160"}}},
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathOK, result.PathOK, result.PathUntested}, rules: sixUDP, findings: []string{"turn-external-ip-mismatch"}},
		{name: "tls-inspection", net: n(func(x *labNet) { x.httpProxy, x.turn = true, nil }),
			mods:      []mod{{pat: "*/tls", details: map[result.DetailKey]string{"issuer": "mitmproxy", "issuerPublic": "false"}}},
			signaling: result.SignalingViaProxy, media: result.PathDirectUDP, outcome: result.OutcomeWorks,
			paths: [4]result.PathStatus{result.PathOK, result.PathUntested, result.PathUntested, result.PathUntested}, findings: []string{"tls-inspection"}},
		{name: "signalling-host-answers-403", net: defaultNet(), mods: []mod{failed("*-signaling-*/ws", "http-403")},
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK},
		{name: "international-only-blocked", net: defaultNet(),
			mods:      mods([]mod{dropped("inte-*/tcp/*")}, gone("inte-*")),
			signaling: result.SignalingBlocked, media: result.PathDirectUDP, fw5501: true, outcome: result.OutcomeFails, paths: allOK,
			rules: []string{"tcp/443"}},
		{name: "untested", net: n(func(x *labNet) { x.reflector, x.turn = false, nil }),
			signaling: result.SignalingOK, media: result.MediaUntested, outcome: result.OutcomeInconclusive,
			paths: [4]result.PathStatus{result.PathUntested, result.PathUntested, result.PathUntested, result.PathUntested}},
	}
}

func TestJudgeLabScenarios(t *testing.T) {
	for _, s := range scenarios() {
		t.Run(s.name, func(t *testing.T) {
			r := s.report(t)
			if s.name == "turn-default-credentials" {
				// the audit is its own probe
				p := okProbe("turn1-udp/audit/default-credentials", string(result.KindTURN), "turn", "", "turn:turn-default.lab.test:3478", 3478, "udp")
				r.Probes = append(r.Probes, p)
				Judge(r)
			}
			s.check(t, r)
			validate(t, r)
		})
	}
}

func TestJudgeIsDeterministic(t *testing.T) {
	for _, s := range scenarios() {
		a, b := s.report(t), s.report(t)
		Judge(b)
		if ja, jb := jsonOf(t, a), jsonOf(t, b); ja != jb {
			t.Errorf("%s: judging twice differs", s.name)
		}
	}
}

func TestJudgeWordsOfTheVerdict(t *testing.T) {
	tests := []struct{ scenario, headline, summary string }{
		{"open", "Calls will work: direct UDP", "calls will work with direct UDP media"},
		{"udp-dropped", "Calls will work only relayed over TCP: expect higher latency",
			"UDP 8000, 8080, 8800, 843, 443 and 16285 to the reflector are silently dropped; TURN over TCP to turn.lab.test:3478 relayed a round trip"},
		{"nothing-out", "Calls will fail: the SDK cannot reach its signalling server and will raise 5501", "cannot reach the schedule server"},
		{"turn-port-843", "Calls will fail: the SDK will raise 5501", "no media path works"},
		{"untested", "Cannot tell whether media will flow: no reflector or TURN server was given", "untested"},
		{"international-only-blocked", "Calls will fail: the SDK cannot reach its signalling server and will raise 5501",
			"signalling fails: international apps (SDKAppID < 1400000000) cannot reach the schedule server"},
		{"proxy-only", "Calls will work only relayed over TLS: expect higher latency", "signalling works only through the HTTP proxy"},
	}
	all := scenarios()
	for _, tt := range tests {
		i := slices.IndexFunc(all, func(s scenario) bool { return s.name == tt.scenario })
		r := all[i].report(t)
		if r.Verdict.Headline != tt.headline {
			t.Errorf("%s: headline %q, want %q", tt.scenario, r.Verdict.Headline, tt.headline)
		}
		if !strings.Contains(strings.ToLower(r.Verdict.Summary), strings.ToLower(tt.summary)) {
			t.Errorf("%s: summary %q, want it to contain %q", tt.scenario, r.Verdict.Summary, tt.summary)
		}
	}
}

// gone removes the steps after TCP of the targets matching prefix: they
// are not reached when the connection fails.
func gone(prefix string) []mod {
	return []mod{{pat: prefix + "/tls", status: "-"}, {pat: prefix + "/https", status: "-"}, {pat: prefix + "/ws", status: "-"}}
}
