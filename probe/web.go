package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/rtcprobe/rtcprobe/result"
)

// maxTCPAddrs is how many resolved addresses get a TCP probe (IPv4 first).
// They are connected to at once, so a firewall that lets only some of a
// host's addresses through (an IP allow-list gone stale) shows, and a
// dropped address costs one connect timeout, not one per address.
const maxTCPAddrs = 4

// web checks one HTTPS/WebSocket endpoint as the browser would:
// DNS -> TCP -> TLS -> request (HTTPS GET or WebSocket upgrade). With an
// HTTP proxy the TCP connection goes to the proxy and CONNECT opens the
// tunnel. A step that is not reached is not emitted.
func (r *run) web(ctx context.Context, t WebTarget) {
	host, port := t.Host(), t.Port()
	base := result.Probe{Role: t.Role, Region: t.Region, Target: host, Port: port, Transport: "tcp", Via: t.route(), SDKProxy: t.Via != ""}
	if host == "" || port <= 0 {
		p := base
		p.ID, p.Kind, p.Target = result.WebID(t.ID, result.StepDNS), result.KindDNS, t.URL
		p.Status, p.Reason, p.Step, p.Error = result.StatusError, result.ReasonBadURL, "resolve", "not a usable https:// or wss:// URL: "+t.URL
		r.finish(p)
		return
	}
	if rt, ok := r.route(t.ID); ok {
		r.webRouted(ctx, t, base, rt)
		return
	}
	proxy := r.proxyFor(t)
	addrs := r.resolveWeb(ctx, t, base, proxy != nil)
	if proxy != nil {
		r.webViaProxy(ctx, t, base, proxy)
		return
	}
	conn, addr, wait := r.connectAny(ctx, t, base, addrs[:min(len(addrs), maxTCPAddrs)])
	defer wait()
	if conn != nil {
		r.tlsAndRequest(ctx, t, base, conn, addr, "")
	}
}

// connectAny connects to every address at once, a pacing step apart (each
// its own <id>/tcp/<addr> probe), and returns the first connection made
// with its address as soon as there is one, or nil once all failed. The
// connects still going carry on (their probes record how they end; a
// second connection is closed at once); wait returns when all have ended,
// so none outlives the target.
func (r *run) connectAny(ctx context.Context, t WebTarget, base result.Probe, addrs []netip.Addr) (net.Conn, string, func()) {
	type made struct {
		conn net.Conn
		addr string
	}
	results := make(chan made, len(addrs))
	for i, a := range addrs {
		go func() {
			if !sleepCtx(ctx, r.plan.Timing().UDPPacing*timeMul(i)) {
				results <- made{}
				return
			}
			addr := netip.AddrPortFrom(a, uint16(t.Port())).String()
			results <- made{r.tcpConnect(ctx, base, result.AddrTCPID(t.ID, a.String()), addr, nil), a.String()}
		}()
	}
	firstCh := make(chan made, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sent := false
		for range addrs {
			m := <-results
			switch {
			case m.conn == nil:
			case !sent:
				firstCh <- m
				sent = true
			default:
				m.conn.Close()
			}
		}
		if !sent {
			firstCh <- made{}
		}
	}()
	first := <-firstCh
	return first.conn, first.addr, func() { <-done }
}

// resolveWeb runs the system lookup and the direct nameserver queries side
// by side. An IP-literal host needs no lookup. Through a proxy the proxy
// resolves, so the lookups are informative only.
func (r *run) resolveWeb(ctx context.Context, t WebTarget, base result.Probe, viaProxy bool) []netip.Addr {
	if a, err := netip.ParseAddr(t.Host()); err == nil {
		return []netip.Addr{a.Unmap()}
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.directDNS(ctx, t, base) })
	addrs := r.systemDNS(ctx, t, base)
	wg.Wait()
	if viaProxy {
		return nil
	}
	return addrs
}

// webViaProxy opens the tunnel through the HTTP proxy: <id>/tcp/proxy for
// the connect to the proxy, then CONNECT and TLS as <id>/tls.
func (r *run) webViaProxy(ctx context.Context, t WebTarget, base result.Probe, proxy *url.URL) {
	r.webViaProxyAs(ctx, t, base, proxy, result.ProxyTCPID(t.ID, 1), nil)
}

