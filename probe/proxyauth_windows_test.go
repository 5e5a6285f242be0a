//go:build windows

package probe

import (
	"errors"
	"strings"
	"testing"
)

// SSPI with the logon's credentials, as the browser on Windows: NTLM
// through a loopback proxy, no identity in the environment. Under Wine
// SSPI's NTLM needs Samba's ntlm_auth (winbind); where it is missing the
// test says so and skips.
func TestSSPIProxyAuthNTLM(t *testing.T) {
	t.Setenv(EnvProxyUsername, "")
	s, err := newSSPISession("NTLM", "NTLM", "")
	if err != nil {
		t.Skipf("SSPI has no NTLM here (Wine's NTLM provider needs Samba's ntlm_auth/winbind): %v", err)
	}
	first, err := s.step(t.Context(), nil)
	s.close()
	if err != nil {
		t.Skipf("SSPI cannot start NTLM here (under Wine: its NTLM provider needs Samba's ntlm_auth/winbind): %v", err)
	}
	if len(first) < 12 || string(first[:8]) != "NTLMSSP\x00" {
		t.Fatalf("SSPI's first NTLM token is not a NEGOTIATE message: %x", first)
	}
	p := startAuthProxy(t, &authProxy{offer: []string{"NTLM"}, anyNTLM: true})
	info, err := dialAuth(t, &Env{}, p)
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if info.Used != "NTLM" || info.Source != sourceLoggedIn {
		t.Errorf("used %q from %q, want NTLM from the logged-in user", info.Used, info.Source)
	}
}

// Negotiate through SSPI: without a domain (Wine, a workstation) SSPI
// cannot get a Kerberos ticket for HTTP/<proxy>; rtcprobe must then say
// what fixes it, never pretend.
func TestSSPIProxyAuthNegotiate(t *testing.T) {
	t.Setenv(EnvProxyUsername, "")
	p := startAuthProxy(t, &authProxy{offer: []string{"Negotiate"}})
	_, err := dialAuth(t, &Env{}, p)
	var ae *ProxyAuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want a ProxyAuthError (the test proxy accepts no Negotiate token)", err)
	}
	t.Logf("SSPI Negotiate here: %v (fix: %q)", err, ae.Info.Fix)
	if ae.Unavailable && !strings.Contains(ae.Info.Fix, "log on") {
		t.Errorf("fix = %q, want the logon named", ae.Info.Fix)
	}
}
