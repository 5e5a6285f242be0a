//go:build windows

package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/alexbrainman/sspi"
)

// On Windows the browser authenticates to a proxy as the logged-in user
// through SSPI, with no prompt, for Negotiate (Kerberos, falling back to
// NTLM inside SPNEGO) and NTLM alike. rtcprobe does the same through the
// same SSPI packages. Only the base sspi package is used: its ntlm
// subpackage panics at start-up where the NTLM provider is missing (as
// under Wine without winbind), which would take every probe down with it.

// startNegotiate opens an SSPI Negotiate context for HTTP/<proxy host>.
func startNegotiate(proxyHost string) (authSession, *authUnavailable) {
	s, err := newSSPISession(sspi.NEGOSSP_NAME, "Negotiate", "HTTP/"+strings.TrimSuffix(proxyHost, "."))
	if err != nil {
		return nil, &authUnavailable{why: "SSPI has no Negotiate credentials for the logged-in user: " + err.Error(),
			fix: "log on to Windows with a domain account (klist shows its tickets)"}
	}
	return s, nil
}

// startDefaultNTLM opens an SSPI NTLM context with the logon's identity,
// nil when SSPI has none (a typed identity may stand in).
func startDefaultNTLM() authSession {
	s, err := newSSPISession(sspi.NTLMSP_NAME, "NTLM", "")
	if err != nil {
		return nil
	}
	return s
}

// sspiSession is one SSPI client handshake with the logon's credentials.
type sspiSession struct {
	name     string
	spn      *uint16
	maxToken uint32
	cred     *sspi.Credentials
	ctx      *sspi.Context
	done     bool
}

func newSSPISession(pkg, name, spn string) (*sspiSession, error) {
	info, err := sspi.QueryPackageInfo(pkg)
	if err != nil {
		return nil, fmt.Errorf("no %s security package: %w", pkg, err)
	}
	cred, err := sspi.AcquireCredentials("", pkg, sspi.SECPKG_CRED_OUTBOUND, nil)
	if err != nil {
		return nil, err
	}
	s := &sspiSession{name: name, maxToken: info.MaxToken, cred: cred}
	if spn != "" {
		p, err := syscall.UTF16PtrFromString(spn)
		if err != nil {
			cred.Release()
			return nil, err
		}
		s.spn = p
	}
	return s, nil
}

func (s *sspiSession) scheme() string { return s.name }
func (s *sspiSession) source() string { return sourceLoggedIn }

// step runs InitializeSecurityContext with the proxy's token (none on the
// first leg).
func (s *sspiSession) step(_ context.Context, in []byte) ([]byte, error) {
	if s.done {
		return nil, errors.New("the proxy did not accept the " + s.name + " login")
	}
	if s.ctx == nil {
		s.ctx = sspi.NewClientContext(s.cred, sspi.ISC_REQ_CONNECTION)
	}
	out := make([]byte, s.maxToken)
	var inBuf, outBuf [1]sspi.SecBuffer
	inBuf[0].Set(sspi.SECBUFFER_TOKEN, in)
	outBuf[0].Set(sspi.SECBUFFER_TOKEN, out)
	inDesc := &sspi.SecBufferDesc{Version: sspi.SECBUFFER_VERSION, BuffersCount: 1, Buffers: &inBuf[0]}
	outDesc := &sspi.SecBufferDesc{Version: sspi.SECBUFFER_VERSION, BuffersCount: 1, Buffers: &outBuf[0]}
	switch ret := s.ctx.Update(s.spn, outDesc, inDesc); ret {
	case sspi.SEC_E_OK:
		s.done = true
	case sspi.SEC_I_CONTINUE_NEEDED:
	case sspi.SEC_I_COMPLETE_NEEDED, sspi.SEC_I_COMPLETE_AND_CONTINUE:
		if ret := sspi.CompleteAuthToken(s.ctx.Handle, outDesc); ret != sspi.SEC_E_OK {
			return nil, fmt.Errorf("SSPI %s: %w", s.name, ret)
		}
	default:
		return nil, fmt.Errorf("SSPI %s: %w", s.name, ret)
	}
	return out[:outBuf[0].BufferSize], nil
}

func (s *sspiSession) close() {
	if s.ctx != nil {
		s.ctx.Release()
		s.ctx = nil
	}
	if s.cred != nil {
		s.cred.Release()
		s.cred = nil
	}
}
