package report

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// findingSet collects findings, merging evidence of repeated codes, and
// groups findings that share a cause (addAbout, findgroup.go).
type findingSet struct {
	list   []result.Finding
	groups map[string]*group
}

func (fs *findingSet) add(f result.Finding) {
	for i := range fs.list {
		if fs.list[i].Code == f.Code && fs.list[i].Title == f.Title {
			fs.list[i].Evidence = uniq(fs.list[i].Evidence, f.Evidence...)
			return
		}
	}
	if f.Evidence == nil {
		f.Evidence = []result.ID{}
	}
	fs.list = append(fs.list, f)
}

// judgeFindings lists what the path matrix does not say: DNS tampering,
// proxy mistakes, TLS inspection, TURN audits, payload filtering.
func judgeFindings(r *result.Report, cat *catalog.Catalog, sig signaling) []result.Finding {
	fs := &findingSet{}
	for i := range r.Probes {
		p := &r.Probes[i]
		dnsFinding(fs, p)
		proxyFinding(fs, p)
		proxyAuthFindings(fs, p)
		turnFinding(fs, cat, p)
		tlsVerifyFinding(fs, p)
	}
	loggerFinding(fs, r)
	addressFindings(fs, r)
	tlsInspection(fs, r)
	echoFindings(fs, r)
	portRangeFindings(fs, r)
	policyProblemFinding(fs, r)
	routeFindings(fs, r)
	if r.Config.ICETransportPolicy == "relay" {
		fs.add(result.Finding{Code: "relay-policy", Severity: result.SeverityInfo,
			Title:  "iceTransportPolicy is \"relay\": direct UDP is ignored",
			Detail: "The app forces TURN, so media always goes through the TURN server whatever direct UDP does."})
	}
	pacFindings(fs, r)
	wsProxyFindings(fs, r)
	if fs.list == nil {
		return []result.Finding{}
	}
	return fs.list
}

func dnsFinding(fs *findingSet, p *result.Probe) {
	if p.Kind != result.KindDNS || (p.Status != result.StatusFailed && p.Status != result.StatusBlocked) {
		return
	}
	if p.ID == result.ReflectorDNSID {
		reflectorFinding(fs, p)
		return
	}
	host := hostOfURL(p.Target)
	addrs := orDash(p.Details[result.DetailAddresses])
	switch p.Reason {
	case result.ReasonSinkholed:
		const fix = " Exempt the TRTC domains from DNS filtering; no firewall rule helps."
		fs.addAbout("dns-sinkholed "+addrs, host, result.Finding{Code: "dns-sinkholed", Severity: result.SeverityCritical,
			Title:    "DNS answers a dead address for " + host,
			Detail:   "The resolver returns " + addrs + " for " + host + ": a DNS filter sinkholes it." + fix,
			Evidence: []result.ID{p.ID}},
			func(names []string) (string, string) {
				return namesTitle("DNS answers a dead address for ", names, ""),
					"The resolver returns " + addrs + " for each of them: a DNS filter sinkholes them." + fix + namesList(names)
			})
	case result.ReasonServFail, result.ReasonRefused, result.ReasonNoAnswer, result.ReasonTimeout:
		const detail = "The resolver fails for %s: check that the corporate resolver may resolve external names, or that UDP/TCP 53 to it is open."
		fs.addAbout("dns-failed "+string(p.Reason), host, result.Finding{Code: "dns-failed", Severity: result.SeverityWarning,
			Title:    "DNS does not answer for " + host + " (" + string(p.Reason) + ")",
			Detail:   fmt.Sprintf(detail, "a TRTC name"),
			Evidence: []result.ID{p.ID}},
			func(names []string) (string, string) {
				return namesTitle("DNS does not answer for ", names, " ("+string(p.Reason)+")"), fmt.Sprintf(detail, "every one of these names") + namesList(names)
			})
	case result.ReasonNXDomain:
		const fix = " Exempt the TRTC domains from DNS filtering."
		fs.addAbout("dns-nxdomain", host, result.Finding{Code: "dns-nxdomain", Severity: result.SeverityWarning,
			Title:    "DNS says " + host + " does not exist",
			Detail:   "The resolver answers NXDOMAIN for a name that exists: a DNS filter or split-horizon DNS hides it." + fix,
			Evidence: []result.ID{p.ID}},
			func(names []string) (string, string) {
				return namesTitle("DNS says ", names, " do not exist"),
					"The resolver answers NXDOMAIN for names that exist: a DNS filter or split-horizon DNS hides them, or the resolver cannot reach the internet." + fix + namesList(names)
			})
	}
}

