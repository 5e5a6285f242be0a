package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pion/logging"
	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"

	"github.com/rtcprobe/rtcprobe/result"
)

func itoa(i int) string { return strconv.Itoa(i) }

// Sentinel errors of the TURN probe.
var (
	// errTURNRejected: the server's address refused the connection or
	// answered with ICMP unreachable.
	errTURNRejected = errors.New("probe: TURN server rejected the connection")
	// errRelaySilent: allocated, but nothing came back through the relay.
	errRelaySilent = errors.New("probe: nothing came back through the relay")
	// errTURNViaProxy: the HTTP proxy refused the CONNECT to the server.
	errTURNViaProxy = errors.New("probe: the HTTP proxy refused TURN")
)

// quietLogs keeps pion's own logging off the screen; its messages may
// quote server answers, and nothing it says belongs in a report.
var quietLogs = &logging.DefaultLoggerFactory{Writer: io.Discard, DefaultLogLevel: logging.LogLevelDisabled}

// turnSession is one TURN client with its allocation. close releases all.
type turnSession struct {
	conn     net.PacketConn
	client   *turn.Client
	relay    net.PacketConn // nil until allocated
	server   netip.AddrPort
	rejected atomic.Bool  // the socket saw an ICMP rejection
	ignored  atomic.Int64 // datagrams dropped before pion saw them
	// answered is set by the first STUN or TURN answer from the server
	// over UDP: from then on silence on this 5-tuple is loss, not a
	// firewall, so its transactions get the lossy run's patience.
	answered atomic.Bool
	// lossy reports, for a session over UDP, whether the run has seen
	// loss (its transactions then wait longer); nil over TCP/TLS.
	lossy func() bool
	// timers are the run's (Plan.Timers).
	timers *Timers
}

// localPort is the session's local UDP port, 0 when not over UDP.
func (s *turnSession) localPort() int {
	if c, ok := s.conn.(*sockPacketConn); ok {
		return c.localPort()
	}
	return 0
}

