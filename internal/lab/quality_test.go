//go:build linux

package lab

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/lab/impair"
	"github.com/rtcprobe/rtcprobe/result"
)

// qualityFlow is the flow per path in the quality scenarios: the 8 s ramp
// and 4 s of hold (a late cut at about 2 s leaves 10 s of silence).
const qualityFlow = "12s"

// qualityScenario is an impaired network and what the quality stage must
// measure behind it. Tolerances are in the checks: loss within 2 points of
// what nftables drops, RTT within 10 % of the delay the router adds (plus
// the lab's own sub-millisecond RTT), jitter within 30 % of what the
// router's uniform spread gives (2J/3 per direction, RFC 3550).
type qualityScenario struct {
	name, what string
	// fw are forward-chain rules (policy accept).
	fw []string
	// tc are tc commands run in the firewall namespace (undone after).
	tc [][]string
	// impair routes the laptop's UDP through the TUN router, both ways.
	impair *impair.Config
	// turn keeps the default TURN servers (else --proxy null: direct only).
	turn bool
	// flow overrides qualityFlow.
	flow  string
	check func(t *testing.T, q *result.Quality)
}

// onePath returns the quality path named name, failing the test without it.
func onePath(t *testing.T, q *result.Quality, name string) result.QualityPath {
	t.Helper()
	for _, p := range q.Paths {
		if p.Path == result.PathName(name) {
			t.Logf("%s: %s", name, p.Summary)
			return p
		}
	}
	t.Fatalf("no %s in the quality section: %+v", name, q)
	return result.QualityPath{}
}

func within(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }

