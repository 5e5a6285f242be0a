package probe

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/rtcprobe/rtcprobe/result"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Proxy authentication, as Chromium does it for a proxy (net/http/
// http_auth_controller.cc and http_auth_handler_*.cc): on a 407 the
// strongest offered scheme it can do wins (Negotiate, then NTLM, then
// Basic; Digest is not done here), a scheme that cannot start (no ticket,
// no identity) is dropped for the next one, and connection-based schemes
// (NTLM, Negotiate) run their legs on one kept-alive connection. For a
// proxy Chromium always uses the logged-in user's default credentials
// (AllowsDefaultCredentials is true for HttpAuth::AUTH_PROXY): SSPI on
// Windows, the Kerberos ticket cache elsewhere. NTLM and Basic off Windows
// need a typed identity, which the browser prompts for and rtcprobe takes
// from the environment or its own prompt.

// Environment variables holding the identity for Basic and NTLM proxy
// authentication (NTLM takes DOMAIN\user or user@domain).
const (
	EnvProxyUsername = "RTCPROBE_PROXY_USERNAME"
	EnvProxyPassword = "RTCPROBE_PROXY_PASSWORD"
)

// fixSetCredentials is the one line that lets rtcprobe use a typed
// identity.
const fixSetCredentials = "set " + EnvProxyUsername + " and " + EnvProxyPassword + " to the proxy login (DOMAIN\\user for NTLM)"

// ErrProxyAuth wraps every proxy-authentication failure; errors.As with
// *ProxyAuthError gives the details.
var ErrProxyAuth = errors.New("probe: proxy authentication")

// ProxyAuthError is a 407 that rtcprobe could not get past. Its text
// names schemes, reasons and the fix, never a credential.
type ProxyAuthError struct {
	// Unavailable: no offered scheme could be started here; the browser
	// might do better (untested). Otherwise the proxy rejected what was sent.
	Unavailable bool
	// Typed: the rejected identity was typed (environment, prompt, proxy
	// URL), not the logged-in user's; the browser's user would type theirs.
	Typed bool
	// Broken: the proxy's handshake is malformed in a way the browser
	// refuses as well; no login would help.
	Broken bool
	Info   ProxyAuthInfo
	Why    string
}

// Error names the offered schemes and why none got through.
func (e *ProxyAuthError) Error() string {
	return fmt.Sprintf("the proxy demands authentication (%s): %s", orNone(e.Info.Offered), e.Why)
}

// Unwrap makes errors.Is(err, ErrProxyAuth) true.
func (e *ProxyAuthError) Unwrap() error { return ErrProxyAuth }

// Reason is the probe reason for e.
func (e *ProxyAuthError) Reason() result.Reason {
	switch {
	case e.Unavailable:
		return result.ReasonProxyAuthUnavailable
	case e.Broken:
		return result.ReasonProxyAuthBroken
	}
	return result.ReasonProxyAuthRejected
}

// ProxyAuthInfo is what a CONNECT learned about the proxy's authentication,
// for the probe's details.
type ProxyAuthInfo struct {
	// Offered are the schemes of the proxy's Proxy-Authenticate lines.
	Offered []string
	// Used is the scheme that got the tunnel, "" when none did.
	Used string
	// Source says whose identity Used had: "logged-in user", "ticket
	// cache", "environment", "prompt", "proxy URL".
	Source string
	// Fix is the one line that lets rtcprobe authenticate as the browser
	// would, "" when nothing is to be fixed on this side.
	Fix string
}

// details returns the probe details for info (nil when the proxy asked
// for nothing).
func (info ProxyAuthInfo) details() map[result.DetailKey]string {
	if len(info.Offered) == 0 && info.Used == "" {
		return nil
	}
	d := map[result.DetailKey]string{result.DetailProxyAuthOffered: strings.Join(info.Offered, ", ")}
	if info.Used != "" {
		d[result.DetailProxyAuth] = info.Used
		d[result.DetailProxyAuthSource] = info.Source
	}
	if info.Fix != "" {
		d[result.DetailProxyAuthFix] = info.Fix
	}
	return d
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no scheme named"
	}
	return strings.Join(s, ", ")
}

// authSession is one scheme's handshake on one connection.
type authSession interface {
	// scheme is the name sent in Proxy-Authorization.
	scheme() string
	// source says whose identity is used (ProxyAuthInfo.Source).
	source() string
	// step returns the next token given the proxy's (nil on the first leg).
	step(ctx context.Context, in []byte) ([]byte, error)
	close()
}

// authUnavailable says why a scheme cannot start here and what fixes it.
type authUnavailable struct{ why, fix string }

// maxAuthLegs bounds the requests on one CONNECT: NTLM needs three,
// Negotiate rarely more than two; a proxy that keeps challenging is
// rejecting.
const maxAuthLegs = 5

// maxAuthBody bounds the 407 body read to keep the connection usable.
const maxAuthBody = 64 << 10

// connectAuth sends CONNECT target on conn and answers the proxy's 407s
// with the strongest scheme it can do. redial opens a new connection to
// the proxy when it closes one between legs (nil: no redial). On failure
// the connection is closed. The caller bounds ctx.
func connectAuth(ctx context.Context, env *Env, conn net.Conn, proxy *url.URL, target string, redial func(context.Context) (net.Conn, error)) (net.Conn, int, ProxyAuthInfo, error) {
	c := &authConn{env: env, proxy: proxy, target: target, redial: redial}
	if _, pw, _ := typedIdentity(env, proxy); pw != "" {
		c.secrets = append(c.secrets, string(pw))
	}
	c.set(conn)
	defer c.stopWatch()
	c.watch(ctx)
	tunnel, status, err := c.run(ctx)
	if err != nil {
		c.closeConn()
		return nil, status, c.info, err
	}
	return tunnel, status, c.info, nil
}

