package report

import (
	"slices"
	"strings"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// Policy and preference names the verdict acts on (Chromium's policy
// list and Firefox's about:config names).
const (
	policyIPHandling  = "WebRtcIPHandling"
	policyPortRange   = "WebRtcUdpPortRange"
	prefProxyOnly     = "media.peerconnection.ice.proxy_only"
	prefRelayOnly     = "media.peerconnection.ice.relay_only"
	prefEnabled       = "media.peerconnection.enabled"
	ipHandlingNoUDP   = "disable_non_proxied_udp"
	browserPolicyCode = "browser-policy"
)

// browserTitles are the names used in sentences.
var browserTitles = map[string]string{"chrome": "Chrome", "edge": "Edge", "chromium": "Chromium", "firefox": "Firefox"}

// policyOf returns the browser's policies from the config, or nil.
func policyOf(c *result.Config, browser string) *result.BrowserPolicy {
	for i := range c.Policies {
		if c.Policies[i].Browser == browser {
			return &c.Policies[i]
		}
	}
	return nil
}

// pathBan is a policy that takes a media path away from the browser.
type pathBan struct {
	setting *result.PolicySetting
	// short is the clause for headlines ("Edge policy WebRtcIPHandling
	// forbids UDP"), long the sentence for path details.
	short, long string
}

// bans lists, per path, the policy that makes the browser never use it.
// Chromium (measured, see the README): disable_non_proxied_udp sends no
// UDP at all, and with no proxy relays TURN over TCP and TLS directly.
// Firefox: media.peerconnection.enabled=false turns WebRTC off;
// ice.proxy_only gathers only through a proxy (no UDP, and TURN over
// TCP/TLS only through a configured proxy); ice.relay_only keeps TURN only.
func bans(c *result.Config, browser string) map[result.PathName]pathBan {
	bp := policyOf(c, browser)
	if bp == nil {
		return nil
	}
	title := browserTitles[browser] + " policy "
	out := map[result.PathName]pathBan{}
	ban := func(s *result.PolicySetting, short, long string, paths ...result.PathName) {
		for _, p := range paths {
			if _, done := out[p]; !done {
				out[p] = pathBan{s, title + short, title + long}
			}
		}
	}
	if s := bp.Setting(prefEnabled); s != nil && s.Value == "false" {
		ban(s, s.Name+" turns WebRTC off", s.Name+"=false ("+noControl(s.Source)+") turns WebRTC off: no call can start in this browser.", result.PathOrder...)
	}
	if s := bp.Setting(policyIPHandling); s != nil && s.Value == ipHandlingNoUDP {
		ban(s, s.Name+" forbids UDP", s.Name+"="+s.Value+" ("+noControl(s.Source)+") forbids UDP that no proxy carries.", result.PathDirectUDP, result.PathTURNUDP)
	}
	if s := bp.Setting(prefProxyOnly); s != nil && s.Value == "true" {
		ban(s, s.Name+" forbids UDP", s.Name+"=true ("+noControl(s.Source)+") sends media only through a proxy.", result.PathDirectUDP, result.PathTURNUDP)
		if c.HTTPProxy == "" {
			ban(s, s.Name+" needs a proxy", s.Name+"=true ("+noControl(s.Source)+") sends media only through a proxy, and none is configured.", result.PathTURNTCP, result.PathTURNTLS)
		}
	}
	if s := bp.Setting(prefRelayOnly); s != nil && s.Value == "true" {
		ban(s, s.Name+" forbids direct media", s.Name+"=true ("+noControl(s.Source)+") uses TURN relays only.", result.PathDirectUDP)
	}
	return out
}

// applyBans marks the banned paths as not counting and returns the ban
// that decided the verdict: the one on the path the browser would have
// used without its policies, nil when the policies change nothing.
func applyBans(r *result.Report, browser string) *pathBan {
	bs := bans(&r.Config, browser)
	if len(bs) == 0 {
		return nil
	}
	before := choose(&r.Paths)
	for _, name := range result.PathOrder {
		b, ok := bs[name]
		p := r.Paths.Get(name)
		if !ok || !p.Counts {
			continue
		}
		p.Counts = false
		p.Detail += " It does not count: " + b.long
	}
	if b, ok := bs[before]; ok {
		return &b
	}
	// Nothing worked anyway: the firewall decided, the path details
	// still name the policy.
	return nil
}

// off reports whether the ban turns WebRTC off altogether.
func (b *pathBan) off() bool { return b.setting.Name == prefEnabled }

// policyFinding explains what the deciding policy does and how to get
// the calls back: remove it, or open what the browser can still use.
func policyFinding(fs *findingSet, r *result.Report, b *pathBan, media result.PathName) {
	detail := b.long + " "
	switch {
	case media == result.PathTURNTCP || media == result.PathTURNTLS:
		detail += "Calls will relay over TCP; remove the policy to let them use UDP."
	case media == result.PathTURNUDP:
		detail += "Calls will relay over TURN/UDP; remove the policy to let them go direct."
	case strings.HasSuffix(b.short, "turns WebRTC off"):
		detail += "Remove the policy: no firewall rule helps."
	case len(r.Remediation) > 0:
		detail += "Remove it, or " + fixClause(r.Remediation) + " (TURN over TCP/TLS is what the browser can still use)."
	default:
		detail += "Remove it, or open TCP 443 to the TURN server (TURN over TCP/TLS is what the browser can still use)."
	}
	fs.add(result.Finding{Code: browserPolicyCode, Severity: result.SeverityWarning, Title: b.short,
		Detail: detail, Evidence: []result.ID{result.PolicyID(r.Config.Browser)}})
}

// portRangeFindings compares the STUN probe sent from the browser's port
// range with the same one from any port, and names port-range exhaustion.
func portRangeFindings(fs *findingSet, r *result.Report) {
	if r.Config.UDPPortRange == "" {
		return
	}
	title := browserTitles[r.Config.Browser]
	if title == "" {
		title = "The browser's"
	}
	rng := noControl(r.Config.UDPPortRange)
	byID := map[result.ID]*result.Probe{}
	for i := range r.Probes {
		byID[r.Probes[i].ID] = &r.Probes[i]
	}
	for i := range r.Probes {
		any := &r.Probes[i]
		pid := any.ID.Parse()
		in := byID[result.STUNID(pid.Port)]
		if pid.Family != result.FamilySTUNAnyPort || in == nil {
			continue
		}
		ev := []result.ID{in.ID, any.ID}
		switch {
		case in.Status == result.StatusOK && closed(any.Status):
			fs.add(result.Finding{Code: "udp-source-port-filter", Severity: result.SeverityInfo,
				Title:    "The firewall passes UDP only from the browser's port range " + rng,
				Detail:   "From the " + title + " policy's ports (WebRtcUdpPortRange): answered; from any other port: " + statusText(any.Status, any.Reason) + ". Browsers and apps without that policy get no UDP media.",
				Evidence: ev})
		case closed(in.Status) && any.Status == result.StatusOK:
			fs.add(result.Finding{Code: browserPolicyCode, Severity: result.SeverityWarning,
				Title:    title + " policy WebRtcUdpPortRange " + rng + " is what the firewall drops",
				Detail:   "From the policy's ports: " + statusText(in.Status, in.Reason) + "; from any port: answered. Remove the policy, or allow UDP from source ports " + rng + ".",
				Evidence: ev})
		}
	}
	var busy []result.ID
	for i := range r.Probes {
		if p := &r.Probes[i]; p.Reason == result.ReasonPortRangeBusy {
			busy = append(busy, p.ID)
		}
	}
	if len(busy) > 0 {
		fs.add(result.Finding{Code: "udp-port-range-narrow", Severity: result.SeverityInfo,
			Title:    "The browser's UDP port range " + rng + " is narrower than rtcprobe's probes at once",
			Detail:   "Some probes were skipped because rtcprobe's own sockets held every port of the range. One call opens fewer sockets, but calls in several tabs, and other WebRTC apps, share the same range (WebRtcUdpPortRange).",
			Evidence: busy})
	}
	for i := range r.Probes {
		if p := &r.Probes[i]; p.Reason == result.ReasonPortRangeExhausted {
			fs.add(result.Finding{Code: "udp-port-range-exhausted", Severity: result.SeverityWarning,
				Title:    "Every port of the browser's UDP port range " + rng + " was in use",
				Detail:   "The range (WebRtcUdpPortRange) is shared by every WebRTC socket on the machine; with this many in use the browser cannot open more UDP media sockets. Widen the range.",
				Evidence: []result.ID{p.ID}})
		}
	}
}

// otherBrowsers judges the report again for each other browser with a
// managed policy and keeps those whose verdict differs. The probes are
// the same (sent from the judged browser's port range, if any).
func otherBrowsers(r *result.Report, cat *catalog.Catalog, v result.Verdict) []result.BrowserVerdict {
	var out []result.BrowserVerdict
	for _, bp := range r.Config.Policies {
		if bp.Browser == r.Config.Browser {
			continue
		}
		c := *r
		c.Config.Browser = bp.Browser
		c.Paths = result.Paths{}
		judgePaths(&c, cat)
		ban := applyBans(&c, bp.Browser)
		sig := judgeSignaling(&c)
		media := choose(&c.Paths)
		c.Remediation = remediate(&c, cat, sig, media)
		ov := verdictOf(&c, sig, media)
		if ov.Outcome == v.Outcome && ov.Media == v.Media {
			continue
		}
		bv := result.BrowserVerdict{Browser: bp.Browser, Outcome: ov.Outcome, Media: ov.Media, Headline: ov.Headline}
		if ban != nil {
			bv.Policy = ban.long
			bv.Headline += " (" + ban.short + ")"
		}
		if s := bp.Setting(policyPortRange); s != nil && s.Value != r.Config.UDPPortRange {
			bv.Headline += "; UDP was measured from " + orAny(noControl(r.Config.UDPPortRange)) + ", not its range " + noControl(s.Value)
		}
		out = append(out, bv)
	}
	slices.SortStableFunc(out, func(a, b result.BrowserVerdict) int { return strings.Compare(a.Browser, b.Browser) })
	return out
}

func orAny(s string) string {
	if s == "" {
		return "any port"
	}
	return "ports " + s
}

// policyProblemFinding: a policy file or key that could not be read means
// the browser may obey a policy this verdict did not apply.
func policyProblemFinding(fs *findingSet, r *result.Report) {
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.ID != result.PolicyUnreadableID {
			continue
		}
		fs.add(result.Finding{Code: "policy-unreadable", Severity: result.SeverityWarning,
			Title:    "A browser policy file or key could not be read",
			Detail:   p.Error + ". The browser may apply a policy this verdict did not; fix or remove the file.",
			Evidence: []result.ID{p.ID}})
	}
}
