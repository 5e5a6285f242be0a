package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/rtcprobe/rtcprobe/result"
)

// classifyConnect turns a TCP connect error into a status and reason:
// RST = rejected rst, ICMP unreachable = rejected icmp-unreachable,
// no answer = blocked timeout.
func classifyConnect(err, ctxErr error) (status result.Status, reason result.Reason) {
	switch {
	case connRefused(err):
		return result.StatusRejected, result.ReasonRST
	case udpRejected(err):
		return result.StatusRejected, result.ReasonICMPUnreachable
	case ctxErr != nil || isTimeout(err) || errors.Is(err, context.DeadlineExceeded):
		return result.StatusBlocked, result.ReasonTimeout
	}
	return result.StatusError, result.ReasonConnectError
}

// tcpConnect dials address (bounded by Timers.TCPConnect) and records the
// probe id. It returns the open connection, or nil.
func (r *run) tcpConnect(ctx context.Context, base result.Probe, id result.ID, address string, details map[result.DetailKey]string) net.Conn {
	p := base
	p.ID, p.Kind, p.Transport, p.Details = id, result.KindTCP, "tcp", details
	if ap, err := netip.ParseAddrPort(address); err == nil {
		p.Address = ap.Addr().String()
	}
	start := r.begin(p)
	cctx, cancel := context.WithTimeout(ctx, r.plan.Timing().TCPConnect)
	defer cancel()
	conn, err := r.env.dial(cctx, "tcp", address)
	p.RTTMs = result.RTT(r.env.now().Sub(start))
	if err != nil {
		p.Status, p.Reason = classifyConnect(err, cctx.Err())
		p.Step, p.Error = "connect", err.Error()
		r.finish(p)
		return nil
	}
	p.Status = result.StatusOK
	r.finish(p)
	return conn
}