// webViaProxyAs is webViaProxy with the proxy connect's probe ID and extra
// details (the route); it reports false when the proxy could not be
// connected to (the browser then tries the next proxy of the list).
func (r *run) webViaProxyAs(ctx context.Context, t WebTarget, base result.Probe, proxy *url.URL, tcpID result.ID, extra map[result.DetailKey]string) bool {
	base.Via = result.ViaHTTPProxy
	via := mergeDetails(map[result.DetailKey]string{result.DetailVia: result.ViaHTTPProxyDetail, result.DetailProxy: proxyAddr(proxy)}, extra)
	conn := r.tcpConnect(ctx, base, tcpID, proxyAddr(proxy), via)
	if conn == nil {
		return false
	}
	p := base
	p.ID, p.Kind, p.Transport = result.WebID(t.ID, result.StepTLS), result.KindTLS, "tls"
	p.Details = map[result.DetailKey]string{result.DetailVia: result.ViaHTTPProxyDetail}
	start := r.begin(p)
	cctx, cancel := context.WithTimeout(ctx, r.plan.Timing().TLSHandshake)
	tunnel, status, auth, err := connectThrough(cctx, r.env, conn, proxy, JoinHostPort(t.Host(), t.Port()))
	ctxErr := cctx.Err() // before cancel, after which it is never nil
	cancel()
	p.Details = mergeDetails(p.Details, auth.details())
	if err != nil {
		p.RTTMs = result.RTT(r.env.now().Sub(start))
		p.Step, p.Error = "connect", err.Error()
		switch {
		case errors.Is(err, ErrProxyAuth):
			p.Status, p.Reason = proxyAuthOutcome(err)
			p.Details[result.DetailProxyStatus] = strconv.Itoa(status)
		case errors.Is(err, ErrProxyRefused):
			p.Status, p.Reason = result.StatusFailed, result.ReasonConnectRefusedByProxy
			p.Details[result.DetailProxyStatus] = strconv.Itoa(status)
		case ctxErr != nil || isTimeout(err):
			p.Status, p.Reason = result.StatusBlocked, result.ReasonTimeout
		default:
			p.Status, p.Reason = result.StatusError, result.ReasonProxyError
		}
		r.finish(p)
		return true
	}
	r.tlsAndRequestStarted(ctx, t, p, start, tunnel, result.ViaHTTPProxyDetail)
	return true
}

// tlsAndRequest records <id>/tls over conn, then the request.
func (r *run) tlsAndRequest(ctx context.Context, t WebTarget, base result.Probe, conn net.Conn, addr, via string) {
	p := base
	p.ID, p.Kind, p.Transport, p.Address = result.WebID(t.ID, result.StepTLS), result.KindTLS, "tls", addr
	p.Details = map[result.DetailKey]string{}
	start := r.begin(p)
	r.tlsAndRequestStarted(ctx, t, p, start, conn, via)
}

func (r *run) tlsAndRequestStarted(ctx context.Context, t WebTarget, p result.Probe, start time.Time, conn net.Conn, via string) {
	tc, d, fail := tlsHandshake(ctx, r.env, conn, t.Host(), r.plan.Timing().TLSHandshake)
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	p.Details = mergeDetails(p.Details, d)
	if fail != nil {
		p.Status, p.Reason, p.Step, p.Error = fail.status, fail.reason, fail.step, fail.err.Error()
		r.finish(p)
		return
	}
	p.Status = result.StatusOK
	r.finish(p)
	base := p
	base.Details, base.RTTMs, base.Transport = nil, nil, "tls"
	r.request(ctx, t, base, tc, via)
}

// proxyFor is the plan's HTTP proxy unless NO_PROXY (from the environment)
// exempts this target's host. The plan has one proxy for every target; the
// per-host exemption only exists for the environment variables, so only
// they are consulted here (system settings have their own bypass lists,
// not read).
func (r *run) proxyFor(t WebTarget) *url.URL {
	px := r.plan.HTTPProxy
	if px == nil {
		return nil
	}
	noProxy := os.Getenv("NO_PROXY")
	if noProxy == "" {
		noProxy = os.Getenv("no_proxy")
	}
	if noProxy == "" {
		return px
	}
	cfg := httpproxy.Config{HTTPSProxy: px.String(), NoProxy: noProxy}
	u := &url.URL{Scheme: "https", Host: JoinHostPort(t.Host(), t.Port())}
	got, err := cfg.ProxyFunc()(u)
	if err != nil || got == nil {
		return nil
	}
	return px
}
