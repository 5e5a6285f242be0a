package wire

import (
	"encoding/binary"
	"errors"
)

// The flow format carries the quality stage's media-like flow (rtcprobe
// check --quality) between the probe and the reflector. Every datagram has
// the same fixed header, big-endian:
//
//	 0 magic "RPF1"            4
//	 4 kind                    1  FlowHello, FlowCookie, FlowData, FlowReply
//	 5 flags                   1  FlagShortened on a reply cut by the budget
//	 6 want                    2  data: reply size asked for (0: header only)
//	 8 flow id                 8  chosen by the client, random
//	16 cookie                 16  from the reflector's FlowCookie answer
//	32 seq                     4  data: the client's sequence number;
//	                              reply: the seq of the data it answers
//	36 reply seq               4  reply: the reflector's own sequence
//	40 client send time        8  µs on the client's clock, echoed back
//	48 reflector receive time  8  µs on the reflector's clock
//	56 reflector send time     8  µs on the reflector's clock
//	64 received count          4  reply: data datagrams of this flow the
//	                              reflector has received, this one included
//	68 received bytes          4  reply: their bytes (saturating)
//	72 padding                    fixed pattern up to the datagram's size
//
// The first byte 'R' keeps flow datagrams apart from STUN, DTLS and RTP
// (RFC 7983), like the echo format. A hello is answered by a cookie no
// larger than the hello; data is answered only with a valid cookie, so the
// reflector sends more than it received only to an address that proved it
// receives there (the QUIC address validation idea, RFC 9000 §8).

// Flow datagram kinds.
const (
	FlowHello  byte = 1
	FlowCookie byte = 2
	FlowData   byte = 3
	FlowReply  byte = 4
)

// FlagShortened marks a reply the reflector cut below the size asked for
// (its byte budget for the source ran low).
const FlagShortened byte = 1

// Flow sizes.
const (
	FlowHeaderLen = 72
	CookieLen     = 16
	// MaxFlow is the largest flow datagram: a full-size video packet
	// (WebRTC keeps RTP near 1200 bytes to stay under common MTUs).
	MaxFlow = 1400
)

var magicFlow = []byte("RPF1")

// Flow is the decoded header of a flow datagram. Times are microseconds on
// the clock of whoever wrote them; only differences on one clock mean
// anything.
type Flow struct {
	Kind       byte
	Flags      byte
	Want       uint16
	FlowID     uint64
	Cookie     [CookieLen]byte
	Seq        uint32
	ReplySeq   uint32
	ClientSend int64
	ReflRecv   int64
	ReflSend   int64
	RecvCount  uint32
	RecvBytes  uint32
	Size       int // the whole datagram's length
}

// ErrNotFlow: the datagram is not a well-formed flow datagram.
var ErrNotFlow = errors.New("wire: not a flow datagram")

// IsFlow reports whether b starts like a flow datagram (cheap test for a
// server's dispatch; ParseFlow checks the rest).
func IsFlow(b []byte) bool {
	return len(b) >= 4 && b[0] == 'R' && b[1] == 'P' && b[2] == 'F' && b[3] == '1'
}

// ParseFlow decodes a flow datagram. It never panics on any input.
func ParseFlow(b []byte) (Flow, error) {
	if len(b) < FlowHeaderLen || len(b) > MaxFlow || !IsFlow(b) {
		return Flow{}, ErrNotFlow
	}
	f := Flow{Kind: b[4], Flags: b[5], Want: binary.BigEndian.Uint16(b[6:]), FlowID: binary.BigEndian.Uint64(b[8:]), Size: len(b)}
	if f.Kind < FlowHello || f.Kind > FlowReply || int(f.Want) > MaxFlow {
		return Flow{}, ErrNotFlow
	}
	copy(f.Cookie[:], b[16:32])
	f.Seq = binary.BigEndian.Uint32(b[32:])
	f.ReplySeq = binary.BigEndian.Uint32(b[36:])
	f.ClientSend = int64(binary.BigEndian.Uint64(b[40:]))
	f.ReflRecv = int64(binary.BigEndian.Uint64(b[48:]))
	f.ReflSend = int64(binary.BigEndian.Uint64(b[56:]))
	f.RecvCount = binary.BigEndian.Uint32(b[64:])
	f.RecvBytes = binary.BigEndian.Uint32(b[68:])
	return f, nil
}

// AppendFlow writes f as a datagram of size bytes (FlowHeaderLen..MaxFlow)
// into dst[:0] and returns it; f.Size is ignored.
func AppendFlow(dst []byte, f Flow, size int) ([]byte, error) {
	if size < FlowHeaderLen || size > MaxFlow {
		return nil, errors.New("wire: flow size out of range")
	}
	if cap(dst) < size {
		dst = make([]byte, size)
	}
	b := dst[:size]
	copy(b, magicFlow)
	b[4], b[5] = f.Kind, f.Flags
	binary.BigEndian.PutUint16(b[6:], f.Want)
	binary.BigEndian.PutUint64(b[8:], f.FlowID)
	copy(b[16:32], f.Cookie[:])
	binary.BigEndian.PutUint32(b[32:], f.Seq)
	binary.BigEndian.PutUint32(b[36:], f.ReplySeq)
	binary.BigEndian.PutUint64(b[40:], uint64(f.ClientSend))
	binary.BigEndian.PutUint64(b[48:], uint64(f.ReflRecv))
	binary.BigEndian.PutUint64(b[56:], uint64(f.ReflSend))
	binary.BigEndian.PutUint32(b[64:], f.RecvCount)
	binary.BigEndian.PutUint32(b[68:], f.RecvBytes)
	for i := FlowHeaderLen; i < size; i++ {
		b[i] = byte(i) // a pattern, not zeros, as in the echo format
	}
	return b, nil
}
