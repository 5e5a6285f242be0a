package reflector

import (
	"encoding/binary"

	"github.com/pion/stun/v4"
)

// maxUnknownListed bounds the UNKNOWN-ATTRIBUTES list of one 420 answer.
const maxUnknownListed = 8

// understood are the comprehension-required attributes (type < 0x8000) a
// Binding request may carry that the reflector accepts: those of ICE
// connectivity checks and of authentication, which the reflector does not
// require and so ignores. CHANGE-REQUEST (RFC 5780) is not among them: a
// server without an alternate address must answer it with 420.
var understood = map[stun.AttrType]bool{
	stun.AttrUsername: true, stun.AttrMessageIntegrity: true, stun.AttrMessageIntegritySHA256: true,
	stun.AttrUserhash: true, stun.AttrRealm: true, stun.AttrNonce: true,
	stun.AttrPriority: true, stun.AttrUseCandidate: true,
}

// unknownRequired returns the comprehension-required attribute types of
// req the reflector does not know, at most maxUnknownListed, in buf.
func unknownRequired(req *stun.Message, buf *[maxUnknownListed]stun.AttrType) []stun.AttrType {
	out := buf[:0]
	for _, a := range req.Attributes {
		if a.Type.Required() && !understood[a.Type] && len(out) < maxUnknownListed {
			out = append(out, a.Type)
		}
	}
	return out
}

// unknownReason is the 420 reason phrase, sent only when it fits within
// the request's size.
var unknownReason = []byte("Unknown Attribute")

// unknownAttributes builds the 420 Unknown Attribute answer (RFC 8489
// §6.3.1, §14.9): ERROR-CODE 420 and UNKNOWN-ATTRIBUTES. Every listed type
// came from an attribute of at least 4 bytes in the request, so the answer
// is at most 12 bytes larger than the request (header 20 + ERROR-CODE 8 +
// UNKNOWN-ATTRIBUTES 4 + 2 per type, against 20 + 4 per type); the reason
// phrase and FINGERPRINT are added only within the request's size.
func (s *Server) unknownAttributes(pkt []byte, req *stun.Message, unknown []stun.AttrType, sc *scratch) []byte {
	s.metrics.UnknownAttr.Add(1)
	res := s.startAnswer(sc, stun.BindingError, req)
	var list [2 * maxUnknownListed]byte
	for i, t := range unknown {
		binary.BigEndian.PutUint16(list[2*i:], uint16(t))
	}
	code := [4 + 32]byte{0, 0, 4, 20}
	n := 4
	if len(res.Raw)+4+4+len(unknownReason)+pad4(len(unknownReason))+4+2*len(unknown)+pad4(2*len(unknown)) <= len(pkt) {
		n += copy(code[4:], unknownReason)
	}
	res.Add(stun.AttrErrorCode, code[:n])
	res.Add(stun.AttrUnknownAttributes, list[:2*len(unknown)])
	if len(res.Raw)+8 <= len(pkt) {
		_ = stun.Fingerprint.AddTo(res)
	}
	return res.Raw
}
