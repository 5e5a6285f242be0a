package probe

import (
	"context"
	"encoding/json"
	"strconv"

	"errors"
	"github.com/rtcprobe/rtcprobe/result"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const testProxyPassword = "s3cret-Pa55word"

// dialAuth connects to p and runs connectAuth, then checks the tunnel
// echoes.
func dialAuth(t *testing.T, env *Env, p *authProxy) (ProxyAuthInfo, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	tunnel, _, info, err := dialViaHTTPProxy(ctx, env, p.url, "media.example:3478")
	if err != nil {
		if strings.Contains(err.Error(), testProxyPassword) {
			t.Errorf("the error holds the password: %v", err)
		}
		return info, err
	}
	defer tunnel.Close()
	if _, err := io.WriteString(tunnel, "ping"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	tunnel.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(tunnel, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("tunnel echo = %q, %v", buf, err)
	}
	return info, nil
}

// noTicket points Kerberos at an empty place so Negotiate cannot start.
func noTicket(t *testing.T) {
	t.Setenv("KRB5CCNAME", "FILE:"+filepath.Join(t.TempDir(), "none"))
	t.Setenv("KRB5_CONFIG", filepath.Join(t.TempDir(), "none.conf"))
}

func TestProxyAuth(t *testing.T) {
	cases := []struct {
		name          string
		offer         []string
		user, pass    string // the environment's identity
		closeAfter407 bool
		sloppy, lmKey bool
		wantUsed      string
		wantReason    result.Reason // "" when the tunnel must open
		wantFix       string        // part of the fix line
		wantConns     int32         // 0: not checked
	}{
		{name: "basic", offer: []string{`Basic realm="corp, inc"`}, user: "alice", pass: testProxyPassword, wantUsed: "Basic", wantConns: 1},
		{name: "basic-no-identity", offer: []string{`Basic realm="corp"`}, wantReason: result.ReasonProxyAuthUnavailable, wantFix: EnvProxyUsername},
		{name: "basic-wrong-password", offer: []string{`Basic realm="corp"`}, user: "alice", pass: "wrong", wantReason: result.ReasonProxyAuthRejected, wantFix: "check " + EnvProxyUsername},
		{name: "basic-close-after-407", offer: []string{`Basic realm="corp"`}, user: "alice", pass: testProxyPassword, closeAfter407: true, wantUsed: "Basic", wantConns: 2},
		{name: "ntlm", offer: []string{"NTLM"}, user: `CORP\alice`, pass: testProxyPassword, wantUsed: "NTLM", wantConns: 1},
		{name: "ntlm-lm-key-flag", offer: []string{"NTLM"}, user: `CORP\alice`, pass: testProxyPassword, lmKey: true, wantUsed: "NTLM", wantConns: 1},
		{name: "ntlm-malformed-challenge", offer: []string{"NTLM"}, user: `CORP\alice`, pass: testProxyPassword, sloppy: true, wantReason: result.ReasonProxyAuthBroken, wantFix: "malformed"},
		{name: "ntlm-wrong-password", offer: []string{"NTLM"}, user: `CORP\alice`, pass: "wrong", wantReason: result.ReasonProxyAuthRejected},
		{name: "ntlm-no-identity", offer: []string{"NTLM"}, wantReason: result.ReasonProxyAuthUnavailable, wantFix: EnvProxyUsername},
		{name: "negotiate-no-ticket-falls-to-ntlm", offer: []string{"Negotiate", "NTLM", `Basic realm="x"`}, user: `CORP\alice`, pass: testProxyPassword, wantUsed: "NTLM"},
		{name: "negotiate-only-no-ticket", offer: []string{"Negotiate"}, wantReason: result.ReasonProxyAuthUnavailable, wantFix: negotiateFix},
		{name: "digest-only", offer: []string{`Digest realm="x", nonce="abc", qop="auth"`}, user: "alice", pass: testProxyPassword, wantReason: result.ReasonProxyAuthUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noTicket(t)
			t.Setenv(EnvProxyUsername, tc.user)
			t.Setenv(EnvProxyPassword, tc.pass)
			user := strings.TrimPrefix(tc.user, `CORP\`)
			p := startAuthProxy(t, &authProxy{offer: tc.offer, user: user, pass: testProxyPassword, closeAfter407: tc.closeAfter407, sloppyChallenge: tc.sloppy, lmKeyChallenge: tc.lmKey})
			if tc.name == "basic" || strings.HasPrefix(tc.name, "basic-") {
				p.user = "alice"
			}
			info, err := dialAuth(t, &Env{}, p)
			for k, v := range info.details() {
				if strings.Contains(v, testProxyPassword) {
					t.Errorf("detail %s holds the password", k)
				}
			}
			if tc.wantReason == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if info.Used != tc.wantUsed || info.Source != sourceEnv {
					t.Errorf("used %q (%q), want %q from the environment", info.Used, info.Source, tc.wantUsed)
				}
				if len(info.Offered) != len(tc.offer) {
					t.Errorf("offered = %v, want the %d offered", info.Offered, len(tc.offer))
				}
			} else {
				var ae *ProxyAuthError
				if !errors.As(err, &ae) || ae.Reason() != tc.wantReason {
					t.Fatalf("err = %v, want reason %s", err, tc.wantReason)
				}
				if st, _ := proxyAuthOutcome(err); tc.wantReason == result.ReasonProxyAuthBroken && st != result.StatusFailed {
					t.Errorf("a handshake the browser refuses too is %s, want failed", st)
				}
				if !strings.Contains(ae.Info.Fix, tc.wantFix) {
					t.Errorf("fix = %q, want it to name %q", ae.Info.Fix, tc.wantFix)
				}
				if info.Used != "" {
					t.Errorf("used = %q after a failed login", info.Used)
				}
			}
			if tc.wantConns != 0 && p.conns.Load() != tc.wantConns {
				t.Errorf("%d connections to the proxy, want %d", p.conns.Load(), tc.wantConns)
			}
		})
	}
}

// A proxy that challenges for ever costs a bounded number of legs.
func TestProxyAuthBoundedLegs(t *testing.T) {
	noTicket(t)
	t.Setenv(EnvProxyUsername, `CORP\alice`)
	t.Setenv(EnvProxyPassword, testProxyPassword)
	// The proxy answers every NTLM AUTHENTICATE with a new challenge
	// because its user never matches.
	p := startAuthProxy(t, &authProxy{offer: []string{"NTLM"}, user: "bob", pass: "x"})
	_, err := dialAuth(t, &Env{}, p)
	if !errors.Is(err, ErrProxyAuth) {
		t.Fatalf("err = %v, want ErrProxyAuth", err)
	}
	if n := p.legs.Load(); n > maxAuthLegs+1 {
		t.Errorf("%d legs, want at most %d", n, maxAuthLegs+1)
	}
}

// A 407 with no challenge is a refusal, as before authentication existed.
func TestProxyAuthNoChallenge(t *testing.T) {
	p := startAuthProxy(t, &authProxy{})
	_, err := dialAuth(t, &Env{}, p)
	if !errors.Is(err, ErrProxyRefused) || errors.Is(err, ErrProxyAuth) {
		t.Fatalf("err = %v, want ErrProxyRefused", err)
	}
}

// A proxy that stalls after the 407 costs the caller's bound.
func TestProxyAuthStall(t *testing.T) {
	t.Setenv(EnvProxyUsername, "alice")
	t.Setenv(EnvProxyPassword, testProxyPassword)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() { ln.Close(); <-done }()
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic realm=x\r\nContent-Length: 100\r\n\r\nshort"))
		// Then silence until the client gives up and closes.
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.Copy(io.Discard, c)
	}()
	p := &authProxy{url: urlOf("http://" + ln.Addr().String())}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, _, err = dialViaHTTPProxy(ctx, &Env{}, p.url, "x:443")
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func urlOf(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// The web probes log in through the same path, record the schemes, and
// a login rtcprobe cannot give skips the step (untested), naming the fix;
// the password reaches no probe.
func TestWebThroughAuthProxy(t *testing.T) {
	noTicket(t)
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	target := webTarget("sig", "wss://ok.test:"+strconv.Itoa(port)+"/ws")
	offer := []string{"Negotiate", "NTLM", `Basic realm="corp"`}

	t.Setenv(EnvProxyUsername, `CORP\alice`)
	t.Setenv(EnvProxyPassword, testProxyPassword)
	p := startAuthProxy(t, &authProxy{offer: offer, user: "alice", pass: testProxyPassword, tunnel: true})
	got := runWeb(t, env, p.url, target)
	checkWant(t, got, "sig/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	if d := got["sig/tls"].Details; d["proxyAuth"] != "NTLM" || d["proxyAuthOffered"] != "Negotiate, NTLM, Basic" || d["proxyAuthSource"] != sourceEnv {
		t.Errorf("tls details = %v, want NTLM of the three offered, from the environment", d)
	}
	noLeak(t, got)

	t.Setenv(EnvProxyUsername, "")
	got = runWeb(t, env, p.url, target)
	checkWant(t, got, "sig/tls", want{result.KindTLS, result.StatusSkipped, result.ReasonProxyAuthUnavailable, "connect"})
	checkAbsent(t, got, "sig/ws")
	if fix := got["sig/tls"].Details["proxyAuthFix"]; !strings.Contains(fix, EnvProxyUsername) {
		t.Errorf("fix = %q", fix)
	}
	noLeak(t, got)
}

func noLeak(t *testing.T, got map[string]result.Probe) {
	t.Helper()
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), testProxyPassword) {
		t.Error("a probe holds the proxy password")
	}
}

// negotiateFix is what the fix line names when Negotiate cannot start: the
// Windows logon there, kinit elsewhere.
var negotiateFix = map[bool]string{true: "log on", false: "kinit"}[runtime.GOOS == "windows"]

// A login in the proxy URL serves NTLM too (Basic goes out at once).
func TestProxyAuthURLIdentity(t *testing.T) {
	noTicket(t)
	t.Setenv(EnvProxyUsername, "")
	p := startAuthProxy(t, &authProxy{offer: []string{"NTLM"}, user: "alice", pass: testProxyPassword})
	p.url.User = url.UserPassword(`CORP\alice`, testProxyPassword)
	info, err := dialAuth(t, &Env{}, p)
	if err != nil || info.Used != "NTLM" || info.Source != sourceProxyURL {
		t.Fatalf("used %q from %q, err %v; want NTLM from the proxy URL", info.Used, info.Source, err)
	}
}
