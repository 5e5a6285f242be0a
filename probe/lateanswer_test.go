package probe

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestWebAnswerAfterGiveUp: a request the probe abandons at its deadline
// must end as a timeout, and the server must not hear "I am leaving" (a
// TLS close_notify) while the socket can still take an answer. Go's
// tls.Conn.Close sends close_notify before it closes the socket; a server
// that answers when its client leaves (Go's net/http ends the handler's
// context on it) could get an HTTP 200 into that window, and under load
// (go test -race: hang/ws in TestWebHostileTLS) the probe read it as the
// answer. The server below counts what arrives after the request.
func TestWebAnswerAfterGiveUp(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	port, after := answerOnLeave(t, pki)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	got := runWeb(t, env, nil,
		webTarget("late", "wss://ok.test:"+strconv.Itoa(port)+"/ws"),
		webTarget("lateget", "https://ok.test:"+strconv.Itoa(port)+"/"),
	)
	checkWant(t, got, "late/ws", want{result.KindWebSocket, result.StatusBlocked, "timeout", "upgrade"})
	checkWant(t, got, "lateget/https", want{result.KindHTTPS, result.StatusBlocked, "timeout", "request"})
	if n := after.Load(); n != 0 {
		t.Errorf("the probe sent %d bytes (a TLS close_notify) to servers it had given up on before closing the socket", n)
	}
}

// countConn counts the bytes read once armed.
type countConn struct {
	net.Conn
	armed atomic.Bool
	n     *atomic.Int64
}

func (c *countConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.armed.Load() {
		c.n.Add(int64(n))
	}
	return n, err
}

// answerOnLeave reads one HTTP request over TLS, then says nothing until
// the client's side ends (close_notify or EOF) and writes a 200 then, as a
// handler waiting on its request's context does. after counts the raw
// bytes the clients sent once their request was read.
func answerOnLeave(t testing.TB, pki testPKI) (int, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	after := new(atomic.Int64)
	cfg := &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				cc := &countConn{Conn: raw, n: after}
				c := tls.Server(cc, cfg)
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				cc.armed.Store(true)
				_, _ = io.Copy(io.Discard, br) // until close_notify or EOF
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().(*net.TCPAddr).Port, after
}
