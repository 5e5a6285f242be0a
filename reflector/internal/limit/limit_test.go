package limit

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestBucketsBounded: a flood of distinct sources never grows the map past
// its bound.
func TestBucketsBounded(t *testing.T) {
	l := NewBuckets(1, 1, 100)
	for i := range 1000 {
		l.Allow(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	if n := l.Size(); n > 100 {
		t.Errorf("buckets track %d sources, want at most 100", n)
	}
}

// TestBucketsRefill: a source gets its burst, then one token per 1/rate.
func TestBucketsRefill(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewBuckets(2, 3, 10)
	l.Now = func() time.Time { return now }
	ip := netip.MustParseAddr("192.0.2.1")
	allowed := func(n int) (got int) {
		for range n {
			if l.Allow(ip) {
				got++
			}
		}
		return got
	}
	if got := allowed(5); got != 3 {
		t.Errorf("burst: %d allowed, want 3", got)
	}
	now = now.Add(time.Second)
	if got := allowed(5); got != 2 {
		t.Errorf("after 1 s at 2/s: %d allowed, want 2", got)
	}
	if !NewBuckets(-1, 1, 1).Allow(ip) {
		t.Error("a negative rate must not limit")
	}
}

// TestSlots: the per-source and the total cap both refuse, and Give frees.
func TestSlots(t *testing.T) {
	a := SourceKey(&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1})
	b := SourceKey(&net.TCPAddr{IP: net.ParseIP("192.0.2.2"), Port: 1})
	s := NewSlots(3, 2)
	steps := []struct {
		src  netip.Prefix
		want bool
	}{{a, true}, {a, true}, {a, false}, {b, true}, {b, false}}
	for i, st := range steps {
		if got := s.Take(st.src); got != st.want {
			t.Errorf("take %d: %v, want %v", i, got, st.want)
		}
	}
	s.Give(a)
	if !s.Take(b) {
		t.Error("after a slot is given back, b (1 of 2 used) must get one")
	}
}

// TestSourceKey: IPv4 counts per address, IPv6 per /64, anything else as
// one unknown source.
func TestSourceKey(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 9}, "192.0.2.7/32"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 9}, "192.0.2.7/32"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3:4:5:6"), Port: 9}, "2001:db8:1:2::/64"},
		{&net.UDPAddr{IP: net.ParseIP("192.0.2.7"), Port: 9}, "invalid Prefix"},
	}
	for _, tt := range tests {
		if got := SourceKey(tt.addr).String(); got != tt.want {
			t.Errorf("SourceKey(%v) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}
