package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrProxyRefused: the HTTP proxy answered CONNECT with a non-2xx status
// (403 forbidden by policy, 407 authentication required, ...).
var ErrProxyRefused = errors.New("probe: the HTTP proxy refused CONNECT")

// dialViaHTTPProxy opens a tunnel to target (host:port) through the HTTP
// proxy with CONNECT, as a browser does. It returns the tunnel, the proxy's
// status code (0 when it never answered) and an error wrapping
// ErrProxyRefused when the proxy said no. The caller bounds ctx.
func dialViaHTTPProxy(ctx context.Context, env *Env, proxy *url.URL, target string) (net.Conn, int, error) {
	conn, err := env.dial(ctx, "tcp", proxyAddr(proxy))
	if err != nil {
		return nil, 0, err
	}
	if proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname(), RootCAs: env.RootCAs})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, 0, fmt.Errorf("TLS to the proxy: %w", err)
		}
		conn = tc
	}
	return connectThrough(ctx, conn, proxy, target)
}

// proxyAddr is the proxy's host:port (80 for http, 443 for https).
func proxyAddr(proxy *url.URL) string {
	if p := proxy.Port(); p != "" {
		return net.JoinHostPort(proxy.Hostname(), p)
	}
	if proxy.Scheme == "https" {
		return net.JoinHostPort(proxy.Hostname(), "443")
	}
	return net.JoinHostPort(proxy.Hostname(), "80")
}

// maxConnectAnswer bounds a proxy's answer to CONNECT (status line and
// headers); real ones are a few hundred bytes.
const maxConnectAnswer = 64 << 10

// errConnectAnswerTooLarge: the proxy's answer to CONNECT never ended.
var errConnectAnswerTooLarge = errors.New("the HTTP proxy's answer to CONNECT is larger than 64 KiB")

// connectThrough sends CONNECT target on an open connection to the proxy
// and reads the answer. On failure conn is closed.
func connectThrough(ctx context.Context, conn net.Conn, proxy *url.URL, target string) (net.Conn, int, error) {
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nUser-Agent: rtcprobe\r\n"
	var secrets []string
	if u := proxy.User; u != nil {
		pw, _ := u.Password()
		token := base64.StdEncoding.EncodeToString([]byte(u.Username() + ":" + pw))
		req += "Proxy-Authorization: Basic " + token + "\r\n"
		secrets = []string{token, pw}
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		conn.Close()
		return nil, 0, ctxOr(ctx, err)
	}
	// http.ReadResponse has no bound of its own on the status line and
	// headers: a proxy streaming one endless header would take the run's
	// memory until the budget ran out.
	lr := &io.LimitedReader{R: conn, N: maxConnectAnswer}
	br := bufio.NewReader(lr)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		if lr.N == 0 {
			return nil, 0, errConnectAnswerTooLarge
		}
		return nil, 0, ctxOr(ctx, err)
	}
	resp.Body.Close()    // drains a refusal's body, within the same bound
	lr.N = math.MaxInt64 // the tunnel itself is not bounded
	if resp.StatusCode/100 != 2 {
		conn.Close()
		return nil, resp.StatusCode, fmt.Errorf("%w: %s", ErrProxyRefused, withoutSecrets(resp.Status, secrets))
	}
	if !stop() {
		conn.Close()
		return nil, resp.StatusCode, ctx.Err()
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, resp.StatusCode, nil
	}
	return conn, resp.StatusCode, nil
}

// ctxOr prefers the context's error: a deadline forced by ctx shows up as
// an i/o timeout on the connection.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// bufferedConn returns bytes the proxy sent after its answer before
// reading the connection again.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// withoutSecrets removes the proxy password and the Proxy-Authorization
// token from the proxy's reason phrase: a proxy can echo what it was sent,
// and the phrase goes into the report.
func withoutSecrets(status string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			status = strings.ReplaceAll(status, s, redacted)
		}
	}
	return status
}
