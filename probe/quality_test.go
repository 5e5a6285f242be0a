package probe

import (
	"context"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// directReport is a checked report whose direct-UDP path works on port.
func directReport(port int) *result.Report {
	id := "stun/" + strconv.Itoa(port)
	return &result.Report{
		Probes: []result.Probe{{ID: result.ID(id), Kind: result.KindSTUN, Port: port, Status: result.StatusOK}},
		Paths: result.Paths{DirectUDP: result.Path{Status: result.PathOK, Counts: true, Evidence: []result.ID{result.ID(id)}},
			TURNUDP: result.Path{Status: result.PathUntested}, TURNTCP: result.Path{Status: result.PathUntested}, TURNTLS: result.Path{Status: result.PathUntested}},
	}
}

// runDirectQuality runs the stage against port through an impairConn.
func runDirectQuality(t *testing.T, port int, im impair, stage, flow time.Duration) (result.QualityPath, *impairConn) {
	t.Helper()
	p, conn, err := directQuality(port, im, stage, flow)
	if err != nil {
		t.Fatal(err)
	}
	return p, conn
}

// directQuality is runDirectQuality for any goroutine.
func directQuality(port int, im impair, stage, flow time.Duration) (result.QualityPath, *impairConn, error) {
	var conn *impairConn
	env := &Env{ListenPacket: listenWrap(func(pc net.PacketConn) net.PacketConn {
		conn = &impairConn{PacketConn: pc, im: im}
		return conn
	})}
	plan := &Plan{Timers: fastTimers(), Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: []int{port}}}
	ctx, cancel := context.WithTimeout(context.Background(), flow+20*time.Second)
	defer cancel()
	q := Quality(ctx, env, plan, directReport(port), QualityOptions{Flow: flow, Stage: stage, Judge: report.JudgeQuality})
	if len(q.Paths) != 1 {
		return result.QualityPath{}, nil, fmt.Errorf("%d paths measured, want 1 (notes %v)", len(q.Paths), q.Notes)
	}
	return q.Paths[0], conn, nil
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// TestQualityImpairments runs the flow against rtcprobe serve on loopback
// with counted impairments and checks each figure follows from them. The
// flows run at once (they only wait; -parallel would run two at a time),
// each to its own reflector (one socket would drop the bursts of seven
// 1080p flows), on the scaled timers: the ramp, then a hold of whole steps
// (ten audio datagrams each, so "every tenth" is exactly a tenth) long
// enough for FlowSilence to see a cut near the ramp's end.
func TestQualityImpairments(t *testing.T) {
	t.Parallel()
	const stage = 200 * time.Millisecond
	flow := time.Duration(len(rampStages))*stage + stage*(1+3*fastTimers().FlowSilence/stage)
	cases := []struct {
		name  string
		im    impair
		check func(t *testing.T, p result.QualityPath, c *impairConn)
	}{
		{"clean", impair{}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if p.Status != result.QualityOK || p.Up.LossPct != 0 || p.Down.LossPct != 0 || p.Up.Reordered != 0 || p.Down.Duplicates != 0 {
				t.Errorf("clean path: %+v", p)
			}
			if p.Resolution != result.Stage1080p || p.MOS == nil || *p.MOS < 4.3 {
				t.Errorf("clean path: resolution %q MOS %v, want 1080p and > 4.3", p.Resolution, p.MOS)
			}
			if len(p.Stages) != 4 || len(p.Timeline) == 0 || p.HOLDelayMs != nil {
				t.Errorf("stages %d timeline %d hol %v", len(p.Stages), len(p.Timeline), p.HOLDelayMs)
			}
		}},
		{"every 10th lost up", impair{dropUpEvery: 10}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			want := 100 * float64(c.dropped) / float64(p.Up.Sent)
			if !near(p.Up.LossPct, want, 0.1) || p.Down.LossPct != 0 {
				t.Errorf("loss up %.1f%% down %.1f%%, want %.1f%% and 0", p.Up.LossPct, p.Down.LossPct, want)
			}
			if p.Up.LossBursts != c.dropped || p.Up.MaxBurst != 1 {
				t.Errorf("bursts %d (max %d), want %d single losses", p.Up.LossBursts, p.Up.MaxBurst, c.dropped)
			}
			if p.MOS == nil || *p.MOS > 3.8 {
				t.Errorf("MOS %v with 10%% loss, want below 3.8", p.MOS)
			}
		}},
		{"every 10th lost down", impair{dropDownEvery: 10}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if !near(p.Down.LossPct, 10, 0.5) || p.Up.LossPct != 0 || p.Down.MaxBurst != 1 {
				t.Errorf("loss up %.1f%% down %.1f%% (max burst %d), want 0 and 10%%, single losses", p.Up.LossPct, p.Down.LossPct, p.Down.MaxBurst)
			}
		}},
		{"duplicates up", impair{dupUpEvery: 10}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if p.Up.Duplicates != c.duplicated || p.Up.LossPct != 0 || p.Up.Reordered != 0 {
				t.Errorf("duplicates %d (want %d), loss %.1f%%, reordered %d", p.Up.Duplicates, c.duplicated, p.Up.LossPct, p.Up.Reordered)
			}
		}},
		{"reordered up", impair{swapUpEvery: 10}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if want := p.Up.Sent/10 - 1; p.Up.Reordered < want || p.Down.Reordered != 0 || p.Up.LossBursts > 1 {
				t.Errorf("reordered up %d (want >= %d) down %d, loss bursts %d", p.Up.Reordered, want, p.Down.Reordered, p.Up.LossBursts)
			}
			if p.Resolution != result.Stage1080p {
				t.Errorf("resolution %q: reordering alone must not cost the call its video", p.Resolution)
			}
		}},
		{"delay 40 ms up", impair{delayUp: 40 * time.Millisecond}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if p.RTTMedianMs == nil || *p.RTTMedianMs < 40 || *p.RTTP95Ms < *p.RTTMedianMs {
				t.Errorf("RTT median %v p95 %v, want >= 40 ms", p.RTTMedianMs, p.RTTP95Ms)
			}
		}},
		{"cut after 100 datagrams", impair{cutAfter: 100}, func(t *testing.T, p result.QualityPath, c *impairConn) {
			if p.Status != result.QualitySilent || p.Stopped == nil || p.Stopped.AfterPackets != 100 || p.Up.Received != 100 {
				t.Fatalf("status %q stopped %+v received %d, want went-silent after 100", p.Status, p.Stopped, p.Up.Received)
			}
			if p.Resolution != result.ResolutionNone || !strings.Contains(p.Summary, "then went silent") {
				t.Errorf("resolution %q summary %q", p.Resolution, p.Summary)
			}
		}},
	}
	paths, conns, errs := make([]result.QualityPath, len(cases)), make([]*impairConn, len(cases)), make([]error, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		port := startServe(t, nil).UDPAddrs()[0].(*net.UDPAddr).Port
		wg.Go(func() { paths[i], conns[i], errs[i] = directQuality(port, tc.im, stage, flow) })
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			t.Log(paths[i].Summary)
			tc.check(t, paths[i], conns[i])
		})
	}
}

