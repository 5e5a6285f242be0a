package reflector

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

// fakeClock is a settable clock for the flow table.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newFlowServer(t *testing.T) (*Server, *fakeClock) {
	t.Helper()
	s := newTestServer(t, Config{Rate: -1})
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s.flows.now = clk.now
	return s, clk
}

func flowPkt(t *testing.T, f wire.Flow, size int) []byte {
	t.Helper()
	b, err := wire.AppendFlow(nil, f, size)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hello returns the cookie the server gives from.
func hello(t *testing.T, s *Server, from netip.AddrPort, id uint64) [wire.CookieLen]byte {
	t.Helper()
	req := flowPkt(t, wire.Flow{Kind: wire.FlowHello, FlowID: id, ClientSend: 42}, wire.FlowHeaderLen)
	out, ok := s.handle(req, from, nil)
	if !ok {
		t.Fatal("hello not answered")
	}
	if len(out) > len(req) {
		t.Fatalf("cookie answer %d bytes > hello %d bytes: amplification", len(out), len(req))
	}
	f, err := wire.ParseFlow(out)
	if err != nil || f.Kind != wire.FlowCookie || f.FlowID != id || f.ClientSend != 42 {
		t.Fatalf("cookie answer %+v, %v", f, err)
	}
	return f.Cookie
}

func data(t *testing.T, s *Server, from netip.AddrPort, id uint64, c [wire.CookieLen]byte, seq uint32, size, want int) (wire.Flow, bool) {
	t.Helper()
	req := flowPkt(t, wire.Flow{Kind: wire.FlowData, FlowID: id, Cookie: c, Seq: seq, Want: uint16(want), ClientSend: int64(seq) * 20000}, size)
	out, ok := s.handle(req, from, nil)
	if !ok {
		return wire.Flow{}, false
	}
	f, err := wire.ParseFlow(out)
	if err != nil {
		t.Fatalf("reply does not parse: %v", err)
	}
	return f, true
}

func TestFlowCookieRequired(t *testing.T) {
	s, clk := newFlowServer(t)
	a := netip.MustParseAddrPort("198.51.100.7:40000")
	c := hello(t, s, a, 1)
	var forged [wire.CookieLen]byte
	copy(forged[:], c[:])
	forged[0] ^= 1
	cases := []struct {
		name   string
		from   netip.AddrPort
		id     uint64
		cookie [wire.CookieLen]byte
		answer bool
	}{
		{"no cookie", a, 1, [wire.CookieLen]byte{}, false},
		{"forged cookie", a, 1, forged, false},
		{"cookie from another port (spoofed source)", netip.MustParseAddrPort("198.51.100.7:40001"), 1, c, false},
		{"cookie for another flow", a, 2, c, false},
		{"valid", a, 1, c, true},
	}
	for _, tc := range cases {
		if _, ok := data(t, s, tc.from, tc.id, tc.cookie, 0, 200, 200); ok != tc.answer {
			t.Errorf("%s: answered=%v, want %v", tc.name, ok, tc.answer)
		}
	}
	if got := s.flows.metrics.BadCookie.Load(); got != 4 {
		t.Errorf("BadCookie = %d, want 4", got)
	}
	clk.t = clk.t.Add(cookieLifetime + time.Second)
	if _, ok := data(t, s, a, 1, c, 1, 200, 200); ok {
		t.Error("a stale cookie was accepted")
	}
}

func TestFlowReplyFields(t *testing.T) {
	s, clk := newFlowServer(t)
	a := netip.MustParseAddrPort("[2001:db8::1]:5000")
	c := hello(t, s, a, 9)
	for i := range uint32(5) {
		clk.t = clk.t.Add(20 * time.Millisecond)
		f, ok := data(t, s, a, 9, c, 10+i, 160, 160)
		if !ok {
			t.Fatalf("datagram %d not answered", i)
		}
		want := wire.Flow{Kind: wire.FlowReply, FlowID: 9, Seq: 10 + i, ReplySeq: i, ClientSend: int64(10+i) * 20000,
			RecvCount: i + 1, RecvBytes: 160 * (i + 1), Size: 160}
		want.ReflRecv, want.ReflSend = f.ReflRecv, f.ReflSend
		if f != want {
			t.Errorf("reply %d:\n got %+v\nwant %+v", i, f, want)
		}
		if f.ReflRecv != int64(20000*(i+1)) {
			t.Errorf("reply %d: reflector receive time %d µs, want %d", i, f.ReflRecv, 20000*(i+1))
		}
	}
}

// TestFlowRatio: whatever a validated client asks for, the replies never
// total more than flowRatio times what it sent.
func TestFlowRatio(t *testing.T) {
	cases := []struct {
		name       string
		size, want int
		shortened  bool
	}{
		{"echo size", 200, 200, false},
		{"three times", 100, 300, false},
		{"asks for more than three times", 100, 1400, true},
		{"header-only request, full replies", wire.FlowHeaderLen, wire.MaxFlow, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newFlowServer(t)
			a := netip.MustParseAddrPort("192.0.2.1:1")
			c := hello(t, s, a, 1)
			var in, out int
			short := false
			for i := range uint32(50) {
				clk.t = clk.t.Add(10 * time.Millisecond)
				in += tc.size
				if f, ok := data(t, s, a, 1, c, i, tc.size, tc.want); ok {
					out += f.Size
					short = short || f.Flags&wire.FlagShortened != 0
				}
				if out > flowRatio*in {
					t.Fatalf("after %d datagrams: %d bytes out for %d in", i+1, out, in)
				}
			}
			if short != tc.shortened {
				t.Errorf("shortened=%v, want %v", short, tc.shortened)
			}
			if out == 0 {
				t.Error("nothing answered")
			}
		})
	}
}

