package probe

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/result"
)

// TestBusyReflectorIsUntested: a reflector that has spent this address's
// budget answers "busy"; the STUN probe says untested/reflector-busy, not
// blocked, and does not take the late answers for a lossy path.
func TestBusyReflectorIsUntested(t *testing.T) {
	t.Parallel() // waits out the scaled STUNGiveUp
	srv := startServeConfig(t, reflector.Config{Listen: "127.0.0.1", UDPPorts: []int{0}, Rate: 1e-9, Burst: 1})
	addr := srv.UDPAddrs()[0].(*net.UDPAddr)
	// Spend 127.0.0.1's one token.
	c, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newBindingRequest()
	c.Write(m.Raw)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	c.Read(make([]byte, 1500))
	c.Close()

	env := &Env{}
	got := runReflector(t, env, addr.Port)
	p := got["stun/"+strconv.Itoa(addr.Port)]
	if p.Status != result.StatusUntested || p.Reason != "reflector-busy" || !strings.Contains(p.Error, "rate-limiting") {
		t.Errorf("stun probe = %s/%s (%s), want untested/reflector-busy", p.Status, p.Reason, p.Error)
	}
	if p.Details["ignored.busy"] == "" {
		t.Errorf("details %v: busy answers not counted", p.Details)
	}
	for id, q := range got {
		if q.Status == result.StatusBlocked {
			t.Errorf("%s blocked/%s: a busy reflector taken for a firewall", id, q.Reason)
		}
	}
}