// TestQualityRateLimit: an uplink limit between the 360p and 720p calls
// is held at 360p. The ramp alone (four 200 ms steps) shows it.
func TestQualityRateLimit(t *testing.T) {
	t.Parallel()
	srv := startServe(t, nil)
	port := srv.UDPAddrs()[0].(*net.UDPAddr).Port
	p, _ := runDirectQuality(t, port, impair{rateKbps: 1100}, 200*time.Millisecond, 800*time.Millisecond)
	t.Log(p.Summary)
	if p.Up.Held != result.Stage360p || p.Resolution != result.Stage360p {
		t.Errorf("held up %q, resolution %q, want 360p; stages %+v", p.Up.Held, p.Resolution, p.Stages)
	}
	if p.Down.Held != result.Stage1080p {
		t.Errorf("held down %q, want 1080p (the limit is on the uplink)", p.Down.Held)
	}
}

// TestQualityNoFlowAnswer: a reflector that answers only STUN (coturn)
// gives a clear no-answer, not a hang.
func TestQualityNoFlowAnswer(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	p, _ := runDirectQuality(t, port, impair{}, 200*time.Millisecond, 3*time.Second)
	if p.Status != result.QualityNoAnswer || !strings.Contains(p.Summary, "coturn") {
		t.Errorf("status %q summary %q", p.Status, p.Summary)
	}
}

