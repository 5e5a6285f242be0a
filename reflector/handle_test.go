package reflector

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"go.uber.org/goleak"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bindingRequest(t testing.TB, setters ...stun.Setter) []byte {
	t.Helper()
	m, err := stun.Build(append([]stun.Setter{stun.TransactionID, stun.BindingRequest}, setters...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m.Raw
}

func TestHandleSTUN(t *testing.T) {
	s := newTestServer(t, Config{})
	tests := []struct {
		name         string
		req          []byte
		from         string
		wantSoftware bool
		wantFP       bool
	}{
		{"bare ipv4", bindingRequest(t), "198.51.100.7:40000", false, false},
		{"fingerprint ipv4 (check's request)", bindingRequest(t, stun.Fingerprint), "203.0.113.9:5", false, false},
		{"bare ipv6", bindingRequest(t), "[2001:db8::1]:9", false, false},
		{"mapped v4 in v6 socket", bindingRequest(t), "[::ffff:192.0.2.1]:1234", false, false},
		{"padded: room for everything", bindingRequest(t, stun.NewSoftware(string(make([]byte, 64))), stun.Fingerprint), "192.0.2.2:3478", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := netip.MustParseAddrPort(tt.from)
			req := append([]byte(nil), tt.req...)
			reply, ok := s.handle(req, from, new(scratch))
			if !ok {
				t.Fatal("no answer to a Binding request")
			}
			res := &stun.Message{Raw: append([]byte(nil), reply...)}
			if err := res.Decode(); err != nil {
				t.Fatalf("answer does not decode: %v", err)
			}
			reqMsg := &stun.Message{Raw: tt.req}
			_ = reqMsg.Decode()
			if res.Type != stun.BindingSuccess || res.TransactionID != reqMsg.TransactionID {
				t.Fatalf("type %v tid %x, want success with the request's transaction", res.Type, res.TransactionID)
			}
			var xor stun.XORMappedAddress
			if err := xor.GetFrom(res); err != nil {
				t.Fatalf("no XOR-MAPPED-ADDRESS: %v", err)
			}
			got, _ := netip.AddrFromSlice(xor.IP)
			if got.Unmap() != from.Addr().Unmap() || xor.Port != int(from.Port()) {
				t.Errorf("mapped %v:%d, want %v", got, xor.Port, from)
			}
			if res.Contains(stun.AttrSoftware) != tt.wantSoftware || res.Contains(stun.AttrFingerprint) != tt.wantFP {
				t.Errorf("software %v fingerprint %v, want %v %v", res.Contains(stun.AttrSoftware), res.Contains(stun.AttrFingerprint), tt.wantSoftware, tt.wantFP)
			}
			if tt.wantFP {
				if err := stun.Fingerprint.Check(res); err != nil {
					t.Errorf("fingerprint: %v", err)
				}
			}
		})
	}
}

// TestAmplificationBound: no answer is larger than its request, except the
// minimal Binding answer (header + XOR-MAPPED-ADDRESS), documented on handle.
func TestAmplificationBound(t *testing.T) {
	s := newTestServer(t, Config{Rate: -1})
	token := [wire.TokenLen]byte{1, 2, 3}
	for size := wire.HeaderLen; size <= wire.MaxEcho; size += 97 {
		req, _ := wire.NewEchoRequest(token, size)
		reply, ok := s.handle(req, netip.MustParseAddrPort("192.0.2.1:1"), nil)
		if !ok || len(reply) != size || !wire.MatchAnswer(reply, token, size) {
			t.Fatalf("echo of %d bytes: ok %v, %d bytes back", size, ok, len(reply))
		}
	}
	for pad := 0; pad <= 200; pad += 4 {
		var setters []stun.Setter
		if pad > 0 {
			setters = append(setters, stun.NewSoftware(string(bytes.Repeat([]byte("x"), pad))))
		}
		for _, from := range []string{"192.0.2.1:1", "[2001:db8::1]:1"} {
			req := bindingRequest(t, setters...)
			ap := netip.MustParseAddrPort(from)
			minimal := 32
			if ap.Addr().Is6() {
				minimal = 44
			}
			reply, ok := s.handle(req, ap, nil)
			if !ok {
				t.Fatalf("pad %d: no answer", pad)
			}
			if len(reply) > max(len(req), minimal) {
				t.Errorf("pad %d from %s: %d-byte answer to a %d-byte request", pad, from, len(reply), len(req))
			}
		}
	}
}

func TestHandleDropsAndCounts(t *testing.T) {
	s := newTestServer(t, Config{Rate: -1})
	indication, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodBinding, stun.ClassIndication))
	badFP := bindingRequest(t, stun.Fingerprint)
	badFP[len(badFP)-1] ^= 0xff
	truncated := bindingRequest(t, stun.NewSoftware("abc"))
	tests := []struct {
		name          string
		pkt           []byte
		wantMalformed uint64
		wantNotBind   uint64
	}{
		{"empty", nil, 1, 0},
		{"garbage", []byte("hello world, not stun"), 1, 0},
		{"rtp-like", append([]byte{0x80, 0x60}, make([]byte, 30)...), 1, 0},
		{"truncated stun", truncated[:len(truncated)-2], 1, 0},
		{"bad fingerprint", badFP, 1, 0},
		{"echo answer (not a request)", append([]byte("RPA1"), make([]byte, 16)...), 1, 0},
		{"binding indication", indication.Raw, 0, 1},
		{"oversized echo", append([]byte("RPQ1"), make([]byte, wire.MaxEcho)...), 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m0, n0 := s.metrics.Malformed.Load(), s.metrics.NotBinding.Load()
			if reply, ok := s.handle(tt.pkt, netip.MustParseAddrPort("192.0.2.1:1"), nil); ok {
				t.Fatalf("answered with %d bytes, want a drop", len(reply))
			}
			if m, n := s.metrics.Malformed.Load()-m0, s.metrics.NotBinding.Load()-n0; m != tt.wantMalformed || n != tt.wantNotBind {
				t.Errorf("malformed +%d not-binding +%d, want +%d +%d", m, n, tt.wantMalformed, tt.wantNotBind)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	s := newTestServer(t, Config{Rate: 10, Burst: 5})
	now := time.Unix(1000, 0)
	s.limit.Now = func() time.Time { return now }
	a := netip.MustParseAddrPort("192.0.2.1:1")
	b := netip.MustParseAddrPort("192.0.2.2:1")
	answered := func(from netip.AddrPort, n int) (got int) {
		for range n {
			if _, ok := s.handle(bindingRequest(t), from, nil); ok {
				got++
			}
		}
		return got
	}
	if got := answered(a, 20); got != 5 {
		t.Errorf("burst: %d answered, want 5", got)
	}
	if got := answered(b, 3); got != 3 {
		t.Errorf("another source: %d answered, want 3 (buckets are per source)", got)
	}
	now = now.Add(500 * time.Millisecond) // 5 tokens back at 10/s
	if got := answered(a, 20); got != 5 {
		t.Errorf("after refill: %d answered, want 5", got)
	}
	if got := s.metrics.RateLimited.Load(); got != 30 {
		t.Errorf("rate-limited counter %d, want 30", got)
	}
}

func FuzzHandlePacket(f *testing.F) {
	f.Add(bindingRequest(f))
	f.Add(bindingRequest(f, stun.Fingerprint))
	f.Add([]byte("RPQ1" + "0123456789abcdef" + "pad"))
	f.Add([]byte{0, 1, 0, 4, 0x21, 0x12, 0xa4, 0x42})
	f.Add(bindingRequest(f, stun.RawAttribute{Type: 0x7f01, Value: []byte{1}}, stun.Fingerprint))
	f.Add(bindingRequest(f, stun.NewSoftware(wire.ClientSoftware), stun.Fingerprint))
	s := newTestServer(f, Config{Rate: -1})
	// busy answers every datagram from its one source with a notice or
	// nothing: its burst is spent on the first.
	busy := newTestServer(f, Config{Rate: 1e-9, Burst: 1})
	busy.handle(bindingRequest(f), netip.MustParseAddrPort("192.0.2.2:9"), nil)
	out := new(scratch)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		n := len(pkt)
		busyReply, busyOK := busy.handle(append([]byte(nil), pkt...), netip.MustParseAddrPort("192.0.2.2:9"), out)
		if busyOK && len(busyReply) > n {
			t.Fatalf("%d-byte busy notice to a %d-byte packet", len(busyReply), n)
		}
		reply, ok := s.handle(pkt, netip.MustParseAddrPort("192.0.2.1:9"), out)
		if ok && len(reply) > max(n, 44) {
			t.Fatalf("%d-byte answer to a %d-byte packet", len(reply), n)
		}
	})
}

// BenchmarkHandleSTUN: the hot path must not allocate.
func BenchmarkHandleSTUN(b *testing.B) {
	s := newTestServer(b, Config{Rate: -1})
	req := bindingRequest(b, stun.Fingerprint)
	from := netip.MustParseAddrPort("192.0.2.1:9")
	sc := new(scratch)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.handle(req, from, sc); !ok {
			b.Fatal("no answer")
		}
	}
}
