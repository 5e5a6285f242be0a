package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/rtcprobe/rtcprobe/result"
)

// RouteTarget is a destination whose route (the local interface and
// address the OS picks, the gateway where known) is reported: the TRTC
// signalling host, the reflector and each TURN server.
type RouteTarget struct {
	Host string
	// Role is the target's role ("signaling", "media", "turn").
	Role string
}

// routeState is the run's process scan, made once for every route probe.
type routeState struct {
	once   sync.Once
	agents []string
}

// netRoute reports which interface carries traffic to t. A UDP "connect"
// sends nothing: it asks the kernel's routing table which source address
// (hence interface) it would use, on every OS alike. VPN and SASE agents
// are named from the interface, and from the processes running.
func (r *run) netRoute(ctx context.Context, t RouteTarget) {
	// Role "route", not the target's: the signalling and media verdicts
	// select probes by role, and a route is not a connection attempt.
	p := result.Probe{ID: result.RouteID(t.Host), Kind: result.KindRoute, Role: "route", Target: t.Host,
		Details: map[result.DetailKey]string{result.DetailFor: t.Role}}
	r.begin(p)
	addr, err := netip.ParseAddr(t.Host)
	if err != nil {
		dctx, cancel := context.WithTimeout(ctx, r.plan.Timing().ReflectorDNS)
		addrs, lerr := r.env.resolver().LookupNetIP(dctx, "ip", t.Host)
		cancel()
		if addr, err = pickIPv4(addrs, lerr); err != nil {
			p.Status, p.Reason, p.Error = result.StatusSkipped, result.ReasonDNS, "the name did not resolve, so its route is unknown"
			r.finish(p)
			return
		}
	}
	p.Address = addr.Unmap().String()
	local, err := localAddrFor(addr.Unmap())
	if err != nil {
		p.Status, p.Reason, p.Error = result.StatusFailed, result.ReasonNoRoute, err.Error()
		r.finish(p)
		return
	}
	p.Status = result.StatusOK
	p.Details[result.DetailLocalAddress] = local.String()
	ifname := interfaceOf(local)
	if ifname != "" {
		p.Details[result.DetailInterface] = safeText(ifname)
		if a := agentForInterface(ifname); a != "" {
			p.Details[result.DetailAgent] = a
		}
	}
	if gw := gatewayFor(addr.Unmap(), ifname); gw != "" {
		p.Details[result.DetailGateway] = gw
	}
	if agents := r.runningAgents(); len(agents) > 0 {
		p.Details[result.DetailAgentsRunning] = strings.Join(agents, ", ")
	}
	r.finish(p)
}

// runningAgents scans the process list once per run.
func (r *run) runningAgents() []string {
	r.routes.once.Do(func() { r.routes.agents = runningAgents(processNames()) })
	return r.routes.agents
}

// localAddrFor is the source address the OS would use to reach dst.
func localAddrFor(dst netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// interfaceOf names the interface holding local, "" when none does.
func interfaceOf(local netip.Addr) string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipn.IP); ok && ip.Unmap() == local {
					return ifc.Name
				}
			}
		}
	}
	return ""
}

// routePlan lists the route targets: the first signalling host of each
// region (or the websocketProxy), the reflector and each TURN host, once
// each.
func routePlan(p *Plan) []RouteTarget {
	var out []RouteTarget
	seen := map[string]bool{}
	add := func(host, role string) {
		if host != "" && !seen[host] {
			seen[host] = true
			out = append(out, RouteTarget{Host: host, Role: role})
		}
	}
	regions := map[string]bool{}
	for _, w := range p.Web {
		if w.Role == "signaling" && !regions[w.Region] {
			regions[w.Region] = true
			add(w.Host(), "signaling")
		}
	}
	if p.Reflector != nil {
		add(p.Reflector.Host, "media")
	}
	for _, t := range p.TURN {
		add(t.Host, "turn")
	}
	return out
}
