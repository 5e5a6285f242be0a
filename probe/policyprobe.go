package probe

import (
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/result"
)

// policyProbes records one probe per browser with managed policies
// (policy/NAME): it sends nothing, it is the evidence the verdict cites
// when a policy decides, with each setting and its source (file or
// registry key) in Details.
func (r *run) policyProbes() {
	for _, bp := range r.plan.Config.Policies {
		p := result.Probe{ID: result.PolicyID(bp.Browser), Kind: result.KindPolicy, Role: "browser", Target: bp.Browser,
			Status: result.StatusOK, Details: map[result.DetailKey]string{}}
		for _, s := range bp.Settings {
			p.Details[result.PolicyKey(s.Name)] = s.Value
			p.Details[result.PolicySourceKey(s.Name)] = s.Source
		}
		r.finish(p)
	}
	r.policyProblems()
}

// policyConfig turns the policies read into the report's form (name,
// value, source per setting), in a fixed order.
func policyConfig(set *policy.Set) []result.BrowserPolicy {
	if set == nil {
		return nil
	}
	var out []result.BrowserPolicy
	for i := range set.Browsers {
		b := &set.Browsers[i]
		bp := result.BrowserPolicy{Browser: b.Name, Settings: []result.PolicySetting{}}
		add := func(name, value, src string) {
			if src != "" {
				bp.Settings = append(bp.Settings, result.PolicySetting{Name: name, Value: safeText(value), Source: safeText(src)})
			}
		}
		add("WebRtcIPHandling", b.WebRtcIPHandling.Value, b.WebRtcIPHandling.Source)
		if b.WebRtcUdpPortRange.Set() {
			add("WebRtcUdpPortRange", b.WebRtcUdpPortRange.String(), b.WebRtcUdpPortRange.Source)
		}
		add("WebRtcLocalIpsAllowedUrls", strings.Join(b.WebRtcLocalIpsAllowedUrls.Values, ", "), b.WebRtcLocalIpsAllowedUrls.Source)
		if px := b.Proxy; px != nil {
			for _, kv := range [][2]string{{"ProxyMode", px.ProxyMode}, {"ProxyServer", px.ProxyServer},
				{"ProxyPacUrl", RedactURL(px.ProxyPacUrl)}, {"ProxyBypassList", px.ProxyBypassList}} {
				if kv[1] != "" {
					add(kv[0], kv[1], px.Source)
				}
			}
			if px.ProxyPacMandatory {
				add("ProxyPacMandatory", "true", px.Source)
			}
		}
		for _, f := range []struct {
			name string
			v    policy.Bool
		}{{policy.PrefProxyOnly, b.ICEProxyOnly}, {policy.PrefRelayOnly, b.ICERelayOnly},
			{policy.PrefDefaultAddressOnly, b.ICEDefaultAddressOnly}, {policy.PrefEnabled, b.PeerConnectionEnabled}} {
			add(f.name, strconv.FormatBool(f.v.Value), f.v.Source)
		}
		out = append(out, bp)
	}
	return out
}

// policyProblems records the policy files or keys that could not be read
// (policy/unreadable): the browser may obey a policy this run ignored.
func (r *run) policyProblems() {
	if len(r.plan.PolicyProblems) == 0 {
		return
	}
	p := result.Probe{ID: result.PolicyUnreadableID, Kind: result.KindPolicy, Role: "browser", Status: result.StatusError,
		Reason: result.ReasonUnreadable, Error: r.plan.PolicyProblems[0], Details: map[result.DetailKey]string{}}
	for i, msg := range r.plan.PolicyProblems {
		p.Details[result.ProblemKey(i+1)] = msg
	}
	r.finish(p)
}

// safeText makes a value from a policy file fit for a report and a
// terminal: control characters (escape sequences) replaced, at most 200
// bytes.
func safeText(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return '?'
		}
		return r
	}, s)
}
