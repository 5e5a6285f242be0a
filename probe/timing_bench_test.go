package probe

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// BenchmarkTimeToVerdict measures one whole run (every probe kind, the
// default six media ports, TURN over UDP and TCP) on loopback, from start
// to the last probe's result:
//
//   - open: every server answers. The target is "well under a second".
//   - all-dropped: DNS answers, but every TCP connect and every datagram
//     vanishes (a firewall that drops). The target is "at the budget, not
//     later": each silent probe costs one retransmission window, and they
//     all run at once, so the run ends when the slowest window ends.
//
// Numbers go in the README (go test -run - -bench TimeToVerdict ./probe/);
// no test asserts them, the machines are shared.
func BenchmarkTimeToVerdict(b *testing.B) {
	pki := newTestPKI(b)
	web := webServer(b, pki)
	ns := dnsServer(b)
	srv := startTURN(b, turnServerOpts{})
	var ports []int
	for range 6 {
		ports = append(ports, responder(b, bindingAnswer(true)))
	}
	plan := &Plan{
		Budget: DefaultBudget,
		Web: []WebTarget{
			{ID: "schedule", Role: "schedule", Region: "mainland", URL: "https://ok.test:" + strconv.Itoa(web) + "/ok"},
			{ID: "signaling", Role: "signaling", Region: "mainland", URL: "wss://ok.test:" + strconv.Itoa(web) + "/ws"},
			{ID: "logger", Role: "logger", Region: "mainland", URL: "https://ok.test:" + strconv.Itoa(web) + "/ok"},
		},
		Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: ports},
		TURN: []TURNTarget{
			turnTarget("turn1-udp", "udp", srv.udpPort, "alice", "s3cret-pass", ""),
			turnTarget("turn1-tcp", "tcp", srv.tcpPort, "alice", "s3cret-pass", ""),
		},
	}
	b.Run("open", func(b *testing.B) {
		benchRun(b, testEnv(ns, pki), plan, string(result.StatusOK))
	})
	b.Run("all-dropped", func(b *testing.B) {
		env := testEnv(ns, pki)
		env.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done() // a SYN that is never answered
			return nil, ctx.Err()
		}
		env.ListenPacket = listenWrap(func(pc net.PacketConn) net.PacketConn { return silentConn{pc} })
		benchRun(b, env, plan, string(result.StatusBlocked))
	})
}

// benchRun runs plan b.N times and reports the wall time per run in
// seconds, failing when a STUN or TURN probe did not end as want (the setup is
// then not what the benchmark claims to measure).
func benchRun(b *testing.B, env *Env, plan *Plan, want string) {
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		probes := Run(context.Background(), env, plan, nil)
		total += time.Since(start)
		for _, p := range probes {
			if (p.Kind == result.KindSTUN || p.ID == "turn1-udp" || p.ID == "turn1-tcp") && p.Status != result.Status(want) {
				b.Fatalf("%s = %s (%s), want %s", p.ID, p.Status, p.Error, want)
			}
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/verdict")
}
