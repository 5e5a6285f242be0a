package probe

import (
	"net"
	"testing"

	"github.com/pion/stun/v4"
)

// TestTURNPermissionPatience: over UDP, once the server has answered on the
// session's socket, an unanswered CreatePermission is loss, so it gets the
// lossy run's wait; a silent socket, and TCP/TLS, keep TURNStep. The flag
// is set by the first answer pion is given, not by garbage it never sees.
func TestTURNPermissionPatience(t *testing.T) {
	tm := DefaultTimers()
	noLoss := func() bool { return false }
	udp := &turnSession{timers: tm, lossy: noLoss}
	if got := udp.stepTimeout(); got != tm.TURNStep {
		t.Errorf("silent UDP session waits %v, want TURNStep %v", got, tm.TURNStep)
	}
	tcp := &turnSession{timers: tm}
	tcp.answered.Store(true)
	if got := tcp.stepTimeout(); got != tm.TURNStep {
		t.Errorf("TCP session waits %v, want TURNStep %v", got, tm.TURNStep)
	}

	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &sockPacketConn{udpSock: &udpSock{c: a}, ignored: &udp.ignored, answered: &udp.answered}
	m := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodBinding, stun.ClassSuccessResponse))
	go func() {
		b.Write([]byte("not stun at all"))
		b.Write(m.Raw)
	}()
	buf := make([]byte, 1500)
	if _, _, err := c.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	if udp.ignored.Load() != 1 {
		t.Errorf("ignored %d datagrams, want the garbage one", udp.ignored.Load())
	}
	if !udp.answered.Load() {
		t.Fatal("a STUN answer passed to pion did not mark the session answered")
	}
	if got := udp.stepTimeout(); got != tm.TURNLossyStep {
		t.Errorf("answered UDP session waits %v, want TURNLossyStep %v", got, tm.TURNLossyStep)
	}
}
