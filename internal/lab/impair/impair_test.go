package impair

import (
	"context"
	"io"
	"math"
	"sync"
	"testing"
	"time"
)

// fakeDev feeds packets to the router and records what it writes back.
type fakeDev struct {
	in chan []byte

	mu  sync.Mutex
	out [][]byte
	at  []time.Time
}

func (d *fakeDev) Read(b []byte) (int, error) {
	p, ok := <-d.in
	if !ok {
		return 0, io.EOF
	}
	return copy(b, p), nil
}

func (d *fakeDev) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.out = append(d.out, append([]byte(nil), b...))
	d.at = append(d.at, time.Now())
	return len(b), nil
}

func (d *fakeDev) written() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.out) }

// run sends n one-byte packets (their index) spaced by gap and returns
// the order they came out in and how long each was held at least.
func run(t *testing.T, cfg Config, n int, gap time.Duration) ([]int, []time.Duration, Stats) {
	t.Helper()
	dev := &fakeDev{in: make(chan []byte)}
	r := New(cfg)
	done := make(chan Stats)
	go func() { done <- r.Run(context.Background(), dev) }()
	sent := make([]time.Time, n)
	for i := range n {
		sent[i] = time.Now()
		dev.in <- []byte{byte(i)}
		time.Sleep(gap)
	}
	for deadline := time.Now().Add(10 * time.Second); dev.written() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(dev.in)
	st := <-done
	dev.mu.Lock()
	defer dev.mu.Unlock()
	order := make([]int, len(dev.out))
	held := make([]time.Duration, len(dev.out))
	for i, p := range dev.out {
		order[i] = int(p[0])
		held[i] = dev.at[i].Sub(sent[p[0]])
	}
	return order, held, st
}

func TestConstantDelayKeepsOrder(t *testing.T) {
	order, held, st := run(t, Config{Delay: 20 * time.Millisecond}, 50, time.Millisecond)
	if len(order) != 50 || st.Forwarded != 50 {
		t.Fatalf("%d packets out (stats %+v), want 50", len(order), st)
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("order %v: a constant delay must not reorder", order)
		}
		if held[i] < 20*time.Millisecond {
			t.Errorf("packet %d held %s, less than the delay", v, held[i])
		}
	}
}

func TestReorderEvery(t *testing.T) {
	order, _, st := run(t, Config{ReorderEvery: 5, ReorderExtra: 30 * time.Millisecond}, 20, 2*time.Millisecond)
	if st.Reordered != 4 {
		t.Errorf("reordered %d, want 4", st.Reordered)
	}
	late := 0
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			late++
		}
	}
	if late == 0 {
		t.Errorf("order %v: nothing overtaken", order)
	}
}

// TestJitterSpread checks the delays drawn: within Delay±Jitter, centred
// on Delay, and with the mean absolute difference of successive delays
// near 2J/3 (what RFC 3550's jitter estimates for uniform noise).
func TestJitterSpread(t *testing.T) {
	r := New(Config{Delay: 50 * time.Millisecond, Jitter: 15 * time.Millisecond, Seed: 7})
	var sum, diff float64
	prev := time.Duration(-1)
	const n = 20000
	for range n {
		d, _ := r.delay()
		if d < 35*time.Millisecond || d > 65*time.Millisecond {
			t.Fatalf("delay %s outside 50±15 ms", d)
		}
		sum += float64(d)
		if prev >= 0 {
			diff += math.Abs(float64(d - prev))
		}
		prev = d
	}
	if mean := time.Duration(sum / n); mean < 49*time.Millisecond || mean > 51*time.Millisecond {
		t.Errorf("mean delay %s, want 50 ms", mean)
	}
	if mad := time.Duration(diff / (n - 1)); mad < 9*time.Millisecond || mad > 11*time.Millisecond {
		t.Errorf("mean successive difference %s, want about 10 ms (2J/3)", mad)
	}
}
