package probe

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/Azure/go-ntlmssp"
)

// ntlmSession is NTLM with a typed identity (go-ntlmssp): NEGOTIATE, then
// AUTHENTICATE for the proxy's CHALLENGE, both on one connection.
type ntlmSession struct {
	user string
	pass Secret
	src  string
	legs int
}

func newNTLMSession(user string, pass Secret, src string) *ntlmSession {
	return &ntlmSession{user: user, pass: pass, src: src}
}

func (s *ntlmSession) scheme() string { return "NTLM" }
func (s *ntlmSession) source() string { return s.src }
func (s *ntlmSession) close()         {}

func (s *ntlmSession) step(_ context.Context, in []byte) ([]byte, error) {
	s.legs++
	switch s.legs {
	case 1:
		// The workstation's domain, not the user's: none is sent.
		return ntlmssp.NewNegotiateMessage("", "")
	case 2:
		out, err := ntlmssp.NewAuthenticateMessage(asChromeReads(in), s.user, s.pass.Reveal(), nil)
		if err != nil {
			// go-ntlmssp's errors describe the message, never the password.
			return nil, errors.New("the proxy's NTLM challenge cannot be answered: " + err.Error())
		}
		return out, nil
	}
	return nil, errors.New("the proxy refused the NTLM login")
}

// NTLM CHALLENGE fields (MS-NLMP 2.2.1.2) and flags.
const (
	ntlmTargetNameField = 12
	ntlmFlagsField      = 20
	ntlmTargetInfoField = 40
	ntlmFlagLMKey       = 0x00000080
	ntlmFlagKeyExch     = 0x40000000
)

// asChromeReads returns the CHALLENGE as Chromium's NTLM client uses it:
// it never reads TargetName, and it neither asks for nor honours the LM
// key or key exchange (it always answers NTLMv2). go-ntlmssp is stricter
// (it parses TargetName, refuses those flags), and real servers such as
// squid's ntlm_fake_auth send a TargetName whose bounds are wrong, so the
// fields Chromium ignores are cleared first. The input is not modified.
func asChromeReads(msg []byte) []byte {
	if len(msg) < ntlmFlagsField+4 {
		return msg
	}
	out := append([]byte(nil), msg...)
	clearBadField := func(at int) {
		if len(out) < at+8 {
			return
		}
		l := int(binary.LittleEndian.Uint16(out[at:]))
		off := int(binary.LittleEndian.Uint32(out[at+4:]))
		if at == ntlmTargetNameField || off+l > len(out) {
			clear(out[at : at+8])
		}
	}
	clearBadField(ntlmTargetNameField)
	clearBadField(ntlmTargetInfoField)
	flags := binary.LittleEndian.Uint32(out[ntlmFlagsField:])
	binary.LittleEndian.PutUint32(out[ntlmFlagsField:], flags&^(ntlmFlagLMKey|ntlmFlagKeyExch))
	return out
}
