package webrtc

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// proxyTimeout bounds the CONNECT exchange and the TLS handshake through
// the proxy; a corporate proxy answers in well under a second.
const proxyTimeout = 5 * time.Second

// maxProxyHeader bounds the proxy's answer to CONNECT.
const maxProxyHeader = 16 << 10

// ErrProxy is a proxy that refused or garbled the CONNECT.
var ErrProxy = errors.New("http proxy")

// connectDialer tunnels TCP through an HTTP proxy with CONNECT, the way
// Chromium carries TURN/TCP and TURN/TLS behind a configured proxy (no
// direct fallback when the proxy refuses). pion hands a proxied TURNS
// connection to the TURN client as is, so for turns the dialer also does
// the TLS handshake (server name from the dialled address).
type connectDialer struct {
	proxy string // host:port
	tls   bool
}

func newConnectDialer(raw string, useTLS bool) (*connectDialer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%w: --http-proxy %q: want http://host:port", ErrConfig, raw)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	return &connectDialer{proxy: host, tls: useTLS}, nil
}

// Dial implements golang.org/x/net/proxy.Dialer.
func (d *connectDialer) Dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), proxyTimeout)
	defer cancel()
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.proxy)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProxy, err)
	}
	conn.SetDeadline(time.Now().Add(proxyTimeout))
	if err := connect(conn, addr); err != nil {
		conn.Close()
		return nil, err
	}
	if !d.tls {
		conn.SetDeadline(time.Time{})
		return conn, nil
	}
	host, _, _ := net.SplitHostPort(addr)
	tc := tls.Client(conn, &tls.Config{ServerName: host})
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("TLS to %s through the proxy: %w", addr, err)
	}
	conn.SetDeadline(time.Time{})
	return tc, nil
}

// connect sends CONNECT and reads the answer byte by byte, so no byte of
// the tunnel is swallowed by a buffer.
func connect(conn net.Conn, addr string) error {
	if _, err := fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", addr, addr); err != nil {
		return fmt.Errorf("%w: %v", ErrProxy, err)
	}
	var head []byte
	b := make([]byte, 1)
	for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
		if len(head) > maxProxyHeader {
			return fmt.Errorf("%w: answer header longer than %d bytes", ErrProxy, maxProxyHeader)
		}
		if _, err := conn.Read(b); err != nil {
			return fmt.Errorf("%w: reading the CONNECT answer: %v", ErrProxy, err)
		}
		head = append(head, b[0])
	}
	line, _, _ := bytes.Cut(head, []byte("\r\n"))
	f := bytes.Fields(line)
	if len(f) < 2 || !bytes.HasPrefix(f[0], []byte("HTTP/")) || !bytes.Equal(f[1], []byte("200")) {
		return fmt.Errorf("%w refused CONNECT %s: %q", ErrProxy, addr, line)
	}
	return nil
}