// proxyFinding reports HTTP proxies refusing CONNECT and SDK proxies
// (Solution 2) that are down or misconfigured.
func proxyFinding(fs *findingSet, p *result.Probe) {
	if p.Reason.ProxyRefused() && !byPAC(p) {
		status := orDash(p.Details[result.DetailProxyStatus])
		detail := func(hosts []string) string {
			return "The proxy answered " + status + " (403: forbidden by policy, 407: needs authentication) for " + andList(hosts) +
				". Allow CONNECT to the TRTC domains and TURN ports in the proxy."
		}
		host := hostOfURL(p.Target)
		fs.addAbout("proxy-refused "+status, host, result.Finding{Code: "proxy-refused", Severity: result.SeverityCritical,
			Title: fmt.Sprintf("The HTTP proxy refuses CONNECT (%s)", status), Detail: detail([]string{host}), Evidence: []result.ID{p.ID}},
			func(hosts []string) (string, string) {
				return fmt.Sprintf("The HTTP proxy refuses CONNECT (%s) to %d hosts", status, len(hosts)), detail(hosts)
			})
	}
	if p.Via != result.ViaSDKProxy || p.Role == "turn" {
		return
	}
	host := hostOfURL(p.Target)
	switch {
	case p.Kind == result.KindTCP && (p.Status == result.StatusRejected || p.Status == result.StatusBlocked):
		fs.add(result.Finding{Code: "sdk-proxy-unreachable", Severity: result.SeverityCritical,
			Title:    "The SDK proxy " + host + " cannot be reached",
			Detail:   "TCP to " + host + " " + statusText(p.Status, p.Reason) + ": the proxy is not running, listens on another port, or a firewall stops it.",
			Evidence: []result.ID{p.ID}})
	case p.Kind == result.KindWebSocket && p.Status == result.StatusFailed && p.Reason.IsHTTP():
		n, _ := p.Reason.HTTPStatus()
		code := strconv.Itoa(n)
		f := result.Finding{Code: "websocket-proxy-no-upgrade", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The websocketProxy answers HTTP " + code + " instead of upgrading",
			Detail: "The proxy does not pass the WebSocket upgrade: add proxy_http_version 1.1 and the Upgrade/Connection headers to its location, as in the vendor's nginx example."}
		if upstreamDown(code) {
			f.Code, f.Title = "websocket-proxy-upstream-unreachable", "The websocketProxy cannot reach the TRTC signalling server (HTTP "+code+")"
			f.Detail = "The proxy is up but its upstream is not: let the proxy host out on TCP 443 to the TRTC signalling domains, and check its resolver."
		}
		fs.add(f)
	case p.Kind == result.KindHTTPS && upstreamDown(p.Details[result.DetailHttpStatus]):
		fs.add(result.Finding{Code: "sdk-proxy-upstream-unreachable", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The " + p.Role + " proxy " + host + " cannot reach its upstream (HTTP " + p.Details[result.DetailHttpStatus] + ")",
			Detail: "Let the proxy host out on TCP 443 to the TRTC domains."})
	}
}

