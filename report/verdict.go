package report

import (
	"strconv"
	"strings"
	"sync"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// loadCatalog is the embedded catalog, parsed once. An invalid catalog is a
// build problem; the verdict then falls back to an empty one (every TURN
// port allowed, no allow domains) rather than panicking.
var loadCatalog = sync.OnceValue(func() *catalog.Catalog {
	c, err := catalog.Load()
	if err != nil {
		return &catalog.Catalog{}
	}
	return c
})

// Judge fills r.Verdict, r.Paths, r.Findings and r.Remediation from
// r.Config and r.Probes. It is deterministic and reads nothing else, so a
// saved report can be judged again by a newer rtcprobe.
//
// Positions taken where the issues leave room (the lab scenarios assert
// them): media is named even when signalling is blocked; outcome "works"
// only for direct UDP, or TURN/UDP when iceTransportPolicy is "relay"
// (there is nothing better to get); remediation restores the SDK's
// preferred path with the fewest rules and has no rule for what no
// firewall rule fixes (DNS tampering, proxy mistakes, TURN credentials):
// those are findings. Log endpoints that a firewall stops get a rule (the
// vendor's support needs the logs) and a warning; endpoints of SDK releases
// before v5.5.0 ("legacy") only an info finding, since a current SDK never
// uses them and Solution-2 networks rightly block them.
func Judge(r *result.Report) {
	r.Normalize()
	cat := loadCatalog()
	judgePaths(r, cat)
	ban := applyBans(r, r.Config.Browser)
	sig := judgeSignaling(r)
	media := choose(&r.Paths)
	r.Findings = judgeFindings(r, cat, sig)
	r.Remediation = remediate(r, cat, sig, media)
	if ban != nil {
		fs := &findingSet{list: r.Findings}
		policyFinding(fs, r, ban, media)
		r.Findings = fs.list
	}
	r.Verdict = verdictOf(r, sig, media)
	r.Verdict.Browser = r.Config.Browser
	if ban != nil {
		// Say which policy decided, on every screen: the headline and
		// the ticket sentence.
		r.Verdict.Policy = ban.long
		r.Verdict.Headline += " (" + ban.short + ")"
		if ban.off() {
			// The SDK's system check fails before any connection: no 5501.
			r.Verdict.FirewallError5501 = false
			r.Verdict.Headline = "Calls will fail: " + ban.short
			r.Verdict.Summary = ban.long + " Remove the policy; no firewall rule helps."
		}
		r.Verdict.Summary = ban.short + "; " + lowerFirst(r.Verdict.Summary)
	}
	r.Verdict.Browsers = otherBrowsers(r, cat, r.Verdict)
}

// verdictOf sums up: 5501, outcome, headline and summary.
func verdictOf(r *result.Report, sig signaling, media result.PathName) result.Verdict {
	if !r.Complete && media == result.MediaNone && anyUntested(&r.Paths) {
		// An interrupted run cannot say "no path": the untested one may work.
		media = result.MediaUntested
	}
	busy := reflectorBusy(r)
	authProbe := mediaAuthUntested(r)
	if media == result.MediaNone && (busy || authProbe != nil) {
		// Direct UDP was not tested (the reflector limited us), or a path
		// behind the proxy login may work: "no path" is not known.
		media = result.MediaUntested
	}
	v := result.Verdict{Signaling: sig.status, Media: media, Regions: sig.verdicts()}
	v.FirewallError5501 = sig.status == result.SignalingBlocked || media == result.MediaNone
	switch {
	case v.FirewallError5501:
		v.Outcome = result.OutcomeFails
		v.Headline = "Calls will fail: the SDK will raise 5501"
		if sig.status == result.SignalingBlocked {
			v.Headline = "Calls will fail: the SDK cannot reach its signalling server and will raise 5501"
		}
	case sig.status == result.SignalingUntested && sig.authLimit != "",
		media == result.MediaUntested && authProbe != nil:
		v.Outcome = result.OutcomeInconclusive
		v.Headline = "Cannot tell whether calls will work: the HTTP proxy wants a login rtcprobe could not give"
	case sig.status == result.SignalingUntested:
		v.Outcome = result.OutcomeInconclusive
		v.Headline = "Cannot tell whether calls will work: the run ended before signalling was checked"
	case media == result.MediaUntested && !r.Complete:
		v.Outcome = result.OutcomeInconclusive
		v.Headline = "Cannot tell whether media will flow: the run was interrupted"
	case media == result.MediaUntested && reflectorDNSFailure(r) != nil:
		v.Outcome = result.OutcomeInconclusive
		v.Headline = "Cannot tell whether media will flow: the reflector " + reflectorDNSFailure(r).Target + " does not resolve (check the name)"
	case busy:
		// Direct UDP, the SDK's first choice, is not known; whatever
		// else works, saying "only relayed" would blame the firewall.
		v.Outcome = result.OutcomeInconclusive
		v.Headline = busyHeadline
	case media == result.MediaUntested:
		v.Outcome = result.OutcomeInconclusive
		v.Headline = "Cannot tell whether media will flow: no reflector or TURN server was given"
	default:
		v.Outcome, v.Headline = mediaOutcome(r, media)
	}
	v.Summary = summarize(r, sig, media, v)
	return v
}

// mediaOutcome is the outcome and headline when signalling works and a
// media path does.
func mediaOutcome(r *result.Report, media result.PathName) (result.Outcome, string) {
	relayOnly := r.Config.ICETransportPolicy == "relay"
	switch {
	case media == result.PathDirectUDP && r.Paths.DirectUDP.Status == result.PathOK:
		return result.OutcomeWorks, "Calls will work: direct UDP"
	case media == result.PathDirectUDP:
		return result.OutcomeWorksDegraded, "Calls will work, but not always: some UDP media ports are closed"
	case media == result.PathTURNUDP && relayOnly:
		return result.OutcomeWorks, "Calls will work: relayed over TURN/UDP, as iceTransportPolicy \"relay\" asks"
	case media == result.PathTURNUDP:
		return result.OutcomeWorksDegraded, "Calls will work only relayed over TURN/UDP: slightly higher latency"
	case media == result.PathTURNTCP:
		return result.OutcomeWorksDegraded, "Calls will work only relayed over TCP: expect higher latency"
	}
	return result.OutcomeWorksDegraded, "Calls will work only relayed over TLS: expect higher latency"
}

// summarize writes the one sentence for a ticket.
func summarize(r *result.Report, sig signaling, media result.PathName, v result.Verdict) string {
	var parts []string
	switch sig.status {
	case result.SignalingBlocked:
		parts = append(parts, "signalling fails: "+sig.cause())
	case result.SignalingViaProxy:
		parts = append(parts, "signalling works only through "+sig.proxyName())
	case result.SignalingOK:
		parts = append(parts, "signalling works directly")
	case result.SignalingUntested:
		if sig.authLimit != "" {
			parts = append(parts, "signalling was not tested: "+sig.authLimit)
		} else {
			parts = append(parts, "the run ended before signalling was checked")
		}
	}
	parts = append(parts, directClause(r)...)
	if media.IsTURN() {
		p := r.Paths.Get(media)
		parts = append(parts, strings.TrimSuffix(lowerFirst(p.Detail), "."))
	}
	if v.Outcome == result.OutcomeInconclusive && r.Complete && reflectorDNSFailure(r) != nil {
		parts = append(parts, "no media path could be tested")
	} else if p := mediaAuthUntested(r); p != nil && v.Outcome == result.OutcomeInconclusive && media == result.MediaUntested {
		if sig.authLimit != "" {
			parts = append(parts, "TURN over TCP and TLS through the proxy were not tested either")
		} else {
			parts = append(parts, "media through the proxy was not tested: "+authLimit(r, p))
		}
	} else {
		parts = append(parts, consequence(media, v, r.Complete))
	}
	if fix := fixClause(r.Remediation); fix != "" {
		parts = append(parts, fix)
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func consequence(media result.PathName, v result.Verdict, complete bool) string {
	switch {
	case v.FirewallError5501 && media == result.MediaNone:
		return "no media path works, so calls will fail with error 5501"
	case v.FirewallError5501:
		return "calls will fail with error 5501"
	case v.Outcome == result.OutcomeInconclusive && !complete:
		return "the run was interrupted before the media paths were all tested"
	case v.Outcome == result.OutcomeInconclusive && v.Headline == busyHeadline:
		return "the reflector was rate-limiting this address, so the UDP media ports were not tested (run again later)"
	case v.Outcome == result.OutcomeInconclusive:
		return "no reflector or TURN server was given, so whether media flows is untested (use --reflector, --turn or --proxy)"
	case media == result.PathTURNTCP || media == result.PathTURNTLS:
		return "calls will work relayed over TCP with extra latency"
	case media == result.PathTURNUDP:
		return "calls will work relayed over TURN/UDP"
	case media == result.PathDirectUDP && v.Outcome == result.OutcomeWorksDegraded:
		return "calls will work unless the SDK picks a media server on a closed port"
	}
	return "calls will work with direct UDP media"
}

// directClause describes the UDP media ports when they are not all open.
func directClause(r *result.Report) []string {
	var dropped, rejected []int
	for i := range r.Probes {
		p := &r.Probes[i]
		if !isSTUN(p) {
			continue
		}
		switch {
		case p.Status == result.StatusRejected:
			rejected = append(rejected, p.Port)
		case closed(p.Status):
			dropped = append(dropped, p.Port)
		}
	}
	var out []string
	if p := reflectorDNSFailure(r); p != nil {
		out = append(out, "the reflector "+p.Target+" does not resolve, so direct UDP was not tested (check the --reflector name)")
	}
	if len(dropped) > 0 {
		out = append(out, "UDP "+portList(dropped)+" to the reflector "+isAre(dropped)+" silently dropped")
	}
	if len(rejected) > 0 {
		out = append(out, "UDP "+portList(rejected)+" to the reflector "+isAre(rejected)+" rejected")
	}
	return out
}

func isAre(s []int) string {
	if len(s) == 1 {
		return "is"
	}
	return "are"
}

// fixClause names the rules to add, grouped by protocol.
func fixClause(rules []result.Rule) string {
	if len(rules) == 0 {
		return ""
	}
	var protos []string
	ports, dests := map[string][]string{}, map[string][]string{}
	for _, ru := range rules {
		p := strings.ToUpper(ru.Protocol)
		protos = uniq(protos, p)
		ports[p] = uniq(ports[p], ru.Port)
		dests[p] = uniq(dests[p], ru.Destination)
	}
	var fixes []string
	for _, p := range protos {
		d := dests[p]
		dest := andList(d)
		switch {
		case len(d) == 1 && strings.Contains(d[0], ", "):
			dest = "the TRTC media servers (see the rules)"
		case len(d) > 3:
			dest = strings.Join(d[:2], ", ") + " and " + strconv.Itoa(len(d)-2) + " more (see the rules)"
		}
		fixes = append(fixes, p+" "+andList(ports[p])+" to "+dest)
	}
	return "open " + strings.Join(fixes, ", and ")
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "TURN") || strings.HasPrefix(s, "UDP") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func anyUntested(ps *result.Paths) bool {
	for _, name := range result.PathOrder {
		if ps.Get(name).Status == result.PathUntested {
			return true
		}
	}
	return false
}

// busyHeadline is the headline of a run whose direct-UDP path a busy
// reflector left untested.
const busyHeadline = "Cannot tell whether direct UDP media works: the reflector was rate-limiting this address"

// reflectorBusy reports whether the direct-UDP path is untested because
// the reflector answered busy (probes "untested", reason reflector-busy)
// and would have counted (not with iceTransportPolicy "relay").
func reflectorBusy(r *result.Report) bool {
	if r.Paths.DirectUDP.Status != result.PathUntested || !r.Paths.DirectUDP.Counts {
		return false
	}
	for i := range r.Probes {
		if p := &r.Probes[i]; isSTUN(p) && p.Status == result.StatusUntested {
			return true
		}
	}
	return false
}