func TestFlowBounds(t *testing.T) {
	t.Run("age", func(t *testing.T) {
		s, clk := newFlowServer(t)
		a := netip.MustParseAddrPort("192.0.2.1:1")
		c := hello(t, s, a, 1)
		if _, ok := data(t, s, a, 1, c, 0, 200, 200); !ok {
			t.Fatal("first datagram not answered")
		}
		clk.t = clk.t.Add(FlowMaxAge + time.Millisecond)
		if _, ok := data(t, s, a, 1, c, 1, 200, 200); ok {
			t.Error("answered after FlowMaxAge")
		}
	})
	t.Run("rate", func(t *testing.T) {
		s, _ := newFlowServer(t)
		a := netip.MustParseAddrPort("192.0.2.1:1")
		c := hello(t, s, a, 1)
		out := 0
		for i := range uint32(1000) { // no time passes: only the burst
			if f, ok := data(t, s, a, 1, c, i, 1400, 1400); ok {
				out += f.Size
			}
		}
		if out > FlowBurstBytes || out < FlowBurstBytes-wire.MaxFlow {
			t.Errorf("%d bytes answered at once, want the burst (%d)", out, FlowBurstBytes)
		}
	})
	t.Run("flows per IP", func(t *testing.T) {
		s, _ := newFlowServer(t)
		answered := 0
		for i := range maxFlowsPerIP + 4 {
			a := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), uint16(1000+i))
			c := hello(t, s, a, uint64(i))
			if _, ok := data(t, s, a, uint64(i), c, 0, 100, 100); ok {
				answered++
			}
		}
		if answered != maxFlowsPerIP {
			t.Errorf("%d flows answered from one IP, want %d", answered, maxFlowsPerIP)
		}
	})
}

// FuzzFlowBudget: whatever sizes a validated client sends and asks for,
// its replies never total more than flowRatio times what it sent.
func FuzzFlowBudget(f *testing.F) {
	f.Add(uint16(200), uint16(200), uint8(10))
	f.Add(uint16(72), uint16(1400), uint8(200))
	f.Fuzz(func(t *testing.T, size, want uint16, n uint8) {
		if int(size) < wire.FlowHeaderLen || int(size) > wire.MaxFlow || int(want) > wire.MaxFlow {
			return
		}
		s, clk := newFlowServer(t)
		a := netip.MustParseAddrPort("192.0.2.1:9")
		c := hello(t, s, a, 1)
		in, out := 0, 0
		for i := range uint32(n) {
			clk.t = clk.t.Add(time.Millisecond)
			in += int(size)
			if r, ok := data(t, s, a, 1, c, i, int(size), int(want)); ok {
				out += r.Size
			}
			if out > flowRatio*in {
				t.Fatalf("%d bytes out for %d in", out, in)
			}
		}
	})
}

func TestFlowMetricsPrometheus(t *testing.T) {
	s, _ := newFlowServer(t)
	a := netip.MustParseAddrPort("192.0.2.1:1")
	c := hello(t, s, a, 1)
	data(t, s, a, 1, c, 0, 100, 100)
	data(t, s, a, 1, [wire.CookieLen]byte{}, 1, 100, 100)
	var b strings.Builder
	s.flows.metrics.WritePrometheus(&b)
	for _, want := range []string{"rtcprobe_flow_cookies_total 1\n", "rtcprobe_flow_replies_total 1\n", "rtcprobe_flow_bad_cookie_total 1\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}
