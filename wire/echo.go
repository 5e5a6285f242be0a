// Package wire defines rtcprobe's own small datagram format, shared by the
// probe (client) and the reflector (rtcprobe serve): the echo datagrams that
// tell a port-based firewall from a payload-aware one and find the largest
// datagram that passes.
//
// An echo request is
//
//	magic "RPQ1" (4 bytes) | token (16 bytes) | padding (any bytes)
//
// and its answer is the same bytes with the magic "RPA1": exactly as large
// as the request, so the reflector never amplifies. The first byte 'R'
// (0x52) has its top two bits 01, so an echo datagram is never mistaken for
// STUN (top bits 00, RFC 8489 §6), nor for DTLS/RTP (RFC 7983 ranges).
package wire

import (
	"bytes"
	"errors"
)

// Sizes and magics of the echo format.
const (
	TokenLen  = 16
	HeaderLen = 4 + TokenLen
	// MaxEcho is the largest echo datagram handled (UDP payload of a 1500
	// byte IPv4 packet is 1472; leave room for a full Ethernet frame).
	MaxEcho = 1500
)

var (
	magicRequest = []byte("RPQ1")
	magicAnswer  = []byte("RPA1")
)

// ErrNotEcho: the datagram is not an echo request or answer.
var ErrNotEcho = errors.New("wire: not an echo datagram")

// NewEchoRequest builds a request of exactly size bytes (HeaderLen..MaxEcho).
func NewEchoRequest(token [TokenLen]byte, size int) ([]byte, error) {
	if size < HeaderLen || size > MaxEcho {
		return nil, errors.New("wire: echo size out of range")
	}
	b := make([]byte, size)
	copy(b, magicRequest)
	copy(b[4:], token[:])
	for i := HeaderLen; i < size; i++ {
		b[i] = byte(i) // fixed pattern, not zeros: some middleboxes compress or flag zero runs
	}
	return b, nil
}

// IsEchoRequest reports whether b is an echo request.
func IsEchoRequest(b []byte) bool {
	return len(b) >= HeaderLen && len(b) <= MaxEcho && bytes.Equal(b[:4], magicRequest)
}

// AnswerInPlace turns a request into its answer (same length, same token).
func AnswerInPlace(b []byte) error {
	if !IsEchoRequest(b) {
		return ErrNotEcho
	}
	copy(b, magicAnswer)
	return nil
}

// MatchAnswer reports whether b answers a request with this token and size.
func MatchAnswer(b []byte, token [TokenLen]byte, size int) bool {
	return len(b) == size && bytes.Equal(b[:4], magicAnswer) && bytes.Equal(b[4:HeaderLen], token[:])
}

// ReflectorSoftware is the SOFTWARE attribute rtcprobe serve puts in its
// STUN answers when the request leaves room for it (the reflector never
// answers with more bytes than it was sent). A client that sees it knows
// the reflector also answers echo datagrams.
const ReflectorSoftware = "rtcprobe-reflector"

// ClientSoftware is the SOFTWARE attribute of rtcprobe's binding requests.
// Its length is chosen so the request (20-byte header, this attribute,
// FINGERPRINT: 76 bytes) has room for the reflector's whole answer over
// IPv6 (XOR-MAPPED-ADDRESS 24, SOFTWARE 24, FINGERPRINT 8): tell the
// reflector who asks, and let it say who answers.
const ClientSoftware = "rtcprobe: TRTC network check (stun+echo v1) "
