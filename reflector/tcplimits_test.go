package reflector

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// dialFrom connects to addr from a given loopback source address.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: testTimeout}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stunOverTCP sends one Binding request on c and reads the answer.
func stunOverTCP(t *testing.T, c net.Conn) error {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := c.Write(bindingRequest(t)); err != nil {
		return err
	}
	_, err := io.ReadFull(c, make([]byte, 32))
	return err
}

// TestTCPIdleFloodLeavesRoom: 600 idle connections from one address (the
// issue's attack) take at most that source's share; a client from another
// address is still answered while they are held.
func TestTCPIdleFloodLeavesRoom(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TCPPort: freeTCPPort(t)})
	run(t, s)
	tcpAddr, _, _ := s.Addrs()
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 600 {
		idle = append(idle, dialFrom(t, "127.0.0.1", tcpAddr.String()))
	}
	// The server refuses the flood's excess as it accepts it; wait until
	// it has seen all 600 (bounded by testTimeout).
	deadline := time.Now().Add(testTimeout)
	for s.metrics.TCPConns.Load()+s.metrics.TCPRejected.Load() < 600 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.metrics.TCPConns.Load(); got > maxTCPPerSource {
		t.Errorf("one source holds %d connections, want at most %d", got, maxTCPPerSource)
	}
	c := dialFrom(t, "127.0.0.2", tcpAddr.String())
	defer c.Close()
	if err := stunOverTCP(t, c); err != nil {
		t.Fatalf("another address is locked out while one address holds idle connections: %v", err)
	}
}

// TestTCPTrickleCannotHoldASlot: a client sending its request a byte at a
// time is cut off by the whole-request deadline before it can finish,
// however often it sends.
func TestTCPTrickleCannotHoldASlot(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TCPPort: freeTCPPort(t)})
	s.tcp.request = 500 * time.Millisecond
	run(t, s)
	tcpAddr, _, _ := s.Addrs()
	for _, first := range []byte{0x00, 0x16} { // STUN, then TLS
		c := dialFrom(t, "127.0.0.1", tcpAddr.String())
		req := bindingRequest(t)
		req[0] = first
		closed := false
		for i := 0; i < len(req) && !closed; i++ {
			if _, err := c.Write(req[i : i+1]); err != nil {
				closed = true
				break
			}
			// One byte every 100 ms, well within any per-read timeout: 2 s
			// for the 20 bytes, four times the request deadline.
			_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := c.Read(make([]byte, 64)); err != nil && !isTimeoutErr(err) {
				closed = true
			}
		}
		c.Close()
		if !closed {
			t.Errorf("first byte %#x: the server let a trickled request run past its deadline", first)
		}
	}
}

func isTimeoutErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestTCPTrickledBodyCannotHoldASlot: headers sent at once, then a body
// declared and trickled a byte at a time: net/http waits for the body
// before answering, so only a deadline on it frees the slot.
func TestTCPTrickledBodyCannotHoldASlot(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TCPPort: freeTCPPort(t)})
	s.tcp.request = 500 * time.Millisecond
	run(t, s)
	tcpAddr, _, _ := s.Addrs()
	c := tls.Client(dialFrom(t, "127.0.0.1", tcpAddr.String()), &tls.Config{InsecureSkipVerify: true})
	defer c.Close()
	if _, err := c.Write([]byte("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	closed := false
	// One byte every 100 ms for 3 s, six times the request deadline.
	for i := 0; i < 30 && !closed; i++ {
		if _, err := c.Write([]byte("a")); err != nil {
			closed = true
			break
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, 512)
		for {
			n, err := c.Read(buf)
			if err != nil {
				closed = !isTimeoutErr(err)
				break
			}
			_ = n // the answer may come first; the close must follow
		}
	}
	if !closed {
		t.Error("a trickled request body held the connection past the request deadline")
	}
}

// TestWSEchoHasALifetime: a WebSocket client echoing a message every
// 100 ms, well within the idle deadline, is still cut off once the echo's
// lifetime is over, so it cannot hold its slot for ever.
func TestWSEchoHasALifetime(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TCPPort: freeTCPPort(t)})
	s.tcp.wsLife = 500 * time.Millisecond
	run(t, s)
	tcpAddr, _, _ := s.Addrs()
	hc := &http.Client{Timeout: testTimeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test cert
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://"+tcpAddr.String()+"/ws", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	start := time.Now()
	for time.Since(start) < 3*time.Second { // six lifetimes
		if ws.Write(ctx, websocket.MessageText, []byte("x")) != nil {
			return
		}
		if _, _, err := ws.Read(ctx); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("a busy WebSocket echo outlived its lifetime")
}

// TestTURNTCPIdleFloodBounded: the TURN port's TCP listener has the main
// port's caps and a first-request deadline. Idle connections from one
// address (pion kept 2,000 of them open for ever) are cut to the
// per-source cap and then closed, and another address is still answered.
func TestTURNTCPIdleFloodBounded(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TURN: &TURNConfig{
		Port: freeUDPPort(t), Users: map[string]string{"alice": "secret"}, RelayMin: 43000, RelayMax: 43999,
	}})
	s.tcp.perSource = 8
	s.tcp.request = 300 * time.Millisecond
	run(t, s)
	_, _, turnAddr := s.Addrs()
	var idle []net.Conn
	for range 50 {
		idle = append(idle, dialFrom(t, "127.0.0.1", turnAddr.String()))
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	other := dialFrom(t, "127.0.0.2", turnAddr.String())
	defer other.Close()
	if err := stunOverTCP(t, other); err != nil {
		t.Fatalf("another address is not answered while one holds idle connections: %v", err)
	}
	for i, c := range idle {
		_ = c.SetReadDeadline(time.Now().Add(testTimeout))
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeoutErr(err) {
			t.Fatalf("idle connection %d still open after %v (err %v)", i, testTimeout, err)
		}
	}
}
