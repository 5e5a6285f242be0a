package reflector

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/stun/v4"
)

// testTimeout bounds every network wait in these loopback tests so a bug
// fails the test instead of hanging it.
const testTimeout = 5 * time.Second

// run starts s and stops it at cleanup, failing if Run does not return
// within shutdownTimeout plus a margin.
func run(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(testTimeout):
		cancel()
		t.Fatal("server not ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(shutdownTimeout + testTimeout):
			t.Error("Run did not return after cancel")
		}
	})
}

func TestUDPSocketsAnswer(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{0, 0}})
	run(t, s)
	for _, addr := range s.UDPAddrs() {
		c, err := net.Dial("udp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(testTimeout))
		if _, err := c.Write(bindingRequest(t, stun.Fingerprint)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		checkMapped(t, buf[:n], c.LocalAddr().(*net.UDPAddr))
	}
}

func checkMapped(t *testing.T, raw []byte, want *net.UDPAddr) {
	t.Helper()
	m := &stun.Message{Raw: raw}
	var xor stun.XORMappedAddress
	if err := m.Decode(); err != nil {
		t.Fatal(err)
	}
	if err := xor.GetFrom(m); err != nil {
		t.Fatal(err)
	}
	if !xor.IP.Equal(want.IP) || xor.Port != want.Port {
		t.Errorf("mapped %s, want %s", xor.String(), want)
	}
}

func TestTCPSTUNAndTLS(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TCPPort: freeTCPPort(t)})
	run(t, s)
	tcpAddr, _, _ := s.Addrs()

	c, err := net.DialTimeout("tcp", tcpAddr.String(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	for range 2 { // two framed requests on one connection
		if _, err := c.Write(bindingRequest(t)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 32)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		la := c.LocalAddr().(*net.TCPAddr)
		checkMapped(t, buf, &net.UDPAddr{IP: la.IP, Port: la.Port})
	}

	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // self-signed test cert
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: testTimeout}
	resp, err := hc.Get("https://" + tcpAddr.String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://"+tcpAddr.String()+"/ws", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.Read(ctx); err != nil || string(msg) != "ping" {
		t.Errorf("ws echo: %q %v", msg, err)
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestMetricsEndpoint(t *testing.T) {
	for _, tt := range []struct {
		addr    string
		force   bool
		wantErr error
	}{
		{"127.0.0.1:9464", false, nil},
		{"[::1]:9464", false, nil},
		{"localhost:9464", false, nil},
		{"0.0.0.0:9464", false, ErrMetricsBind},
		{":9464", false, ErrMetricsBind},
		{"192.0.2.1:9464", false, ErrMetricsBind},
		{"192.0.2.1:9464", true, nil},
		{"nonsense", false, ErrConfig},
	} {
		if err := checkMetricsAddr(tt.addr, tt.force); !errors.Is(err, tt.wantErr) {
			t.Errorf("checkMetricsAddr(%q, %v) = %v, want %v", tt.addr, tt.force, err, tt.wantErr)
		}
	}

	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, Metrics: "127.0.0.1:0"})
	s.metrics.STUNAnswered.Add(7)
	run(t, s)
	_, m, _ := s.Addrs()
	hc := &http.Client{Timeout: testTimeout}
	resp, err := hc.Get("http://" + m.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\nrtcprobe_stun_answered_total 7\n") {
		t.Errorf("metrics body lacks the counter:\n%s", body)
	}
}

// TestShutdownUnblocksAndFreesPorts: an idle raw TCP client and an open
// WebSocket must not hold shutdown, and the ports are free afterwards.
func TestShutdownUnblocksAndFreesPorts(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{0}, TCPPort: freeTCPPort(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-s.Ready()
	tcpAddr, _, _ := s.Addrs()
	idle, err := net.Dial("tcp", tcpAddr.String()) // an idle client must not hold shutdown
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	hc := &http.Client{Timeout: testTimeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test cert
	wctx, wcancel := context.WithTimeout(context.Background(), testTimeout)
	defer wcancel()
	ws, _, err := websocket.Dial(wctx, "wss://"+tcpAddr.String()+"/ws", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	cancel()
	if _, _, err := ws.Read(wctx); err == nil {
		t.Error("WebSocket still open after shutdown")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(shutdownTimeout + testTimeout):
		t.Fatal("Run did not return")
	}
	l, err := net.Listen("tcp", tcpAddr.String())
	if err != nil {
		t.Fatalf("TCP port still bound after shutdown: %v", err)
	}
	l.Close()
}

func TestBindFailureIsAnError(t *testing.T) {
	busy, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{busy.LocalAddr().(*net.UDPAddr).Port}})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := s.Run(ctx); err == nil {
		t.Fatal("Run on a busy port returned nil")
	}
}
