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
// as the request, so the reflector never amplifies. A reflector that is
// rate-limiting the sender may instead answer with the request's first
// HeaderLen bytes under the magic "RPB1" (busy): the port is open, the
// reflector just would not echo now. The first byte 'R'
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
	magicBusy    = []byte("RPB1")
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

// BusyInPlace turns a request into the busy notice of a rate-limiting
// reflector: the request's magic and token only (HeaderLen bytes, never
// more than the request), magic "RPB1". It returns the notice, a prefix of b.
func BusyInPlace(b []byte) ([]byte, error) {
	if !IsEchoRequest(b) {
		return nil, ErrNotEcho
	}
	copy(b, magicBusy)
	return b[:HeaderLen], nil
}

// MatchBusy reports whether b is the busy notice for a request with this
// token: the reflector got the datagram but is limiting the sender.
func MatchBusy(b []byte, token [TokenLen]byte) bool {
	return len(b) == HeaderLen && bytes.Equal(b[:4], magicBusy) && bytes.Equal(b[4:HeaderLen], token[:])
}

// BusyErrorCode is the STUN ERROR-CODE of rtcprobe serve's answer to a
// Binding request over its per-source rate limit: 508 Insufficient
// Capacity (RFC 8656 registry). The answer carries no other attribute, so
// it is 28 bytes, smaller than any request it answers (the reflector sends
// it only then). A client that gets it knows the datagram reached the
// reflector: the port is open, the reflector was busy.
const BusyErrorCode = 508
