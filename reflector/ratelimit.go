package reflector

import (
	"net/netip"
	"sync"
	"time"
)

// limiter is a token bucket per source IP in a bounded map. When the map is
// full an arbitrary entry is evicted (Go map iteration order is random), so
// a flood of spoofed sources cannot grow memory nor lock real clients out
// for longer than one refill.
type limiter struct {
	rate  float64 // tokens per second; <= 0 disables the limit
	burst float64
	max   int
	now   func() time.Time // injected clock for tests

	mu      sync.Mutex // protects buckets
	buckets map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst, max int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{rate: rate, burst: float64(burst), max: max, now: time.Now, buckets: make(map[netip.Addr]*bucket)}
}

// allow takes one token for ip and reports whether one was there.
func (l *limiter) allow(ip netip.Addr) bool {
	if l.rate <= 0 {
		return true
	}
	now := l.now()
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

// size is the number of tracked sources.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
