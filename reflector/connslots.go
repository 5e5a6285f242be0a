package reflector

import (
	"net"
	"net/netip"
	"sync"
)

// connSlots counts live TCP connections in all and per source, and
// refuses one over either cap.
type connSlots struct {
	total, perSource int

	mu    sync.Mutex // protects live and bySrc
	live  int
	bySrc map[netip.Prefix]int
}

func newConnSlots(total, perSource int) *connSlots {
	return &connSlots{total: total, perSource: perSource, bySrc: map[netip.Prefix]int{}}
}

// take claims a slot for src; false when the source or the server is full.
func (c *connSlots) take(src netip.Prefix) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live >= c.total || c.bySrc[src] >= c.perSource {
		return false
	}
	c.live++
	c.bySrc[src]++
	return true
}

// give returns src's slot.
func (c *connSlots) give(src netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live--
	if c.bySrc[src]--; c.bySrc[src] <= 0 {
		delete(c.bySrc, src)
	}
}

// sourceKey is the address a per-source cap counts: the IPv4 address, or
// the IPv6 /64 (one subscriber usually holds a whole /64, so counting
// single IPv6 addresses would not cap anyone).
func sourceKey(a net.Addr) netip.Prefix {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Prefix{}
	}
	ip := ta.AddrPort().Addr().Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}
