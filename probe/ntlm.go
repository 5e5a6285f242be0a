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
		if !chromeAccepts(in) {
			return nil, errNTLMMalformed
		}
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
	ntlmFlagTargetInfo  = 0x00800000
	ntlmFlagKeyExch     = 0x40000000
)

// errNTLMMalformed: the proxy's CHALLENGE is one Chromium refuses.
var errNTLMMalformed = errors.New("the proxy's NTLM CHALLENGE is malformed (a field lies outside the message); Chromium refuses it too")

// chromeAccepts checks the CHALLENGE as Chromium's NTLMv2 client parses it
// (net/ntlm/ntlm_client.cc ParseChallengeMessageV2): signature and type,
// the TargetName buffer inside the message (skipped, but validated), the
// flags, the server challenge, 8 reserved bytes, and, when the
// TARGET_INFO flag is set, a target info buffer inside the message.
// Chromium fails the login (ERR_UNEXPECTED) on anything else, so rtcprobe
// does too, rather than pass a proxy the browser cannot.
func chromeAccepts(msg []byte) bool {
	if len(msg) < ntlmTargetInfoField || string(msg[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(msg[8:]) != 2 {
		return false
	}
	inside := func(at int) bool {
		if len(msg) < at+8 {
			return false
		}
		l := int(binary.LittleEndian.Uint16(msg[at:]))
		off := int64(binary.LittleEndian.Uint32(msg[at+4:]))
		return l == 0 || off+int64(l) <= int64(len(msg))
	}
	if !inside(ntlmTargetNameField) {
		return false
	}
	if binary.LittleEndian.Uint32(msg[ntlmFlagsField:])&ntlmFlagTargetInfo != 0 {
		return inside(ntlmTargetInfoField)
	}
	return true
}

// asChromeReads returns the CHALLENGE as Chromium's client uses it: it
// neither asks for nor honours the LM key or key exchange (it always
// answers NTLMv2, which go-ntlmssp would otherwise refuse to do). The
// input is not modified.
func asChromeReads(msg []byte) []byte {
	out := append([]byte(nil), msg...)
	flags := binary.LittleEndian.Uint32(out[ntlmFlagsField:])
	binary.LittleEndian.PutUint32(out[ntlmFlagsField:], flags&^(ntlmFlagLMKey|ntlmFlagKeyExch))
	return out
}
