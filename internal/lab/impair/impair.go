// Package impair is the lab's userspace link impairment: the kernels the
// lab runs on have no netem, so delay, jitter and reordering are done by a
// TUN device of our own in the firewall namespace. Packets routed into the
// device are read here, held for their delay, and written back into the
// namespace's stack, which routes them on. Loss and rate limits stay in
// the kernel (nftables numgen, tc tbf).
package impair

import (
	"container/heap"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// Config is what the router does to every packet.
type Config struct {
	// Delay is added to every packet.
	Delay time.Duration
	// Jitter spreads the delay uniformly over Delay-Jitter..Delay+Jitter
	// (never below zero). Packets closer together than the spread can
	// overtake each other, as on a real jittery path.
	Jitter time.Duration
	// ReorderEvery, when > 0, holds every Nth packet ReorderExtra longer,
	// so it arrives after the packets behind it.
	ReorderEvery int
	ReorderExtra time.Duration
	// Seed makes the jitter repeatable.
	Seed uint64
}

// maxPacket is the largest packet read from the device (TUN MTU 1500
// plus room; anything longer is truncated by the kernel's read).
const maxPacket = 65535

// maxHeld bounds the packets in flight: beyond it new packets are dropped,
// so a flood cannot grow the router's memory.
const maxHeld = 4096

// Stats count what the router did. Read them after Run returns.
type Stats struct {
	Forwarded, Dropped, Reordered int
}

// Router delays the packets of one device.
type Router struct {
	cfg   Config
	rng   *rand.Rand
	count int
	now   func() time.Time

	mu    sync.Mutex // protects held and stats
	held  packetHeap
	seq   uint64
	stats Stats
	wake  chan struct{}
}

// New returns a router with cfg.
func New(cfg Config) *Router {
	return &Router{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), now: time.Now, wake: make(chan struct{}, 1)}
}

// delay is the hold time of the next packet (called by the reader only).
func (r *Router) delay() (time.Duration, bool) {
	r.count++
	d := r.cfg.Delay
	if j := r.cfg.Jitter; j > 0 {
		d += time.Duration(r.rng.Int64N(int64(2*j)+1)) - j
	}
	extra := r.cfg.ReorderEvery > 0 && r.count%r.cfg.ReorderEvery == 0
	if extra {
		d += r.cfg.ReorderExtra
	}
	return max(0, d), extra
}

// Run reads packets from dev and writes each back after its delay, until
// ctx ends or dev fails (a closed device). It returns the counts.
func (r *Router) Run(ctx context.Context, dev io.ReadWriter) Stats {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { r.writer(ctx, dev) })
	buf := make([]byte, maxPacket)
	for ctx.Err() == nil {
		n, err := dev.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || !isTemporary(err) {
				break
			}
			continue
		}
		d, extra := r.delay()
		r.push(append([]byte(nil), buf[:n]...), r.now().Add(d), extra)
	}
	cancel()
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (r *Router) push(p []byte, at time.Time, reordered bool) {
	r.mu.Lock()
	if r.held.Len() >= maxHeld {
		r.stats.Dropped++
		r.mu.Unlock()
		return
	}
	r.seq++
	heap.Push(&r.held, heldPacket{at: at, seq: r.seq, data: p})
	if reordered {
		r.stats.Reordered++
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// writer writes each packet when its time comes, earliest first (ties in
// arrival order), so a constant delay never reorders.
func (r *Router) writer(ctx context.Context, dev io.Writer) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		r.mu.Lock()
		var wait time.Duration = time.Hour
		var due []heldPacket
		now := r.now()
		for r.held.Len() > 0 {
			if d := r.held[0].at.Sub(now); d > 0 {
				wait = d
				break
			}
			due = append(due, heap.Pop(&r.held).(heldPacket))
		}
		r.stats.Forwarded += len(due)
		r.mu.Unlock()
		for _, p := range due {
			_, _ = dev.Write(p.data) // a failed write is a lost packet
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

type heldPacket struct {
	at   time.Time
	seq  uint64
	data []byte
}

// packetHeap orders held packets by release time, then arrival.
type packetHeap []heldPacket

func (h packetHeap) Len() int { return len(h) }
func (h packetHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *packetHeap) Push(x any)   { *h = append(*h, x.(heldPacket)) }
func (h *packetHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