func (s *turnSession) close() {
	if s.relay != nil {
		_ = s.relay.Close()
	}
	if s.client != nil {
		s.client.Close()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// turnFailure is a classified TURN outcome.
type turnFailure struct {
	status result.Status
	reason result.Reason
	step   string
	err    error
}

func (f *turnFailure) Error() string { return f.err.Error() }

// turn checks one TURN server over one transport: Allocate (with the 401
// challenge), CreatePermission, then a real relay round trip to the peer.
func (r *run) turn(ctx context.Context, t TURNTarget) {
	p := result.Probe{ID: t.ID, Kind: result.KindTURN, Role: "turn", Target: t.URL, Port: t.Port, Transport: t.Transport}
	r.begin(p)
	s, f := r.turnAllocate(ctx, t, t.Username, t.Credential.Reveal())
	if s != nil {
		defer s.close()
		p.Address = s.server.Addr().String()
		p.Details = map[result.DetailKey]string{result.DetailServerAddress: s.server.String()}
	}
	if f == nil {
		p.Details[result.DetailRelayedAddress] = s.relay.LocalAddr().String()
		if t.Username == defaultTURNUser && t.Credential.Reveal() == defaultTURNPass {
			// The configured credentials are the vendor script's example
			// (no separate audit runs then): say so without saying them.
			p.Details[result.DetailExampleCredentials] = "true"
		}
		if m := s.mappedAddress(ctx); m != "" {
			p.Details[result.DetailMappedAddress] = m
		}
		var rtt time.Duration
		if rtt, f = r.turnRelayTrip(ctx, t, s, p.Details); f == nil {
			p.RTTMs = result.RTT(rtt)
		}
	}
	if t.Transport == "udp" && s != nil {
		r.markRange(&p, s.localPort())
	}
	if r.viaProxy(t) {
		if p.Details == nil {
			p.Details = map[result.DetailKey]string{}
		}
		p.Details[result.DetailVia] = result.ViaHTTPProxyDetail
		p.Via = result.ViaHTTPProxy
		p.Details = mergeDetails(p.Details, r.takeProxyAuth(t.ID.String()))
	}
	if f != nil {
		var refusal *proxyRefusal
		if errors.As(f.err, &refusal) {
			p.Details = mergeDetails(p.Details, map[result.DetailKey]string{result.DetailProxyStatus: strconv.Itoa(refusal.status)})
		}
		p.Status, p.Reason, p.Step = f.status, f.reason, f.step
		p.Error = scrub(f.err.Error(), t.Credential)
	} else {
		p.Status = result.StatusOK
	}
	r.finish(p)
	if s != nil && s.relay != nil && r.auditTarget(t) {
		r.turnAudits(ctx, t, s)
	}
}

// viaProxy reports whether t goes through the HTTP proxy: TCP and TLS do,
// as in Chromium; UDP never does.
func (r *run) viaProxy(t TURNTarget) bool {
	if rt, ok := r.route(t.ID.String()); ok {
		return rt.viaProxy()
	}
	return r.plan.HTTPProxy != nil && t.Transport != "udp"
}

// scrub removes a credential from an error text (pion's errors quote
// attributes; none should hold the password, but a report must never).
func scrub(msg string, cred Secret) string {
	if c := cred.Reveal(); c != "" {
		msg = strings.ReplaceAll(msg, c, redacted)
	}
	return msg
}

// turnAllocate connects to the server and allocates a relay. A nil failure
// means s.relay is set; s is non-nil once a connection exists and must be
// closed by the caller.
func (r *run) turnAllocate(ctx context.Context, t TURNTarget, user, pass string) (*turnSession, *turnFailure) {
	server, err := r.turnServerAddr(ctx, t)
	if err != nil && r.viaProxy(t) {
		// The proxy resolves the name; a proxy-only network may not.
		server, err = netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(t.Port)), nil
	}
	if err != nil {
		return nil, &turnFailure{result.StatusFailed, result.ReasonDNS, "resolve", err}
	}
	tm := r.plan.Timing()
	s := &turnSession{server: server, timers: tm}
	if t.Transport == "udp" {
		s.lossy = r.media.lossy.Load
	}
	ctx, cancel := context.WithTimeout(ctx, tm.TURNConnect+tm.TURNAllocate)
	defer cancel()
	s.conn, err = r.turnConn(ctx, t, s, cancel)
	if err != nil {
		return s, connectFailure(err)
	}
	allocTimeout := tm.TURNAllocate
	if t.Transport == "udp" {
		allocTimeout = tm.TURNLossyAllocate
	}
	ctx, cancelAlloc := context.WithTimeout(ctx, allocTimeout)
	defer cancelAlloc()
	if allocTimeout != tm.TURNAllocate {
		// Over UDP the longer wait is only for a run that has seen loss;
		// otherwise a silent server is blocked at TURNAllocate.
		patience := time.AfterFunc(tm.TURNAllocate, func() {
			if !r.media.lossy.Load() && !s.answered.Load() {
				cancelAlloc()
			}
		})
		defer patience.Stop()
	}
	s.client, err = turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: server.String(), TURNServerAddr: server.String(),
		Username: user, Password: pass, RTO: tm.TURNRTO, Conn: s.conn, LoggerFactory: quietLogs,
	})
	if err == nil {
		err = s.client.Listen()
	}
	if err != nil {
		s.close()
		return nil, &turnFailure{result.StatusError, result.ReasonClient, "allocate", err}
	}
	stop := context.AfterFunc(ctx, s.client.Close)
	defer stop()
	allocStart := time.Now()
	s.relay, err = s.client.AllocateWithContext(ctx)
	if err != nil {
		if s.rejected.Load() {
			return s, &turnFailure{result.StatusRejected, result.ReasonICMPUnreachable, "allocate", errTURNRejected}
		}
		f := allocateFailure(err)
		if f.status == result.StatusBlocked && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// Say what happened, not how the wait was ended.
			f.err = fmt.Errorf("no answer to Allocate in %s", time.Since(allocStart).Round(time.Millisecond))
		}
		if f.status == result.StatusBlocked && s.ignored.Load() > 0 {
			f.status, f.reason = result.StatusError, result.ReasonGarbage
			f.err = errors.Join(errGarbage, err)
		}
		return s, f
	}
	return s, nil
}

