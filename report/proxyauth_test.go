package report

import (
	"slices"
	"strings"
	"testing"
)

// authStopped is a proxy-only network whose proxy wants a login rtcprobe
// could not give: every TCP probe behind the proxy is skipped.
func authStopped(fix string) []mod {
	d := map[string]string{"proxyStatus": "407", "proxyAuthOffered": "Negotiate", "proxyAuthFix": fix}
	return []mod{dropped("stun/*"), dropped("turn1-udp"),
		{pat: "*/tls", status: StatusSkipped, reason: ReasonProxyAuthUnavailable, details: d},
		{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
		{pat: "turn?-t*", status: StatusSkipped, reason: ReasonProxyAuthUnavailable, details: d}}
}

func TestJudgeProxyAuth(t *testing.T) {
	proxy := func(x *labNet) { x.httpProxy = true }
	n := func(f func(*labNet)) labNet { x := defaultNet(); f(&x); return x }
	ok := map[string]string{"proxyStatus": "200", "proxyAuthOffered": "Negotiate, NTLM, Basic", "proxyAuth": "NTLM", "proxyAuthSource": "environment"}
	scenarios := []scenario{
		{name: "auth-unavailable", net: n(proxy), mods: authStopped("run kinit alice@LAB.TEST"),
			signaling: SignalingUntested, media: MediaUntested, outcome: OutcomeInconclusive,
			paths: [4]string{PathBlocked, PathBlocked, PathUntested, PathUntested}, rules: sixUDP,
			findings: []string{"proxy-auth-untested"}},
		{name: "auth-ok", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", details: ok}, {pat: "turn?-t*", details: ok}},
			signaling: SignalingViaProxy, media: PathTURNTCP, outcome: OutcomeWorksDegraded,
			paths: [4]string{PathBlocked, PathBlocked, PathOK, PathOK}, rules: sixUDP, findings: []string{"proxy-auth"}},
		{name: "auth-rejected-logon", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", status: StatusFailed, reason: ReasonProxyAuthRejected, details: map[string]string{"proxyStatus": "407", "proxyAuthOffered": "Negotiate"}},
			{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
			{pat: "turn?-t*", status: StatusFailed, reason: ReasonProxyAuthRejected, details: map[string]string{"proxyStatus": "407"}}},
			signaling: SignalingBlocked, media: MediaNone, fw5501: true, outcome: OutcomeFails,
			paths: [4]string{PathBlocked, PathBlocked, PathBlocked, PathBlocked}, rules: sixUDP,
			findings: []string{"proxy-auth-rejected"}},
		{name: "auth-broken", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", status: StatusFailed, reason: ReasonProxyAuthBroken, details: map[string]string{"proxyStatus": "407", "proxyAuthOffered": "NTLM"}},
			{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
			{pat: "turn?-t*", status: StatusFailed, reason: ReasonProxyAuthBroken, details: map[string]string{"proxyStatus": "407"}}},
			signaling: SignalingBlocked, media: MediaNone, fw5501: true, outcome: OutcomeFails,
			paths: [4]string{PathBlocked, PathBlocked, PathBlocked, PathBlocked}, rules: sixUDP,
			findings: []string{"proxy-auth-broken"}},
		// Direct UDP works: the untested proxy does not hide the answer.
		{name: "auth-unavailable-udp-open", net: n(proxy), mods: authStopped("run kinit alice@LAB.TEST")[2:],
			signaling: SignalingUntested, media: PathDirectUDP, outcome: OutcomeInconclusive,
			paths: [4]string{PathOK, PathOK, PathUntested, PathUntested}, findings: []string{"proxy-auth-untested"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := s.report(t)
			s.check(t, r)
			validate(t, r)
			if s.signaling == SignalingUntested {
				for _, rv := range r.Verdict.Regions {
					if rv.Status != SignalingUntested || !strings.Contains(rv.Detail, "kinit alice@LAB.TEST") {
						t.Errorf("region %s = %s (%s), want untested with the fix", rv.Region, rv.Status, rv.Detail)
					}
				}
				if !strings.Contains(r.Verdict.Summary, "run kinit alice@LAB.TEST") || !strings.Contains(r.Verdict.Headline, "login") {
					t.Errorf("verdict %q / %q does not name the login and its fix", r.Verdict.Headline, r.Verdict.Summary)
				}
			}
			if s.paths[2] == PathUntested && !strings.Contains(r.Paths.TURNTCP.Detail, "kinit") {
				t.Errorf("turn-tcp detail %q lacks the fix", r.Paths.TURNTCP.Detail)
			}
			for _, f := range r.Findings {
				if f.Code == "proxy-refused" || f.Code == "logger-blocked" && s.signaling == SignalingUntested {
					t.Errorf("false finding %s: %s", f.Code, f.Detail)
				}
			}
			if slices.ContainsFunc(r.Remediation, func(ru Rule) bool { return ru.Protocol == "tcp" }) {
				t.Errorf("a TCP rule for a proxy login: %v", r.Remediation)
			}
		})
	}
}
