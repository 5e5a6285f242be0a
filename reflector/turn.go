package reflector

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/pion/turn/v5"

	"github.com/rtcprobe/rtcprobe/reflector/internal/limit"
)

// TURNConfig configures the embedded TURN server.
type TURNConfig struct {
	// Port serves TURN over UDP and TCP.
	Port int
	// Realm of the long-term credentials; empty means "rtcprobe".
	Realm string
	// Users maps user names to passwords. Never logged.
	Users map[string]string
	// RelayMin and RelayMax bound the relay ports (0 means 49152-65535).
	RelayMin, RelayMax uint16
	// ExternalIP is the relay address told to clients; empty means the
	// listen address (or 127.0.0.1 when listening on all addresses).
	ExternalIP string
	// AllowPrivatePeers permits relaying to loopback, link-local, private,
	// multicast and unspecified addresses (lab use only).
	AllowPrivatePeers bool
	// PerUser and Total cap live allocations (0 means 10 and 1000).
	PerUser, Total int
}

// ParseUsers reads "user:password" lines; blank lines and # comments are
// skipped. Errors name the line, never the password.
func ParseUsers(r io.Reader) (map[string]string, error) {
	users := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, p, ok := strings.Cut(line, ":")
		if !ok || u == "" || p == "" {
			return nil, fmt.Errorf("%w: TURN users line %d: want user:password", ErrConfig, n)
		}
		users[u] = p
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: TURN users: %v", ErrConfig, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("%w: TURN users: no user:password line", ErrConfig)
	}
	return users, nil
}

// peerAllowed is the relay deny-list: a relay to these ranges would give
// any credential holder a foothold inside the reflector's own network.
func peerAllowed(ip net.IP, allowPrivate bool) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	a = a.Unmap()
	if allowPrivate {
		return true
	}
	return !(a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() || isCGNAT(a))
}

// isCGNAT: 100.64.0.0/10 (RFC 6598) is private in practice too.
func isCGNAT(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xC0 == 64
}

// turnQuota counts live allocations per user.
type turnQuota struct {
	mu      sync.Mutex // protects perUser
	perUser map[string]int
}

func (s *Server) startTURN() error {
	tc := *s.cfg.TURN
	if tc.Realm == "" {
		tc.Realm = "rtcprobe"
	}
	if tc.RelayMin == 0 && tc.RelayMax == 0 {
		tc.RelayMin, tc.RelayMax = 49152, 65535
	}
	if tc.PerUser == 0 {
		tc.PerUser = 10
	}
	if tc.Total == 0 {
		tc.Total = 1000
	}
	relayIP := tc.ExternalIP
	if relayIP == "" {
		relayIP = s.cfg.Listen
	}
	if relayIP == "" || net.ParseIP(relayIP).IsUnspecified() {
		relayIP = "127.0.0.1"
		s.log.Warn("TURN without --external-ip: relay addresses are 127.0.0.1, set --external-ip to the public address")
	}
	ip := net.ParseIP(relayIP)
	if ip == nil {
		return fmt.Errorf("%w: --external-ip %q is not an IP address", ErrConfig, relayIP)
	}
	pc, err := net.ListenPacket("udp", s.hostPort(tc.Port))
	if err != nil {
		return fmt.Errorf("turn udp port %d: %w", tc.Port, err)
	}
	tcpLn, err := net.Listen("tcp", s.hostPort(tc.Port))
	if err != nil {
		_ = pc.Close()
		return fmt.Errorf("turn tcp port %d: %w", tc.Port, err)
	}
	ln := &slotListener{Listener: tcpLn, slots: limit.NewSlots(s.tcp.total, s.tcp.perSource),
		first: s.tcp.request, idle: s.tcp.turnIdle, rejected: func() { s.metrics.TCPRejected.Add(1) }}
	bindAddr := s.cfg.Listen
	if bindAddr == "" {
		bindAddr = "0.0.0.0"
	}
	gen := func() turn.RelayAddressGenerator {
		return &turn.RelayAddressGeneratorPortRange{RelayAddress: ip, Address: bindAddr, MinPort: tc.RelayMin, MaxPort: tc.RelayMax}
	}
	perm := func(_ net.Addr, peer net.IP) bool {
		if peerAllowed(peer, tc.AllowPrivatePeers) {
			return true
		}
		s.metrics.TURNPeerDeny.Add(1)
		return false
	}
	srv, err := turn.NewServer(s.turnServerConfig(tc, pc, ln, gen, perm))
	if err != nil {
		_ = pc.Close()
		_ = ln.Close()
		return fmt.Errorf("%w: TURN: %v", ErrConfig, err)
	}
	s.mu.Lock()
	s.turnAddr = pc.LocalAddr()
	s.mu.Unlock()
	s.addCloser(func(context.Context) error { return srv.Close() })
	s.log.Info("TURN ready", "port", tc.Port, "realm", tc.Realm, "users", len(tc.Users), "relay", relayIP,
		"relay_ports", fmt.Sprintf("%d-%d", tc.RelayMin, tc.RelayMax), "allow_private_peers", tc.AllowPrivatePeers)
	return nil
}

func (s *Server) turnServerConfig(tc TURNConfig, pc net.PacketConn, ln net.Listener,
	gen func() turn.RelayAddressGenerator, perm turn.PermissionHandler) turn.ServerConfig {
	q := &turnQuota{perUser: map[string]int{}}
	keys := make(map[string][]byte, len(tc.Users))
	for u, p := range tc.Users {
		keys[u] = turn.GenerateAuthKey(u, tc.Realm, p)
	}
	return turn.ServerConfig{
		Realm: tc.Realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			k, ok := keys[ra.Username]
			if !ok { // pion reports only wrong passwords to OnAuth
				s.metrics.TURNAuthFail.Add(1)
			}
			return ra.Username, k, ok
		},
		QuotaHandler: func(user, _ string, _ net.Addr) bool {
			q.mu.Lock()
			defer q.mu.Unlock()
			if q.perUser[user] >= tc.PerUser || int(s.metrics.TURNAllocs.Load()) >= tc.Total {
				s.metrics.TURNQuotaDeny.Add(1)
				return false
			}
			return true
		},
		EventHandler: turn.EventHandler{
			OnAuth: func(_, _ net.Addr, _, _, _, _ string, ok bool) {
				if !ok {
					s.metrics.TURNAuthFail.Add(1)
				}
			},
			OnAllocationCreated: func(_, _ net.Addr, _, user, _ string, _ net.Addr, _ int) {
				q.mu.Lock()
				q.perUser[user]++
				q.mu.Unlock()
				s.metrics.TURNAllocs.Add(1)
			},
			OnAllocationDeleted: func(_, _ net.Addr, _, user, _ string) {
				q.mu.Lock()
				if q.perUser[user]--; q.perUser[user] <= 0 {
					delete(q.perUser, user)
				}
				q.mu.Unlock()
				s.metrics.TURNAllocs.Add(-1)
			},
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: newTURNGuard(pc, &s.metrics), RelayAddressGenerator: gen(), PermissionHandler: perm}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: ln, RelayAddressGenerator: gen(), PermissionHandler: perm}},
	}
}
