// Package limit holds the reflector's per-source admission: token buckets
// for datagrams and slots for connections, both bounded so that spoofed or
// many sources cannot grow memory. It is the reflector's internals, not an
// API.
package limit

import (
	"net/netip"
	"sync"
	"time"
)

// Buckets is a token bucket per source IP in a bounded map. When the map is
// full an arbitrary entry is evicted (Go map iteration order is random), so
// a flood of spoofed sources cannot grow memory nor lock real clients out
// for longer than one refill.
type Buckets struct {
	// Now is the clock (time.Now from NewBuckets); tests replace it.
	Now func() time.Time

	rate  float64 // tokens per second; <= 0 disables the limit
	burst float64
	max   int

	mu      sync.Mutex // protects buckets
	buckets map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewBuckets returns buckets that refill at rate tokens per second up to
// burst (at least 1), for at most max sources.
func NewBuckets(rate float64, burst, max int) *Buckets {
	if burst < 1 {
		burst = 1
	}
	return &Buckets{rate: rate, burst: float64(burst), max: max, Now: time.Now, buckets: make(map[netip.Addr]*bucket)}
}

// Allow takes one token for ip and reports whether one was there.
func (l *Buckets) Allow(ip netip.Addr) bool {
	if l.rate <= 0 {
		return true
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= l.max {
			for k := range l.buckets {
				delete(l.buckets, k)
				break
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Size is the number of tracked sources.
func (l *Buckets) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
