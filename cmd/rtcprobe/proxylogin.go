package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/rtcprobe/rtcprobe/probe"
)

// proxyLoginWait bounds the one CONNECT that asks the proxy whether it
// wants a login.
const proxyLoginWait = 5 * time.Second

// maxLoginLine bounds a typed user name.
const maxLoginLine = 256

// loginPrompt is the terminal the login is asked on.
type loginPrompt struct {
	in           io.Reader
	out          io.Writer
	readPassword func() ([]byte, error) // reads without echo
}

// terminalPrompt is the real terminal, or nil when stdin is not one (CI,
// pipes): then nothing is asked and the environment alone counts.
func terminalPrompt(stderr io.Writer) *loginPrompt {
	if !isTerminal(os.Stdin.Fd()) {
		return nil
	}
	return &loginPrompt{in: os.Stdin, out: stderr, readPassword: func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) }}
}

// askProxyLogin asks for the HTTP proxy's login before the run, as the
// browser asks its user, when the proxy wants one that rtcprobe cannot
// take from the user's own credentials and none is in the environment
// (RTCPROBE_PROXY_USERNAME) or the proxy URL. The password is read
// without echo and kept only in env.
func askProxyLogin(plan *probe.Plan, env *probe.Env, p *loginPrompt) {
	px := plan.HTTPProxy
	if p == nil || px == nil || px.User != nil || os.Getenv(probe.EnvProxyUsername) != "" || len(plan.Web) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), proxyLoginWait)
	defer cancel()
	t := plan.Web[0]
	login, err := probe.CheckProxyLogin(ctx, env, px, probe.JoinHostPort(t.Host(), t.Port()))
	if err != nil || !login.NeedTyped {
		return
	}
	fmt.Fprintf(p.out, "The HTTP proxy %s asks for a login (%s), as it would ask the browser.\n", px.Host, strings.Join(login.Offered, ", "))
	fmt.Fprintf(p.out, "User (DOMAIN\\user for NTLM; empty to test without): ")
	user, err := readLine(p.in)
	if err != nil || user == "" {
		fmt.Fprintln(p.out)
		return
	}
	fmt.Fprint(p.out, "Password (not shown): ")
	pw, err := p.readPassword()
	fmt.Fprintln(p.out)
	if err != nil {
		return
	}
	env.ProxyUsername, env.ProxyPassword = user, probe.Secret(pw)
}

// readLine reads one line a byte at a time (nothing typed after it is
// consumed), bounded, without control characters.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < maxLoginLine {
		n, err := r.Read(buf)
		if n == 1 {
			switch c := buf[0]; {
			case c == '\n':
				return strings.TrimSpace(b.String()), nil
			case c >= 0x20 && c != 0x7f:
				b.WriteByte(c)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return strings.TrimSpace(b.String()), nil
			}
			return "", err
		}
	}
	return "", errors.New("the user name is too long")
}
