package reflector

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/stun/v4"
)

// TestTURNUnauthenticatedBound: a flood of the smallest unauthenticated
// Allocate (28 bytes, as a spoofed source would send) gets at most the
// per-source budget of answers, each a 401 of at most 68 bytes (NONCE,
// REALM, no reason phrase); a real client still allocates afterwards.
func TestTURNUnauthenticatedBound(t *testing.T) {
	s := newTestServer(t, Config{Listen: "127.0.0.1", UDPPorts: []int{}, TURN: &TURNConfig{
		Port: freeUDPPort(t), Users: map[string]string{"alice": "secret"}, RelayMin: 42000, RelayMax: 42999,
	}})
	run(t, s)
	_, _, turnAddr := s.Addrs()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var answers, largest atomic.Int64
	var bad atomic.Value
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			answers.Add(1)
			largest.Store(max(largest.Load(), int64(n)))
			m := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			var ec stun.ErrorCodeAttribute
			if m.Decode() != nil || ec.GetFrom(m) != nil || ec.Code != stun.CodeUnauthorized || len(ec.Reason) != 0 ||
				!m.Contains(stun.AttrNonce) || !m.Contains(stun.AttrRealm) {
				bad.Store(m.String())
			}
		}
	}()
	const flood = 4000
	start := time.Now()
	for i := range flood {
		req, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassRequest),
			stun.RawAttribute{Type: stun.AttrRequestedTransport, Value: []byte{17, 0, 0, 0}})
		if len(req.Raw) != 28 {
			t.Fatalf("request of %d bytes, want 28", len(req.Raw))
		}
		if _, err := c.WriteTo(req.Raw, turnAddr); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			time.Sleep(2 * time.Millisecond) // let the sockets drain
		}
	}
	elapsed := time.Since(start)
	<-done
	allowed := int64(turnUnauthBurst + turnUnauthRate*(elapsed.Seconds()+1) + 10)
	t.Logf("%d unauthenticated Allocates in %v: %d answers (budget %d), largest %d bytes, %d dropped by the limit",
		flood, elapsed.Round(time.Millisecond), answers.Load(), allowed, largest.Load(), s.metrics.TURNUnauthLimited.Load())
	if answers.Load() > allowed {
		t.Errorf("%d answers to one source, want at most %d", answers.Load(), allowed)
	}
	if answers.Load() == 0 {
		t.Fatal("no 401 at all: a real client could not learn the nonce")
	}
	if v := bad.Load(); v != nil {
		t.Errorf("answer is not a bare 401 with NONCE and REALM: %v", v)
	}
	if largest.Load() > 68 {
		t.Errorf("401 of %d bytes, want at most 68 (header, ERROR-CODE without reason, NONCE, REALM)", largest.Load())
	}
	allocate(t, s, "alice", "secret") // and a real client, a second later, still gets its relay
}
