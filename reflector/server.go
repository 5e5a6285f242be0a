package reflector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector/internal/limit"
)

// DefaultUDPPorts are the TRTC media ports (docs/facts.md: UDP 8000, 8080,
// 8800, 843, 443, 16285).
var DefaultUDPPorts = []int{8000, 8080, 8800, 843, 443, 16285}

// Limits and timeouts.
const (
	// shutdownTimeout bounds a graceful stop: long enough for in-flight
	// HTTP/WebSocket exchanges to finish, short enough for systemd's stop.
	shutdownTimeout = 5 * time.Second
	// DefaultRate and DefaultBurst are per source IP, and a whole office
	// behind one NAT is one source. A check sends each reflector port one
	// Binding request and, once answered, three echo datagrams: 24
	// datagrams on an open path, all within its first half second
	// (retransmissions only where datagrams get lost). The burst holds 400
	// checks starting at the same moment (9600 datagrams); the rate refills
	// 100 checks a second, so a fleet of 1000 whose checks start within
	// ten seconds gets every answer. What the limit still bounds: what a
	// spoofed source can make the reflector send one victim, and no answer
	// is larger than its request by more than 24 bytes (echo: equal).
	DefaultRate  = 2400
	DefaultBurst = 9600
	// noticeFactor, minNoticeRate and minNoticeBurst size the budget of
	// busy notices (handle.go) to a source over its limit: a limited check
	// must hear "busy" for every port, or the silence reads as a firewall
	// drop. A notice is 20 or 28 bytes and never larger than its request,
	// so even this budget reflects less than an attacker sends.
	noticeFactor   = 4
	minNoticeRate  = 1000
	minNoticeBurst = 4000
	// maxSources bounds the rate limiter's map (about 100 bytes per entry).
	maxSources = 1 << 16
	// maxDatagram is the read buffer: larger than any Ethernet MTU.
	maxDatagram = 2048
)

// Config configures a Server. The zero value of a field means its default.
type Config struct {
	// Listen is the IP to bind; empty means all addresses.
	Listen string
	// UDPPorts answer STUN and echo; nil means DefaultUDPPorts.
	UDPPorts []int
	// TCPPort serves STUN over TCP and TLS (HTTP /healthz, WebSocket /ws);
	// 0 disables it.
	TCPPort int
	// TLS holds certificate and key files; empty means a self-signed
	// certificate generated at start.
	TLSCert, TLSKey string
	// Rate (datagrams per second per source IP) and Burst; Rate < 0
	// disables the limit, 0 means DefaultRate.
	Rate  float64
	Burst int
	// Metrics is the address of the Prometheus endpoint; empty disables it.
	Metrics string
	// MetricsAnyAddr allows a non-loopback metrics address.
	MetricsAnyAddr bool
	// TURN configures the embedded TURN server; nil disables it.
	TURN *TURNConfig
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running reflector. Create with New, run with Run.
type Server struct {
	cfg     Config
	log     *slog.Logger
	limit   *limit.Buckets
	notice  *limit.Buckets // busy notices to sources over limit (handle.go)
	tcp     tcpLimits
	metrics counters
	flows   flowTable // the quality flow's state (flow.go)

	ready chan struct{} // closed once every socket is bound

	mu          sync.Mutex // protects the fields below
	udp         []net.PacketConn
	closers     []func(context.Context) error
	tcpAddr     net.Addr
	metricsAddr net.Addr
	turnAddr    net.Addr
}

// Ready is closed once Run has bound every socket.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addrs returns the bound TCP, metrics and TURN addresses (nil when off).
func (s *Server) Addrs() (tcp, metrics, turn net.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tcpAddr, s.metricsAddr, s.turnAddr
}

// New validates cfg and returns a Server that is not yet listening.
func New(cfg Config) (*Server, error) {
	if cfg.UDPPorts == nil {
		cfg.UDPPorts = DefaultUDPPorts
	}
	for _, p := range cfg.UDPPorts {
		if p < 0 || p > 65535 { // 0: an ephemeral port (tests)
			return nil, fmt.Errorf("%w: UDP port %d out of range 0-65535", ErrConfig, p)
		}
	}
	if cfg.Listen != "" {
		if _, err := netip.ParseAddr(cfg.Listen); err != nil {
			return nil, fmt.Errorf("%w: --listen %q is not an IP address", ErrConfig, cfg.Listen)
		}
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := checkMetricsAddr(cfg.Metrics, cfg.MetricsAnyAddr); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, log: cfg.Logger, ready: make(chan struct{}), tcp: defaultTCPLimits,
		limit:  limit.NewBuckets(cfg.Rate, cfg.Burst, maxSources),
		notice: limit.NewBuckets(max(noticeFactor*cfg.Rate, minNoticeRate), max(noticeFactor*cfg.Burst, minNoticeBurst), maxSources)}, nil
}

func (s *Server) hostPort(port int) string {
	return net.JoinHostPort(s.cfg.Listen, strconv.Itoa(port))
}

// Run binds every socket, serves until ctx is done, then shuts down within
// shutdownTimeout. A bind failure stops everything and is returned.
func (s *Server) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	if err := s.start(ctx, &wg); err != nil {
		s.shutdown()
		return err
	}
	close(s.ready)
	s.log.Info("reflector ready", "listen", s.cfg.Listen, "udp_ports", s.cfg.UDPPorts, "tcp_port", s.cfg.TCPPort)
	<-ctx.Done()
	s.log.Info("shutting down")
	s.shutdown()
	return nil
}

