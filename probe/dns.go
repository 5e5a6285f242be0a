package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/rtcprobe/rtcprobe/result"
)

// dnsOutcome is a classified lookup.
type dnsOutcome struct {
	status result.Status
	reason result.Reason
	addrs  []netip.Addr
	err    error
	note   string // one record type failed while the other answered
}

// systemDNS resolves host with the system resolver (what the browser uses)
// and records <id>/dns. It returns the usable addresses, IPv4 first.
func (r *run) systemDNS(ctx context.Context, t WebTarget, base result.Probe) []netip.Addr {
	p := base
	p.ID, p.Kind, p.Step = result.WebID(t.ID, result.StepDNS), result.KindDNS, ""
	start := r.begin(p)
	ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().DNS)
	defer cancel()
	addrs, err := r.env.resolver().LookupNetIP(ctx, "ip", t.Host())
	o := classifyLookup(addrs, err, ctx.Err(), r.env.LoopbackAnswers)
	r.finishDNS(p, start, o)
	if o.status != result.StatusOK {
		return nil
	}
	return o.addrs
}

// classifyLookup turns the Go resolver's answer into a dnsOutcome.
func classifyLookup(addrs []netip.Addr, err, ctxErr error, loopbackOK bool) dnsOutcome {
	if err != nil {
		var de *net.DNSError
		switch {
		case errors.As(err, &de) && de.IsNotFound:
			return dnsOutcome{status: result.StatusFailed, reason: result.ReasonNXDomain, addrs: nil, err: err}
		case ctxErr != nil || isTimeout(err) || (errors.As(err, &de) && de.IsTimeout):
			return dnsOutcome{status: result.StatusBlocked, reason: result.ReasonTimeout, addrs: nil, err: err}
		case errors.As(err, &de) && strings.Contains(de.Err, "misbehaving"):
			// The Go resolver reports SERVFAIL and REFUSED alike.
			return dnsOutcome{status: result.StatusFailed, reason: result.ReasonServFail, addrs: nil, err: err}
		}
		return dnsOutcome{status: result.StatusError, reason: result.ReasonResolverError, addrs: nil, err: err}
	}
	return classifyAddrs(addrs, loopbackOK)
}

// classifyAddrs sorts addresses IPv4 first and calls an answer made only of
// unspecified or loopback addresses sinkholed (a DNS filter's block page).
func classifyAddrs(addrs []netip.Addr, loopbackOK bool) dnsOutcome {
	if len(addrs) == 0 {
		return dnsOutcome{status: result.StatusFailed, reason: result.ReasonNoAnswer, addrs: nil, err: errors.New("the name has no A or AAAA records")}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.Unmap())
	}
	slices.SortStableFunc(out, func(a, b netip.Addr) int {
		if a.Is4() == b.Is4() {
			return 0
		}
		if a.Is4() {
			return -1
		}
		return 1
	})
	out = slices.Compact(out)
	if !slices.ContainsFunc(out, func(a netip.Addr) bool { return !a.IsUnspecified() && (loopbackOK || !a.IsLoopback()) }) {
		return dnsOutcome{status: result.StatusFailed, reason: result.ReasonSinkholed, addrs: out, err: errors.New("the name resolves only to unspecified or loopback addresses (a DNS filter)")}
	}
	return dnsOutcome{status: result.StatusOK, addrs: out}
}

func (r *run) finishDNS(p result.Probe, start time.Time, o dnsOutcome) {
	p.Status, p.Reason = o.status, o.reason
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	if len(o.addrs) > 0 {
		p.Details = mergeDetails(p.Details, map[result.DetailKey]string{result.DetailAddresses: joinAddrs(o.addrs)})
	}
	if o.note != "" && o.err == nil {
		p.Details = mergeDetails(p.Details, map[result.DetailKey]string{result.DetailPartialAnswer: o.note})
	}
	if o.err != nil {
		p.Step, p.Error = "resolve", o.err.Error()
	}
	r.finish(p)
}

// directDNS queries every configured nameserver for host with miekg/dns and
// records <id>/dns@<ns>: it tells NXDOMAIN, SERVFAIL and REFUSED apart,
// which the Go resolver does not.
func (r *run) directDNS(ctx context.Context, t WebTarget, base result.Probe) {
	for _, ns := range r.nameservers() {
		p := base
		p.ID, p.Kind = result.ResolverDNSID(t.ID, ns), result.KindDNS
		p.Details = map[result.DetailKey]string{result.DetailResolver: ns}
		start := r.begin(p)
		r.finishDNS(p, start, queryNameserver(ctx, ns, t.Host(), r.env.LoopbackAnswers, r.plan.Timing().DNS))
	}
}

