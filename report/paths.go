package report

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// turnTransportPath maps a TURN probe's transport to its media path.
var turnTransportPath = map[string]result.PathName{"udp": result.PathTURNUDP, "tcp": result.PathTURNTCP, "tls": result.PathTURNTLS}

// serverFaultReasons are TURN failures where the server answered: the
// firewall let the traffic through, so the path is an error, not blocked.
var serverFaultReasons = map[result.Reason]bool{
	result.ReasonUnauthorized: true, result.ReasonAllocateError: true, result.ReasonPermissionDenied: true, result.ReasonRelaySilent: true,
}

// isSTUN reports whether p is a direct-UDP STUN probe to the reflector.
func isSTUN(p *result.Probe) bool {
	return p.Kind == result.KindSTUN && p.ID.IsSTUN()
}

// isTURN reports whether p is a TURN path probe (not an audit).
func isTURN(p *result.Probe) bool {
	return p.Kind == result.KindTURN && !p.ID.IsAudit()
}

// closed reports whether a probe's status says the traffic did not get
// through (dropped, refused, or answered wrongly by a middlebox).
func closed(status result.Status) bool {
	return status == result.StatusBlocked || status == result.StatusRejected || status == result.StatusFailed
}

// judgePaths fills r.Paths from the STUN and TURN probes.
func judgePaths(r *result.Report, cat *catalog.Catalog) {
	r.Paths.DirectUDP = directPath(r)
	for _, tr := range []string{"udp", "tcp", "tls"} {
		*r.Paths.Get(turnTransportPath[tr]) = turnPath(r, cat, tr)
	}
}

func directPath(r *result.Report) result.Path {
	p := result.Path{Evidence: []result.ID{}, Counts: r.Config.ICETransportPolicy != "relay"}
	var okPorts, closedPorts, busyPorts []int
	errs := 0
	for i := range r.Probes {
		pr := &r.Probes[i]
		if !isSTUN(pr) {
			continue
		}
		p.Evidence = append(p.Evidence, pr.ID)
		switch {
		case pr.Status == result.StatusOK:
			okPorts = append(okPorts, pr.Port)
		case closed(pr.Status):
			closedPorts = append(closedPorts, pr.Port)
		case pr.Status == result.StatusError:
			errs++
		case pr.Status == result.StatusUntested:
			busyPorts = append(busyPorts, pr.Port)
		}
	}
	dnsFail := reflectorDNSFailure(r)
	switch {
	case dnsFail != nil && len(okPorts)+len(closedPorts)+errs == 0:
		p.Status, p.Detail = result.PathUntested, "The reflector "+dnsFail.Target+" does not resolve, so the UDP media ports were not tested: check the name (--reflector)."
		p.Evidence = append(p.Evidence, dnsFail.ID)
	case len(p.Evidence) == 0:
		p.Status, p.Detail = result.PathUntested, "No reflector was given (--reflector), so the UDP media ports were not tested."
	case len(busyPorts) > 0 && len(okPorts) == 0 && len(closedPorts) == 0 && errs == 0:
		// Ports the reflector would not answer (rate limit) decide
		// nothing: without a closed port the path is not known.
		p.Status, p.Detail = result.PathUntested, busyDetail(busyPorts)
	case len(okPorts) > 0 && len(closedPorts) == 0 && errs == 0:
		p.Status, p.Detail = result.PathOK, "UDP "+portList(okPorts)+" to the reflector answered."
	case len(okPorts) > 0:
		p.Status = result.PathPartial
		p.Detail = fmt.Sprintf("UDP %s answered but %s did not: the SDK may be handed a media server on a closed port.", portList(okPorts), portList(closedPorts))
	case len(closedPorts) > 0:
		p.Status, p.Detail = result.PathBlocked, "UDP "+portList(closedPorts)+" to the reflector got no answer."
	case errs > 0:
		p.Status, p.Detail = result.PathError, "The reflector answered with something that is not STUN."
	default:
		p.Status, p.Detail = result.PathUntested, "The STUN probes did not finish."
	}
	if len(busyPorts) > 0 && (len(okPorts) > 0 || len(closedPorts) > 0) {
		p.Detail += " Not tested: UDP " + portList(busyPorts) + " (the reflector was rate-limiting this address)."
	}
	if !p.Counts {
		p.Detail += " It does not count: iceTransportPolicy is \"relay\"."
	}
	return p
}

// busyDetail explains a direct-UDP path left untested by a busy reflector.
func busyDetail(busyPorts []int) string {
	return "Not tested: the reflector was rate-limiting this address (many checks behind one NAT at once?) and did not answer UDP " +
		portList(busyPorts) + ". Run the check again later, or raise rtcprobe serve's --rate and --burst."
}