func (s *Server) start(ctx context.Context, wg *sync.WaitGroup) error {
	for _, p := range s.cfg.UDPPorts {
		pc, err := net.ListenPacket("udp", s.hostPort(p))
		if err != nil {
			return fmt.Errorf("udp port %d: %w", p, err)
		}
		s.mu.Lock()
		s.udp = append(s.udp, pc)
		s.mu.Unlock()
		wg.Add(1)
		go func() { defer wg.Done(); s.serveUDP(pc) }()
	}
	if s.cfg.TCPPort != 0 {
		if err := s.startTCP(ctx, wg); err != nil {
			return err
		}
	}
	if s.cfg.Metrics != "" {
		if err := s.startMetrics(wg); err != nil {
			return err
		}
	}
	if s.cfg.TURN != nil {
		if err := s.startTURN(); err != nil {
			return err
		}
	}
	return nil
}

// addCloser registers a stop function run by shutdown.
func (s *Server) addCloser(f func(context.Context) error) {
	s.mu.Lock()
	s.closers = append(s.closers, f)
	s.mu.Unlock()
}

func (s *Server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	s.mu.Lock()
	udp, closers := s.udp, s.closers
	s.mu.Unlock()
	for _, pc := range udp {
		_ = pc.Close()
	}
	for _, f := range closers {
		if err := f(ctx); err != nil {
			s.log.Warn("shutdown", "err", err)
		}
	}
}

// UDPAddrs returns the bound UDP addresses (useful with port 0 in tests).
func (s *Server) UDPAddrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, 0, len(s.udp))
	for _, pc := range s.udp {
		out = append(out, pc.LocalAddr())
	}
	return out
}

func (s *Server) serveUDP(pc net.PacketConn) {
	buf := make([]byte, maxDatagram)
	sc := new(scratch)
	uc, _ := pc.(*net.UDPConn)
	for {
		var n int
		var from netip.AddrPort
		var err error
		if uc != nil {
			n, from, err = uc.ReadFromUDPAddrPort(buf)
		} else {
			var a net.Addr
			n, a, err = pc.ReadFrom(buf)
			if ua, ok := a.(*net.UDPAddr); ok {
				from = ua.AddrPort()
			}
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // transient (e.g. ICMP-induced errors on some OSes)
		}
		reply, ok := s.handle(buf[:n], from, sc)
		if !ok {
			continue
		}
		if uc != nil {
			_, _ = uc.WriteToUDPAddrPort(reply, from)
		} else {
			_, _ = pc.WriteTo(reply, net.UDPAddrFromAddrPort(from))
		}
	}
}
