package probe

import (
	"net"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/rtcprobe/rtcprobe/pac"
	"github.com/rtcprobe/rtcprobe/result"
)

// Route is how the browser reaches one URL: the hops to try in order
// (Chromium falls over to the next when it cannot connect to a proxy, not
// when the proxy refuses CONNECT: net/http/proxy_fallback.cc), and what
// chose them.
type Route struct {
	Hops []pac.Hop
	// By names what chose the hops (the routeBy detail).
	By string
	// PACResult is the PAC's answer for the URL, when a PAC ran.
	PACResult string
	// Blocked: a mandatory PAC failed, so the browser sends nothing.
	Blocked bool
	// Why says why it is blocked.
	Why string
}

var directRoute = []pac.Hop{{Type: "DIRECT"}}

// viaProxy reports whether the first hop is a proxy.
func (rt Route) viaProxy() bool { return len(rt.Hops) > 0 && !rt.Hops[0].IsDirect() }

// manualRoute applies the manual rules (or the environment variables) to
// u, as Chromium's ProxyConfig::ProxyRules::Apply does for https:// and
// wss:// URLs.
func (s *ProxySetup) manualRoute(u *url.URL) Route {
	by := s.By
	if s.env != nil {
		hu := *u
		hu.Scheme = map[string]string{"wss": "https", "ws": "http"}[u.Scheme]
		if hu.Scheme == "" {
			hu.Scheme = u.Scheme
		}
		px, err := s.env.ProxyFunc()(&hu)
		if err != nil || px == nil {
			return Route{Hops: directRoute, By: by}
		}
		return Route{Hops: []pac.Hop{hopOf(px.String())}, By: by}
	}
	if s.Manual == "" || bypassed(s.Bypass, u) {
		return Route{Hops: directRoute, By: by}
	}
	list := manualProxies(s.Manual, u.Scheme == "https" || u.Scheme == "wss")
	if len(list) == 0 {
		return Route{Hops: directRoute, By: by}
	}
	hops := make([]pac.Hop, 0, len(list))
	for _, p := range list {
		hops = append(hops, hopOf(p))
	}
	return Route{Hops: hops, By: by}
}

// manualProxies reads a manual proxy rule: "host:port" (or a list with
// ",") for every scheme, or "http=a:1;https=b:2;socks=c:3" per scheme,
// where a secure URL takes the https entry, else the socks one, else
// goes direct.
func manualProxies(rule string, secure bool) []string {
	rule = strings.TrimSpace(rule)
	if !strings.Contains(rule, "=") {
		return splitProxyList(rule)
	}
	var socks []string
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "https":
			if secure {
				return splitProxyList(v)
			}
		case "http":
			if !secure {
				return splitProxyList(v)
			}
		case "socks":
			for _, p := range splitProxyList(v) {
				if !strings.Contains(p, "://") {
					p = "socks4://" + p
				}
				socks = append(socks, p)
			}
		}
	}
	return socks
}

func splitProxyList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// hopOf turns "host:port" or "scheme://host:port" into a hop.
func hopOf(p string) pac.Hop {
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok {
		scheme, rest = "http", p
	}
	if u, err := url.Parse(scheme + "://" + rest); err == nil && u.Host != "" {
		rest = u.Host
	}
	typ := map[string]string{"http": "PROXY", "https": "HTTPS", "socks": "SOCKS", "socks4": "SOCKS4", "socks5": "SOCKS5"}[strings.ToLower(scheme)]
	if typ == "" {
		typ = "PROXY"
	}
	if !strings.Contains(strings.TrimPrefix(rest, "["), ":") || strings.HasSuffix(rest, "]") {
		rest += ":" + map[string]string{"PROXY": "80", "HTTPS": "443"}[typ]
		if strings.HasSuffix(rest, ":") {
			rest += "1080"
		}
	}
	return pac.Hop{Type: typ, Addr: rest}
}

// hopURL is the proxy URL the CONNECT code takes, or nil for a hop
// rtcprobe cannot use (SOCKS).
func hopURL(h pac.Hop) *url.URL {
	switch h.Type {
	case "PROXY":
		return &url.URL{Scheme: "http", Host: h.Addr}
	case "HTTPS":
		return &url.URL{Scheme: "https", Host: h.Addr}
	}
	return nil
}

// bypassed applies a bypass list (Windows ProxyOverride, macOS
// exceptions, GNOME ignore-hosts, the ProxyBypassList policy): "<local>"
// for names without a dot, globs on the host ("*.corp", "10.*"), a
// leading "." for a domain and its subdomains, CIDR blocks for address
// literals, an optional scheme and port.
func bypassed(rules []string, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "wss": "443", "http": "80", "ws": "80"}[u.Scheme]
	}
	ip, ipErr := netip.ParseAddr(host)
	for _, r := range rules {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if r == "<local>" {
			if ipErr != nil && !strings.Contains(host, ".") {
				return true
			}
			continue
		}
		if s, rest, ok := strings.Cut(r, "://"); ok {
			if s != u.Scheme {
				continue
			}
			r = rest
		}
		if pfx, err := netip.ParsePrefix(r); err == nil {
			if ipErr == nil && pfx.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		if h, p, err := net.SplitHostPort(r); err == nil {
			if _, perr := strconv.Atoi(p); perr == nil {
				if p != port {
					continue
				}
				r = h
			}
		}
		if strings.HasPrefix(r, ".") {
			r = "*" + r
			if host == r[2:] {
				return true
			}
		}
		if ok, _ := path.Match(r, host); ok {
			return true
		}
	}
	return false
}

// routing is the run's routes: fixed before the probes start (routes),
// and the hop each target ended up using (used), for the probes' details.
type routing struct {
	routes map[string]Route
	mu     sync.Mutex
	used   map[string]hopUse
}

// hopUse is the hop a target took and the ones that failed before it.
type hopUse struct {
	hop   pac.Hop
	tried []string
}

func (rg *routing) setUsed(id string, h pac.Hop, tried []string) {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	if rg.used == nil {
		rg.used = map[string]hopUse{}
	}
	rg.used[id] = hopUse{h, append([]string(nil), tried...)}
}

// route returns the route of a target, if routing applies to the run.
func (r *run) route(id string) (Route, bool) {
	if r.rt == nil {
		return Route{}, false
	}
	rt, ok := r.rt.routes[id]
	return rt, ok
}

// withRoute adds the route details (route, routeBy, pacResult,
// routeTried) to a probe of a routed target that does not carry them.
func (r *run) withRoute(p result.Probe) result.Probe {
	if r.rt == nil {
		return p
	}
	id := p.ID.Head()
	rt, ok := r.rt.routes[id]
	if !ok || p.Kind == result.KindDNS {
		return p
	}
	d := map[result.DetailKey]string{result.DetailRouteBy: rt.By}
	if rt.PACResult != "" {
		d[result.DetailPacResult] = rt.PACResult
	}
	r.rt.mu.Lock()
	use, used := r.rt.used[id]
	r.rt.mu.Unlock()
	switch {
	case used:
		d[result.DetailRoute] = use.hop.String()
		if len(use.tried) > 0 {
			d[result.DetailRouteTried] = strings.Join(use.tried, "; ")
		}
	case len(rt.Hops) > 0:
		d[result.DetailRoute] = rt.Hops[0].String()
	}
	for k, v := range p.Details {
		d[k] = v
	}
	p.Details = d
	return p
}
