package reflector

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

const (
	// tcpIdleTimeout closes a TCP connection that sends nothing: a probe
	// sends its request at once; idle connections only cost file descriptors.
	tcpIdleTimeout = 30 * time.Second
	// firstByteTimeout bounds the wait for the byte that tells TLS from STUN.
	firstByteTimeout = 10 * time.Second
	// maxTCPConns caps concurrent TCP connections.
	maxTCPConns = 512
	// wsMaxMessage bounds one WebSocket echo message.
	wsMaxMessage = 64 << 10
)

func (s *Server) startTCP(ctx context.Context, wg *sync.WaitGroup) error {
	cert, err := s.certificate()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.hostPort(s.cfg.TCPPort))
	if err != nil {
		return fmt.Errorf("tcp port %d: %w", s.cfg.TCPPort, err)
	}
	tlsLn := &chanListener{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	srv := &http.Server{Handler: s.httpMux(), ReadHeaderTimeout: firstByteTimeout, IdleTimeout: tcpIdleTimeout,
		// Run's context: cancelling it ends hijacked WebSocket echoes, which
		// Shutdown does not wait for.
		BaseContext: func(net.Listener) context.Context { return ctx },
		TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	live := &connSet{m: map[net.Conn]struct{}{}}
	wg.Add(2)
	go func() { defer wg.Done(); _ = srv.Serve(tls.NewListener(tlsLn, srv.TLSConfig)) }()
	go func() { defer wg.Done(); s.acceptTCP(ln, tlsLn, live, wg) }()
	s.addCloser(func(ctx context.Context) error {
		_ = ln.Close()
		tlsLn.Close()
		err := srv.Shutdown(ctx)
		live.closeAll() // STUN streams and connections still being sniffed
		return err
	})
	s.mu.Lock()
	s.tcpAddr = ln.Addr()
	s.mu.Unlock()
	return nil
}

// connSet tracks raw TCP connections so shutdown can close them.
type connSet struct {
	mu sync.Mutex // protects m
	m  map[net.Conn]struct{}
}

func (c *connSet) add(n net.Conn)    { c.mu.Lock(); c.m[n] = struct{}{}; c.mu.Unlock() }
func (c *connSet) remove(n net.Conn) { c.mu.Lock(); delete(c.m, n); c.mu.Unlock() }
func (c *connSet) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n := range c.m {
		_ = n.Close()
	}
}

func (s *Server) acceptTCP(ln net.Listener, tlsLn *chanListener, live *connSet, wg *sync.WaitGroup) {
	sem := make(chan struct{}, maxTCPConns)
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		select {
		case sem <- struct{}{}:
		default:
			s.metrics.TCPRejected.Add(1)
			_ = c.Close()
			continue
		}
		s.metrics.TCPConns.Add(1)
		live.add(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { live.remove(c); <-sem }()
			s.serveTCPConn(c, tlsLn)
		}()
	}
}

// serveTCPConn tells TLS (first byte 0x16, a handshake record) from STUN
// (top two bits 00) and hands the connection on.
func (s *Server) serveTCPConn(c net.Conn, tlsLn *chanListener) {
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(firstByteTimeout))
	first, err := br.Peek(1)
	if err != nil {
		_ = c.Close()
		return
	}
	pc := &peekedConn{Conn: c, r: br}
	if first[0] == 0x16 {
		s.metrics.TLSConns.Add(1)
		_ = c.SetReadDeadline(time.Time{})
		if !tlsLn.push(pc) {
			_ = c.Close()
		}
		return
	}
	defer c.Close()
	s.serveSTUNStream(pc)
}

// serveSTUNStream answers RFC 8489 §6.2.2 framed STUN over TCP: messages
// back to back, each its 20-byte header plus the length it declares.
func (s *Server) serveSTUNStream(c *peekedConn) {
	from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
	buf := make([]byte, maxDatagram)
	sc := new(scratch)
	for {
		_ = c.SetReadDeadline(time.Now().Add(tcpIdleTimeout))
		if _, err := io.ReadFull(c.r, buf[:stunHeaderLen]); err != nil {
			return
		}
		n := stunHeaderLen + int(binary.BigEndian.Uint16(buf[2:4]))
		if buf[0]&0xC0 != 0 || n > len(buf) {
			s.metrics.Malformed.Add(1)
			return
		}
		if _, err := io.ReadFull(c.r, buf[stunHeaderLen:n]); err != nil {
			return
		}
		reply, ok := s.answerSTUN(buf[:n], from, sc)
		if !ok {
			return
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
	}
}

func (s *Server) httpMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/ws", s.wsEcho)
	return mux
}

// wsEcho echoes every WebSocket message until the peer goes away or idles.
func (s *Server) wsEcho(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(wsMaxMessage)
	for {
		ctx, cancel := context.WithTimeout(r.Context(), tcpIdleTimeout)
		typ, msg, err := c.Read(ctx)
		if err == nil {
			err = c.Write(ctx, typ, msg)
		}
		cancel()
		if err != nil {
			return
		}
	}
}

// certificate loads the configured pair or generates a self-signed one.
func (s *Server) certificate() (tls.Certificate, error) {
	if s.cfg.TLSCert != "" || s.cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return cert, fmt.Errorf("%w: --tls-cert/--tls-key: %v", ErrConfig, err)
		}
		return cert, nil
	}
	s.log.Warn("no --tls-cert/--tls-key: using a generated self-signed certificate (clients will not trust it)")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "rtcprobe reflector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// peekedConn is a connection whose first bytes were read into r.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// chanListener feeds connections sniffed as TLS to the HTTP server.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error { l.once.Do(func() { close(l.done) }); return nil }

func (l *chanListener) Addr() net.Addr { return l.addr }