func (r *run) nameservers() []string {
	if r.env.Nameservers != nil || runtime.GOOS == "windows" {
		return r.env.Nameservers
	}
	cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range cfg.Servers {
		out = append(out, net.JoinHostPort(s, cfg.Port))
	}
	return out
}

// queryNameserver asks ns for host's A and AAAA records. An answer to
// either type decides: resolvers that refuse or fail only AAAA (some
// forwarders do) still give the browser its IPv4 addresses, as the Go
// resolver and browsers accept. The failure of the other type is kept in
// the outcome's note.
func queryNameserver(ctx context.Context, ns, host string, loopbackOK bool, timeout time.Duration) dnsOutcome {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var addrs []netip.Addr
	var failure *dnsOutcome
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		o, got := queryType(ctx, ns, host, qt)
		if o != nil {
			if o.reason == result.ReasonTruncated || o.reason == result.ReasonTimeout || o.reason == result.ReasonNXDomain {
				return *o // the name does not exist, or the resolver is out of reach
			}
			if failure == nil {
				o.note = dns.TypeToString[qt] + ": " + o.err.Error()
				failure = o
			}
			continue
		}
		addrs = append(addrs, got...)
	}
	if len(addrs) == 0 && failure != nil {
		return *failure
	}
	out := classifyAddrs(addrs, loopbackOK)
	if failure != nil {
		out.note = failure.note
	}
	return out
}

// queryType asks ns for one record type: the addresses, or the failure.
func queryType(ctx context.Context, ns, host string, qt uint16) (*dnsOutcome, []netip.Addr) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(host), qt)
	resp, err := exchange(ctx, m, ns)
	if errors.Is(err, errTruncated) {
		return &dnsOutcome{status: result.StatusError, reason: result.ReasonTruncated, err: err}, nil
	}
	if err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return &dnsOutcome{status: result.StatusBlocked, reason: result.ReasonTimeout, err: err}, nil
		}
		return &dnsOutcome{status: result.StatusError, reason: result.ReasonMalformed, err: err}, nil
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return &dnsOutcome{status: result.StatusFailed, reason: result.ReasonNXDomain, err: errors.New("NXDOMAIN: the name does not exist")}, nil
	case dns.RcodeServerFailure:
		return &dnsOutcome{status: result.StatusFailed, reason: result.ReasonServFail, err: errors.New("SERVFAIL from " + ns)}, nil
	case dns.RcodeRefused:
		return &dnsOutcome{status: result.StatusFailed, reason: result.ReasonRefused, err: errors.New("REFUSED by " + ns)}, nil
	default:
		return &dnsOutcome{status: result.StatusError, reason: result.ReasonMalformed, err: errors.New("unexpected rcode " + dns.RcodeToString[resp.Rcode])}, nil
	}
	var addrs []netip.Addr
	for _, rr := range resp.Answer {
		switch v := rr.(type) {
		case *dns.A:
			if a, ok := netip.AddrFromSlice(v.A); ok {
				addrs = append(addrs, a)
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA); ok {
				addrs = append(addrs, a)
			}
		}
	}
	return nil, addrs
}

// errTruncated: the UDP answer had TC set and the TCP retry failed.
var errTruncated = errors.New("truncated answer and no answer over TCP")

// exchange sends m to ns over UDP and, when the answer is truncated (TC),
// again over TCP as resolvers do, both bounded by ctx (queryNameserver's
// timeout).
func exchange(ctx context.Context, m *dns.Msg, ns string) (*dns.Msg, error) {
	c := &dns.Client{Net: "udp"}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
	}
	resp, _, err := c.ExchangeContext(ctx, m, ns)
	if err != nil || !resp.Truncated {
		return resp, err
	}
	c.Net = "tcp"
	resp, _, err = c.ExchangeContext(ctx, m, ns)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errTruncated, err)
	}
	return resp, nil
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

func mergeDetails(dst, src map[result.DetailKey]string) map[result.DetailKey]string {
	if dst == nil {
		dst = map[result.DetailKey]string{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
