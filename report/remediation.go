package report

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// remediate lists the fewest rules that restore the SDK's preferred
// behaviour: TCP to the signalling/schedule/log hosts a firewall or HTTP
// proxy stops, the closed UDP media ports when direct UDP counts, and the
// TURN ports only when direct UDP cannot be the fix (policy "relay" or no
// reflector). DNS tampering, SDK-proxy mistakes and TURN credentials get
// no rule: no firewall rule fixes them, and they are findings.
func remediate(r *result.Report, cat *catalog.Catalog, sig signaling, media result.PathName) []result.Rule {
	rules := []result.Rule{}
	add := func(ru result.Rule) {
		if !slices.ContainsFunc(rules, func(x result.Rule) bool { return ruleKey(x) == ruleKey(ru) }) {
			rules = append(rules, ru)
		}
	}
	for _, rs := range sig.regions {
		if !rs.joinable() {
			for _, p := range rs.failing {
				tcpRule(r, cat, p, rs.region, add)
			}
		}
	}
	for _, p := range loggerFailures(r) {
		tcpRule(r, cat, p, p.Region, add)
	}
	direct := r.Paths.DirectUDP
	if direct.Counts && (direct.Status == result.PathBlocked || direct.Status == result.PathPartial) {
		udpMediaRules(r, cat, add)
		return rules
	}
	if media != result.PathDirectUDP {
		turnRules(r, cat, media, add)
	}
	return rules
}

// firewallStop reports whether p failed because the network (a firewall
// or an HTTP proxy) stopped the connection, as opposed to DNS or a server.
func firewallStop(p *result.Probe) bool {
	switch {
	case p.Reason.ProxyRefused():
		return true
	case p.Kind == result.KindTCP && p.Via == result.ViaSDKProxy:
		// An SDK proxy host that resets the connection is down, not
		// firewalled; one that never answers may be either.
		return p.Status == result.StatusBlocked
	case p.Kind == result.KindTCP:
		return p.Status == result.StatusBlocked || p.Status == result.StatusRejected
	case p.Kind == result.KindTLS || p.Kind == result.KindHTTPS || p.Kind == result.KindWebSocket:
		return p.Status == result.StatusBlocked
	}
	return false
}

// tcpRule adds the rule that lets p's connection out, if a firewall or
// proxy stopped it.
func tcpRule(r *result.Report, cat *catalog.Catalog, p *result.Probe, region string, add func(result.Rule)) {
	if !firewallStop(p) {
		return
	}
	host := hostOfURL(p.Target)
	port := p.Port
	if port == 0 || p.Via == result.ViaHTTPProxy {
		port = 443
	}
	if _, ok := p.ID.IsProxyTCP(); ok {
		// The HTTP proxy itself cannot be reached.
		host, port = proxyHostPort(r.Config.HTTPProxy, p)
		if px := routeProxy(p); px != "" {
			host, port = proxyHostPort("http://"+px, p)
		}
		reason := "the HTTP proxy the browser uses " + statusText(p.Status, p.Reason)
		if p.Status == result.StatusRejected {
			// A reset comes from a firewall's reject rule or from a host
			// where nothing listens on that port: say both.
			reason += ", or no proxy listens there (check the proxy setting and that the proxy runs)"
		}
		add(result.Rule{Protocol: "tcp", Port: strconv.Itoa(port), Destination: host, Reason: reason})
		return
	}
	reason := p.Role + " endpoint " + host + " " + statusText(p.Status, p.Reason)
	switch {
	case p.Reason.ProxyRefused() && byPAC(p):
		reason += fmt.Sprintf(": the PAC sends it to %s, which refuses CONNECT (%s); allow it in that proxy, or return DIRECT for it in the PAC and let TCP %d out directly",
			routeProxy(p), orDash(p.Details[result.DetailProxyStatus]), port)
	case p.Reason.ProxyRefused():
		reason += fmt.Sprintf(": the HTTP proxy refuses CONNECT (%s); allow it in the proxy or let TCP %d out directly", orDash(p.Details[result.DetailProxyStatus]), port)
	}
	if p.Role == "logger" {
		reason += " (logs and quality reports only: calls do not need it)"
	}
	dests := []string{host}
	if !p.SDKProxy {
		// A TRTC host: the vendor's allow-list entry covering it. An SDK
		// proxy is the company's own host, allowed by name.
		dests = allowDomainsFor(cat, region, host)
	}
	for _, d := range dests {
		add(result.Rule{Protocol: "tcp", Port: strconv.Itoa(port), Destination: d, Reason: reason})
	}
}