var qualityScenarios = []qualityScenario{
	{name: "quality-clean", what: "Nothing impaired: the lab's own baseline.",
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if p.Status != result.QualityOK || p.Up.LossPct > 0.5 || p.Down.LossPct > 0.5 || p.Resolution != result.Stage1080p || p.MOS == nil || *p.MOS < 4.3 {
				t.Errorf("clean lab: %+v", p)
			}
		}},
	{name: "quality-all-paths", what: "Nothing impaired, every path measured: direct UDP, TURN over UDP, TCP and TLS (the README's sample).",
		turn: true, flow: "10s",
		check: func(t *testing.T, q *result.Quality) {
			for _, name := range result.PathOrder {
				if p := onePath(t, q, string(name)); p.Status != result.QualityOK || p.Resolution != result.Stage1080p {
					t.Errorf("%s: %s, %s", name, p.Status, p.Resolution)
				}
			}
		}},
	{name: "quality-loss-5", what: "5 % of UDP dropped each way (nft numgen).",
		fw: []string{"meta l4proto udp numgen random mod 100 < 5 drop"},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if !within(p.Up.LossPct, 5, 2) || !within(p.Down.LossPct, 5, 2) {
				t.Errorf("loss up %.1f%% down %.1f%%, want 5±2 each", p.Up.LossPct, p.Down.LossPct)
			}
			// The E-model takes the worse direction's audio loss, from
			// about 300 audio datagrams: 5 % gives MOS 3.9; 4.1 is about
			// 3 % and the 3.0 floor about 14 %, far outside the sampling
			// noise of 300 datagrams (one standard deviation 1.3 points).
			if p.MOS == nil || *p.MOS > 4.1 || *p.MOS < 3.0 {
				t.Errorf("MOS %v with 5%% loss each way, want 3.0-4.1", p.MOS)
			}
			if p.Up.LossBursts == 0 || p.Resolution == result.ResolutionNone {
				t.Errorf("bursts %d resolution %s", p.Up.LossBursts, p.Resolution)
			}
		}},
	{name: "quality-delay-jitter", what: "UDP through the TUN router: 40 ms ± 10 ms each way (uniform).",
		impair: &impair.Config{Delay: 40 * time.Millisecond, Jitter: 10 * time.Millisecond, Seed: 1},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if p.RTTMedianMs == nil || !within(*p.RTTMedianMs, 81, 8) {
				t.Errorf("RTT median %v, want 80 ms (+1 ms of the lab) ±10 %%", p.RTTMedianMs)
			}
			// Uniform delay noise of ±J gives successive differences of
			// mean 2J/3 (RFC 3550's J estimates that mean); the lab's own
			// timer and scheduling noise on a loaded 2-core machine adds up
			// to a few ms on top, so the upper bound has 3 ms more.
			want := 2.0 * 10 / 3
			for dir, j := range map[string]float64{"up": p.Up.JitterMs, "down": p.Down.JitterMs} {
				if j < want*0.7 || j > want*1.3+3 {
					t.Errorf("jitter %s %.1f ms, want %.1f ms -30 %%/+30 %% +3 ms", dir, j, want)
				}
			}
			if p.Up.LossPct > 0.5 || p.Down.LossPct > 0.5 || p.Resolution != result.Stage1080p {
				t.Errorf("loss %.1f/%.1f, resolution %s: delay alone must cost nothing", p.Up.LossPct, p.Down.LossPct, p.Resolution)
			}
		}},
	{name: "quality-reorder", what: "UDP through the TUN router: every 20th packet held 30 ms longer than the rest (5 ms).",
		impair: &impair.Config{Delay: 5 * time.Millisecond, ReorderEvery: 20, ReorderExtra: 30 * time.Millisecond},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if p.Up.Reordered == 0 || p.Down.Reordered == 0 || p.Up.LossPct > 0.5 || p.Down.LossPct > 0.5 || p.Up.Duplicates+p.Down.Duplicates > 0 {
				t.Errorf("reordered up %d down %d, loss %.1f/%.1f, duplicates %d/%d", p.Up.Reordered, p.Down.Reordered,
					p.Up.LossPct, p.Down.LossPct, p.Up.Duplicates, p.Down.Duplicates)
			}
			if p.Resolution != result.Stage1080p {
				t.Errorf("resolution %s: reordering alone must not cost the video", p.Resolution)
			}
		}},
	{name: "quality-rate-below-720p", what: "tbf 1.2 Mbit/s each way: a 360p call fits, 720p (1.5 Mbit/s video) does not.",
		tc: [][]string{{"qdisc", "replace", "dev", "wan0", "root", "tbf", "rate", "1200kbit", "burst", "16kb", "latency", "100ms"},
			{"qdisc", "replace", "dev", "lan0", "root", "tbf", "rate", "1200kbit", "burst", "16kb", "latency", "100ms"}},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if p.ResolutionUp != result.Stage360p || p.ResolutionDown != result.Stage360p {
				t.Errorf("resolution up %s down %s, want 360p both; stages %+v", p.ResolutionUp, p.ResolutionDown, p.Stages)
			}
		}},
	{name: "quality-cut-after-300", what: "The firewall drops a UDP flow to port 8000 after its first 300 packets (conntrack packet counter).",
		fw: []string{"udp dport 8000 ct original packets > 300 drop"},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathDirectUDP))
			if p.Status != result.QualitySilent || p.Stopped == nil {
				t.Fatalf("status %s, want went-silent", p.Status)
			}
			// 300 packets: the hello and 299 data datagrams. The flow sends
			// 50 a second in the 2 s audio step, then 140 a second in the
			// 360p step (50 audio + 15 frames of 6 packets): the 299th goes
			// at 2 s + 199/140 s = 3.42 s.
			if !within(float64(p.Stopped.AfterPackets), 299, 2) || !within(p.Stopped.AfterMs, 3420, 300) {
				t.Errorf("stopped after %d datagrams at %.0f ms, want 299 at about 3.4 s", p.Stopped.AfterPackets, p.Stopped.AfterMs)
			}
			if !strings.Contains(p.Summary, "then went silent") || p.Resolution != result.ResolutionNone {
				t.Errorf("summary %q resolution %s", p.Summary, p.Resolution)
			}
		}},
	{name: "quality-slow-tcp", what: "UDP blocked, TCP at 1.2 Mbit/s each way (tbf): TURN/TCP connects, but carries 360p at most.",
		fw:   []string{"meta l4proto udp drop"},
		turn: true,
		tc: [][]string{{"qdisc", "replace", "dev", "wan0", "root", "tbf", "rate", "1200kbit", "burst", "16kb", "latency", "200ms"},
			{"qdisc", "replace", "dev", "lan0", "root", "tbf", "rate", "1200kbit", "burst", "16kb", "latency", "200ms"}},
		check: func(t *testing.T, q *result.Quality) {
			p := onePath(t, q, string(result.PathTURNTCP))
			if p.Status != result.QualityOK || p.HOLDelayMs == nil {
				t.Fatalf("turn-tcp: status %s, head-of-line delay %v", p.Status, p.HOLDelayMs)
			}
			if p.Resolution != result.Stage360p && p.Resolution != result.ResolutionAudioOnly {
				t.Errorf("turn-tcp carried %s, want 360p or audio only behind 1.2 Mbit/s; stages %+v", p.Resolution, p.Stages)
			}
		}},
}

