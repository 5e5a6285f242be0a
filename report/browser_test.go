package report

import (
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// pol is one browser's policies from name=value pairs, set in src.
func pol(browser, src string, kv ...string) result.BrowserPolicy {
	bp := result.BrowserPolicy{Browser: browser}
	for i := 0; i+1 < len(kv); i += 2 {
		bp.Settings = append(bp.Settings, result.PolicySetting{Name: kv[i], Value: kv[i+1], Source: src})
	}
	return bp
}

const edgeKey = `HKLM\SOFTWARE\Policies\Microsoft\Edge`

var (
	edgeNoUDP    = pol("edge", edgeKey, "WebRtcIPHandling", "disable_non_proxied_udp")
	chromeRange  = pol("chrome", "/etc/opt/chrome/policies/managed/w.json", "WebRtcUdpPortRange", "10000-10100")
	firefoxOff   = pol("firefox", "/etc/firefox/policies/policies.json", "media.peerconnection.enabled", "false")
	firefoxProxy = pol("firefox", "/etc/firefox/policies/policies.json", "media.peerconnection.ice.proxy_only", "true")
	firefoxRelay = pol("firefox", "/etc/firefox/policies/policies.json", "media.peerconnection.ice.relay_only", "true")
)

func withPolicies(browser string, ps ...result.BrowserPolicy) func(*labNet) {
	return func(x *labNet) { x.browser, x.policies = browser, ps }
}

func TestBrowserPolicyScenarios(t *testing.T) {
	for _, tc := range []struct {
		scenario
		policy   string // substring of Verdict.Policy, "" = none
		headline string // substring of the headline
		others   []string
	}{
		{scenario: scenario{name: "disable-non-proxied-udp-open", net: n(withPolicies("edge", edgeNoUDP)),
			signaling: result.SignalingOK, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: allOK,
			uncounted: []result.PathName{result.PathDirectUDP, result.PathTURNUDP}, findings: []string{"browser-policy"}},
			policy: "WebRtcIPHandling=disable_non_proxied_udp (" + edgeKey + ")", headline: "Edge policy WebRtcIPHandling forbids UDP"},
		{scenario: scenario{name: "disable-non-proxied-udp-tcp-blocked", net: n(withPolicies("edge", edgeNoUDP)),
			mods:      []mod{dropped("turn1-tcp"), dropped("turn2-tls")},
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathOK, result.PathOK, result.PathBlocked, result.PathBlocked}, uncounted: []result.PathName{result.PathDirectUDP, result.PathTURNUDP},
			rules: []string{"tcp/3478"}, findings: []string{"browser-policy"}},
			policy: "WebRtcIPHandling", headline: "5501"},
		{scenario: scenario{name: "policy-for-another-browser", net: n(withPolicies("chrome", edgeNoUDP)),
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK},
			others: []string{"edge works-degraded turn-tcp"}},
		{scenario: scenario{name: "firefox-off", net: n(withPolicies("firefox", firefoxOff, edgeNoUDP)),
			signaling: result.SignalingOK, media: result.MediaNone, outcome: result.OutcomeFails, paths: allOK, uncounted: result.PathOrder,
			findings: []string{"browser-policy"}},
			policy: "turns WebRTC off", headline: "Calls will fail: Firefox policy media.peerconnection.enabled turns WebRTC off",
			others: []string{"edge works-degraded turn-tcp"}},
		{scenario: scenario{name: "firefox-proxy-only-no-proxy", net: n(withPolicies("firefox", firefoxProxy)),
			signaling: result.SignalingOK, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails, paths: allOK, uncounted: result.PathOrder},
			policy: "proxy_only=true"},
		{scenario: scenario{name: "firefox-proxy-only-proxy", net: n(func(x *labNet) { withPolicies("firefox", firefoxProxy)(x); x.httpProxy = true }),
			signaling: result.SignalingViaProxy, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: allOK,
			uncounted: []result.PathName{result.PathDirectUDP, result.PathTURNUDP}},
			policy: "proxy_only"},
		{scenario: scenario{name: "firefox-relay-only", net: n(withPolicies("firefox", firefoxRelay)),
			signaling: result.SignalingOK, media: result.PathTURNUDP, outcome: result.OutcomeWorksDegraded, paths: allOK, uncounted: []result.PathName{result.PathDirectUDP}},
			policy: "relay_only"},
		{scenario: scenario{name: "policy-but-udp-blocked-anyway", net: n(withPolicies("edge", edgeNoUDP)),
			mods:      []mod{dropped("stun/*"), dropped("turn1-udp")},
			signaling: result.SignalingOK, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: udpGone,
			uncounted: []result.PathName{result.PathDirectUDP, result.PathTURNUDP}}},
		{scenario: scenario{name: "port-range-firewall", net: n(func(x *labNet) { withPolicies("chrome", chromeRange)(x); x.portRange = "10000-10100" }),
			mods:      []mod{dropped("stun-anyport/8000")},
			signaling: result.SignalingOK, media: result.PathDirectUDP, outcome: result.OutcomeWorks, paths: allOK, findings: []string{"udp-source-port-filter"}}},
		{scenario: scenario{name: "port-range-dropped", net: n(func(x *labNet) { withPolicies("chrome", chromeRange)(x); x.portRange = "10000-10100" }),
			mods:      []mod{dropped("stun/*"), dropped("turn1-udp")},
			signaling: result.SignalingOK, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded, paths: udpGone, rules: sixUDP,
			findings: []string{"browser-policy"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.report(t)
			tc.check(t, r)
			v := r.Verdict
			if !strings.Contains(v.Policy, tc.policy) || (tc.policy == "") != (v.Policy == "") {
				t.Errorf("verdict.policy %q, want %q", v.Policy, tc.policy)
			}
			if !strings.Contains(v.Headline, tc.headline) {
				t.Errorf("headline %q, want %q in it", v.Headline, tc.headline)
			}
			if tc.policy != "" && !strings.Contains(v.Summary, "policy") {
				t.Errorf("summary does not name the policy: %q", v.Summary)
			}
			var others []string
			for _, b := range v.Browsers {
				others = append(others, b.Browser+" "+string(b.Outcome)+" "+string(b.Media))
			}
			if strings.Join(others, ",") != strings.Join(tc.others, ",") {
				t.Errorf("other browsers %v, want %v", others, tc.others)
			}
		})
	}
}

// The wording: the remediation names the policy and what else
// would fix it.
func TestPolicyFindingWording(t *testing.T) {
	s := scenario{net: n(withPolicies("edge", edgeNoUDP)), mods: []mod{dropped("turn1-tcp"), dropped("turn2-tls")}}
	r := s.report(t)
	for _, f := range r.Findings {
		if f.Code == "browser-policy" {
			want := "Edge policy WebRtcIPHandling forbids UDP"
			if f.Title != want || !strings.Contains(f.Detail, "Remove it, or open TCP 3478 to turn.lab.test") || f.Evidence[0] != "policy/edge" {
				t.Errorf("finding %+v", f)
			}
			return
		}
	}
	t.Fatal("no browser-policy finding")
}

func TestRouteFindings(t *testing.T) {
	route := func(id, role, agent, running string) result.Probe {
		p := okProbe(id, string(result.KindRoute), "route", "", strings.TrimPrefix(id, "route/"), 0, "")
		p.Details = map[result.DetailKey]string{"interface": "cscotun0", "localAddress": "10.8.0.2", "for": role}
		if agent != "" {
			p.Details["agent"] = agent
		}
		if running != "" {
			p.Details["agentsRunning"] = running
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		mods   []mod
		routes []result.Probe
		want   []string
	}{
		{"tunnel, udp open", nil, []result.Probe{route("route/reflector.lab.test", "media", "Cisco Secure Client", "")}, []string{"vpn-route"}},
		{"tunnel drops udp", []mod{dropped("stun/*")}, []result.Probe{route("route/reflector.lab.test", "media", "Cisco Secure Client", "Cisco Secure Client")}, []string{"vpn-route", "vpn-drops-udp"}},
		{"agent without interface", []mod{dropped("stun/*")}, []result.Probe{route("route/reflector.lab.test", "media", "", "Netskope")}, []string{"vpn-agent-running"}},
		{"no agent", []mod{dropped("stun/*")}, []result.Probe{route("route/reflector.lab.test", "media", "", "")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scenario{net: defaultNet(), mods: tc.mods}
			r := s.report(t)
			r.Probes = append(r.Probes, tc.routes...)
			before := r.Verdict
			Judge(r)
			var got []string
			for _, f := range r.Findings {
				if strings.HasPrefix(f.Code, "vpn-") {
					got = append(got, f.Code)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
			if r.Verdict.Outcome != before.Outcome || r.Verdict.Media != before.Media {
				t.Errorf("a route changed the verdict: %s/%s -> %s/%s", before.Outcome, before.Media, r.Verdict.Outcome, r.Verdict.Media)
			}
		})
	}
}

// Policy text from a report file is data: no escape sequence reaches the
// terminal through the text report.
func TestPolicyTextNoControl(t *testing.T) {
	evil := pol("edge", "/etc/opt/edge/policies/managed/\x1b[2Jx.json", "WebRtcIPHandling", "disable_non_proxied_udp", "ProxyServer", "p\x1b]0;owned\x07:1")
	s := scenario{net: n(withPolicies("edge", evil))}
	r := s.report(t)
	var b strings.Builder
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("control characters reached the text report")
	}
}
