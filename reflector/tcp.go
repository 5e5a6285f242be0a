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
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/rtcprobe/rtcprobe/reflector/internal/limit"
)

const (
	// tcpRequestTimeout bounds each whole request on a TCP connection: from
	// accept to the end of the first STUN message (or of the TLS handshake,
	// then of the HTTP request headers), and from one STUN answer to the end
	// of the next message. One deadline for the whole request, not one per
	// read: a client trickling a byte at a time cannot stretch it. A probe
	// sends its request at once, so 5 s is generous.
	tcpRequestTimeout = 5 * time.Second
	// tcpIdleTimeout ends an HTTP keep-alive connection or a WebSocket
	// echo that sends nothing more.
	tcpIdleTimeout = 10 * time.Second
	// maxTCPConns caps concurrent TCP connections in all.
	maxTCPConns = 1024
	// maxTCPPerSource caps those of one source address (one IPv6 /64), so
	// one source cannot take every slot: it would take 16 sources holding
	// their connections as long as the deadlines allow to fill them.
	maxTCPPerSource = 64
	// wsMaxLifetime ends a WebSocket echo however busy it is: a client
	// sending one message just inside the idle deadline would otherwise
	// hold its slot for ever. A probe's echo takes a second or two.
	wsMaxLifetime = time.Minute
	// wsMaxMessage bounds one WebSocket echo message.
	wsMaxMessage = 64 << 10
)

// tcpLimits are the TCP deadlines and caps of a Server (tests shorten them).
type tcpLimits struct {
	request, idle, wsLife, turnIdle time.Duration
	total, perSource                int
}

var defaultTCPLimits = tcpLimits{request: tcpRequestTimeout, idle: tcpIdleTimeout, wsLife: wsMaxLifetime,
	turnIdle: turnTCPIdle, total: maxTCPConns, perSource: maxTCPPerSource}

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
	// ReadHeaderTimeout also bounds the TLS handshake (net/http uses the
	// smallest of its read timeouts for it).
	srv := &http.Server{Handler: s.httpMux(), ReadHeaderTimeout: s.tcp.request, IdleTimeout: s.tcp.idle,
		// Run's context: cancelling it ends hijacked WebSocket echoes, which
		// Shutdown does not wait for.
		BaseContext: func(net.Listener) context.Context { return ctx },
		// Handshake timeouts of scanners are routine on the internet:
		// debug level, not net/http's unconditional log line.
		ErrorLog:  slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
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
	slots := limit.NewSlots(s.tcp.total, s.tcp.perSource)
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		src := limit.SourceKey(c.RemoteAddr())
		if !slots.Take(src) {
			s.metrics.TCPRejected.Add(1)
			_ = c.Close()
			continue
		}
		s.metrics.TCPConns.Add(1)
		live.add(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { live.remove(c); slots.Give(src) }()
			s.serveTCPConn(c, tlsLn)
		}()
	}
}

// serveTCPConn tells TLS (first byte 0x16, a handshake record) from STUN
// (top two bits 00) and hands the connection on. The first request's
// deadline starts at accept.
func (s *Server) serveTCPConn(c net.Conn, tlsLn *chanListener) {
	br := bufio.NewReader(c)
	deadline := time.Now().Add(s.tcp.request)
	_ = c.SetReadDeadline(deadline)
	first, err := br.Peek(1)
	if err != nil {
		_ = c.Close()
		return
	}
	pc := &peekedConn{Conn: c, r: br}
	if first[0] == 0x16 {
		s.metrics.TLSConns.Add(1)
		// net/http sets its own deadlines (handshake, headers, idle).
		_ = c.SetReadDeadline(time.Time{})
		if !tlsLn.push(pc) {
			_ = c.Close()
		}
		return
	}
	defer c.Close()
	s.serveSTUNStream(pc, deadline)
}

// serveSTUNStream answers RFC 8489 §6.2.2 framed STUN over TCP: messages
// back to back, each its 20-byte header plus the length it declares, each
// whole message within its deadline (the first from accept, the next ones
// from the previous answer).
func (s *Server) serveSTUNStream(c *peekedConn, deadline time.Time) {
	from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
	buf := make([]byte, maxDatagram)
	sc := new(scratch)
	for {
		_ = c.SetReadDeadline(deadline)
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
		deadline = time.Now().Add(s.tcp.request)
	}
}

func (s *Server) httpMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/ws", s.wsEcho)
	return s.boundBody(mux)
}

// boundBody puts a deadline on a request's body. Nothing here reads one,
// but net/http drains up to 256 KiB of it before answering, with no
// deadline of its own (ReadHeaderTimeout ends at the headers): a body
// trickled a byte at a time would hold the connection's slot for ever.
func (s *Server) boundBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.tcp.request))
		}
		h.ServeHTTP(w, r)
	})
}

// wsEcho echoes every WebSocket message until the peer goes away or idles.
func (s *Server) wsEcho(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(wsMaxMessage)
	life, stop := context.WithTimeout(r.Context(), s.tcp.wsLife)
	defer stop()
	for {
		ctx, cancel := context.WithTimeout(life, s.tcp.idle)
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