// allowDomainsFor returns the vendor's allow-list entries of the region
// that cover host, or the host itself.
func allowDomainsFor(cat *catalog.Catalog, region, host string) []string {
	var out []string
	for _, d := range cat.AllowDomains[region] {
		if d == host {
			return []string{d}
		}
		if ok, _ := path.Match(d, host); ok || (strings.HasPrefix(d, "*.") && strings.HasSuffix(host, d[1:])) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return []string{host}
	}
	return out[:1]
}

// loggerFailures returns the failing probes of log endpoints when no log
// endpoint of a region answered.
func loggerFailures(r *result.Report) []*result.Probe {
	answered := map[string]bool{}
	for i := range r.Probes {
		if p := &r.Probes[i]; p.Role == "logger" && p.Kind == result.KindHTTPS && loggerReached(p) {
			answered[p.Region] = true
		}
	}
	var out []*result.Probe
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.Role == "logger" && !answered[p.Region] && !answered[""] && (p.Status != result.StatusOK || !loggerReached(p)) && !authUntested(p) {
			out = append(out, p)
		}
	}
	return out
}

// loggerReached: the log endpoint answered, and not with a loggerProxy's
// "my upstream is down" (502/503/504): then the logs go nowhere.
func loggerReached(p *result.Probe) bool {
	return p.Status == result.StatusOK && !(p.SDKProxy && upstreamDown(p.Details[result.DetailHttpStatus]))
}

// udpMediaRules opens the closed media ports to the media servers.
func udpMediaRules(r *result.Report, cat *catalog.Catalog, add func(result.Rule)) {
	var domains []string
	for _, region := range r.Config.Regions {
		domains = uniq(domains, cat.AllowDomains[region]...)
	}
	dest := strings.Join(domains, ", ")
	if dest == "" {
		dest = "TRTC media servers"
	}
	reason := "direct UDP media; the schedule picks the media server, so allow the TRTC domains' addresses (or any destination)"
	if m := choose(&r.Paths); m.IsTURN() {
		reason += "; calls already work relayed (" + string(m) + "), this makes them direct"
	}
	for i := range r.Probes {
		p := &r.Probes[i]
		if isSTUN(p) && closed(p.Status) {
			add(result.Rule{Protocol: "udp", Port: strconv.Itoa(p.Port), Destination: dest, Reason: reason})
		}
	}
}

// turnRules opens the best TURN path that a firewall stops and that would
// beat the current media path.
func turnRules(r *result.Report, cat *catalog.Catalog, media result.PathName, add func(result.Rule)) {
	limit := slices.Index(result.PathOrder, media)
	if limit < 0 {
		limit = len(result.PathOrder)
	}
	for _, name := range result.PathOrder[1:limit] {
		p := r.Paths.Get(name)
		if p.Status != result.PathBlocked || !p.Counts {
			continue
		}
		for i := range r.Probes {
			pr := &r.Probes[i]
			if !slices.Contains(p.Evidence, pr.ID) || !closed(pr.Status) || serverFaultReasons[pr.Reason] {
				continue
			}
			proto := "tcp"
			if pr.Transport == "udp" {
				proto = "udp"
			}
			add(result.Rule{Protocol: proto, Port: strconv.Itoa(pr.Port), Destination: turnHost(pr),
				Reason: string(name) + " to the TURN server " + statusText(pr.Status, pr.Reason)})
		}
		return
	}
}

// proxyHostPort returns the HTTP proxy's host and port from the config,
// falling back to the probe's address.
func proxyHostPort(proxyURL string, p *result.Probe) (string, int) {
	if u, err := url.Parse(proxyURL); err == nil && u.Hostname() != "" {
		port, _ := strconv.Atoi(u.Port())
		if port == 0 {
			port = map[string]int{"https": 443}[u.Scheme]
		}
		if port == 0 {
			port = 80 // what Go and browsers assume for http:// proxies
		}
		return u.Hostname(), port
	}
	return orDash(p.Address), p.Port
}
