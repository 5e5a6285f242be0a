package limit

import (
	"net"
	"net/netip"
	"sync"
)

// Slots counts live TCP connections in all and per source, and refuses one
// over either cap.
type Slots struct {
	total, perSource int

	mu    sync.Mutex // protects live and bySrc
	live  int
	bySrc map[netip.Prefix]int
}

// NewSlots returns slots for total connections, perSource of them from one
// source (see SourceKey).
func NewSlots(total, perSource int) *Slots {
	return &Slots{total: total, perSource: perSource, bySrc: map[netip.Prefix]int{}}
}

// Take claims a slot for src; false when the source or the server is full.
func (c *Slots) Take(src netip.Prefix) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live >= c.total || c.bySrc[src] >= c.perSource {
		return false
	}
	c.live++
	c.bySrc[src]++
	return true
}

// Give returns src's slot.
func (c *Slots) Give(src netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live--
	if c.bySrc[src]--; c.bySrc[src] <= 0 {
		delete(c.bySrc, src)
	}
}

// SourceKey is the address a per-source cap counts: the IPv4 address, or
// the IPv6 /64 (one subscriber usually holds a whole /64, so counting
// single IPv6 addresses would not cap anyone).
func SourceKey(a net.Addr) netip.Prefix {
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
