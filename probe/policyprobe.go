package probe

import "github.com/rtcprobe/rtcprobe/report"

// policyProbes records one probe per browser with managed policies
// (policy/NAME): it sends nothing, it is the evidence the verdict cites
// when a policy decides, with each setting and its source (file or
// registry key) in Details.
func (r *run) policyProbes() {
	for _, bp := range r.plan.Config.Policies {
		p := report.Probe{ID: "policy/" + bp.Browser, Kind: report.KindPolicy, Role: "browser", Target: bp.Browser,
			Status: report.StatusOK, Details: map[string]string{}}
		for _, s := range bp.Settings {
			p.Details[s.Name] = s.Value
			p.Details[s.Name+".source"] = s.Source
		}
		r.finish(p)
	}
}
