package probe

import (
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/internal/wine"
	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// responder is a tiny UDP server on loopback; answer decides what to send
// back for each datagram (nil = nothing).
func responder(t testing.TB, answer func(req []byte, from *net.UDPAddr) [][]byte) int {
	t.Helper()
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFromUDP(buf)
			if err != nil {
				return
			}
			for _, b := range answer(append([]byte(nil), buf[:n]...), from) {
				_, _ = pc.WriteToUDP(b, from)
			}
		}
	})
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// bindingAnswer answers STUN binding requests; with echo it also answers
// echo datagrams and names itself as rtcprobe serve does (SOFTWARE).
func bindingAnswer(echo bool) func([]byte, *net.UDPAddr) [][]byte {
	return func(req []byte, from *net.UDPAddr) [][]byte {
		if wire.IsEchoRequest(req) {
			if !echo {
				return nil
			}
			_ = wire.AnswerInPlace(req)
			return [][]byte{req}
		}
		m := &stun.Message{Raw: req}
		if m.Decode() != nil {
			return nil
		}
		attrs := []stun.Setter{m, stun.BindingSuccess, &stun.XORMappedAddress{IP: from.IP, Port: from.Port}}
		if echo {
			attrs = append(attrs, stun.NewSoftware(wire.ReflectorSoftware))
		}
		res, err := stun.Build(append(attrs, stun.Fingerprint)...)
		if err != nil {
			return nil
		}
		return [][]byte{res.Raw}
	}
}

// stunOnly wraps answer so that only STUN requests reach it.
func stunOnly(answer func([]byte, *net.UDPAddr) [][]byte) func([]byte, *net.UDPAddr) [][]byte {
	return func(req []byte, from *net.UDPAddr) [][]byte {
		if !stun.IsMessage(req) {
			return nil
		}
		return answer(req, from)
	}
}

// closedPort returns a loopback UDP port with nothing listening.
func closedPort(t testing.TB) int {
	t.Helper()
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	return port
}

// silentConn swallows every datagram both ways (a firewall that drops).
type silentConn struct{ net.PacketConn }

func (silentConn) WriteTo(b []byte, _ net.Addr) (int, error) { return len(b), nil }

// lossyConn drops a share of datagrams each way.
type lossyConn struct {
	net.PacketConn
	mu   sync.Mutex
	rng  *rand.Rand
	drop float64
}

func (c *lossyConn) lose() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.Float64() < c.drop
}

func (c *lossyConn) WriteTo(b []byte, to net.Addr) (int, error) {
	if c.lose() {
		return len(b), nil
	}
	return c.PacketConn.WriteTo(b, to)
}

func (c *lossyConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, from, err := c.PacketConn.ReadFrom(b)
		if err != nil || !c.lose() {
			return n, from, err
		}
	}
}

func listenWrap(wrap func(net.PacketConn) net.PacketConn) func(context.Context, string, string) (net.PacketConn, error) {
	return func(ctx context.Context, network, address string) (net.PacketConn, error) {
		var lc net.ListenConfig
		pc, err := lc.ListenPacket(ctx, "udp4", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		return wrap(pc), nil
	}
}

func runReflector(t *testing.T, env *Env, ports ...int) map[string]result.Probe {
	t.Helper()
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: ports}}
	out := map[string]result.Probe{}
	for _, p := range Run(context.Background(), env, plan, nil) {
		out[string(p.ID)] = p
	}
	return out
}

