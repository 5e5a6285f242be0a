package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/rtcprobe/rtcprobe/report"
)

// classifyConnect turns a TCP connect error into a status and reason:
// RST = rejected rst, ICMP unreachable = rejected icmp-unreachable,
// no answer = blocked timeout.
func classifyConnect(err, ctxErr error) (status, reason string) {
	switch {
	case connRefused(err):
		return report.StatusRejected, "rst"
	case udpRejected(err):
		return report.StatusRejected, "icmp-unreachable"
	case ctxErr != nil || isTimeout(err) || errors.Is(err, context.DeadlineExceeded):
		return report.StatusBlocked, "timeout"
	}
	return report.StatusError, "connect-error"
}

// tcpConnect dials address (bounded by Timers.TCPConnect) and records the
// probe id. It returns the open connection, or nil.
func (r *run) tcpConnect(ctx context.Context, base report.Probe, id, address string, details map[string]string) net.Conn {
	p := base
	p.ID, p.Kind, p.Transport, p.Details = id, report.KindTCP, "tcp", details
	if ap, err := netip.ParseAddrPort(address); err == nil {
		p.Address = ap.Addr().String()
	}
	start := r.begin(p)
	cctx, cancel := context.WithTimeout(ctx, r.plan.Timing().TCPConnect)
	defer cancel()
	conn, err := r.env.dial(cctx, "tcp", address)
	p.RTTMs = report.RTT(r.env.now().Sub(start))
	if err != nil {
		p.Status, p.Reason = classifyConnect(err, cctx.Err())
		p.Step, p.Error = "connect", err.Error()
		r.finish(p)
		return nil
	}
	p.Status = report.StatusOK
	r.finish(p)
	return conn
}
