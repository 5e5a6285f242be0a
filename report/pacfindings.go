package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// The PAC findings. Chromium's behaviour they state (README "Proxy
// auto-config"): a PAC that cannot be fetched or does not load falls back
// to the manual proxy settings, else DIRECT; a FindProxyForURL that throws
// sends that URL DIRECT; with ProxyPacMandatory both block the request
// instead (net/proxy_resolution/configured_proxy_resolution_service.cc).

// pacSlowMs is the evaluation time above which the PAC is called slow: it
// runs before every new connection.
const pacSlowMs = 300

// byPAC reports whether a probe's route was chosen by a PAC that ran.
func byPAC(p *result.Probe) bool { return strings.HasPrefix(p.Details[result.DetailRouteBy], "pac ") }

// routeProxy is the proxy a probe went through by its route ("" for
// DIRECT or no route).
func routeProxy(p *result.Probe) string {
	rt := p.Details[result.DetailRoute]
	if _, addr, ok := strings.Cut(rt, " "); ok && rt != "DIRECT" {
		return addr
	}
	return ""
}

// routeWhy says, for a probe routed by a PAC, where the PAC sent the URL
// and what that proxy did: "the PAC sends wss://host to proxy:8080, which
// refuses CONNECT (403)". "" when the probe was not routed by a PAC.
func routeWhy(r *result.Report, p *result.Probe) string {
	if !byPAC(p) {
		return ""
	}
	u := pacURLOf(r, p)
	px := routeProxy(p)
	switch {
	case px == "":
		return "the PAC sends " + u + " DIRECT, and it " + statusText(p.Status, p.Reason)
	case p.Reason.ProxyRefused():
		return fmt.Sprintf("the PAC sends %s to %s, which refuses CONNECT (%s)", u, px, orDash(p.Details[result.DetailProxyStatus]))
	case p.Kind == result.KindTCP && isProxyTCP(p):
		return fmt.Sprintf("the PAC sends %s to %s, which cannot be reached (%s)", u, px, statusText(p.Status, p.Reason))
	}
	return fmt.Sprintf("the PAC sends %s to %s, and through it %s", u, px, statusText(p.Status, p.Reason))
}

// isProxyTCP reports whether p is TCP to an HTTP proxy its route tries.
func isProxyTCP(p *result.Probe) bool {
	_, ok := p.ID.IsProxyTCP()
	return ok
}

// pacURLOf is the URL the PAC was asked about for p's target.
func pacURLOf(r *result.Report, p *result.Probe) string {
	if r == nil {
		return p.Target
	}
	pacID := result.WebID(p.ID.Head(), result.StepPAC)
	for i := range r.Probes {
		if q := &r.Probes[i]; q.ID == pacID {
			return q.Target
		}
	}
	return p.Target
}

