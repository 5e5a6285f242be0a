package pac

import (
	"context"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Env is the world the helpers see. Zero values use the system's.
type Env struct {
	// Lookup resolves a name (dnsResolve, isResolvable, isInNet, the *Ex
	// variants). Nil means net.DefaultResolver.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// MyAddrs are this machine's addresses (myIpAddress, myIpAddressEx),
	// the preferred one first. Nil means the address of the default route.
	MyAddrs func() []netip.Addr
	// Now is the clock of weekdayRange, dateRange and timeRange.
	Now func() time.Time
	// DNSTimeout bounds one lookup; 0 means 1s.
	DNSTimeout time.Duration
	// MaxLookups bounds the lookups of one evaluation; 0 means 16. Later
	// lookups fail as if the name did not resolve.
	MaxLookups int
}

// dnsCache keeps answers across the evaluations of one script, as
// Chromium's host cache does, so a script that resolves the same name for
// every URL costs one lookup.
type dnsCache struct {
	mu sync.Mutex
	m  map[string][]netip.Addr
}

func (c *dnsCache) get(host string) ([]netip.Addr, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[host]
	return a, ok
}

func (c *dnsCache) put(host string, a []netip.Addr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]netip.Addr{}
	}
	if len(c.m) < 256 {
		c.m[host] = a
	}
}

// helpers are the PAC functions bound to one runtime.
type helpers struct {
	vm      *goja.Runtime
	ctx     context.Context
	env     Env
	cache   *dnsCache
	lookups int
}

func (h *helpers) install() error {
	if err := installGuards(h.vm); err != nil {
		return err
	}
	fns := map[string]any{
		"isPlainHostName":     isPlainHostName,
		"dnsDomainIs":         func(host, domain string) bool { return strings.HasSuffix(host, domain) },
		"localHostOrDomainIs": localHostOrDomainIs,
		"dnsDomainLevels":     func(host string) int { return strings.Count(host, ".") },
		"shExpMatch":          shExpMatch,
		"isResolvable":        func(host string) bool { return h.first4(host) != "" },
		"dnsResolve":          h.dnsResolve,
		"isInNet":             h.isInNet,
		"myIpAddress":         h.myIPAddress,
		"weekdayRange":        h.weekdayRange,
		"dateRange":           h.dateRange,
		"timeRange":           h.timeRange,
		"alert":               func(goja.Value) {},
		// Microsoft's IPv6-aware extensions (Chromium has them too).
		"isResolvableEx":    func(host string) bool { return h.dnsResolveEx(host) != "" },
		"dnsResolveEx":      h.dnsResolveEx,
		"myIpAddressEx":     h.myIPAddressEx,
		"isInNetEx":         isInNetEx,
		"sortIpAddressList": h.sortIPAddressList,
		"getClientVersion":  func() string { return "1.0" },
	}
	for name, fn := range fns {
		if err := h.vm.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

func isPlainHostName(host string) bool {
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return false
	}
	return !strings.Contains(host, ".")
}

func localHostOrDomainIs(host, hostdom string) bool {
	return host == hostdom || (!strings.Contains(host, ".") && strings.HasPrefix(hostdom, host+"."))
}

// shExpMatch matches a shell expression (* and ? only) against the whole
// string, as Chromium's PAC library does.
func shExpMatch(str, exp string) bool {
	if len(exp) > 1024 {
		return false
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range exp {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(str)
}

// lookup resolves host within the evaluation's bounds; IP literals need
// no lookup. Failure is an empty list, as a PAC helper sees it.
func (h *helpers) lookup(host string) []netip.Addr {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a.Unmap()}
	}
	if host == "" || len(host) > 253 {
		return nil
	}
	if a, ok := h.cache.get(host); ok {
		return a
	}
	max := h.env.MaxLookups
	if max <= 0 {
		max = 16
	}
	if h.lookups >= max || h.ctx.Err() != nil {
		return nil
	}
	h.lookups++
	timeout := h.env.DNSTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(h.ctx, timeout)
	defer cancel()
	var addrs []netip.Addr
	var err error
	if h.env.Lookup != nil {
		addrs, err = h.env.Lookup(ctx, host)
	} else {
		addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	if err != nil {
		addrs = nil
		if h.ctx.Err() != nil {
			return nil // the evaluation ended, not the lookup: ask again next time
		}
		// A lookup that timed out is cached as no answer, as a failed
		// one is: a script that asks about an unresolvable name for every
		// URL pays the wait once, not once per URL.
	}
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	h.cache.put(host, addrs)
	return addrs
}

// first4 is the first IPv4 address of host, or "".
func (h *helpers) first4(host string) string {
	for _, a := range h.lookup(host) {
		if a.Is4() {
			return a.String()
		}
	}
	return ""
}

func (h *helpers) dnsResolve(host string) goja.Value {
	if s := h.first4(host); s != "" {
		return h.vm.ToValue(s)
	}
	return goja.Null()
}

func (h *helpers) dnsResolveEx(host string) string {
	return joinAddrs(h.lookup(host))
}

// isInNet: host (a name is resolved) masked equals pattern masked, IPv4.
func (h *helpers) isInNet(host, pattern, mask string) bool {
	ip := h.first4(host)
	if ip == "" {
		return false
	}
	a, err1 := netip.ParseAddr(ip)
	p, err2 := netip.ParseAddr(pattern)
	m, err3 := netip.ParseAddr(mask)
	if err1 != nil || err2 != nil || err3 != nil || !p.Is4() || !m.Is4() {
		return false
	}
	ab, pb, mb := a.As4(), p.As4(), m.As4()
	for i := range ab {
		if ab[i]&mb[i] != pb[i]&mb[i] {
			return false
		}
	}
	return true
}

// isInNetEx: ip (an address, not a name) in the CIDR prefix.
func isInNetEx(ip, prefix string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return false
	}
	return p.Contains(a.Unmap())
}

// sortIpAddressList sorts a ";"-separated list, IPv6 first (Microsoft's
// definition); false when an entry is not an address.
func (h *helpers) sortIPAddressList(list string) goja.Value {
	var addrs []netip.Addr
	for _, s := range strings.Split(list, ";") {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return h.vm.ToValue(false)
		}
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, func(x, y netip.Addr) int {
		if x.Is6() != y.Is6() {
			if x.Is6() {
				return -1
			}
			return 1
		}
		return x.Compare(y)
	})
	return h.vm.ToValue(joinAddrs(addrs))
}

func joinAddrs(addrs []netip.Addr) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = a.String()
	}
	return strings.Join(parts, ";")
}

func (h *helpers) myAddrs() []netip.Addr {
	if h.env.MyAddrs != nil {
		return h.env.MyAddrs()
	}
	return routeAddrs()
}

// routeAddrs asks the kernel which source address it would use towards a
// public address (a UDP "connect" sends nothing), IPv4 then IPv6, as
// Chromium's myIpAddress does.
func routeAddrs() []netip.Addr {
	var out []netip.Addr
	for _, dst := range []string{"8.8.8.8:80", "[2001:4860:4860::8888]:80"} {
		c, err := net.Dial("udp", dst)
		if err != nil {
			continue
		}
		if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil && !ap.Addr().IsUnspecified() {
			out = append(out, ap.Addr().Unmap())
		}
		c.Close()
	}
	return out
}

func (h *helpers) myIPAddress() string {
	for _, a := range h.myAddrs() {
		if a.Is4() {
			return a.String()
		}
	}
	return "127.0.0.1"
}

func (h *helpers) myIPAddressEx() string { return joinAddrs(h.myAddrs()) }
