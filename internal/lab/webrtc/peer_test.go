package webrtc

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/result"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testRealm = "lab"
	testUser  = "lab"
	testPass  = probe.Secret("not-the-real-one")
)

// startTURN runs a pion/turn server on 127.0.0.1 (UDP and TCP, one port)
// relaying on 127.0.0.1.
func startTURN(t *testing.T) string {
	t.Helper()
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := udp.LocalAddr().(*net.UDPAddr).Port
	tcp, err := net.Listen("tcp4", udp.LocalAddr().String())
	if err != nil {
		udp.Close()
		t.Skipf("TCP port %d is taken: %v", port, err)
	}
	key := turn.GenerateAuthKey(testUser, testRealm, testPass.Reveal())
	gen := &turn.RelayAddressGeneratorStatic{RelayAddress: net.IPv4(127, 0, 0, 1), Address: "127.0.0.1"}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         testRealm,
		LoggerFactory: logging.NewDefaultLoggerFactory(),
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == testUser
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: gen}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: gen}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return udp.LocalAddr().String()
}

// freeUDPPort returns a UDP port free on 127.0.0.1 a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startProxy runs an HTTP CONNECT proxy on loopback that allows CONNECT
// when allow is true and answers 403 otherwise; it returns its URL.
func startProxy(t *testing.T, allow bool) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveConnect(c, allow) })
		}
	})
	return "http://" + ln.Addr().String()
}

func serveConnect(c net.Conn, allow bool) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect || !allow {
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\n\r\n")
		return
	}
	up, err := net.Dial("tcp4", req.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() { io.Copy(up, br); up.Close() }()
	io.Copy(c, up)
}

// pair runs an answerer and one offer on loopback and returns the result.
func pair(t *testing.T, cfg OfferConfig) Result {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		Answer(ctx, AnswerConfig{IP: "127.0.0.1", Port: freeUDPPort(t), Dir: dir, Loopback: true})
	})
	cfg.Dir, cfg.Loopback = dir, true
	if cfg.Username == "" {
		cfg.Username, cfg.Password = testUser, testPass
	}
	return Offer(ctx, cfg)
}

func TestPaths(t *testing.T) {
	turnAddr := startTURN(t)
	_, turnPort, _ := net.SplitHostPort(turnAddr)
	tests := []struct {
		name       string
		cfg        OfferConfig
		want       bool
		wantLocal  string
		wantErrHas string
	}{
		{"direct-udp", OfferConfig{Path: result.PathDirectUDP}, true, "host", ""},
		{"turn-udp", OfferConfig{Path: result.PathTURNUDP, TURN: turnAddr}, true, "relay", ""},
		{"turn-tcp", OfferConfig{Path: result.PathTURNTCP, TURN: turnAddr}, true, "relay", ""},
		{"turn-tcp via proxy", OfferConfig{Path: result.PathTURNTCP, TURN: turnAddr, HTTPProxy: startProxy(t, true)}, true, "relay", ""},
		// Chromium does not fall back to a direct connection when the
		// proxy refuses, even though the TURN server is reachable.
		{"turn-tcp proxy refuses", OfferConfig{Path: result.PathTURNTCP, TURN: turnAddr, HTTPProxy: startProxy(t, false)}, false, "", "no candidate"},
		// UDP ignores the proxy.
		{"turn-udp proxy refuses", OfferConfig{Path: result.PathTURNUDP, TURN: turnAddr, HTTPProxy: startProxy(t, false)}, true, "relay", ""},
		{"turn port 843 refused", OfferConfig{Path: result.PathTURNUDP, TURN: "127.0.0.1:843"}, false, "", "port 843"},
		{"wrong password", OfferConfig{Path: result.PathTURNUDP, TURN: "127.0.0.1:" + turnPort, Username: testUser, Password: "wrong"}, false, "", "no candidate"},
		{"bad path", OfferConfig{Path: "turn-quic"}, false, "", "--path"},
		{"bad turn", OfferConfig{Path: result.PathTURNTCP, TURN: "turn.example"}, false, "", "host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pair(t, tt.cfg)
			if got.Connected != tt.want || got.Local != tt.wantLocal {
				t.Fatalf("got %+v, want connected=%v local=%q", got, tt.want, tt.wantLocal)
			}
			if tt.wantErrHas != "" && !strings.Contains(got.Error, tt.wantErrHas) {
				t.Errorf("error %q does not mention %q", got.Error, tt.wantErrHas)
			}
			if tt.want && got.Error != "" {
				t.Errorf("connected with error %q", got.Error)
			}
			if strings.Contains(got.Error, testPass.Reveal()) {
				t.Errorf("the password leaked into the error: %q", got.Error)
			}
		})
	}
}

func TestAllowedTURNPort(t *testing.T) {
	for port, want := range map[int]bool{53: true, 80: true, 443: true, 1024: true, 3478: true, 65535: true, 843: false, 22: false, 1023: false, 5: false} {
		if got := AllowedTURNPort(port); got != want {
			t.Errorf("AllowedTURNPort(%d) = %v, want %v", port, got, want)
		}
	}
}
