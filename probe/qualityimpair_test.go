package probe

import (
	"net"
	"sync"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

// impair is what impairConn does to the flow's data datagrams (hellos and
// cookies pass untouched, so every case gets its flow started). Counting
// rules, not random ones: a test knows exactly what was done.
type impair struct {
	dropUpEvery   int           // drop every Nth outgoing data datagram
	dropDownEvery int           // drop every Nth incoming reply
	cutAfter      int           // drop every outgoing datagram after the first N
	dupUpEvery    int           // send every Nth outgoing datagram twice
	swapUpEvery   int           // hold every Nth outgoing datagram back until the next one is sent
	delayUp       time.Duration // send outgoing datagrams this much later
	rateKbps      float64       // drop outgoing bytes over this rate (token bucket, 100 ms burst)
}

// impairConn is a lossy, delaying, reordering PacketConn around the
// client's socket: the fault injection of the quality tests.
type impairConn struct {
	net.PacketConn
	im impair

	mu         sync.Mutex // protects the fields below
	up, down   int
	held       []byte
	heldTo     net.Addr
	tokens     float64
	last       time.Time
	pending    sync.WaitGroup
	dropped    int
	duplicated int
}

func isData(b []byte) bool { f, err := wire.ParseFlow(b); return err == nil && f.Kind == wire.FlowData }

func (c *impairConn) WriteTo(b []byte, to net.Addr) (int, error) {
	if !isData(b) {
		return c.PacketConn.WriteTo(b, to)
	}
	c.mu.Lock()
	c.up++
	n := c.up
	drop := (c.im.dropUpEvery > 0 && n%c.im.dropUpEvery == 0) || (c.im.cutAfter > 0 && n > c.im.cutAfter) || c.overRate(len(b))
	if drop {
		c.dropped++
		c.mu.Unlock()
		return len(b), nil
	}
	out := [][]byte{append([]byte(nil), b...)}
	if c.im.dupUpEvery > 0 && n%c.im.dupUpEvery == 0 {
		out = append(out, out[0])
		c.duplicated++
	}
	if c.im.swapUpEvery > 0 {
		if n%c.im.swapUpEvery == 0 {
			c.held, c.heldTo = out[0], to
			out = out[1:]
		} else if c.held != nil {
			out = append(out, c.held)
			c.held = nil
		}
	}
	c.mu.Unlock()
	for _, p := range out {
		c.send(p, to)
	}
	return len(b), nil
}

// overRate spends the token bucket (called with mu held).
func (c *impairConn) overRate(n int) bool {
	if c.im.rateKbps <= 0 {
		return false
	}
	now := time.Now()
	rate := c.im.rateKbps * 1000 / 8 // bytes per second
	// 100 ms of burst: a whole 360p frame (7.2 kB at 864 kbit/s, 15 fps)
	// fits under a 1.1 Mbit/s limit even when the scheduler sends the
	// frame late, as a shaper with a queue would carry it.
	burst := rate / 10
	if c.last.IsZero() {
		c.tokens, c.last = burst, now
	}
	c.tokens = min(burst, c.tokens+now.Sub(c.last).Seconds()*rate)
	c.last = now
	if c.tokens < float64(n) {
		return true
	}
	c.tokens -= float64(n)
	return false
}

func (c *impairConn) send(p []byte, to net.Addr) {
	if c.im.delayUp <= 0 {
		_, _ = c.PacketConn.WriteTo(p, to)
		return
	}
	c.pending.Add(1)
	time.AfterFunc(c.im.delayUp, func() { defer c.pending.Done(); _, _ = c.PacketConn.WriteTo(p, to) })
}

func (c *impairConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, from, err := c.PacketConn.ReadFrom(b)
		if err != nil || c.im.dropDownEvery == 0 {
			return n, from, err
		}
		if f, perr := wire.ParseFlow(b[:n]); perr != nil || f.Kind != wire.FlowReply {
			return n, from, err
		}
		c.mu.Lock()
		c.down++
		drop := c.down%c.im.dropDownEvery == 0
		c.mu.Unlock()
		if !drop {
			return n, from, err
		}
	}
}

func (c *impairConn) Close() error {
	c.pending.Wait()
	return c.PacketConn.Close()
}