// pacFindings adds the PAC's findings: what it decided, and what went
// wrong with it.
func pacFindings(fs *findingSet, r *result.Report) {
	var fetch *result.Probe
	var evals, failedEval, slow []*result.Probe
	var routes pacRoutes
	for i := range r.Probes {
		p := &r.Probes[i]
		switch {
		case p.Kind != result.KindPAC:
			if byPAC(p) {
				routes.add(r, p)
			}
		case p.ID == result.PACFetchID:
			fetch = p
		default:
			evals = append(evals, p)
			if p.Status != result.StatusOK {
				failedEval = append(failedEval, p)
			}
			if p.RTTMs != nil && *p.RTTMs > pacSlowMs {
				slow = append(slow, p)
			}
		}
	}
	routes.emit(fs, r)
	if fetch == nil {
		legacyPACFinding(fs, r)
		return
	}
	if fetch.Status != result.StatusOK {
		pacFetchFinding(fs, r, fetch)
	} else if len(evals) > 0 {
		fs.add(result.Finding{Code: "proxy-auto-config", Severity: result.SeverityInfo,
			Title:    "The browser picks its proxy with the PAC script " + fetch.Target + "; rtcprobe ran it for every TRTC URL",
			Detail:   "The PAC answers " + routeList(evals) + ". Every probe went the way the PAC says.",
			Evidence: ids(evals)})
	}
	if len(failedEval) > 0 {
		sev, then := result.SeverityWarning, "Chrome sends these URLs DIRECT, as this run did"
		if r.Config.PACMandatory {
			sev, then = result.SeverityCritical, "ProxyPacMandatory is set, so the browser sends nothing to them (ERR_MANDATORY_PROXY_CONFIGURATION_FAILED)"
		}
		fs.add(result.Finding{Code: "pac-script-error", Severity: sev,
			Title:    "The PAC script fails for " + hostsOf(failedEval),
			Detail:   then + ": " + failedEval[0].Error + ". Fix FindProxyForURL for the TRTC hosts.",
			Evidence: ids(failedEval)})
	}
	if len(slow) > 0 {
		worst := slow[0]
		for _, p := range slow {
			if *p.RTTMs > *worst.RTTMs {
				worst = p
			}
		}
		fs.add(result.Finding{Code: "pac-slow", Severity: result.SeverityWarning,
			Title: fmt.Sprintf("The PAC script takes up to %.0f ms per URL", *worst.RTTMs),
			Detail: "The browser runs it before every new connection, so each one waits that long; " +
				"a PAC usually is slow in its DNS helpers (isResolvable, dnsResolve, isInNet on a name): test the host name patterns first.",
			Evidence: ids(slow)})
	}
}

// pacFetchFinding: the script could not be had.
func pacFetchFinding(fs *findingSet, r *result.Report, p *result.Probe) {
	fallback := "DIRECT"
	if r.Config.HTTPProxy != "" {
		fallback = "the manual proxy " + r.Config.HTTPProxy
	}
	if p.Reason == result.ReasonWPADNotFound {
		fs.add(result.Finding{Code: "wpad-not-found", Severity: result.SeverityInfo,
			Title:    "Auto-detect is on, but no WPAD server answers",
			Detail:   p.Error + ". The browser then uses " + fallback + ", as this run did.",
			Evidence: []result.ID{p.ID}})
		return
	}
	f := result.Finding{Code: "pac-fetch-failed", Severity: result.SeverityWarning, Evidence: []result.ID{p.ID},
		Title: "The PAC script " + p.Target + " cannot be used (" + string(p.Reason) + ")",
		Detail: p.Error + ". Chrome then falls back to " + fallback + " for every URL, as this run did; " +
			"users on other networks may get another answer: serve the script reliably."}
	if r.Config.PACMandatory {
		f.Severity = result.SeverityCritical
		f.Detail = p.Error + ". ProxyPacMandatory is set, so the browser sends nothing at all (ERR_MANDATORY_PROXY_CONFIGURATION_FAILED): serve the script, or clear ProxyPacMandatory."
	}
	fs.add(f)
}

// pacRoutes collects the TRTC connections the PAC sent through a proxy
// that refused CONNECT or could not be reached, per proxy.
type pacRoutes struct {
	order   []string
	refused map[string][]*result.Probe
	down    map[string][]*result.Probe
}

func (pr *pacRoutes) add(r *result.Report, p *result.Probe) {
	px := routeProxy(p)
	if px == "" {
		return
	}
	var m *map[string][]*result.Probe
	switch {
	case p.Reason.ProxyRefused():
		m = &pr.refused
	case p.Kind == result.KindTCP && isProxyTCP(p) && p.Status != result.StatusOK:
		m = &pr.down
	default:
		return
	}
	if *m == nil {
		*m = map[string][]*result.Probe{}
	}
	if len(pr.refused[px])+len(pr.down[px]) == 0 {
		pr.order = append(pr.order, px)
	}
	(*m)[px] = append((*m)[px], p)
}

