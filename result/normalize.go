package result

// webRoles are the roles of the SDK's web targets (the catalog's
// endpoints): an SDK proxy replaces one of them.
var webRoles = map[string]bool{"schedule": true, "signaling": true, "logger": true, "legacy": true}

// webKinds are the kinds of a web target's probes.
var webKinds = map[Kind]bool{KindDNS: true, KindTCP: true, KindTLS: true, KindHTTPS: true, KindWebSocket: true}

// Normalize fills the fields a report written before they existed lacks,
// from what such a report recorded instead, so the verdict reads one
// model whatever wrote the report: a probe's route (Via) and whether its
// target is an SDK proxy (SDKProxy). Probes that already carry a route
// are left alone; running it twice changes nothing.
//
// The derivation is the rule the probes follow when they write the
// fields: a web target from the SDK's proxy option serves every region,
// so its probes have no region; a probe through the browser's HTTP proxy
// has the detail via=http-proxy.
func (r *Report) Normalize() {
	if r == nil {
		return
	}
	for i := range r.Probes {
		r.Probes[i].normalize()
	}
}

func (p *Probe) normalize() {
	if p.Via != "" {
		return
	}
	web := webKinds[p.Kind] && webRoles[p.Role]
	p.SDKProxy = p.SDKProxy || (web && p.Region == "")
	switch {
	case p.Details[DetailVia] == ViaHTTPProxyDetail:
		p.Via = ViaHTTPProxy
	case !web:
		// Media, TURN, PAC, policy and route probes: no route to record.
	case p.SDKProxy:
		p.Via = ViaSDKProxy
	default:
		p.Via = ViaDirect
	}
}
