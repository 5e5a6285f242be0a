package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrProxyRefused: the HTTP proxy answered CONNECT with a non-2xx status
// (403 forbidden by policy, a 407 naming no scheme, ...). A 407 with
// schemes is answered (proxyauth.go); what stops that is ErrProxyAuth.
var ErrProxyRefused = errors.New("probe: the HTTP proxy refused CONNECT")

// dialViaHTTPProxy opens a tunnel to target (host:port) through the HTTP
// proxy with CONNECT, as a browser does, authenticating as the browser
// would (proxyauth.go). It returns the tunnel, the proxy's status code (0
// when it never answered), what was learned about the proxy's
// authentication, and an error wrapping ErrProxyRefused when the proxy
// said no (ErrProxyAuth when it wanted a login rtcprobe could not give).
// The caller bounds ctx.
func dialViaHTTPProxy(ctx context.Context, env *Env, proxy *url.URL, target string) (net.Conn, int, ProxyAuthInfo, error) {
	conn, err := dialProxy(ctx, env, proxy)
	if err != nil {
		return nil, 0, ProxyAuthInfo{}, err
	}
	return connectThrough(ctx, env, conn, proxy, target)
}

// dialProxy opens a connection to the proxy (TLS for an https:// proxy).
func dialProxy(ctx context.Context, env *Env, proxy *url.URL) (net.Conn, error) {
	conn, err := env.dial(ctx, "tcp", proxyAddr(proxy))
	if err != nil {
		return nil, err
	}
	if proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname(), RootCAs: env.RootCAs})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS to the proxy: %w", err)
		}
		conn = tc
	}
	return conn, nil
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
// and reads the answer, answering a 407 as the browser would (a new
// connection to the proxy is opened when it closes this one after its
// first 407). On failure conn is closed.
func connectThrough(ctx context.Context, env *Env, conn net.Conn, proxy *url.URL, target string) (net.Conn, int, ProxyAuthInfo, error) {
	redial := func(ctx context.Context) (net.Conn, error) { return dialProxy(ctx, env, proxy) }
	return connectAuth(ctx, env, conn, proxy, target, redial)
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
