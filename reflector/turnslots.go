package reflector

import (
	"net"
	"sync"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector/internal/limit"
)

// turnTCPIdle ends a TURN-over-TCP connection that sends nothing for this
// long. An allocation lives 10 minutes unless refreshed, so a client that
// still wants its relay speaks within that time.
const turnTCPIdle = 10 * time.Minute

// slotListener gives the TURN port's TCP listener the caps of the main TCP
// port (per source and in all) and deadlines: pion keeps every connection
// open as long as the client does, so 2,000 idle connections from one
// address stayed open, each a file descriptor of the whole reflector.
type slotListener struct {
	net.Listener
	slots       *limit.Slots
	first, idle time.Duration
	rejected    func()
}

// Accept returns the next connection a slot is free for; the others are
// closed at once.
func (l *slotListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := limit.SourceKey(c.RemoteAddr())
		if !l.slots.Take(src) {
			l.rejected()
			_ = c.Close()
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(l.first))
		return &slotConn{Conn: c, give: func() { l.slots.Give(src) }, idle: l.idle}, nil
	}
}

// slotConn returns its slot when closed. The first read must come within
// the request deadline set at accept; each later read within idle.
type slotConn struct {
	net.Conn
	give    func()
	idle    time.Duration
	started bool
	once    sync.Once
}

func (c *slotConn) Read(b []byte) (int, error) {
	if c.started {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	}
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.started = true
	}
	return n, err
}

func (c *slotConn) Close() error {
	c.once.Do(c.give)
	return c.Conn.Close()
}
