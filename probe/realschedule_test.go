package probe

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// arrivals records when a silent loopback UDP server received each STUN
// message and each echo datagram.
type arrivals struct {
	port int
	mu   sync.Mutex
	stun []time.Time
	echo []time.Time
}

func silentRecorder(t *testing.T) *arrivals {
	a := &arrivals{}
	a.port = responder(t, func(req []byte, _ *net.UDPAddr) [][]byte {
		now := time.Now()
		a.mu.Lock()
		defer a.mu.Unlock()
		switch {
		case stun.IsMessage(req):
			a.stun = append(a.stun, now)
		case wire.IsEchoRequest(req):
			a.echo = append(a.echo, now)
		}
		return nil
	})
	return a
}

// TestRealSchedule is the one test that runs the real timers
// (DefaultTimers; every other test of the package runs them scaled by
// testFactor): a silent reflector port and a silent TURN server over UDP,
// in one run of about 4.5 s. The STUN probe must send exactly the default
// schedule, at the offsets the dry run lists for it, with the echo
// datagram alongside on its own schedule, and be called blocked no sooner
// than STUNGiveUp and before the lossy schedule would end (the run saw no
// loss). The TURN probe must be blocked at TURNAllocate after pion's
// retransmissions from TURNRTO, as the dry run plans them.
func TestRealSchedule(t *testing.T) {
	t.Parallel()
	tm := DefaultTimers()
	reflector, turnServer := silentRecorder(t), silentRecorder(t)
	plan := &Plan{Timers: tm, Budget: DefaultBudget,
		Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: []int{reflector.port}},
		TURN:      []TURNTarget{turnTarget("turn", "udp", turnServer.port, "alice", "s3cret-pass", "")}}
	began, took := map[result.ID]time.Time{}, map[result.ID]time.Duration{}
	onEvent := func(p result.Probe) { // serialised by Run
		if p.Status == result.StatusRunning {
			began[p.ID] = time.Now()
		} else {
			took[p.ID] = time.Since(began[p.ID])
		}
	}
	got := map[result.ID]result.Probe{}
	for _, p := range Run(context.Background(), &Env{}, plan, onEvent) {
		got[p.ID] = p
	}
	planned := map[result.ID][]float64{}
	for _, s := range plan.Describe() {
		planned[result.ID(s.Probe)] = s.AtMs
	}

	stunID := result.STUNID(reflector.port)
	p := got[stunID]
	if p.Status != result.StatusBlocked || p.Reason != result.ReasonTimeout || p.Details[result.DetailSends] != strconv.Itoa(len(tm.STUNSendAt)) {
		t.Errorf("%s = %s/%s after %s sends, want blocked/timeout after %d", stunID, p.Status, p.Reason, p.Details[result.DetailSends], len(tm.STUNSendAt))
	}
	if d := took[stunID]; d < tm.STUNGiveUp || d >= tm.LossyGiveUp {
		t.Errorf("%s blocked after %v, want from STUNGiveUp %v and before LossyGiveUp %v", stunID, d, tm.STUNGiveUp, tm.LossyGiveUp)
	}
	reflector.mu.Lock()
	defer reflector.mu.Unlock()
	checkArrivals(t, "STUN", began[stunID], reflector.stun, tm.STUNSendAt, tm.STUNGiveUp)
	// The dry run lists the same sends (and the lossy run's after them).
	if at := planned[stunID]; len(at) < len(tm.STUNSendAt) {
		t.Errorf("dry run plans %v for %s", at, stunID)
	} else {
		for i, d := range tm.STUNSendAt {
			if time.Duration(at[i]-at[0])*time.Millisecond != d.Truncate(time.Millisecond) {
				t.Errorf("dry run plans send %d of %s at %v ms, the run sent it at %v", i, stunID, at[i]-at[0], d)
			}
		}
	}
	echoAt := make([]time.Duration, len(tm.EchoAlongsideSendAt))
	for i, d := range tm.EchoAlongsideSendAt {
		echoAt[i] = tm.EchoAlongsideDelay + d
	}
	checkArrivals(t, "echo alongside", began[stunID], reflector.echo, echoAt, tm.STUNGiveUp)

	tp := got["turn"]
	if tp.Status != result.StatusBlocked || tp.Reason != result.ReasonTimeout {
		t.Errorf("turn = %s/%s (%s), want blocked/timeout", tp.Status, tp.Reason, tp.Error)
	}
	if d := took["turn"]; d < tm.TURNAllocate || d >= tm.TURNLossyAllocate {
		t.Errorf("turn blocked after %v, want from TURNAllocate %v and before TURNLossyAllocate %v", d, tm.TURNAllocate, tm.TURNLossyAllocate)
	}
	// pion resends the first Allocate from TURNRTO doubling (the dry run's
	// drySchedule) until TURNAllocate ends it.
	var turnAt []time.Duration
	for _, m := range drySchedule(0, tm.TURNRTO, dryTURNMaxRTO, dryTURNRequests, tm.TURNAllocate) {
		turnAt = append(turnAt, time.Duration(m)*time.Millisecond)
	}
	turnServer.mu.Lock()
	defer turnServer.mu.Unlock()
	checkArrivals(t, "TURN Allocate", began["turn"], turnServer.stun, turnAt, tm.TURNAllocate)
}

// checkArrivals checks that got holds one arrival per offset of want,
// each (measured from began, when the probe started) no earlier than
// planned and before the next planned send (or end): the real timers, not
// a compressed or stretched copy.
func checkArrivals(t *testing.T, what string, began time.Time, got []time.Time, want []time.Duration, end time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d datagrams arrived, want %d", what, len(got), len(want))
		return
	}
	for i, at := range got {
		next := end
		if i+1 < len(want) {
			next = want[i+1]
		}
		if d := at.Sub(began); d < want[i] || d >= next {
			t.Errorf("%s: send %d arrived at %v, planned at %v (next %v)", what, i, d, want[i], next)
		}
	}
}
