package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"

	"github.com/rtcprobe/rtcprobe/pac"

	"github.com/rtcprobe/rtcprobe/result"
)

// webRouted checks a target along its route: each hop in order, the next
// only when the browser would fall over (it could not connect to that
// proxy). Probe IDs: <id>/tcp/proxy for the first proxy tried,
// <id>/tcp/proxy-2, -3... for the next; DIRECT uses the direct probes.
func (r *run) webRouted(ctx context.Context, t WebTarget, base result.Probe, rt Route) {
	if rt.Blocked {
		return // the <id>/pac probe says why nothing was sent
	}
	hasDirect := false
	for _, h := range rt.Hops {
		hasDirect = hasDirect || h.IsDirect()
	}
	// The lookups are informative when only proxies are tried (the proxy
	// resolves the name).
	addrs := r.resolveWeb(ctx, t, base, !hasDirect)
	var tried []string
	n := 0
	for i, h := range rt.Hops {
		r.rt.setUsed(t.ID, h, tried)
		if h.IsDirect() {
			conn, addr, wait := r.connectAny(ctx, t, base, addrs[:min(len(addrs), maxTCPAddrs)])
			defer wait()
			if conn != nil {
				r.tlsAndRequest(ctx, t, base, conn, addr, "")
			}
			return
		}
		n++
		id := result.ProxyTCPID(t.ID, n)
		extra := map[result.DetailKey]string{result.DetailRoute: h.String(), result.DetailRouteBy: rt.By}
		if i+1 < len(rt.Hops) {
			// Not the last word: if this hop fails, the browser tries
			// the next one (judges skip a failure marked so).
			extra[result.DetailRouteFallback] = rt.Hops[i+1].String()
		}
		px := r.hopProxy(h)
		if px == nil {
			p := base
			p.ID, p.Kind, p.Target = id, result.KindTCP, h.Addr
			p.Status, p.Reason, p.Step = result.StatusError, result.ReasonProxyTypeUnsupported, "connect"
			p.Error = h.Type + " proxies are not supported by rtcprobe; the browser would use " + h.String()
			p.Details = extra
			r.finish(p)
			tried = append(tried, h.String())
			continue
		}
		if r.webViaProxyAs(ctx, t, base, px, id, extra) {
			return
		}
		tried = append(tried, h.String())
	}
}

// turnRouted opens TURN's TCP connection along its route: DIRECT to the
// resolved server, or CONNECT through each proxy in turn, falling over
// only when a proxy cannot be connected to. A proxy's refusal ends it,
// as in Chromium.
func (r *run) turnRouted(ctx context.Context, t TURNTarget, server netip.AddrPort, rt Route) (net.Conn, error) {
	if rt.Blocked {
		return nil, &turnFailure{result.StatusFailed, result.ReasonPACMandatoryFailed, "connect", errors.New(rt.Why)}
	}
	var tried []string
	var last error
	target := JoinHostPort(t.Host, t.Port)
	for _, h := range rt.Hops {
		r.rt.setUsed(t.ID.String(), h, tried)
		if h.IsDirect() {
			if !server.Addr().IsValid() || server.Addr().IsUnspecified() {
				return nil, &turnFailure{result.StatusFailed, result.ReasonDNS, "resolve", fmt.Errorf("cannot resolve %s to go DIRECT", t.Host)}
			}
			return r.env.dial(ctx, "tcp", server.String())
		}
		px := r.hopProxy(h)
		if px == nil {
			tried = append(tried, h.String())
			last = fmt.Errorf("%s proxies are not supported by rtcprobe", h.Type)
			continue
		}
		c, status, auth, err := dialViaHTTPProxy(ctx, r.env, px, target)
		r.noteProxyAuth(t.ID.String(), auth)
		if err == nil {
			return c, nil
		}
		if errors.Is(err, ErrProxyAuth) {
			return nil, proxyAuthTURNFailure(err)
		}
		if status != 0 {
			return nil, &turnFailure{result.StatusFailed, result.ReasonProxyRefused, "connect", &proxyRefusal{status: status,
				err: fmt.Errorf("%w: the HTTP proxy %s answered %d to CONNECT %s: %w", errTURNViaProxy, h.Addr, status, target, err)}}
		}
		last = fmt.Errorf("the proxy %s: %w", h.Addr, err)
		tried = append(tried, h.String())
		if ctx.Err() != nil {
			break
		}
	}
	if last == nil {
		last = errors.New("no route")
	}
	return nil, last
}

// hopProxy is the proxy URL of a hop: the plan's HTTPProxy when it is the
// same proxy (it carries the user's credentials from the flag or the
// environment), else one built from the hop; nil for SOCKS.
func (r *run) hopProxy(h pac.Hop) *url.URL {
	if px := r.plan.HTTPProxy; px != nil && proxyAddr(px) == h.Addr && (px.Scheme == "https") == (h.Type == "HTTPS") {
		return px
	}
	return hopURL(h)
}
