//go:build windows

package probe

import (
	"context"
	"errors"
	"strings"

	"github.com/alexbrainman/sspi"
	"github.com/alexbrainman/sspi/negotiate"
	"github.com/alexbrainman/sspi/ntlm"
)

// On Windows the browser authenticates to a proxy as the logged-in user
// through SSPI, with no prompt, for Negotiate (Kerberos, falling back to
// NTLM inside SPNEGO) and NTLM alike. rtcprobe does the same through the
// same SSPI packages.

// startNegotiate opens an SSPI Negotiate context for HTTP/<proxy host>.
func startNegotiate(proxyHost string) (authSession, *authUnavailable) {
	cred, err := negotiate.AcquireCurrentUserCredentials()
	if err != nil {
		return nil, &authUnavailable{why: "SSPI has no Negotiate credentials for the logged-in user: " + err.Error(),
			fix: "log on to Windows with a domain account (klist shows its tickets)"}
	}
	return &sspiNegotiate{cred: cred, spn: "HTTP/" + strings.TrimSuffix(proxyHost, ".")}, nil
}

// startDefaultNTLM opens an SSPI NTLM context with the logon's identity,
// nil when SSPI has none (a typed identity may stand in).
func startDefaultNTLM() authSession {
	cred, err := ntlm.AcquireCurrentUserCredentials()
	if err != nil {
		return nil
	}
	return &sspiNTLM{cred: cred}
}

// sspiNegotiate is one SSPI Negotiate handshake.
type sspiNegotiate struct {
	cred *sspi.Credentials
	spn  string
	ctx  *negotiate.ClientContext
}

func (s *sspiNegotiate) scheme() string { return "Negotiate" }
func (s *sspiNegotiate) source() string { return sourceLoggedIn }

func (s *sspiNegotiate) step(_ context.Context, in []byte) ([]byte, error) {
	if s.ctx == nil {
		c, out, err := negotiate.NewClientContext(s.cred, s.spn)
		if err != nil {
			return nil, errors.New("SSPI Negotiate for " + s.spn + ": " + err.Error())
		}
		s.ctx = c
		return out, nil
	}
	_, out, err := s.ctx.Update(in)
	if err != nil {
		return nil, errors.New("SSPI Negotiate continuation: " + err.Error())
	}
	return out, nil
}

func (s *sspiNegotiate) close() {
	if s.ctx != nil {
		s.ctx.Release()
		s.ctx = nil
	}
	if s.cred != nil {
		s.cred.Release()
		s.cred = nil
	}
}

// sspiNTLM is one SSPI NTLM handshake.
type sspiNTLM struct {
	cred *sspi.Credentials
	ctx  *ntlm.ClientContext
}

func (s *sspiNTLM) scheme() string { return "NTLM" }
func (s *sspiNTLM) source() string { return sourceLoggedIn }

func (s *sspiNTLM) step(_ context.Context, in []byte) ([]byte, error) {
	if s.ctx == nil {
		c, out, err := ntlm.NewClientContext(s.cred)
		if err != nil {
			return nil, errors.New("SSPI NTLM: " + err.Error())
		}
		s.ctx = c
		return out, nil
	}
	out, err := s.ctx.Update(in)
	if err != nil {
		return nil, errors.New("SSPI NTLM challenge: " + err.Error())
	}
	return out, nil
}

func (s *sspiNTLM) close() {
	if s.ctx != nil {
		s.ctx.Release()
		s.ctx = nil
	}
	if s.cred != nil {
		s.cred.Release()
		s.cred = nil
	}
}
