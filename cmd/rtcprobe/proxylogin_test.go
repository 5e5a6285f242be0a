package main

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/probe"
)

// proxy407 is a loopback proxy answering every CONNECT 407 with offer (or
// 200 when offer is nil).
func proxy407(t *testing.T, offer []string) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				resp := "HTTP/1.1 200 Connection established\r\n\r\n"
				if offer != nil {
					resp = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: " +
						strings.Join(offer, "\r\nProxy-Authenticate: ") + "\r\nContent-Length: 0\r\n\r\n"
				}
				c.Write([]byte(resp))
			}
			c.Close()
		}
	}()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

func TestAskProxyLogin(t *testing.T) {
	t.Setenv("KRB5CCNAME", "FILE:"+filepath.Join(t.TempDir(), "none"))
	t.Setenv(probe.EnvProxyUsername, "")
	cases := []struct {
		name     string
		offer    []string
		user     bool // proxy URL with user info
		wantAsk  bool
		typed    string
		wantUser string
	}{
		{name: "basic", offer: []string{`Basic realm="corp"`}, wantAsk: true, typed: "alice\n", wantUser: "alice"},
		{name: "ntlm, domain user", offer: []string{"NTLM"}, wantAsk: true, typed: "CORP\\alice\n", wantUser: `CORP\alice`},
		{name: "empty user skips", offer: []string{"NTLM"}, wantAsk: true, typed: "\n"},
		{name: "negotiate only, no ticket: typing does not help", offer: []string{"Negotiate"}},
		{name: "no login wanted", offer: nil},
		{name: "login in the proxy URL", offer: []string{`Basic realm="corp"`}, user: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			px := proxy407(t, tc.offer)
			if tc.user {
				px.User = url.UserPassword("bob", "x")
			}
			plan := &probe.Plan{HTTPProxy: px, Web: []probe.WebTarget{{URL: "wss://trtc.rtc.qq.com/"}}}
			env := &probe.Env{}
			var out bytes.Buffer
			asked := false
			p := &loginPrompt{in: strings.NewReader(tc.typed), out: &out,
				readPassword: func() ([]byte, error) { asked = true; return []byte("pw-Secret-1"), nil }}
			askProxyLogin(plan, env, p)
			if got := out.Len() > 0; got != tc.wantAsk {
				t.Fatalf("asked = %v, want %v (screen %q)", got, tc.wantAsk, out.String())
			}
			if env.ProxyUsername != tc.wantUser {
				t.Errorf("user = %q, want %q", env.ProxyUsername, tc.wantUser)
			}
			if tc.wantUser != "" && (!asked || env.ProxyPassword.Reveal() != "pw-Secret-1") {
				t.Error("the password was not read without echo")
			}
			if strings.Contains(out.String(), "pw-Secret-1") {
				t.Error("the password reached the screen")
			}
		})
	}
}

func TestReadLineBounded(t *testing.T) {
	if _, err := readLine(strings.NewReader(strings.Repeat("a", 1000))); err == nil {
		t.Error("a 1000-byte user name was accepted")
	}
	if s, _ := readLine(strings.NewReader("al\x1b[2Jice\nrest")); s != "al[2Jice" {
		t.Errorf("readLine = %q", s)
	}
}
