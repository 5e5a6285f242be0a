package probe

import (
	"context"
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
