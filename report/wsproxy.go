package report

import (
	"strconv"

	"github.com/rtcprobe/rtcprobe/result"
)

// wsBrokenByProxy reports whether a signalling WebSocket failed inside an
// HTTP proxy that inspects TLS: the tunnel's certificate is not the
// host's (issuerPublic false), so the non-101 answer or the dropped
// upgrade came from the proxy, not from the TRTC host. Through a plain
// CONNECT tunnel the answer is the host's, and the path is open.
func wsBrokenByProxy(r *result.Report, p *result.Probe) bool {
	if p.Kind != result.KindWebSocket || p.SDKProxy || p.Status == result.StatusOK || p.Status == result.StatusRunning || p.Status == result.StatusSkipped {
		return false
	}
	if p.Via != result.ViaHTTPProxy && routeProxy(p) == "" {
		return false
	}
	tlsID := result.WebID(p.ID.Head(), result.StepTLS)
	for i := range r.Probes {
		if q := &r.Probes[i]; q.ID == tlsID {
			return q.Status == result.StatusOK && q.Details[result.DetailIssuerPublic] == "false"
		}
	}
	return false
}

// wsProxyFindings: an inspecting HTTP proxy that passes HTTPS but breaks
// (strips or answers) the WebSocket upgrade.
func wsProxyFindings(fs *findingSet, r *result.Report) {
	for i := range r.Probes {
		p := &r.Probes[i]
		if !wsBrokenByProxy(r, p) {
			continue
		}
		px := routeProxy(p)
		if px == "" {
			px = r.Config.HTTPProxy
		}
		what := statusText(p.Status, p.Reason)
		if code, ok := p.Reason.HTTPStatus(); ok {
			what = "answers HTTP " + strconv.Itoa(code) + " instead of 101"
		}
		fs.add(result.Finding{Code: "proxy-breaks-websocket", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title: "The HTTP proxy " + orDash(px) + " inspects TLS and breaks the WebSocket upgrade to " + hostOfURL(p.Target),
			Detail: "The upgrade " + what + " inside the proxy's re-signed tunnel, while HTTPS passes: the proxy strips or refuses WebSockets. " +
				"Exempt the TRTC domains from TLS inspection (or allow WebSocket upgrades) in the proxy."})
	}
}