// turnServerAddr resolves the server once through the system resolver.
func (r *run) turnServerAddr(ctx context.Context, t TURNTarget) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(t.Host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(t.Port)), nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().ReflectorDNS)
	defer cancel()
	addrs, err := r.env.resolver().LookupNetIP(ctx, "ip", t.Host)
	a, err := pickIPv4(addrs, err)
	return netip.AddrPortFrom(a, uint16(t.Port)), err
}

// turnConn opens the transport to the server: a UDP socket, or a TCP or
// TLS stream (through the HTTP proxy when the browser would use one)
// framed as STUN messages.
func (r *run) turnConn(ctx context.Context, t TURNTarget, s *turnSession, cancel func()) (net.PacketConn, error) {
	if t.Transport == "udp" {
		sock, err := r.openUDP(ctx, s.server)
		if err != nil {
			return nil, err
		}
		return &sockPacketConn{udpSock: sock, ignored: &s.ignored, answered: &s.answered,
			onReject: func() { s.rejected.Store(true); cancel() }}, nil
	}
	cctx, ccancel := context.WithTimeout(ctx, r.plan.Timing().TURNConnect)
	defer ccancel()
	c, err := r.turnStream(cctx, t, s.server)
	if err != nil {
		return nil, err
	}
	if t.Transport == "tls" {
		tc := tls.Client(c, &tls.Config{ServerName: t.Host, RootCAs: r.env.RootCAs, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(cctx); err != nil {
			_ = c.Close()
			if cctx.Err() != nil {
				// A server (or middlebox) that accepts and then stalls.
				return nil, &turnFailure{result.StatusBlocked, result.ReasonTimeout, "handshake", err}
			}
			return nil, &turnFailure{result.StatusFailed, result.ReasonTLSHandshake, "handshake", err}
		}
		c = tc
	}
	return turn.NewSTUNConn(c), nil
}

// connectFailure classifies a failure to reach the server.
func connectFailure(err error) *turnFailure {
	var f *turnFailure
	switch {
	case errors.As(err, &f):
		return f
	case connRefused(err):
		return &turnFailure{result.StatusRejected, result.ReasonRST, "connect", err}
	case udpRejected(err):
		return &turnFailure{result.StatusRejected, result.ReasonICMPUnreachable, "connect", err}
	case errors.Is(err, errPortRangeBusy):
		return &turnFailure{result.StatusSkipped, result.ReasonPortRangeBusy, "connect", err}
	case errors.Is(err, errPortRangeExhausted):
		return &turnFailure{result.StatusError, result.ReasonPortRangeExhausted, "connect", err}
	case isTimeout(err), errors.Is(err, context.DeadlineExceeded):
		return &turnFailure{result.StatusBlocked, result.ReasonTimeout, "connect", err}
	}
	return &turnFailure{result.StatusError, result.ReasonConnect, "connect", err}
}

// allocateFailure classifies an Allocate error.
func allocateFailure(err error) *turnFailure {
	var te *stun.TurnError
	if errors.As(err, &te) {
		switch te.ErrorCodeAttr.Code {
		case stun.CodeUnauthorized:
			return &turnFailure{result.StatusFailed, result.ReasonUnauthorized, "allocate", err}
		case stun.CodeForbidden:
			return &turnFailure{result.StatusFailed, result.ReasonPermissionDenied, "allocate", err}
		}
		return &turnFailure{result.StatusFailed, result.ReasonAllocateError, "allocate", err}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || isTimeout(err) || strings.Contains(err.Error(), "closed") {
		return &turnFailure{result.StatusBlocked, result.ReasonTimeout, "allocate", err}
	}
	return &turnFailure{result.StatusFailed, result.ReasonAllocateError, "allocate", err}
}

// mappedAddress asks the server for our reflexive address (one binding
// transaction, bounded); "" when it did not answer.
func (s *turnSession) mappedAddress(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, s.stepTimeout())
	defer cancel()
	stop := context.AfterFunc(ctx, s.client.Close)
	defer stop()
	a, err := s.client.SendBindingRequest()
	if err != nil {
		return ""
	}
	return a.String()
}

// createPermission grants the peer, bounded by Timers.TURNStep: pion's
// CreatePermission has no context and retries for about 7.8 s. Over UDP
// it follows an allocation the server answered on the same 5-tuple, so it
// waits as long as a lossy run does: an unanswered permission there is
// loss (seen in the lab's 25 % loss scenario), not a filter.
func (s *turnSession) createPermission(ctx context.Context, peer net.Addr) error {
	ctx, cancel := context.WithTimeout(ctx, s.stepTimeout())
	defer cancel()
	stop := context.AfterFunc(ctx, s.client.Close)
	defer stop()
	return s.client.CreatePermission(peer)
}

// stepTimeout bounds one transaction after Allocate (Binding,
// CreatePermission): TURNStep, or TURNLossyStep over UDP once the run has
// seen loss or the server has answered on this socket.
func (s *turnSession) stepTimeout() time.Duration {
	if s.lossy != nil && (s.lossy() || s.answered.Load()) {
		return s.timers.TURNLossyStep
	}
	return s.timers.TURNStep
}

// permissionFailure classifies a CreatePermission error.
func permissionFailure(err error) *turnFailure {
	var te *stun.TurnError
	if errors.As(err, &te) && te.ErrorCodeAttr.Code == stun.CodeForbidden {
		return &turnFailure{result.StatusFailed, result.ReasonPermissionDenied, "permission", err}
	}
	if errors.As(err, &te) {
		return &turnFailure{result.StatusFailed, result.ReasonPermissionError, "permission", err}
	}
	return &turnFailure{result.StatusBlocked, result.ReasonTimeout, "permission", err}
}

// sockPacketConn lets the TURN client use a udpSock (connected, so ICMP
// errors are seen) as a net.PacketConn.
type sockPacketConn struct {
	*udpSock
	onReject func()
	ignored  *atomic.Int64
	answered *atomic.Bool // set by the first datagram passed to pion
}

// ReadFrom passes on only datagrams pion's client can handle: its read loop
// stops for good at the first malformed STUN message or non-STUN datagram
// from the server, so one hostile datagram would blind it.
func (c *sockPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, err := c.udpSock.Read(b)
		if datagramTooBig(err) {
			// Windows' WSAEMSGSIZE: a datagram larger than pion's buffer
			// is not an answer it can use, and the error would end its
			// read loop.
			c.ignored.Add(1)
			continue
		}
		if udpRejected(err) {
			c.onReject()
		}
		if err != nil {
			return n, c.to, err
		}
		if turnSafe(b[:n]) {
			if c.answered != nil {
				c.answered.Store(true)
			}
			return n, c.to, nil
		}
		c.ignored.Add(1)
	}
}

// turnSafe reports whether b is a decodable STUN answer or indication, or
// well-formed TURN ChannelData (channel 0x4000-0x4FFF and a length that
// fits, RFC 8656 §12).
func turnSafe(b []byte) bool {
	if len(b) >= 4 && b[0] >= 0x40 && b[0] <= 0x4f {
		return int(b[2])<<8|int(b[3]) <= len(b)-4
	}
	if !stun.IsMessage(b) {
		return false
	}
	m := &stun.Message{Raw: append([]byte(nil), b...)}
	return m.Decode() == nil && m.Type.Class != stun.ClassRequest
}

func (c *sockPacketConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	if err := c.send(b); err != nil {
		if udpRejected(err) {
			c.onReject()
		}
		return 0, err
	}
	return len(b), nil
}

func (c *sockPacketConn) LocalAddr() net.Addr {
	if c.c != nil {
		return c.c.LocalAddr()
	}
	return c.pc.LocalAddr()
}

func (c *sockPacketConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *sockPacketConn) SetWriteDeadline(time.Time) error { return nil }