// authConn is the state of one authenticated CONNECT.
type authConn struct {
	env    *Env
	proxy  *url.URL
	target string
	redial func(context.Context) (net.Conn, error)
	conn   net.Conn
	br     *bufio.Reader
	// lr bounds each answer's status line and headers (maxConnectAnswer);
	// the tunnel, once up, is not bounded.
	lr *io.LimitedReader
	// secrets are what went out in Proxy-Authorization and the typed
	// password: a proxy may echo them in its reason phrase.
	secrets []string
	stop    func() bool
	info    ProxyAuthInfo
	session authSession
	skipped []authUnavailable
	// triedBasic: Basic from the proxy URL went out before any 407.
	triedBasic bool
}

func (c *authConn) set(conn net.Conn) {
	c.lr = &io.LimitedReader{R: conn, N: maxConnectAnswer}
	c.conn, c.br = conn, bufio.NewReader(c.lr)
}

// watch makes ctx's end interrupt any read or write on the connection.
func (c *authConn) watch(ctx context.Context) {
	conn := c.conn
	c.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
}

func (c *authConn) stopWatch() bool {
	if c.stop == nil {
		return true
	}
	return c.stop()
}

func (c *authConn) closeConn() {
	if c.session != nil {
		c.session.close()
	}
	if c.conn != nil {
		c.conn.Close()
	}
}

// run is the request loop: CONNECT, and on 407 the next leg.
func (c *authConn) run(ctx context.Context) (net.Conn, int, error) {
	header := ""
	if u := c.proxy.User; u != nil {
		// Credentials in the proxy URL go out at once, as before (and as
		// curl does); a 407 then falls into the normal choice below.
		pw, _ := u.Password()
		header = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw))
		c.triedBasic = true
	}
	for leg := 0; ; leg++ {
		resp, err := c.roundTrip(ctx, header)
		if err != nil {
			return nil, 0, err
		}
		if resp.StatusCode/100 == 2 {
			return c.established(ctx, resp)
		}
		if resp.StatusCode != http.StatusProxyAuthRequired {
			return nil, resp.StatusCode, fmt.Errorf("%w: %s", ErrProxyRefused, c.safeStatus(resp))
		}
		if leg == maxAuthLegs {
			return nil, resp.StatusCode, c.rejected("it still answered 407 after " + fmt.Sprint(maxAuthLegs) + " legs")
		}
		header, err = c.nextLeg(ctx, resp)
		if err != nil {
			return nil, resp.StatusCode, err
		}
	}
}

// roundTrip writes one CONNECT (with a Proxy-Authorization value when
// header is set) and reads the answer. The body of a non-2xx answer is
// read (bounded) so the connection can carry the next leg.
func (c *authConn) roundTrip(ctx context.Context, header string) (*http.Response, error) {
	req := "CONNECT " + c.target + " HTTP/1.1\r\nHost: " + c.target + "\r\nUser-Agent: rtcprobe\r\nProxy-Connection: keep-alive\r\n"
	if header != "" {
		req += "Proxy-Authorization: " + header + "\r\n"
		c.secrets = append(c.secrets, header)
		if _, token, ok := strings.Cut(header, " "); ok {
			c.secrets = append(c.secrets, token)
		}
	}
	if _, err := c.conn.Write([]byte(req + "\r\n")); err != nil {
		return nil, ctxOr(ctx, err)
	}
	// http.ReadResponse has no bound of its own on the status line and
	// headers: a proxy streaming one endless header would take the run's
	// memory until the budget ran out.
	c.lr.N = maxConnectAnswer
	resp, err := http.ReadResponse(c.br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		if c.lr.N == 0 {
			return nil, errConnectAnswerTooLarge
		}
		return nil, ctxOr(ctx, err)
	}
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAuthBody))
	}
	resp.Body.Close()
	return resp, nil
}

// established returns the tunnel after a 2xx.
func (c *authConn) established(ctx context.Context, resp *http.Response) (net.Conn, int, error) {
	if c.session != nil {
		c.info.Used, c.info.Source = c.session.scheme(), c.session.source()
		c.session.close()
		c.session = nil
	} else if c.triedBasic {
		c.info.Used, c.info.Source = "Basic", sourceProxyURL
	}
	if !c.stopWatch() {
		return nil, resp.StatusCode, ctx.Err()
	}
	c.stop = nil
	c.lr.N = math.MaxInt64 // the tunnel itself is not bounded
	if c.br.Buffered() > 0 {
		return &bufferedConn{Conn: c.conn, r: c.br}, resp.StatusCode, nil
	}
	return c.conn, resp.StatusCode, nil
}

// safeStatus is the status line without anything a proxy could put there
// to reach a terminal, and without the credentials it was sent.
func (c *authConn) safeStatus(resp *http.Response) string {
	return withoutSecrets(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, resp.Status), c.secrets)
}

// keepsAlive reports whether the proxy keeps the connection after resp.
func keepsAlive(resp *http.Response) bool {
	for _, h := range []string{"Connection", "Proxy-Connection"} {
		for _, v := range resp.Header.Values(h) {
			if strings.Contains(strings.ToLower(v), "close") {
				return false
			}
		}
	}
	return !resp.Close
}