// loggerFinding warns when logs cannot be sent: calls work, but quality
// data and the vendor's support are lost.
func loggerFinding(fs *findingSet, r *result.Report) {
	for _, p := range loggerFailures(r) {
		why := statusText(p.Status, p.Reason)
		if p.Status == result.StatusOK {
			why = "answered HTTP " + p.Details[result.DetailHttpStatus] + ": its upstream is unreachable"
		}
		fs.add(result.Finding{Code: "logger-blocked", Severity: result.SeverityWarning,
			Title:    "The SDK's log and quality-report endpoint cannot be reached",
			Detail:   "Calls are not affected, but the SDK's logs and quality reports are lost (" + hostOfURL(p.Target) + " " + why + ").",
			Evidence: []result.ID{p.ID}})
	}
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.Role == "legacy" && closed(p.Status) && p.Details[result.DetailRouteFallback] == "" {
			fs.add(result.Finding{Code: "legacy-blocked", Severity: result.SeverityInfo,
				Title:    "Endpoints of SDK releases before v5.5.0 cannot be reached",
				Detail:   "Only apps on an old SDK use them; current releases do not.",
				Evidence: []result.ID{p.ID}})
		}
	}
}

// addrOf parses the IP of "ip:port" or "ip".
func addrOf(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

func private(a netip.Addr) bool { return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() }

// turnFinding audits TURN servers: ports browsers refuse, the vendor's
// example credentials, relays into internal networks, external-ip mistakes.
func turnFinding(fs *findingSet, cat *catalog.Catalog, p *result.Probe) {
	if p.Kind != result.KindTURN {
		return
	}
	host := turnHostPort(p)
	if pid := p.ID.Parse(); pid.Family == result.FamilyTURNAudit {
		auditFinding(fs, p, host, pid.Audit)
		return
	}
	if p.Details[result.DetailExampleCredentials] == "true" {
		auditFinding(fs, &result.Probe{ID: p.ID, Status: result.StatusOK}, host, result.AuditDefaultCredentials)
	}
	if p.Status == result.StatusOK && !cat.BrowserUsesTURNPort(p.Port) {
		fs.add(result.Finding{Code: "turn-port-not-browser-usable", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  fmt.Sprintf("Browsers will not use the TURN server on port %d", p.Port),
			Detail: fmt.Sprintf("It answers, but libwebrtc accepts TURN only on ports 53, 80, 443 and 1024 and above: move %s to 3478 or 443.", host)})
	}
	if p.Status == result.StatusFailed && p.Reason == result.ReasonUnauthorized {
		fs.add(result.Finding{Code: "turn-unauthorized", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The TURN server " + host + " refuses the credentials",
			Detail: "It answered 401 to the given username and credential: fix the credentials (or the realm); the firewall is not the cause."})
	}
	mismatch := externalIPMismatch(p)
	if p.Status == result.StatusFailed && p.Reason == result.ReasonRelaySilent {
		d := "The allocation worked but nothing came back through the relay: the relay port range is closed on the TURN host (open min-port..max-port inbound), or external-ip is wrong."
		if mismatch != "" {
			d = "The allocation worked but nothing came back through the relay: external-ip mismatch (" + mismatch + ")."
		}
		fs.add(result.Finding{Code: "turn-relay-silent", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title: "The TURN server " + host + " allocates but does not relay", Detail: d})
	}
	if mismatch != "" {
		fs.add(result.Finding{Code: "turn-external-ip-mismatch", Severity: result.SeverityWarning, Evidence: []result.ID{p.ID},
			Title:  "The TURN server " + host + " advertises a relayed address of the wrong kind",
			Detail: "external-ip mismatch: " + mismatch + ". Set external-ip to the address the clients' peers reach the server on (2-A: public, 2-B: intranet)."})
	}
}

// externalIPMismatch says how the relayed address and the server address
// differ in kind (private vs public), or "".
func externalIPMismatch(p *result.Probe) string {
	relay, ok1 := addrOf(p.Details[result.DetailRelayedAddress])
	server, ok2 := addrOf(p.Details[result.DetailServerAddress])
	if !ok2 {
		server, ok2 = addrOf(p.Address)
	}
	if !ok1 || !ok2 || private(relay) == private(server) {
		return ""
	}
	kind := map[bool]string{true: "private", false: "public"}
	return fmt.Sprintf("the relayed address %s is %s while the server is reached on the %s address %s",
		relay, kind[private(relay)], kind[private(server)], server)
}

func auditFinding(fs *findingSet, p *result.Probe, host string, audit result.AuditName) {
	if p.Status != result.StatusOK {
		return
	}
	switch audit {
	case result.AuditDefaultCredentials:
		fs.add(result.Finding{Code: "turn-default-credentials", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The TURN server " + host + " accepts the example credentials turn/turn",
			Detail: "Anyone can relay through it: change user= in turnserver.conf (the vendor script's example) to a secret."})
	case result.AuditRelayLoopback:
		fs.add(result.Finding{Code: "turn-relays-loopback", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The TURN server " + host + " relays to its own loopback",
			Detail: "A client can reach services on the TURN host's 127.0.0.1: add denied-peer-ip=127.0.0.0-127.255.255.255 (and ::1)."})
	case result.AuditRelayPrivate:
		fs.add(result.Finding{Code: "turn-relays-private", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
			Title:  "The TURN server " + host + " relays to private addresses",
			Detail: "A client can reach the internal network behind the TURN host: add denied-peer-ip for 10/8, 172.16/12 and 192.168/16 unless 2-B needs them."})
	}
}

// tlsVerifyFinding reports certificates the browser would reject: most
// often an inspecting proxy whose CA is not installed on the machine.
func tlsVerifyFinding(fs *findingSet, p *result.Probe) {
	if p.Kind != result.KindTLS || p.Reason != result.ReasonTLSVerify {
		return
	}
	by := ""
	if iss := p.Details[result.DetailIssuer]; iss != "" {
		by = " (issued by " + iss + ")"
	}
	detail := "The browser will refuse this connection. A TLS-inspecting proxy whose CA is not trusted here is the usual cause: exempt the TRTC domains from inspection, or install the proxy's CA."
	if p.SDKProxy { // an SDK proxy (Solution 2): its own certificate is wrong
		detail = "The browser will refuse this connection (" + orDash(p.Error) + "). The SDK proxy's certificate must be valid for " +
			hostOfURL(p.Target) + ", the name in the proxy option, and chain to a CA the browsers trust: install such a certificate in nginx."
	}
	host := hostOfURL(p.Target)
	f := result.Finding{Code: "tls-verify-failed", Severity: result.SeverityCritical, Evidence: []result.ID{p.ID},
		Title:  "The certificate of " + host + " does not verify" + by,
		Detail: detail}
	if p.SDKProxy { // about one proxy: never grouped
		fs.addAbout("tls-verify-failed proxy "+host, host, f, nil)
		return
	}
	fs.addAbout("tls-verify-failed "+by, host, f, func(hosts []string) (string, string) {
		return namesTitle("The certificates of ", hosts, " do not verify"+by),
			strings.Replace(detail, "this connection", "these connections", 1) + namesList(hosts)
	})
}

// tlsInspection reports one non-public issuer signing unrelated TRTC hosts:
// an inspecting proxy re-signs them.
func tlsInspection(fs *findingSet, r *result.Report) {
	hosts := map[string][]string{}
	ids := map[string][]result.ID{}
	regions := map[string][]string{}
	for i := range r.Probes {
		p := &r.Probes[i]
		iss := p.Details[result.DetailIssuer]
		if p.Kind != result.KindTLS || p.Status != result.StatusOK || iss == "" || p.Details[result.DetailIssuerPublic] == "true" {
			continue
		}
		hosts[iss] = uniq(hosts[iss], hostOfURL(p.Target))
		ids[iss] = append(ids[iss], p.ID)
		regions[iss] = uniq(regions[iss], p.Region)
	}
	issuers := make([]string, 0, len(hosts))
	for iss := range hosts {
		issuers = append(issuers, iss)
	}
	sort.Strings(issuers)
	for _, iss := range issuers {
		if len(hosts[iss]) < 2 || !unrelated(hosts[iss]) {
			continue
		}
		// Without issuerPublic, a shared issuer is suspicious only across
		// both regions' domain families.
		if !anyFalse(r, ids[iss]) && !(slices.Contains(regions[iss], "mainland") && slices.Contains(regions[iss], "international")) {
			continue
		}
		fs.add(result.Finding{Code: "tls-inspection", Severity: result.SeverityWarning, Evidence: ids[iss],
			Title:  "TLS to the TRTC hosts is inspected: certificates re-signed by " + iss,
			Detail: "The same non-public issuer signs " + andList(hosts[iss]) + ": an inspecting proxy re-signs the connections. WebSockets and TURN over TLS may break through it; exempt the TRTC domains from inspection."})
	}
}

func anyFalse(r *result.Report, ids []result.ID) bool {
	for i := range r.Probes {
		if slices.Contains(ids, r.Probes[i].ID) && r.Probes[i].Details[result.DetailIssuerPublic] == "false" {
			return true
		}
	}
	return false
}

// unrelated reports whether hosts belong to more than one registrable
// domain (approximated by the last two labels).
func unrelated(hosts []string) bool {
	var bases []string
	for _, h := range hosts {
		labels := strings.Split(h, ".")
		if len(labels) > 2 {
			labels = labels[len(labels)-2:]
		}
		bases = uniq(bases, strings.Join(labels, "."))
	}
	return len(bases) > 1
}

// addressFindings reports hosts of which some addresses take TCP 443 and
// others do not: a firewall that allows the TRTC hosts by address, with a
// list gone stale. The browser tries the next address only after a
// timeout, so joins are slow or fail depending on the address it gets.
func addressFindings(fs *findingSet, r *result.Report) {
	type hostTCP struct {
		host          string
		open, stopped []*result.Probe
	}
	var order []string
	by := map[string]*hostTCP{}
	for i := range r.Probes {
		p := &r.Probes[i]
		pid := p.ID.Parse()
		target, ok := pid.Target, pid.Step == result.StepTCP && (pid.Address != "" || pid.ProxyHop > 0)
		if !ok || p.Kind != result.KindTCP || p.Via == result.ViaHTTPProxy {
			continue
		}
		h := by[target]
		if h == nil {
			h = &hostTCP{host: hostOfURL(p.Target)}
			by[target] = h
			order = append(order, target)
		}
		switch p.Status {
		case result.StatusOK:
			h.open = append(h.open, p)
		case result.StatusBlocked, result.StatusRejected:
			h.stopped = append(h.stopped, p)
		}
	}
	for _, target := range order {
		h := by[target]
		if len(h.open) == 0 || len(h.stopped) == 0 {
			continue
		}
		var open, stopped []string
		var ev []result.ID
		for _, p := range h.open {
			open = append(open, p.Address)
			ev = append(ev, p.ID)
		}
		for _, p := range h.stopped {
			stopped = append(stopped, p.Address+" ("+statusText(p.Status, p.Reason)+")")
			ev = append(ev, p.ID)
		}
		fs.add(result.Finding{Code: "tcp-some-addresses-blocked", Severity: result.SeverityWarning, Evidence: ev,
			Title: "Only some addresses of " + h.host + " take TCP 443",
			Detail: "TCP 443 to " + andList(open) + " works, to " + andList(stopped) + " does not. " +
				"A firewall that allows the TRTC hosts by address has a stale list: the browser gets any of the addresses and tries the next only after a timeout, so joins are slow or fail. Allow the TRTC domains, not fixed addresses."})
	}
}
