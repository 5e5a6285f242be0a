package reflector

import (
	"net"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/reflector/internal/limit"
)

// Unauthenticated TURN answers per source. A check asks the TURN port a
// few unauthenticated questions per TURN URL (the Allocate that learns the
// nonce, one per audit): about five. The burst holds 400 checks behind one
// address at once; the rate keeps a spoofed flood to 200 answers a second
// per victim (pion alone answered about 25,000).
const (
	turnUnauthRate  = 200
	turnUnauthBurst = 2000
)

// turnGuard wraps the TURN server's UDP socket. Requests without
// MESSAGE-INTEGRITY are what a spoofed source can send: they get a 401
// (or a Binding answer) without any credential, and pion's 401 to the
// smallest Allocate (28 bytes) is 68: ERROR-CODE without a reason phrase,
// NONCE and REALM, nothing a client could do without. Over the source's
// budget such requests are dropped before pion sees them. Authenticated
// requests, ChannelData and indications pass untouched.
//
// pion reads from one goroutine, so the scratch message is not shared.
type turnGuard struct {
	net.PacketConn
	limit   *limit.Buckets
	metrics *counters
	msg     stun.Message // ReadFrom's scratch
}

func newTURNGuard(pc net.PacketConn, m *counters) *turnGuard {
	return &turnGuard{PacketConn: pc, limit: limit.NewBuckets(turnUnauthRate, turnUnauthBurst, maxSources), metrics: m}
}

// ReadFrom returns the next datagram pion may handle.
func (g *turnGuard) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := g.PacketConn.ReadFrom(b)
		if err != nil || !g.unauthenticated(b[:n]) {
			return n, addr, err
		}
		ua, ok := addr.(*net.UDPAddr)
		if !ok || g.limit.Allow(ua.AddrPort().Addr().Unmap()) {
			return n, addr, err
		}
		g.metrics.TURNUnauthLimited.Add(1)
	}
}

// unauthenticated reports whether b is a STUN request without
// MESSAGE-INTEGRITY (ChannelData and indications get no answer).
func (g *turnGuard) unauthenticated(b []byte) bool {
	if !stun.IsMessage(b) {
		return false
	}
	m := &g.msg
	m.Raw = append(m.Raw[:0], b...)
	if m.Decode() != nil {
		return true // pion answers some broken requests with 400
	}
	return m.Type.Class == stun.ClassRequest && !m.Contains(stun.AttrMessageIntegrity)
}
