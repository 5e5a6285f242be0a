package reflector

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"
)

func TestParseUsers(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"alice:pw\n# comment\n\nbob:x:y\n", 2, false},
		{"alice\n", 0, true},
		{":pw\n", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseUsers(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr || len(got) != tt.want {
			t.Errorf("ParseUsers(%q) = %d users, %v; want %d, err %v", tt.in, len(got), err, tt.want, tt.wantErr)
		}
		if err != nil && (!errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "pw")) {
			t.Errorf("error %q: want ErrConfig and no password", err)
		}
	}
	if u, _ := ParseUsers(strings.NewReader("bob:x:y")); u["bob"] != "x:y" {
		t.Errorf("password with a colon: %q", u["bob"])
	}
}

func TestPeerAllowed(t *testing.T) {
	for _, tt := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false},
		{"192.168.1.1", false}, {"169.254.169.254", false}, {"fe80::1", false}, {"fc00::1", false},
		{"224.0.0.1", false}, {"0.0.0.0", false}, {"::", false}, {"100.64.0.1", false},
		{"::ffff:127.0.0.1", false}, {"198.51.100.1", true}, {"2001:db8::1", true}, {"100.128.0.1", true},
	} {
		if got := peerAllowed(net.ParseIP(tt.ip), false); got != tt.want {
			t.Errorf("peerAllowed(%s) = %v, want %v", tt.ip, got, tt.want)
		}
		if !peerAllowed(net.ParseIP(tt.ip), true) {
			t.Errorf("peerAllowed(%s, allowPrivate) = false", tt.ip)
		}
	}
}

// TestTURNRelayDenyList: a pion TURN client allocates on the embedded
// server and asks for a permission to the reflector's own loopback STUN
// port: refused by default, allowed (and relayed: the reflector answers the
// relay address) with AllowPrivatePeers.
func TestTURNRelayDenyList(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "allow-private-peers"}[allow], func(t *testing.T) {
			s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{0}, TURN: &TURNConfig{
				Port: freeUDPPort(t), Users: map[string]string{"alice": "secret"}, RelayMin: 40000, RelayMax: 40999, AllowPrivatePeers: allow,
			}})
			run(t, s)
			relay, client := allocate(t, s, "alice", "secret")
			peer := s.UDPAddrs()[0]
			err := client.CreatePermission(peer)
			if !allow {
				if err == nil {
					t.Fatal("permission to loopback granted")
				}
				if s.metrics.TURNPeerDeny.Load() == 0 {
					t.Error("deny not counted")
				}
				return
			}
			if err != nil {
				t.Fatalf("CreatePermission: %v", err)
			}
			_ = relay.SetDeadline(time.Now().Add(testTimeout))
			if _, err := relay.WriteTo(bindingRequest(t, stun.Fingerprint), peer); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1500)
			n, _, err := relay.ReadFrom(buf)
			if err != nil {
				t.Fatalf("no answer through the relay: %v", err)
			}
			checkMapped(t, buf[:n], relay.LocalAddr().(*net.UDPAddr))
		})
	}
}

func TestTURNQuotaAndAuth(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TURN: &TURNConfig{
		Port: freeUDPPort(t), Users: map[string]string{"alice": "secret"}, RelayMin: 41000, RelayMax: 41999, PerUser: 1,
	}})
	run(t, s)
	allocate(t, s, "alice", "secret")
	if _, err := tryAllocate(t, s, "alice", "secret"); err == nil {
		t.Error("second allocation over a per-user quota of 1 succeeded")
	}
	if s.metrics.TURNQuotaDeny.Load() != 1 {
		t.Errorf("quota denials %d, want 1", s.metrics.TURNQuotaDeny.Load())
	}
	if _, err := tryAllocate(t, s, "alice", "wrong"); err == nil {
		t.Error("allocation with a wrong password succeeded")
	}
	if _, err := tryAllocate(t, s, "mallory", "secret"); err == nil {
		t.Error("allocation by an unknown user succeeded")
	}
	if got := s.metrics.TURNAuthFail.Load(); got < 2 {
		t.Errorf("auth failures %d, want at least 2", got)
	}
}

// freeUDPPort returns a loopback port free for UDP and for TCP (the TURN
// server listens on both): a UDP port alone may be some client's TCP port.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		c.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return 0
}

func allocate(t *testing.T, s *Server, user, pass string) (net.PacketConn, *turn.Client) {
	t.Helper()
	c, err := tryAllocate(t, s, user, pass)
	if err != nil {
		t.Fatalf("allocate: %v", err)
	}
	return c.relay, c.client
}

type allocation struct {
	relay  net.PacketConn
	client *turn.Client
}

func tryAllocate(t *testing.T, s *Server, user, pass string) (allocation, error) {
	t.Helper()
	_, _, turnAddr := s.Addrs()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	client, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: turnAddr.String(), STUNServerAddr: turnAddr.String(),
		Username: user, Password: pass, Realm: "rtcprobe", Conn: conn, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); conn.Close() })
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := client.Allocate()
	if err != nil {
		return allocation{}, err
	}
	t.Cleanup(func() { relay.Close() })
	return allocation{relay, client}, nil
}
