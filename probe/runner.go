package probe

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Run executes every probe of the plan concurrently, bounded by plan.Budget
// (and ctx), and returns the results in plan order. onEvent, when non-nil,
// is called (from many goroutines, serialised) each time a probe starts
// (Status "running") and finishes; it must not block for long.
//
// A failed probe is a result, not an error. When ctx is cancelled (the user
// interrupted) Run returns promptly with what was gathered; unfinished
// probes are reported as skipped with reason "interrupted".
func Run(ctx context.Context, env *Env, plan *Plan, onEvent func(result.Probe)) []result.Probe {
	if env == nil {
		env = &Env{}
	}
	budget := plan.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	r := &run{env: env, plan: plan, start: env.now(), onEvent: onEvent, deadline: env.now().Add(budget)}
	pacing := plan.Timing().UDPPacing
	// The proxy configuration (a PAC fetched and run, WPAD) decides each
	// target's route before any target starts, as the browser resolves
	// the proxy before it connects.
	r.prepareRoutes(ctx)
	r.policyProbes()
	var wg sync.WaitGroup
	for _, t := range plan.Web {
		wg.Go(func() { r.web(ctx, t) })
	}
	if plan.Reflector != nil {
		for i, port := range plan.Reflector.Ports {
			wg.Go(func() {
				// Pace the datagrams so a run never looks like a port scan
				// to an intrusion-prevention system: no burst of sends.
				if !sleepCtx(ctx, time.Duration(i)*pacing) {
					return
				}
				r.stun(ctx, plan.Reflector.Host, port)
			})
		}
		if plan.UDPPortRange.Set() && len(plan.Reflector.Ports) > 0 {
			wg.Go(func() {
				if sleepCtx(ctx, time.Duration(len(plan.Reflector.Ports))*pacing) {
					r.stunAnyPort(ctx, plan.Reflector.Host, plan.Reflector.Ports[0])
				}
			})
		}
	}
	for _, t := range plan.Routes {
		wg.Go(func() { r.netRoute(ctx, t) })
	}
	for i, t := range plan.TURN {
		wg.Go(func() {
			if !sleepCtx(ctx, time.Duration(i)*pacing) {
				return
			}
			r.turn(ctx, t)
		})
	}
	r.wait(ctx, &wg)
	return r.results()
}

// wait waits for every probe, bounded by ctx plus Timers.AbandonGrace.
func (r *run) wait(ctx context.Context, wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	t := time.NewTimer(r.plan.Timing().AbandonGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// run is the state of one Run. The recorder fields are protected by mu.
type run struct {
	env      *Env
	plan     *Plan
	start    time.Time
	deadline time.Time
	onEvent  func(result.Probe)

	mu     sync.Mutex
	order  []result.ID                // probe IDs in the order they began
	probes map[result.ID]result.Probe // latest state of each probe
	// closed is set once the results are taken: a probe abandoned after
	// the budget (Timers.AbandonGrace) that finishes later changes nothing and
	// sends no event.
	closed bool

	// media is shared by the STUN and echo probes (stun.go).
	media mediaState

	// rt holds each target's route when the plan has a proxy
	// configuration (route.go); nil means plan.HTTPProxy alone.
	rt *routing
	// routes is shared by the route probes (netroute.go).
	routes routeState
	// rangeHeld counts the ports of the browser's range this run holds
	// (portrange.go): exhaustion by rtcprobe's own sockets is not news.
	rangeHeld atomic.Int32
	// proxyAuth holds, per TURN probe ID, what its CONNECT learned about
	// the proxy's authentication (proxyauth_probe.go).
	proxyAuth sync.Map
}

// begin records a probe as running and returns its start time.
func (r *run) begin(p result.Probe) time.Time {
	now := r.env.now()
	p.Status = result.StatusRunning
	p.StartMs = result.MS(now.Sub(r.start))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return now
	}
	if r.probes == nil {
		r.probes = map[result.ID]result.Probe{}
	}
	if _, ok := r.probes[p.ID]; !ok {
		r.order = append(r.order, p.ID)
	}
	r.probes[p.ID] = p
	if r.onEvent != nil {
		r.onEvent(p)
	}
	return now
}

// finish records a probe's outcome. A probe finished without begin is
// recorded too (skipped probes).
func (r *run) finish(p result.Probe) {
	p = r.withRoute(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if r.probes == nil {
		r.probes = map[result.ID]result.Probe{}
	}
	if old, ok := r.probes[p.ID]; ok {
		if p.StartMs == 0 {
			p.StartMs = old.StartMs
		}
	} else {
		r.order = append(r.order, p.ID)
		p.StartMs = result.MS(r.env.now().Sub(r.start))
	}
	r.probes[p.ID] = p
	if r.onEvent != nil {
		r.onEvent(p)
	}
}

func (r *run) results() []result.Probe {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	out := make([]result.Probe, 0, len(r.order))
	for _, id := range r.order {
		p := r.probes[id]
		if p.Status == result.StatusRunning {
			p.Status = result.StatusSkipped
			p.Reason = result.ReasonInterrupted
			p.Error = "the run ended before this probe finished"
		}
		out = append(out, p)
	}
	return out
}

// sleepCtx waits d or until ctx is done; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
