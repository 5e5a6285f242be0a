package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// PortRange is the browser's WebRtcUdpPortRange: every UDP socket WebRTC
// opens is bound to a local port in [Min, Max]. The zero value means any
// port (the OS picks one), as without the policy.
type PortRange struct{ Min, Max int }

// Set reports whether a range is configured.
func (p PortRange) Set() bool { return p.Min > 0 && p.Max >= p.Min }

// String writes the range as the policy does.
func (p PortRange) String() string { return strconv.Itoa(p.Min) + "-" + strconv.Itoa(p.Max) }

// errPortRangeExhausted: every port of the range stayed in use for
// Timers.PortRangeWait. The range is shared by everything WebRTC does on the
// machine (Chromium measured: a narrow range made TURN/UDP fail while
// several peer connections were open), so this is a real outcome.
var errPortRangeExhausted = errors.New("probe: every UDP port of the browser's port range is in use")

// errPortRangeBusy: the range was full of rtcprobe's own sockets (it
// runs more UDP probes at once than a call opens): the probe is skipped,
// it says nothing about the laptop.
var errPortRangeBusy = errors.New("probe: rtcprobe's own probes held every port of the browser's port range")

// portRetry is the pause between two passes over a full range.
const portRetry = 50 * time.Millisecond

// openUDPFrom opens a UDP socket to "to", bound in pr when it is set. It
// starts at a random port of the range, as a browser's allocator does, so
// concurrent probes do not all contend for the first one.
func (r *run) openUDPFrom(ctx context.Context, to netip.AddrPort, pr PortRange) (*udpSock, error) {
	if !pr.Set() {
		return r.openUDPAny(ctx, to)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().PortRangeWait)
	defer cancel()
	size := pr.Max - pr.Min + 1
	start := rand.IntN(size)
	for {
		for i := range size {
			port := pr.Min + (start+i)%size
			s, err := r.openUDPPort(ctx, to, port)
			if err == nil {
				r.rangeHeld.Add(1)
				s.release = func() { r.rangeHeld.Add(-1) }
				return s, nil
			}
			// Taken, or the wait ended during the bind (the dial can see
			// the deadline pass before ctx reports it): the range's
			// verdict. Any other failure, or the run ending, is the bind's.
			waitEnded := ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)
			if !addrInUse(err) && (!waitEnded || parent.Err() != nil) {
				return nil, err
			}
		}
		if !sleepCtx(ctx, portRetry) {
			if int(r.rangeHeld.Load()) >= size {
				return nil, fmt.Errorf("%w (%s)", errPortRangeBusy, pr)
			}
			return nil, fmt.Errorf("%w (%s, waited %s)", errPortRangeExhausted, pr, r.plan.Timing().PortRangeWait)
		}
	}
}

// openUDPPort opens a UDP socket to "to" from local port (0 = any).
func (r *run) openUDPPort(ctx context.Context, to netip.AddrPort, port int) (*udpSock, error) {
	dst := net.UDPAddrFromAddrPort(to)
	if r.env.ListenPacket != nil {
		pc, err := r.env.listenPacket(ctx, "udp", ":"+strconv.Itoa(port))
		if err != nil {
			return nil, err
		}
		return &udpSock{pc: pc, to: dst}, nil
	}
	d := net.Dialer{}
	if port != 0 {
		d.LocalAddr = &net.UDPAddr{Port: port}
	}
	c, err := d.DialContext(ctx, "udp", to.String())
	if err != nil {
		return nil, err
	}
	reportPortUnreachable(c)
	return &udpSock{c: c, to: dst}, nil
}

// addrInUse reports whether a bind failed because the port is taken.
func addrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, errWSAAddrInUse)
}

// localPort is the socket's local port, or 0.
func (s *udpSock) localPort() int {
	var a net.Addr
	if s.c != nil {
		a = s.c.LocalAddr()
	} else if s.pc != nil {
		a = s.pc.LocalAddr()
	}
	if ua, ok := a.(*net.UDPAddr); ok {
		return ua.Port
	}
	return 0
}

// markRange records on a UDP probe that it was sent from the browser's
// port range (and from which port, when known).
func (r *run) markRange(p *result.Probe, port int) {
	if !r.plan.UDPPortRange.Set() {
		return
	}
	if p.Details == nil {
		p.Details = map[result.DetailKey]string{}
	}
	p.Details[result.DetailSourcePortRange] = r.plan.UDPPortRange.String()
	if port > 0 {
		p.Details[result.DetailSourcePort] = strconv.Itoa(port)
	}
}

// stunAnyPort sends the same STUN exchange as stun/PORT, but from a port
// the OS picks: with a port range configured, the pair tells whether the
// firewall passes UDP only from the browser's range ("from the policy's
// ports: answered; from any port: dropped").
func (r *run) stunAnyPort(ctx context.Context, host string, port int) {
	p, to, start, ok := r.beginSTUN(ctx, result.AnyPortSTUNID(port), host, port)
	if !ok {
		return
	}
	build, match := bindingExchange(len(r.plan.Timing().LossySendAt))
	var res exchangeResult
	sock, err := r.openUDPAny(ctx, to)
	if err != nil {
		res = exchangeResult{answered: -1, err: err}
	} else {
		res = exchangeOn(ctx, sock, r.stunWait(), build, match)
		_ = sock.Close()
	}
	res.fill(&p, r.env.now().Sub(start))
	p.Details[result.DetailSourcePortRange] = "any"
	r.finish(p)
}
