package probe

import (
	"context"
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
		out, err := ntlmssp.NewAuthenticateMessage(in, s.user, s.pass.Reveal(), nil)
		if err != nil {
			// go-ntlmssp's errors describe the message, never the password.
			return nil, errors.New("the proxy's NTLM challenge cannot be answered: " + err.Error())
		}
		return out, nil
	}
	return nil, errors.New("the proxy refused the NTLM login")
}
