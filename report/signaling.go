package report

import (
	"slices"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// signaling is the judged state of the signalling path over all regions.
type signaling struct {
	status  result.Signaling
	regions []regionSignal
	// report is the report judged (the PAC routes of its probes).
	report *result.Report
	// authLimit, when set, is why signalling is untested: the HTTP proxy
	// wants a login rtcprobe could not give (with the fix).
	authLimit string
}

// regionSignal is whether an app of one region can join.
type regionSignal struct {
	region    string
	schedule  bool // one schedule endpoint answered
	signaling bool // one signalling WebSocket is reachable
	viaProxy  bool // joined only thanks to a proxy
	// directSchedule, directSignaling: the role worked without a proxy.
	directSchedule, directSignaling bool
	proxies                         []string
	failing                         []*result.Probe // probes that explain why it cannot join
	// authProbe is a role's probe that the proxy login stopped: the
	// region is untested rather than blocked when it cannot join.
	authProbe *result.Probe
	reached   []result.ID // IDs of the probes that proved a role reachable
}

func (s regionSignal) joinable() bool { return s.schedule && s.signaling }

// appKind names the apps of a region for sentences.
func appKind(region string) string {
	switch region {
	case "mainland":
		return "mainland apps (SDKAppID >= 1400000000)"
	case "international":
		return "international apps (SDKAppID < 1400000000)"
	}
	return "this app"
}

// verdicts returns the per-region verdicts for the report.
func (s signaling) verdicts() []result.RegionVerdict {
	out := make([]result.RegionVerdict, 0, len(s.regions))
	for _, rs := range s.regions {
		v := result.RegionVerdict{Region: rs.region, Evidence: rs.reached}
		switch {
		case s.status == result.SignalingUntested && s.authLimit == "":
			v.Status, v.Detail = result.SignalingUntested, "The run ended before signalling was checked."
		case !rs.joinable() && rs.authProbe != nil:
			v.Status, v.Detail = result.SignalingUntested, "Not tested: "+s.authLimit+"."
			v.Evidence = []result.ID{rs.authProbe.ID}
		case !rs.joinable():
			v.Status = result.SignalingBlocked
			v.Detail = strings.ToUpper(s.causeOf(rs)[:1]) + s.causeOf(rs)[1:] + "."
			v.Evidence = nil
			for _, p := range rs.failing {
				v.Evidence = append(v.Evidence, p.ID)
			}
		case rs.viaProxy:
			v.Status, v.Detail = result.SignalingViaProxy, "Joins only through "+andList(rs.proxies)+"."
		default:
			v.Status, v.Detail = result.SignalingOK, "Joins directly: a schedule server and the signalling WebSocket answered."
		}
		if v.Evidence == nil {
			v.Evidence = []result.ID{}
		}
		out = append(out, v)
	}
	return out
}

// causeOf says why one region cannot join.
func (s signaling) causeOf(rs regionSignal) string {
	role := "the signalling WebSocket"
	if !rs.schedule {
		role = "the schedule server"
	}
	why := ""
	if p := mainCause(rs.failing); p != nil {
		why = " (" + hostOfURL(p.Target) + " " + string(p.Kind) + " " + statusText(p.Status, p.Reason) + ")"
		if rw := routeWhy(s.report, p); rw != "" {
			why = " (" + rw + ")"
		}
	}
	return appKind(rs.region) + " cannot reach " + role + why
}

// mainCause picks the failing probe that explains best why a role is
// unreachable: the furthest step that failed on the way the browser goes
// (an HTTP answer from a proxy says more than the DNS query before it).
// Direct queries to a nameserver (<id>/dns@ns) come last: the browser uses
// the system resolver, so they only explain when nothing else does.
func mainCause(failing []*result.Probe) *result.Probe {
	var best *result.Probe
	rank := func(p *result.Probe) int {
		r := stageRank(p.Kind)
		if p.Details[result.DetailResolver] != "" {
			r = -1
		}
		return r
	}
	for _, p := range failing {
		if best == nil || rank(p) > rank(best) {
			best = p
		}
	}
	return best
}

// stageRank orders the steps of a signalling path.
func stageRank(kind result.Kind) int {
	switch kind {
	case result.KindDNS:
		return 0
	case result.KindTCP:
		return 1
	case result.KindTLS:
		return 2
	default: // https, websocket: the last step
		return 3
	}
}

// cause says which region fails and why, for the summary.
func (s signaling) cause() string {
	var out []string
	for _, rs := range s.regions {
		if !rs.joinable() {
			out = append(out, s.causeOf(rs))
		}
	}
	return strings.Join(out, "; ")
}

func (s signaling) proxyName() string {
	var names []string
	for _, rs := range s.regions {
		names = uniq(names, rs.proxies...)
	}
	return andList(names)
}

// viaOf names the proxy a probe went through, or "".
func viaOf(r *result.Report, p *result.Probe) string {
	if px := routeProxy(p); px != "" {
		return "the HTTP proxy " + px
	}
	if p.Via == result.ViaHTTPProxy {
		if r.Config.HTTPProxy != "" {
			return "the HTTP proxy " + r.Config.HTTPProxy
		}
		return "the HTTP proxy"
	}
	if p.SDKProxy {
		return "the SDK proxy " + hostOfURL(p.Target)
	}
	return ""
}

// judgeSignaling decides, per checked region, whether an app can join.
func judgeSignaling(r *result.Report) signaling {
	regions := r.Config.Regions
	if len(regions) == 0 {
		for i := range r.Probes {
			if p := &r.Probes[i]; p.Region != "" && !slices.Contains(regions, p.Region) {
				regions = append(regions, p.Region)
			}
		}
	}
	if len(regions) == 0 {
		regions = []string{""}
	}
	s := signaling{status: result.SignalingOK, report: r}
	finished := false
	for _, region := range regions {
		rs := regionSignal{region: region}
		for i := range r.Probes {
			p := &r.Probes[i]
			if (p.Role != "schedule" && p.Role != "signaling") || (p.Region != region && p.Region != "") {
				continue
			}
			finished = finished || (p.Status != result.StatusRunning && p.Status != result.StatusSkipped)
			judgeSignalProbe(r, p, &rs)
		}
		s.regions = append(s.regions, rs)
	}
	for i := range s.regions {
		finishRegion(&s.regions[i])
		switch {
		case !s.regions[i].joinable() && s.regions[i].authProbe != nil:
			s.authLimit = authLimit(r, s.regions[i].authProbe)
			if s.status != result.SignalingBlocked {
				s.status = result.SignalingUntested
			}
		case !s.regions[i].joinable():
			s.status = result.SignalingBlocked
		case s.regions[i].viaProxy && s.status == result.SignalingOK:
			s.status = result.SignalingViaProxy
		}
	}
	if !finished {
		s.status = result.SignalingUntested
	}
	return s
}

// judgeSignalProbe folds one schedule/signalling probe into rs.
func judgeSignalProbe(r *result.Report, p *result.Probe, rs *regionSignal) {
	reach := false
	switch {
	case p.Kind == result.KindHTTPS && p.Role == "schedule":
		reach = p.Status == result.StatusOK && !(p.SDKProxy && upstreamDown(p.Details[result.DetailHttpStatus]))
	case p.Kind == result.KindWebSocket && p.Role == "signaling":
		// A non-101 answer from the real host proves the way through the
		// firewall is open (through an HTTP proxy too: CONNECT is a tunnel
		// to the real host); from a websocketProxy it means the proxy is
		// broken.
		reach = p.Status == result.StatusOK || (p.Status == result.StatusFailed && !p.SDKProxy &&
			p.Reason.IsHTTP() && !wsBrokenByProxy(r, p))
	}
	if !reach {
		if authUntested(p) && rs.authProbe == nil {
			rs.authProbe = p
		}
		if p.Status != result.StatusOK && p.Status != result.StatusRunning && p.Status != result.StatusSkipped {
			rs.failing = append(rs.failing, p)
		}
		return
	}
	rs.reached = append(rs.reached, p.ID)
	via := viaOf(r, p)
	if via != "" {
		rs.proxies = uniq(rs.proxies, via)
	}
	if p.Role == "schedule" {
		rs.schedule = true
		rs.directSchedule = rs.directSchedule || via == ""
	} else {
		rs.signaling = true
		rs.directSignaling = rs.directSignaling || via == ""
	}
}

// finishRegion sets viaProxy: the app joins, but a role worked only
// through a proxy.
func finishRegion(rs *regionSignal) {
	rs.viaProxy = rs.joinable() && (!rs.directSchedule || !rs.directSignaling)
	if !rs.viaProxy {
		rs.proxies = nil
	}
}

// upstreamDown reports an HTTP status with which a reverse proxy says it
// could not reach its upstream.
func upstreamDown(status string) bool {
	return status == "502" || status == "503" || status == "504"
}