// TestLabQuality runs check --quality behind each impaired network against
// rtcprobe serve and checks the figures against what the lab sets.
func TestLabQuality(t *testing.T) {
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	if serve := l.startServe(t, bin); serve == "" {
		t.Skip("rtcprobe serve is not in this build")
	}
	if _, err := l.Exec(Firewall, "sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1"); err != nil {
		t.Fatalf("conntrack accounting: %v", err)
	}
	for _, qs := range qualityScenarios {
		t.Run(qs.name, func(t *testing.T) {
			if err := l.ApplyFirewall(Policy{Default: "accept", Rules: qs.fw}); err != nil {
				t.Fatal(err)
			}
			defer l.ApplyFirewall(Policy{Default: "accept"})
			for _, c := range qs.tc {
				if out, err := l.Exec(Firewall, append([]string{"tc"}, c...)...); err != nil {
					t.Fatalf("tc %v: %v %s", c, err, out)
				}
				defer l.Exec(Firewall, "tc", "qdisc", "del", "dev", c[3], "root")
			}
			if qs.impair != nil {
				defer l.startImpair(t, *qs.impair)()
			}
			flow := qualityFlow
			if qs.flow != "" {
				flow = qs.flow
			}
			s := Scenario{Name: qs.name, Reflector: ServeName, Args: []string{"--quality=" + flow, "--media-ports", "8000"}}
			if !qs.turn {
				s.Proxy = []byte("null")
			}
			start := time.Now()
			r, _ := l.check(t, bin, s, "")
			if r.Quality == nil {
				t.Fatalf("no quality section in the report")
			}
			t.Logf("stage took %.1f s (check and stage %.1f s)", r.Quality.DurationMs/1000, time.Since(start).Seconds())
			qs.check(t, r.Quality)
		})
	}
}

// impairTable is the nft table that sends the laptop's UDP through the
// TUN router: marked packets are routed to the device; the first pass is
// not tracked, so conntrack and NAT see each packet once, when the router
// writes it back.
const impairTable = `table ip lab_impair {
 chain raw {
  type filter hook prerouting priority -300;
  iifname "lan0" meta l4proto udp ip saddr %[1]s meta mark set 1 notrack
  iifname "imp0" ip daddr %[1]s notrack
 }
 chain replies {
  type filter hook prerouting priority -150;
  iifname "wan0" meta l4proto udp ct direction reply meta mark set 1
 }
}
`

// startImpair puts the TUN router on the laptop's UDP, both directions,
// and returns the function that takes it away.
func (l *Lab) startImpair(t *testing.T, cfg impair.Config) func() {
	t.Helper()
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skipf("no /dev/net/tun for the impairment router: %v", err)
	}
	var dev *os.File
	if err := l.InNS(Firewall, func() error {
		var err error
		dev, err = impair.OpenTUN("imp0")
		return err
	}); err != nil {
		t.Fatalf("TUN: %v", err)
	}
	setup := [][]string{
		{"ip", "link", "set", "imp0", "up"},
		{"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.imp0.rp_filter=0",
			"net.ipv4.conf.lan0.rp_filter=0", "net.ipv4.conf.wan0.rp_filter=0"},
		{"ip", "route", "replace", "default", "dev", "imp0", "table", "101"},
		{"ip", "rule", "add", "fwmark", "1", "lookup", "101", "priority", "100"},
	}
	for _, c := range setup {
		if out, err := l.Exec(Firewall, c...); err != nil {
			dev.Close()
			t.Fatalf("%v: %v %s", c, err, out)
		}
	}
	if _, err := l.ExecInput(Firewall, fmt.Sprintf(impairTable, LaptopAddr), "nft", "-f", "-"); err != nil {
		dev.Close()
		t.Fatalf("nft: %v", err)
	}
	r := impair.New(cfg)
	var wg sync.WaitGroup
	var st impair.Stats
	wg.Go(func() { st = r.Run(context.Background(), dev) })
	return func() {
		_ = dev.Close() // ends Run; the device goes with its last descriptor
		wg.Wait()
		t.Logf("impair router: %+v", st)
		l.Exec(Firewall, "nft", "delete", "table", "ip", "lab_impair")
		l.Exec(Firewall, "ip", "rule", "del", "fwmark", "1", "lookup", "101", "priority", "100")
		l.Exec(Firewall, "ip", "route", "flush", "table", "101")
	}
}