// emit adds one finding per proxy: the URLs it got, what to change.
func (pr *pacRoutes) emit(fs *findingSet, r *result.Report) {
	for _, px := range pr.order {
		if ps := pr.refused[px]; len(ps) > 0 {
			var ports []string
			for _, p := range ps {
				port := "443"
				if p.Port != 0 {
					port = strconv.Itoa(p.Port)
				}
				ports = uniq(ports, port)
			}
			fs.add(result.Finding{Code: "pac-proxy-refuses", Severity: pacSeverity(ps), Evidence: ids(ps),
				Title: "The PAC sends " + urlsOf(r, ps, 1) + " to " + px + ", which refuses CONNECT (" + orDash(ps[0].Details[result.DetailProxyStatus]) + ")",
				Detail: "URLs sent there: " + urlsOf(r, ps, 6) + ". Return DIRECT for the TRTC domains in the PAC, or allow CONNECT " +
					andList(ports) + " to them in " + px + " (a refused CONNECT is final: the browser does not try the PAC's next entry)."})
		}
		if ps := pr.down[px]; len(ps) > 0 {
			fs.add(result.Finding{Code: "pac-proxy-down", Severity: result.SeverityWarning, Evidence: ids(ps),
				Title: "The PAC lists the proxy " + px + ", which " + statusText(ps[0].Status, ps[0].Reason),
				Detail: "For " + urlsOf(r, ps, 6) + " the browser tries it first and, once it fails, the PAC's next entry (if any); " +
					"every new connection waits for it. Fix or remove " + px + " in the PAC."})
		}
	}
}

// pacSeverity is critical when a call needs one of the connections
// (schedule, signalling, TURN), a warning for logs and legacy hosts.
func pacSeverity(ps []*result.Probe) result.Severity {
	for _, p := range ps {
		if p.Role == "schedule" || p.Role == "signaling" || p.Role == "turn" {
			return result.SeverityCritical
		}
	}
	return result.SeverityWarning
}

// urlsOf lists the PAC URLs of probes, the first n and "and N more".
func urlsOf(r *result.Report, ps []*result.Probe, n int) string {
	var us []string
	for _, p := range ps {
		us = uniq(us, pacURLOf(r, p))
	}
	if len(us) <= n {
		return andList(us)
	}
	return strings.Join(us[:n], ", ") + " and " + strconv.Itoa(len(us)-n) + " more"
}

// legacyPACFinding keeps the old meaning for reports written before
// rtcprobe ran PAC scripts: a PAC URL in the config and no pac probes.
func legacyPACFinding(fs *findingSet, r *result.Report) {
	if r.Config.PACURL != "" && r.Config.HTTPProxy == "" {
		fs.add(result.Finding{Code: "proxy-auto-config", Severity: result.SeverityWarning,
			Title: "The system proxy is set by an auto-config script, which this (older) report did not run",
			Detail: "The browser runs " + r.Config.PACURL + " to pick a proxy for each URL; this run went direct. " +
				"Run a current rtcprobe, which runs the script, or give --pac."})
	}
}

// routeList groups the evaluations by the PAC's answer: "PROXY p:1;
// DIRECT for wss://a/, https://b/ and 3 more. DIRECT for ...".
func routeList(evals []*result.Probe) string {
	var order []string
	urls := map[string][]string{}
	for _, p := range evals {
		rt := p.Details[result.DetailRoute]
		if p.Status != result.StatusOK {
			rt = "DIRECT (the script failed)"
		}
		if _, ok := urls[rt]; !ok {
			order = append(order, rt)
		}
		urls[rt] = uniq(urls[rt], p.Target)
	}
	parts := make([]string, len(order))
	for i, rt := range order {
		us := urls[rt]
		list := andList(us)
		if len(us) > 4 {
			list = strings.Join(us[:4], ", ") + " and " + strconv.Itoa(len(us)-4) + " more"
		}
		parts[i] = "\"" + rt + "\" for " + list
	}
	return strings.Join(parts, "; ")
}

func hostsOf(ps []*result.Probe) string {
	var out []string
	for _, p := range ps {
		out = uniq(out, hostOfURL(p.Target))
	}
	return andList(out)
}

func ids(ps []*result.Probe) []result.ID {
	out := make([]result.ID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
