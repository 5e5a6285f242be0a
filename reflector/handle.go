package reflector

import (
	"net/netip"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/wire"
)

// Software is the SOFTWARE attribute value, sent only when it fits; rtcprobe
// check reads it to know the reflector answers echo datagrams.
const Software = wire.ReflectorSoftware

// stunHeaderLen is the fixed STUN header size (RFC 8489 §5).
const stunHeaderLen = 20

// scratch is one read loop's reusable state, so the hot path does not
// allocate (heap growth under load is most of a Go server's memory).
type scratch struct {
	req, res stun.Message
	out      [maxDatagram]byte
}

// handle answers one datagram from a source. The echo answer is pkt itself,
// rewritten in place; STUN answers are built in sc (nil: a fresh one).
//
// Amplification rule: an echo answer is exactly as large as its request. A
// STUN answer always carries XOR-MAPPED-ADDRESS (32 bytes for IPv4, 44 for
// IPv6: the smallest useful answer, at most 24 bytes more than the smallest
// request, about 1.25x on the wire with IP/UDP headers); SOFTWARE and
// FINGERPRINT are added only while the answer stays within the request's
// size, so a client wanting them pads its request. Together with the
// per-source rate limit, a spoofed source can never get more than a small,
// bounded multiple of what the attacker sends.
func (s *Server) handle(pkt []byte, from netip.AddrPort, sc *scratch) (reply []byte, ok bool) {
	if wire.IsFlow(pkt) {
		// The quality flow has its own bounds (flow.go): hellos pass the
		// per-source limit, data a cookie and a byte budget.
		if sc == nil {
			sc = new(scratch)
		}
		return s.handleFlow(pkt, from, sc.out[:])
	}
	if !s.limit.allow(from.Addr().Unmap()) {
		s.metrics.RateLimited.Add(1)
		return nil, false
	}
	if wire.IsEchoRequest(pkt) {
		if wire.AnswerInPlace(pkt) != nil {
			s.metrics.Malformed.Add(1)
			return nil, false
		}
		s.metrics.EchoAnswered.Add(1)
		return pkt, true
	}
	if sc == nil {
		sc = new(scratch)
	}
	reply, ok = s.answerSTUN(pkt, from, sc)
	return reply, ok
}

// answerSTUN answers a Binding request; anything else is dropped and counted.
func (s *Server) answerSTUN(pkt []byte, from netip.AddrPort, sc *scratch) ([]byte, bool) {
	if !stun.IsMessage(pkt) {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	req := &sc.req
	req.Raw = pkt
	if err := req.Decode(); err != nil || int(req.Length)+stunHeaderLen != len(pkt) {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	if req.Contains(stun.AttrFingerprint) && stun.Fingerprint.Check(req) != nil {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	if req.Type != stun.BindingRequest {
		s.metrics.NotBinding.Add(1)
		return nil, false
	}
	res := &sc.res
	res.Raw = sc.out[:0]
	res.Attributes = res.Attributes[:0]
	res.Length = 0
	res.SetType(stun.BindingSuccess)
	res.TransactionID = req.TransactionID
	res.WriteHeader()
	if err := addXORMapped(res, from); err != nil {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	if len(res.Raw)+4+len(Software)+pad4(len(Software)) <= len(pkt) {
		res.Add(stun.AttrSoftware, software)
	}
	if len(res.Raw)+8 <= len(pkt) {
		_ = stun.Fingerprint.AddTo(res)
	}
	s.metrics.STUNAnswered.Add(1)
	return res.Raw, true
}

func pad4(n int) int { return (4 - n%4) % 4 }

var software = []byte(Software)

// addXORMapped adds XOR-MAPPED-ADDRESS without allocating the IP slice.
func addXORMapped(m *stun.Message, from netip.AddrPort) error {
	addr := from.Addr().Unmap()
	var ip []byte
	if addr.Is4() {
		a := addr.As4()
		ip = a[:]
	} else {
		a := addr.As16()
		ip = a[:]
	}
	xor := stun.XORMappedAddress{IP: ip, Port: int(from.Port())}
	return xor.AddTo(m)
}
