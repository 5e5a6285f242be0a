package report

import (
	"github.com/rtcprobe/rtcprobe/result"
)

// routeFindings names the VPN, SASE or ZTNA agent that carries the
// traffic (from the route/* probes), so a ticket goes to the team that
// runs it: rtcprobe shares the browser's network stack, so whatever the
// agent does is already in the measurements; the finding says whose rule
// it is.
func routeFindings(fs *findingSet, r *result.Report) {
	running := ""
	via := map[string][]result.ID{} // agent -> route probe IDs
	var order []string
	var mediaAgent, mediaIf string
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.Kind != result.KindRoute || p.Status != result.StatusOK {
			continue
		}
		if a := p.Details[result.DetailAgentsRunning]; a != "" {
			running = a
		}
		a := p.Details[result.DetailAgent]
		if a == "" {
			continue
		}
		if _, ok := via[a]; !ok {
			order = append(order, a)
		}
		via[a] = append(via[a], p.ID)
		if p.Details[result.DetailFor] == "media" {
			mediaAgent, mediaIf = a, p.Details[result.DetailInterface]
		}
	}
	for _, a := range order {
		var hosts []string
		for _, id := range via[a] {
			hosts = append(hosts, id.Parse().Target)
		}
		fs.add(result.Finding{Code: "vpn-route", Severity: result.SeverityInfo,
			Title:    "Traffic to " + andList(hosts) + " goes through " + a,
			Detail:   "The routes to these hosts use " + a + "'s interface; what this report measured is what passes through " + a + ", so its rules are part of the path.",
			Evidence: via[a]})
	}
	d := r.Paths.DirectUDP
	if mediaAgent != "" && (d.Status == result.PathBlocked || d.Status == result.PathPartial) {
		fs.add(result.Finding{Code: "vpn-drops-udp", Severity: result.SeverityWarning,
			Title:    "UDP to the media ports is dropped inside the " + mediaAgent + " tunnel",
			Detail:   "The reflector is reached through " + mediaAgent + " (interface " + mediaIf + "). The UDP rules belong to the team that runs " + mediaAgent + ": allow the media ports there, or exclude the TRTC media servers from the tunnel.",
			Evidence: append(append([]result.ID{}, via[mediaAgent]...), d.Evidence...)})
	}
	if running != "" && len(order) == 0 {
		fs.add(result.Finding{Code: "vpn-agent-running", Severity: result.SeverityInfo,
			Title:  "Running: " + running,
			Detail: "No route goes through its own interface, but agents that steer with a driver or a local proxy (Netskope, Zscaler Tunnel 1.0) still decide what passes: their policy is part of the path measured here."})
	}
}
