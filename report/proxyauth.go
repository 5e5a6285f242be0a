package report

import (
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// authUntested reports whether p was not run because rtcprobe could not
// authenticate to the HTTP proxy the way the browser would: what lies
// behind the proxy is untested, never blocked.
func authUntested(p *result.Probe) bool {
	return p.Status == result.StatusSkipped && (p.Reason == result.ReasonProxyAuthUnavailable || p.Reason == result.ReasonProxyAuthRejected)
}

// authFix is the one line that lets rtcprobe log in (from the probe).
func authFix(p *result.Probe) string {
	if f := p.Details[result.DetailProxyAuthFix]; f != "" {
		return f
	}
	return "set RTCPROBE_PROXY_USERNAME and RTCPROBE_PROXY_PASSWORD"
}

// authLimit names the proxy, the schemes it offered and the fix, for
// path and verdict sentences: "the HTTP proxy http://p:3128 wants a login
// (Negotiate) that rtcprobe could not give as the browser would; run kinit
// user@REALM".
func authLimit(r *result.Report, p *result.Probe) string {
	proxy := "the HTTP proxy"
	if r.Config.HTTPProxy != "" {
		proxy += " " + r.Config.HTTPProxy
	}
	offered := p.Details[result.DetailProxyAuthOffered]
	if offered == "" {
		offered = "a scheme"
	}
	return proxy + " wants a login (" + offered + ") that rtcprobe could not give as the browser would; to test it, " + authFix(p)
}

// authUntestedIn returns the first of set stopped by the proxy login.
func authUntestedIn(set []*result.Probe) *result.Probe {
	for _, p := range set {
		if authUntested(p) {
			return p
		}
	}
	return nil
}

// authPathDetail is an untested TURN path's detail when the proxy login
// stopped it, "" otherwise.
func authPathDetail(r *result.Report, name string, set []*result.Probe) string {
	p := authUntestedIn(set)
	if p == nil {
		return ""
	}
	return name + " goes through the HTTP proxy and was not tested: " + authLimit(r, p) + "."
}

// mediaAuthUntested reports whether a counting media path is untested
// because of the proxy login: then "no media path works" cannot be said.
func mediaAuthUntested(r *result.Report) *result.Probe {
	for _, name := range result.PathOrder {
		path := r.Paths.Get(name)
		if path.Status != result.PathUntested || !path.Counts {
			continue
		}
		for _, id := range path.Evidence {
			for i := range r.Probes {
				if p := &r.Probes[i]; p.ID == id && authUntested(p) {
					return p
				}
			}
		}
	}
	return nil
}

// proxyAuthFindings says how the proxy login went: which scheme worked
// (info), that rtcprobe could not log in (warning, with the fix), or that
// the proxy refused the logged-in user's credentials (critical: the
// browser is refused too).
func proxyAuthFindings(fs *findingSet, p *result.Probe) {
	offered := p.Details[result.DetailProxyAuthOffered]
	switch {
	case p.Details[result.DetailProxyAuth] != "":
		fs.add(result.Finding{Code: "proxy-auth", Severity: result.SeverityInfo,
			Title: "The HTTP proxy wants a login: " + p.Details[result.DetailProxyAuth] + " worked",
			Detail: "The proxy offered " + offered + "; rtcprobe logged in with " + p.Details[result.DetailProxyAuth] +
				" (" + orDash(p.Details[result.DetailProxyAuthSource]) + "), as the browser would.",
			Evidence: []result.ID{p.ID}})
	case authUntested(p):
		fs.add(result.Finding{Code: "proxy-auth-untested", Severity: result.SeverityWarning,
			Title:    "The HTTP proxy wants a login rtcprobe could not give: what lies behind it is untested",
			Detail:   "The proxy offered " + orDash(offered) + ". The browser may log in (with the user's Windows logon, Kerberos ticket or typed password); to test as it would, " + authFix(p) + ".",
			Evidence: []result.ID{p.ID}})
	case p.Reason == result.ReasonProxyAuthBroken:
		fs.add(result.Finding{Code: "proxy-auth-broken", Severity: result.SeverityCritical,
			Title:    "The HTTP proxy's login handshake is malformed: browsers cannot log in",
			Detail:   "The proxy offered " + orDash(offered) + " and answered with a message the browser refuses (" + strings.TrimSpace(p.Error) + "). Fix the proxy's authentication helper, let it offer Negotiate or Basic, or exempt the TRTC domains from authentication.",
			Evidence: []result.ID{p.ID}})
	case p.Reason == result.ReasonProxyAuthRejected:
		fs.add(result.Finding{Code: "proxy-auth-rejected", Severity: result.SeverityCritical,
			Title:    "The HTTP proxy refuses the logged-in user's credentials",
			Detail:   "The proxy offered " + orDash(offered) + " and refused the login rtcprobe gave as the browser would (" + strings.TrimSpace(p.Error) + "). Let the users' accounts through the proxy, or exempt the TRTC domains from authentication.",
			Evidence: []result.ID{p.ID}})
	}
}
