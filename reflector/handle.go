package reflector

import (
	"net/netip"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

// stunHeaderLen is the fixed STUN header size (RFC 8489 §5).
const stunHeaderLen = 20

// scratch is one read loop's reusable state, so the hot path does not
// allocate (heap growth under load is most of a Go server's memory).
type scratch struct {
	req, res stun.Message
	out      [maxDatagram]byte
	unknown  [maxUnknownListed]stun.AttrType
}

// handle answers one datagram from a source. The echo answer is pkt itself,
// rewritten in place; STUN answers are built in sc (nil: a fresh one).
//
// Amplification rule: an echo answer is exactly as large as its request. A
// STUN answer always carries XOR-MAPPED-ADDRESS (32 bytes for IPv4, 44 for
// IPv6: the smallest useful answer, at most 24 bytes more than the smallest
// request, about 1.25x on the wire with IP/UDP headers); SOFTWARE and
// FINGERPRINT are added only while the answer stays within the request's
// size, so a client wanting them pads its request. A 420 answer is at most
// 12 bytes over its request (unknown.go), a busy notice never over it.
// Together with the per-source rate limit, a spoofed source can never get
// more than a small, bounded multiple of what the attacker sends.
func (s *Server) handle(pkt []byte, from netip.AddrPort, sc *scratch) (reply []byte, ok bool) {
	if sc == nil {
		sc = new(scratch)
	}
	if wire.IsFlow(pkt) {
		// The quality flow has its own bounds (flow.go): hellos pass the
		// per-source limit, data a cookie and a byte budget.
		return s.handleFlow(pkt, from, sc.out[:])
	}
	if ip := from.Addr().Unmap(); !s.limit.Allow(ip) {
		s.metrics.RateLimited.Add(1)
		if !s.notice.Allow(ip) {
			return nil, false
		}
		return s.busy(pkt, sc)
	}
	if wire.IsEchoRequest(pkt) {
		if wire.AnswerInPlace(pkt) != nil {
			s.metrics.Malformed.Add(1)
			return nil, false
		}
		s.metrics.EchoAnswered.Add(1)
		return pkt, true
	}
	reply, ok = s.answerSTUN(pkt, from, sc)
	return reply, ok
}

// busy answers a datagram over the source's rate limit with a notice that
// says so, instead of silence a client would take for a firewall drop: an
// echo request gets its header back under the busy magic (20 bytes), a
// Binding request a 508 error with nothing else (28 bytes). A notice is
// never larger than its request (else nothing is sent) and has its own
// per-source budget, so a flood past both gets silence.
func (s *Server) busy(pkt []byte, sc *scratch) ([]byte, bool) {
	if wire.IsEchoRequest(pkt) {
		b, err := wire.BusyInPlace(pkt)
		if err != nil {
			return nil, false
		}
		s.metrics.BusyAnswered.Add(1)
		return b, true
	}
	req, ok := s.bindingRequest(pkt, sc)
	if !ok {
		return nil, false
	}
	res := s.startAnswer(sc, stun.BindingError, req)
	res.Add(stun.AttrErrorCode, busyCode)
	if len(res.Raw) > len(pkt) {
		return nil, false
	}
	s.metrics.BusyAnswered.Add(1)
	return res.Raw, true
}

// busyCode is the ERROR-CODE value of wire.BusyErrorCode with no reason
// phrase (RFC 8489 §14.8: class and number, then the reason).
var busyCode = []byte{0, 0, wire.BusyErrorCode / 100, wire.BusyErrorCode % 100}

// bindingRequest decodes pkt into sc.req when it is a well-formed STUN
// Binding request; anything else is counted and refused.
func (s *Server) bindingRequest(pkt []byte, sc *scratch) (*stun.Message, bool) {
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
	return req, true
}

// startAnswer resets sc.res to an empty answer of type t to req.
func (s *Server) startAnswer(sc *scratch, t stun.MessageType, req *stun.Message) *stun.Message {
	res := &sc.res
	res.Raw = sc.out[:0]
	res.Attributes = res.Attributes[:0]
	res.Length = 0
	res.SetType(t)
	res.TransactionID = req.TransactionID
	res.WriteHeader()
	return res
}

// answerSTUN answers a Binding request; anything else is dropped and counted.
// A request with a comprehension-required attribute the reflector does not
// know gets 420 (RFC 8489 §6.3.1), not a success that would pretend it was
// understood.
func (s *Server) answerSTUN(pkt []byte, from netip.AddrPort, sc *scratch) ([]byte, bool) {
	req, ok := s.bindingRequest(pkt, sc)
	if !ok {
		return nil, false
	}
	if unknown := unknownRequired(req, &sc.unknown); len(unknown) > 0 {
		return s.unknownAttributes(pkt, req, unknown, sc), true
	}
	res := s.startAnswer(sc, stun.BindingSuccess, req)
	if err := addXORMapped(res, from); err != nil {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	if len(res.Raw)+4+len(software)+pad4(len(software)) <= len(pkt) {
		res.Add(stun.AttrSoftware, software)
	}
	if len(res.Raw)+8 <= len(pkt) {
		_ = stun.Fingerprint.AddTo(res)
	}
	s.metrics.STUNAnswered.Add(1)
	return res.Raw, true
}

func pad4(n int) int { return (4 - n%4) % 4 }

// software is the SOFTWARE attribute value, sent only when it fits; rtcprobe
// check reads it to know the reflector answers echo datagrams.
var software = []byte(wire.ReflectorSoftware)

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
