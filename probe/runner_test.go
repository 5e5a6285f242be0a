package probe

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

func TestRecorderOrderAndInterrupted(t *testing.T) {
	var mu sync.Mutex
	var events []string
	r := &run{env: &Env{}, start: time.Now(), onEvent: func(p result.Probe) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, p.ID.String()+":"+string(p.Status))
	}}
	r.begin(result.Probe{ID: "a"})
	r.begin(result.Probe{ID: "b"})
	r.finish(result.Probe{ID: "b", Status: result.StatusOK})
	r.finish(result.Probe{ID: "c", Status: result.StatusSkipped})
	got := r.results()
	want := []struct {
		id     result.ID
		status result.Status
		reason result.Reason
	}{
		{"a", result.StatusSkipped, "interrupted"},
		{"b", result.StatusOK, ""},
		{"c", result.StatusSkipped, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Status != w.status || got[i].Reason != w.reason {
			t.Errorf("result %d = %s/%s/%s, want %s/%s/%s", i, got[i].ID, got[i].Status, got[i].Reason, w.id, w.status, w.reason)
		}
	}
	wantEv := []string{"a:running", "b:running", "b:ok", "c:skipped"}
	if len(events) != len(wantEv) {
		t.Fatalf("events %v, want %v", events, wantEv)
	}
	for i := range wantEv {
		if events[i] != wantEv[i] {
			t.Errorf("event %d = %s, want %s", i, events[i], wantEv[i])
		}
	}
}

func TestSleepCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if !sleepCtx(ctx, time.Millisecond) {
		t.Error("sleepCtx returned false before cancel")
	}
	cancel()
	if sleepCtx(ctx, time.Hour) {
		t.Error("sleepCtx returned true after cancel")
	}
}

// TestRunEmptyPlanReturnsAtOnce: a plan with nothing to do must not wait
// for the budget.
func TestRunEmptyPlanReturnsAtOnce(t *testing.T) {
	done := make(chan []result.Probe, 1)
	go func() { done <- Run(context.Background(), &Env{}, &Plan{Budget: time.Minute}, nil) }()
	select {
	case got := <-done:
		if len(got) != 0 {
			t.Errorf("got %d probes from an empty plan", len(got))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run of an empty plan did not return")
	}
}

// TestRunAbandonsStuckProbe: a probe stuck in a call that ignores ctx (a
// connect that Wine does not cancel) must not hold the run past the budget
// plus Timers.AbandonGrace; it is reported unfinished and its late outcome is
// dropped.
func TestRunAbandonsStuckProbe(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	env := &Env{LoopbackAnswers: true, Nameservers: []string{}, Dial: func(context.Context, string, string) (net.Conn, error) {
		select {
		case entered <- struct{}{}:
		default: // a second address: the first one already told
		}
		<-release // ignores ctx on purpose
		return nil, errors.New("released")
	}}
	plan := &Plan{Timers: fastTimers(), Budget: 200 * time.Millisecond,
		Web: []WebTarget{{ID: "stuck", Role: "schedule", URL: "https://127.0.0.1:9/"}}}
	done := make(chan []result.Probe, 1)
	go func() { done <- Run(context.Background(), env, plan, nil) }()
	t.Cleanup(func() { close(release) })
	select {
	case got := <-done:
		select {
		case <-entered:
		default:
			t.Fatal("the probe never reached the stuck dial")
		}
		var stuck *result.Probe
		for i := range got {
			if got[i].Kind == result.KindTCP {
				stuck = &got[i]
			}
		}
		if stuck == nil {
			t.Fatalf("no TCP probe in %+v", got)
		}
		if stuck.Status != result.StatusSkipped || stuck.Reason != "interrupted" {
			t.Errorf("stuck probe = %s/%s, want skipped/interrupted", stuck.Status, stuck.Reason)
		}
	case <-time.After(plan.Budget + plan.Timers.AbandonGrace + 10*time.Second):
		t.Fatal("Run waited for a probe stuck past the budget")
	}
}