func TestSTUN(t *testing.T) {
	t.Parallel() // the silent cases wait out the scaled STUNGiveUp
	garbage := func(b []byte) func([]byte, *net.UDPAddr) [][]byte {
		return func([]byte, *net.UDPAddr) [][]byte { return [][]byte{b} }
	}
	wrongTx := stunOnly(func(req []byte, from *net.UDPAddr) [][]byte {
		res, _ := stun.Build(stun.TransactionID, stun.BindingSuccess, &stun.XORMappedAddress{IP: from.IP, Port: from.Port})
		return [][]byte{res.Raw}
	})
	truncated := stunOnly(func(req []byte, from *net.UDPAddr) [][]byte {
		return [][]byte{bindingAnswer(false)(req, from)[0][:30]}
	})
	oversized := stunOnly(func(req []byte, from *net.UDPAddr) [][]byte {
		return [][]byte{append(bindingAnswer(false)(req, from)[0], make([]byte, 1600)...)}
	})
	mixed := stunOnly(func(req []byte, from *net.UDPAddr) [][]byte {
		return append([][]byte{{0xff, 1, 2}, wrongTx(req, from)[0]}, bindingAnswer(false)(req, from)...)
	})
	tests := []struct {
		name   string
		answer func([]byte, *net.UDPAddr) [][]byte
		env    *Env
		status result.Status
		reason result.Reason
	}{
		{"answers", bindingAnswer(false), &Env{}, result.StatusOK, ""},
		{"garbage then answer", mixed, &Env{}, result.StatusOK, ""},
		{"lossy 30% each way", bindingAnswer(false), &Env{ListenPacket: listenWrap(func(pc net.PacketConn) net.PacketConn {
			return &lossyConn{PacketConn: pc, rng: rand.New(rand.NewPCG(1, 2)), drop: 0.3}
		})}, result.StatusOK, ""},
		{"silent", bindingAnswer(false), &Env{ListenPacket: listenWrap(func(pc net.PacketConn) net.PacketConn { return silentConn{pc} })}, result.StatusBlocked, "timeout"},
		{"garbage only", garbage([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")), &Env{}, result.StatusError, "garbage"},
		{"wrong transaction", wrongTx, &Env{}, result.StatusError, "wrong-transaction"},
		{"truncated", truncated, &Env{}, result.StatusError, "garbage"},
		{"oversized", oversized, &Env{}, result.StatusError, "garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case waits up to STUNGiveUp for nothing
			port := responder(t, tt.answer)
			got := runReflector(t, tt.env, port)["stun/"+strconv.Itoa(port)]
			if got.Status != tt.status || got.Reason != tt.reason || got.Kind != result.KindSTUN || got.Role != "media" {
				t.Fatalf("got %s/%s kind %s role %s (%s), want %s/%s", got.Status, got.Reason, got.Kind, got.Role, got.Error, tt.status, tt.reason)
			}
			if tt.status == result.StatusOK && (got.RTTMs == nil || got.Details["mappedAddress"] == "") {
				t.Errorf("ok without RTT or mapped address: %+v", got)
			}
		})
	}
}

func TestSTUNRejected(t *testing.T) {
	port := closedPort(t)
	got := runReflector(t, &Env{}, port)["stun/"+strconv.Itoa(port)]
	if got.Status != result.StatusRejected || got.Reason != "icmp-unreachable" {
		t.Fatalf("got %s/%s (%s), want rejected/icmp-unreachable", got.Status, got.Reason, got.Error)
	}
	if got.Details["sends"] != "1" {
		if wine.Detected() {
			// Windows reports the first ICMP error (SIO_UDP_CONNRESET on).
			t.Logf("under Wine: sends = %s: Wine 8 loses some ICMP port unreachables on UDP", got.Details["sends"])
			return
		}
		t.Errorf("sends = %s, want 1: an ICMP rejection needs no retransmission", got.Details["sends"])
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	sizes := []int{stunRequestSize(), echoMediaSize, echoFullSize}
	t.Run("echo mode", func(t *testing.T) {
		t.Parallel()
		port := responder(t, bindingAnswer(true))
		got := runReflector(t, &Env{}, port)
		if sw := got["stun/"+strconv.Itoa(port)].Details["software"]; sw != wire.ReflectorSoftware {
			t.Errorf("stun software = %q, want %q", sw, wire.ReflectorSoftware)
		}
		for _, size := range sizes {
			p, ok := got["echo/"+strconv.Itoa(port)+"/"+strconv.Itoa(size)]
			if !ok {
				t.Fatalf("no echo probe for size %d in %v", size, got)
			}
			if p.Status != result.StatusOK || p.Kind != result.KindUDP || p.After != result.STUNID(port) ||
				p.Details["payload"] != "echo" || p.Details["echoCapable"] != "true" {
				t.Errorf("size %d: %s kind %s after %s details %v, want ok", size, p.Status, p.Kind, p.After, p.Details)
			}
		}
	})
	// A plain STUN server (coturn) never echoes: the same-size echo is
	// stopped as soon as STUN answers and the large ones are not sent, so
	// an open network is not held up by echoes nobody will answer.
	t.Run("plain STUN server", func(t *testing.T) {
		t.Parallel()
		port := responder(t, func(req []byte, from *net.UDPAddr) [][]byte {
			time.Sleep(fastTimers().EchoAlongsideDelay + 2*fastTimers().UDPPacing) // answer after the echo alongside began
			return bindingAnswer(false)(req, from)
		})
		start := time.Now()
		got := runReflector(t, &Env{}, port)
		if took := time.Since(start); took > fastTimers().STUNGiveUp {
			t.Errorf("run took %v: the echo probe was not stopped", took)
		}
		id := "echo/" + strconv.Itoa(port) + "/"
		if p := got[id+strconv.Itoa(sizes[0])]; p.Status != result.StatusSkipped || p.Reason != "no-echo" {
			t.Errorf("same-size echo = %s/%s (%s), want skipped/no-echo", p.Status, p.Reason, p.Error)
		}
		for _, size := range sizes[1:] {
			if p, ok := got[id+strconv.Itoa(size)]; ok {
				t.Errorf("large echo %d sent to a plain STUN server: %s", size, p.Status)
			}
		}
		if d := got["stun/"+strconv.Itoa(port)].Details["echo"]; d == "" {
			t.Error("stun probe does not say why echo was not tested")
		}
	})
	// An application-aware firewall that drops STUN but passes other UDP:
	// the same-size echo answers while STUN stays silent.
	t.Run("STUN filtered", func(t *testing.T) {
		t.Parallel()
		port := responder(t, func(req []byte, from *net.UDPAddr) [][]byte {
			if stun.IsMessage(req) {
				return nil
			}
			return bindingAnswer(true)(req, from)
		})
		got := runReflector(t, &Env{}, port)
		if p := got["stun/"+strconv.Itoa(port)]; p.Status != result.StatusBlocked {
			t.Errorf("stun = %s, want blocked", p.Status)
		}
		if p := got["echo/"+strconv.Itoa(port)+"/"+strconv.Itoa(sizes[0])]; p.Status != result.StatusOK {
			t.Errorf("same-size echo = %s/%s, want ok", p.Status, p.Reason)
		}
	})
}

// TestEchoNotAfterRejectedSTUN: a port rejected at once (ICMP) gets no
// echo datagram: it would only be rejected too, and rejecting firewalls
// rate-limit their ICMP.
func TestEchoNotAfterRejectedSTUN(t *testing.T) {
	port := closedPort(t)
	got := runReflector(t, &Env{}, port)
	if stun := got["stun/"+strconv.Itoa(port)]; stun.Details["sends"] != "1" && wine.Detected() {
		// The echo rule is "no answer by the first retransmission": only a
		// rejection of the first send keeps the echo away.
		t.Skipf("under Wine: Wine 8 lost the ICMP port unreachable for the first send (sends = %s)", stun.Details["sends"])
	}
	for id := range got {
		if id != "stun/"+strconv.Itoa(port) {
			t.Errorf("unexpected probe %s after a rejected STUN port", id)
		}
	}
}

// TestLossPatience: a silent port gets the short schedule (five sends) in
// a run without loss, and the long one (LossySendAt) once another port was
// answered only after a retransmission.
func TestLossPatience(t *testing.T) {
	t.Parallel()
	silent := func(t *testing.T) int {
		return responder(t, func([]byte, *net.UDPAddr) [][]byte { return nil })
	}
	t.Run("no loss", func(t *testing.T) {
		t.Parallel()
		ok, quiet := responder(t, bindingAnswer(false)), silent(t)
		got := runReflector(t, &Env{}, ok, quiet)
		if s := got["stun/"+strconv.Itoa(quiet)].Details["sends"]; s != strconv.Itoa(len(fastTimers().STUNSendAt)) {
			t.Errorf("silent port sent %s times, want %d", s, len(fastTimers().STUNSendAt))
		}
	})
	t.Run("loss seen", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		first := true
		lossy := responder(t, func(req []byte, from *net.UDPAddr) [][]byte {
			mu.Lock()
			defer mu.Unlock()
			if stun.IsMessage(req) && first { // lose the first request
				first = false
				return nil
			}
			return bindingAnswer(false)(req, from)
		})
		quiet := silent(t)
		got := runReflector(t, &Env{}, lossy, quiet)
		if p := got["stun/"+strconv.Itoa(lossy)]; p.Status != result.StatusOK || p.Details["answeredSend"] != "2" {
			t.Fatalf("lossy port = %s, answered send %s, want ok on send 2", p.Status, p.Details["answeredSend"])
		}
		if s := got["stun/"+strconv.Itoa(quiet)].Details["sends"]; s != strconv.Itoa(len(fastTimers().LossySendAt)) {
			t.Errorf("silent port sent %s times after loss was seen, want %d", s, len(fastTimers().LossySendAt))
		}
	})
}

func TestReflectorDNSOnce(t *testing.T) {
	port := responder(t, bindingAnswer(false))
	plan := &Plan{Timers: fastTimers(), Budget: 5 * time.Second, Reflector: &ReflectorTarget{Host: "localhost", Ports: []int{port, closedPort(t)}}}
	n := 0
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		if p.ID == "reflector/dns" {
			n++
			if p.Status != result.StatusOK || p.Kind != result.KindDNS {
				t.Errorf("reflector/dns %s/%s", p.Status, p.Reason)
			}
		}
	}
	if n != 1 {
		t.Errorf("reflector/dns recorded %d times, want 1", n)
	}
}