// turnPath decides one TURN transport from the servers the browser would
// use; servers on ports the browser refuses decide only when there are no
// others, and then the path does not count.
func turnPath(r *result.Report, cat *catalog.Catalog, transport string) result.Path {
	var usable, unusable []*result.Probe
	for i := range r.Probes {
		pr := &r.Probes[i]
		if !isTURN(pr) || pr.Transport != transport {
			continue
		}
		if cat.BrowserUsesTURNPort(pr.Port) {
			usable = append(usable, pr)
		} else {
			unusable = append(unusable, pr)
		}
	}
	p := result.Path{Evidence: []result.ID{}, Counts: true}
	set := usable
	if len(usable) == 0 && len(unusable) > 0 {
		set, p.Counts = unusable, false
	}
	for _, pr := range set {
		p.Evidence = append(p.Evidence, pr.ID)
	}
	p.Status = turnStatus(set)
	p.Detail = turnDetail(r, transport, set, p.Status)
	if p.Status == result.PathUntested {
		if d := authPathDetail(r, map[string]string{"udp": "TURN over UDP", "tcp": "TURN over TCP", "tls": "TURN over TLS"}[transport], set); d != "" {
			p.Detail = d
		}
	}
	if !p.Counts {
		p.Detail += fmt.Sprintf(" It does not count: browsers refuse TURN on port %d (only 53, 80, 443 and 1024 and above).", set[0].Port)
	}
	return p
}

func turnStatus(set []*result.Probe) result.PathStatus {
	best, status := -1, result.PathUntested
	for _, pr := range set {
		rank, s := 0, result.PathUntested
		switch {
		case pr.Status == result.StatusOK:
			rank, s = 4, result.PathOK
		case pr.Status == result.StatusFailed && serverFaultReasons[pr.Reason]:
			// The server answered: the firewall let it through, so this
			// outranks a server that was not reached.
			rank, s = 3, result.PathError
		case closed(pr.Status):
			rank, s = 2, result.PathBlocked
		case pr.Status == result.StatusError:
			rank, s = 1, result.PathError
		}
		if rank > best {
			best, status = rank, s
		}
	}
	return status
}

func turnDetail(r *result.Report, transport string, set []*result.Probe, status result.PathStatus) string {
	name := map[string]string{"udp": "TURN over UDP", "tcp": "TURN over TCP", "tls": "TURN over TLS"}[transport]
	if len(set) == 0 {
		if len(r.Config.TURNServers) == 0 {
			return "No TURN server was given: the SDK's built-in TURN server is known only from the join answer, so give it with --proxy (turnServer) or --turn."
		}
		return "No TURN server of this transport was given (" + map[string]string{"udp": "turn: URL", "tcp": "turn: URL", "tls": "turns: URL"}[transport] + ")."
	}
	var ok, bad []string
	for _, pr := range set {
		s := turnHostPort(pr)
		if pr.Status == result.StatusOK {
			ok = append(ok, s)
		} else {
			bad = append(bad, s+" "+statusText(pr.Status, pr.Reason))
		}
	}
	switch status {
	case result.PathOK:
		return name + " to " + strings.Join(ok, ", ") + " relayed a round trip."
	case result.PathError:
		return name + " reached the server but it did not relay: " + strings.Join(bad, ", ") + "."
	case result.PathBlocked:
		return name + " got through to no server: " + strings.Join(bad, ", ") + "."
	}
	return name + " was not finished: " + strings.Join(bad, ", ") + "."
}

// turnHost returns the TURN server's host name from the probe's URL
// (turn:host:port?transport=tcp), or its address.
func turnHost(p *result.Probe) string {
	s := p.Target
	if scheme, rest, ok := strings.Cut(s, ":"); ok && (strings.EqualFold(scheme, "turn") || strings.EqualFold(scheme, "turns")) {
		s = rest
	}
	s = strings.TrimPrefix(s, "//")
	if i := strings.IndexAny(s, "?/"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.Trim(s, "[]")
	if s == "" {
		s = p.Address
	}
	return s
}

func turnHostPort(p *result.Probe) string {
	return net.JoinHostPort(turnHost(p), strconv.Itoa(p.Port))
}

// choose picks the media path: the first that works and counts in the
// SDK's order, else a partial one, else none or untested.
func choose(ps *result.Paths) result.PathName {
	tested := false
	for _, name := range result.PathOrder {
		p := ps.Get(name)
		if p.Status == result.PathOK && p.Counts {
			return name
		}
		tested = tested || p.Status != result.PathUntested
	}
	for _, name := range result.PathOrder {
		if p := ps.Get(name); p.Status == result.PathPartial && p.Counts {
			return name
		}
	}
	if tested {
		return result.MediaNone
	}
	return result.MediaUntested
}

// portList writes ports as "8000, 8080 and 443".
func portList(ports []int) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return andList(s)
}

// andList joins items as "a, b and c".
func andList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// hostOfURL returns the host name of a URL, or the string itself.
func hostOfURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return s
}

// uniq appends s to list unless present.
func uniq[T comparable](list []T, s ...T) []T {
	for _, v := range s {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
