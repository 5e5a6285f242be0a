package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// authStopped is a proxy-only network whose proxy wants a login rtcprobe
// could not give: every TCP probe behind the proxy is skipped.
func authStopped(fix string) []mod {
	d := map[result.DetailKey]string{"proxyStatus": "407", "proxyAuthOffered": "Negotiate", "proxyAuthFix": fix}
	return []mod{dropped("stun/*"), dropped("turn1-udp"),
		{pat: "*/tls", status: result.StatusSkipped, reason: result.ReasonProxyAuthUnavailable, details: d},
		{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
		{pat: "turn?-t*", status: result.StatusSkipped, reason: result.ReasonProxyAuthUnavailable, details: d}}
}

func TestJudgeProxyAuth(t *testing.T) {
	proxy := func(x *labNet) { x.httpProxy = true }
	n := func(f func(*labNet)) labNet { x := defaultNet(); f(&x); return x }
	ok := map[result.DetailKey]string{"proxyStatus": "200", "proxyAuthOffered": "Negotiate, NTLM, Basic", "proxyAuth": "NTLM", "proxyAuthSource": "environment"}
	scenarios := []scenario{
		{name: "auth-unavailable", net: n(proxy), mods: authStopped("run kinit alice@LAB.TEST"),
			signaling: result.SignalingUntested, media: result.MediaUntested, outcome: result.OutcomeInconclusive,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathUntested, result.PathUntested}, rules: sixUDP,
			findings: []string{"proxy-auth-untested"}},
		{name: "auth-ok", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", details: ok}, {pat: "turn?-t*", details: ok}},
			signaling: result.SignalingViaProxy, media: result.PathTURNTCP, outcome: result.OutcomeWorksDegraded,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathOK, result.PathOK}, rules: sixUDP, findings: []string{"proxy-auth"}},
		{name: "auth-rejected-logon", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", status: result.StatusFailed, reason: result.ReasonProxyAuthRejected, details: map[result.DetailKey]string{"proxyStatus": "407", "proxyAuthOffered": "Negotiate"}},
			{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
			{pat: "turn?-t*", status: result.StatusFailed, reason: result.ReasonProxyAuthRejected, details: map[result.DetailKey]string{"proxyStatus": "407"}}},
			signaling: result.SignalingBlocked, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathBlocked, result.PathBlocked}, rules: sixUDP,
			findings: []string{"proxy-auth-rejected"}},
		{name: "auth-broken", net: n(proxy), mods: []mod{dropped("stun/*"), dropped("turn1-udp"),
			{pat: "*/tls", status: result.StatusFailed, reason: result.ReasonProxyAuthBroken, details: map[result.DetailKey]string{"proxyStatus": "407", "proxyAuthOffered": "NTLM"}},
			{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"},
			{pat: "turn?-t*", status: result.StatusFailed, reason: result.ReasonProxyAuthBroken, details: map[result.DetailKey]string{"proxyStatus": "407"}}},
			signaling: result.SignalingBlocked, media: result.MediaNone, fw5501: true, outcome: result.OutcomeFails,
			paths: [4]result.PathStatus{result.PathBlocked, result.PathBlocked, result.PathBlocked, result.PathBlocked}, rules: sixUDP,
			findings: []string{"proxy-auth-broken"}},
		// Direct UDP works: the untested proxy does not hide the answer.
		{name: "auth-unavailable-udp-open", net: n(proxy), mods: authStopped("run kinit alice@LAB.TEST")[2:],
			signaling: result.SignalingUntested, media: result.PathDirectUDP, outcome: result.OutcomeInconclusive,
			paths: [4]result.PathStatus{result.PathOK, result.PathOK, result.PathUntested, result.PathUntested}, findings: []string{"proxy-auth-untested"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := s.report(t)
			s.check(t, r)
			validate(t, r)
			if s.signaling == result.SignalingUntested {
				for _, rv := range r.Verdict.Regions {
					if rv.Status != result.SignalingUntested || !strings.Contains(rv.Detail, "kinit alice@LAB.TEST") {
						t.Errorf("region %s = %s (%s), want untested with the fix", rv.Region, rv.Status, rv.Detail)
					}
				}
				if !strings.Contains(r.Verdict.Summary, "run kinit alice@LAB.TEST") || !strings.Contains(r.Verdict.Headline, "login") {
					t.Errorf("verdict %q / %q does not name the login and its fix", r.Verdict.Headline, r.Verdict.Summary)
				}
			}
			if s.paths[2] == result.PathUntested && !strings.Contains(r.Paths.TURNTCP.Detail, "kinit") {
				t.Errorf("turn-tcp detail %q lacks the fix", r.Paths.TURNTCP.Detail)
			}
			for _, f := range r.Findings {
				if f.Code == "proxy-refused" || f.Code == "logger-blocked" && s.signaling == result.SignalingUntested {
					t.Errorf("false finding %s: %s", f.Code, f.Detail)
				}
			}
			if slices.ContainsFunc(r.Remediation, func(ru result.Rule) bool { return ru.Protocol == "tcp" }) {
				t.Errorf("a TCP rule for a proxy login: %v", r.Remediation)
			}
		})
	}
}