// TestQualityThroughTURN runs the stage over a TURN server (pion) on
// UDP, TCP and TLS with rtcprobe serve as the peer: the relay carries the
// flow both ways and the TCP paths report head-of-line delay. The paths
// run one after another (as the stage runs them): short flows (the ramp
// in 60 ms steps, then 60 ms of audio) keep the test fast.
func TestQualityThroughTURN(t *testing.T) {
	t.Parallel()
	srv := startServe(t, nil)
	ts := startTURN(t, turnServerOpts{})
	peer := srv.UDPAddrs()[0].String()
	plan := &Plan{Timers: fastTimers(), TURN: []TURNTarget{
		turnTarget("tu", "udp", ts.udpPort, "alice", "s3cret-pass", peer),
		turnTarget("tt", "tcp", ts.tcpPort, "alice", "s3cret-pass", peer),
		turnTarget("ts", "tls", ts.tlsPort, "alice", "s3cret-pass", peer),
	}}
	r := &result.Report{
		Probes: []result.Probe{{ID: "tu", Kind: result.KindTURN, Status: result.StatusOK}, {ID: "tt", Kind: result.KindTURN, Status: result.StatusOK},
			{ID: "ts", Kind: result.KindTURN, Status: result.StatusOK}},
		Paths: result.Paths{DirectUDP: result.Path{Status: result.PathUntested},
			TURNUDP: result.Path{Status: result.PathOK, Counts: true, Evidence: []result.ID{"tu"}},
			TURNTCP: result.Path{Status: result.PathOK, Counts: true, Evidence: []result.ID{"tt"}},
			TURNTLS: result.Path{Status: result.PathOK, Counts: true, Evidence: []result.ID{"ts"}}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := Quality(ctx, &Env{RootCAs: ts.roots}, plan, r, QualityOptions{Flow: 300 * time.Millisecond, Stage: 60 * time.Millisecond, Judge: report.JudgeQuality})
	if len(q.Paths) != 3 {
		t.Fatalf("paths %+v notes %v", q.Paths, q.Notes)
	}
	for i, want := range []string{string(result.PathTURNUDP), string(result.PathTURNTCP), string(result.PathTURNTLS)} {
		p := q.Paths[i]
		t.Log(p.Summary)
		if p.Path != result.PathName(want) || p.Status != result.QualityOK || p.Up.Received == 0 || p.Down.Received == 0 {
			t.Errorf("%s: %+v", want, p)
		}
		if (p.HOLDelayMs != nil) != (result.PathName(want) != result.PathTURNUDP) {
			t.Errorf("%s: head-of-line delay %v", want, p.HOLDelayMs)
		}
		if strings.Contains(p.Summary+p.Target+p.Error, "s3cret") {
			t.Errorf("%s: the credential reached the report", want)
		}
	}
}

// TestSchedule: each ramp step sends its profile's bitrate (audio 64
// kbit/s plus the TRTC video bitrate) at 50 audio datagrams a second and
// 15 video frames, and the hold is audio alone.
func TestSchedule(t *testing.T) {
	const step = 2 * time.Second
	ev := buildSchedule(step, 15*time.Second)
	type tally struct{ n, bytes, audio int }
	got := map[int]*tally{}
	for i, e := range ev {
		if i > 0 && e.at < ev[i-1].at {
			t.Fatalf("event %d at %s before %s", i, e.at, ev[i-1].at)
		}
		if got[e.stage] == nil {
			got[e.stage] = &tally{}
		}
		g := got[e.stage]
		g.n, g.bytes = g.n+1, g.bytes+e.size
		if e.audio {
			g.audio++
		}
	}
	for i, want := range []struct {
		n    int
		kbps float64
	}{{100, 64}, {280, 864}, {430, 1564}, {520, 2064}, {350, 64}} {
		g := got[i]
		dur := step
		if i == len(rampStages) {
			dur = 7 * time.Second
		}
		kbps := float64(g.bytes*8) / dur.Seconds() / 1000
		if g.n != want.n || math.Abs(kbps-want.kbps)/want.kbps > 0.02 || g.audio != int(dur/audioInterval) {
			t.Errorf("stage %d: %d datagrams (%d audio), %.0f kbit/s; want %d, %.0f kbit/s", i, g.n, g.audio, kbps, want.n, want.kbps)
		}
	}
	if b := QualityFlowBytes(15 * time.Second); b < 1.1e6 || b > 1.3e6 {
		t.Errorf("QualityFlowBytes = %.0f, want about 1.2 MB", b)
	}
}

// BenchmarkAnalyze: the analysis of the longest flow (300 s, about 16000
// datagrams each way), with every tenth reply lost.
func BenchmarkAnalyze(b *testing.B) {
	sched := buildSchedule(defaultRampStage, MaxQualityFlow)
	res := &flowResult{events: sched, endAt: int64(MaxQualityFlow / time.Microsecond)}
	var replySeq uint32
	for seq, ev := range sched {
		at := ev.at.Microseconds()
		res.sentAt = append(res.sentAt, at)
		if seq%10 != 9 {
			res.replies = append(res.replies, flowReply{seq: uint32(seq), replySeq: replySeq, recvCount: replySeq + 1,
				clientSend: at, reflRecv: at + 15000, reflSend: at + 15050, recvAt: at + 30100})
		}
		replySeq++
	}
	b.ReportAllocs()
	for b.Loop() {
		p := analyze(res, false, DefaultTimers().FlowSilence)
		if p.Down.LossPct < 9 {
			b.Fatalf("down loss %.1f, want 10", p.Down.LossPct)
		}
	}
}
