package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// Audit permission targets: a permission is only asked for, no datagram is
// ever sent to them. Port 9 (discard) keeps any accidental send harmless.
var (
	auditLoopback = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	auditPrivate  = &net.UDPAddr{IP: net.IPv4(10, 255, 255, 1), Port: 9}
)

// relayEchoSize is the size of the datagram bounced between two
// allocations: small, a media packet would be larger but the point is the
// path, not the size (the echo probes measure sizes).
const relayEchoSize = 100

// relaySends is how many times the relay round trip is tried: the first
// three sends of Timers.STUNSendAt fit in Timers.TURNRelay.
const relaySends = 3

// relayWait is the wait of the relay round trip: three sends, more in a
// lossy run when the relayed datagrams cross UDP (TURN over UDP, or the
// relay's own UDP leg to the peer: every transport has one).
func (r *run) relayWait(t TURNTarget) udpWait {
	tm := r.plan.Timing()
	return r.udpWait(tm.STUNSendAt[:relaySends], tm.TURNRelay)
}

// relaySock is a conversation with one peer through a TURN relay.
type relaySock struct {
	relay net.PacketConn
	peer  net.Addr
}

func (s relaySock) send(b []byte) error { _, err := s.relay.WriteTo(b, s.peer); return err }

func (s relaySock) Read(b []byte) (int, error) {
	for {
		n, from, err := s.relay.ReadFrom(b)
		if err != nil || from.String() == s.peer.String() {
			return n, err
		}
	}
}

func (s relaySock) SetReadDeadline(t time.Time) error { return s.relay.SetReadDeadline(t) }

// turnRelayTrip checks the relay with a real round trip: a STUN binding
// request to t.Peer through the relay, or, without a peer, a datagram
// bounced off a second allocation on the same server.
func (r *run) turnRelayTrip(ctx context.Context, t TURNTarget, s *turnSession, details map[result.DetailKey]string) (time.Duration, *turnFailure) {
	if t.Peer == "" {
		return r.turnBounce(ctx, t, s, details)
	}
	peer, err := r.resolveHostPort(ctx, t.Peer)
	if err != nil {
		// A peer name that does not resolve (a mistyped --reflector or
		// --turn-peer) says nothing about the TURN server: test the relay
		// against a second allocation instead, and say so.
		details[result.DetailPeerUnresolved] = t.Peer
		return r.turnBounce(ctx, t, s, details)
	}
	details[result.DetailPeer] = peer.String()
	pa := net.UDPAddrFromAddrPort(peer)
	if err := s.createPermission(ctx, pa); err != nil {
		return 0, permissionFailure(err)
	}
	build, match := bindingExchange(len(r.plan.Timing().LossySendAt))
	res := exchangeOn(ctx, relaySock{s.relay, pa}, r.relayWait(t), build, match)
	r.noteLoss(res)
	return relayOutcome(res)
}

// turnBounce uses a second allocation on the same server as the peer.
func (r *run) turnBounce(ctx context.Context, t TURNTarget, s *turnSession, details map[result.DetailKey]string) (time.Duration, *turnFailure) {
	s2, f := r.turnAllocate(ctx, t, t.Username, t.Credential.Reveal())
	if s2 != nil {
		defer s2.close()
	}
	if f != nil {
		f.step = "relay"
		return 0, f
	}
	a1, a2 := s.relay.LocalAddr(), s2.relay.LocalAddr()
	details[result.DetailPeer] = "second allocation " + a2.String()
	if err := s.createPermission(ctx, a2); err != nil {
		return 0, permissionFailure(err)
	}
	if err := s2.createPermission(ctx, a1); err != nil {
		return 0, permissionFailure(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { bounce(s2.relay, a1, time.Now().Add(r.plan.Timing().TURNRelay)) })
	defer wg.Wait()
	defer func() { _ = s2.relay.SetReadDeadline(time.Now()) }()
	token := r.echoToken()
	build, match := echoExchange(token, relayEchoSize)
	res := exchangeOn(ctx, relaySock{s.relay, a2}, r.relayWait(t), build, match)
	r.noteLoss(res)
	return relayOutcome(res)
}

// bounce answers echo requests from peer on relay until deadline.
func bounce(relay net.PacketConn, peer net.Addr, deadline time.Time) {
	_ = relay.SetReadDeadline(deadline)
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := relay.ReadFrom(buf)
		if err != nil {
			return
		}
		if from.String() == peer.String() && wire.AnswerInPlace(buf[:n]) == nil {
			_, _ = relay.WriteTo(buf[:n], peer)
		}
	}
}

func relayOutcome(res exchangeResult) (time.Duration, *turnFailure) {
	if res.answered >= 0 {
		return res.rtt, nil
	}
	err := res.err
	if err == nil || err == ErrTimeout {
		err = errRelaySilent
	}
	return 0, &turnFailure{result.StatusFailed, result.ReasonRelaySilent, "relay", err}
}

// resolveHostPort resolves a host:port through the system resolver.
func (r *run) resolveHostPort(ctx context.Context, hp string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(hp); err == nil {
		return ap, nil
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return netip.AddrPort{}, err
	}
	pn, err := net.LookupPort("udp", port)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return r.turnServerAddr(ctx, TURNTarget{Host: host, Port: pn})
}

// proxyRefusal is an HTTP proxy's refusal of CONNECT, with its status
// code for the report (proxyStatus, as the web probes give it).
type proxyRefusal struct {
	status int
	err    error
}

func (e *proxyRefusal) Error() string { return e.err.Error() }
func (e *proxyRefusal) Unwrap() error { return e.err }

// turnStream opens the TCP connection to a TURN server, through the HTTP
// proxy when the browser would use one (Chromium sends TURN/TCP and
// TURN/TLS by CONNECT, with no direct fallback).
func (r *run) turnStream(ctx context.Context, t TURNTarget, server netip.AddrPort) (net.Conn, error) {
	if rt, ok := r.route(t.ID.String()); ok {
		return r.turnRouted(ctx, t, server, rt)
	}
	if r.plan.HTTPProxy != nil {
		// CONNECT to the server's name, as Chromium does; no direct
		// fallback when the proxy refuses.
		c, status, auth, err := dialViaHTTPProxy(ctx, r.env, r.plan.HTTPProxy, JoinHostPort(t.Host, t.Port))
		r.noteProxyAuth(t.ID.String(), auth)
		if errors.Is(err, ErrProxyAuth) {
			return nil, proxyAuthTURNFailure(err)
		}
		if err != nil && status != 0 {
			return nil, &turnFailure{result.StatusFailed, result.ReasonProxyRefused, "connect", &proxyRefusal{status: status,
				err: fmt.Errorf("%w: the HTTP proxy answered %d to CONNECT %s: %w", errTURNViaProxy, status, JoinHostPort(t.Host, t.Port), err)}}
		}
		return c, err
	}
	return r.env.dial(ctx, "tcp", server.String())
}
