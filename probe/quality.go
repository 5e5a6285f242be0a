package probe

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Length of the quality stage's flows (check --quality[=DURATION]).
const (
	// DefaultQualityFlow is each path's flow: the 8 s ramp (four 2 s
	// steps) and 7 s of audio after it, long enough to see a firewall
	// that cuts a flow after a few seconds or a few hundred datagrams.
	DefaultQualityFlow = 15 * time.Second
	// MinQualityFlow leaves the ramp and 2 s of hold, the least that
	// can tell a late cut (Timers.FlowSilence) from the end of the ramp.
	MinQualityFlow = 10 * time.Second
	// MaxQualityFlow is the reflector's limit per flow (reflector
	// FlowMaxAge), Microsoft's Teams assessment's longest flow.
	MaxQualityFlow = 300 * time.Second
	// defaultRampStage is one ramp step: 30 video frames at 15 fps, 100
	// audio datagrams: enough for a loss figure within a couple of points.
	defaultRampStage = 2 * time.Second
)

// QualityOptions configure the quality stage. The zero value is the
// default stage.
type QualityOptions struct {
	// Flow is each path's flow length; 0 means DefaultQualityFlow.
	Flow time.Duration
	// Stage is one ramp step; 0 means 2 s (tests shorten it).
	Stage time.Duration
	// OnPath, when non-nil, is called as each path starts (Status "")
	// and finishes; it must not block for long.
	OnPath func(result.QualityPath)
	// Judge fills the verdict fields of the paths measured (the caller
	// passes report.JudgeQuality: the verdict lives in report, which this
	// package does not import). Nil leaves them empty.
	Judge func(*result.Quality)
}

// qualityPath is one path the stage will measure.
type qualityPath struct {
	name              result.PathName
	target, transport string
	reflector         string      // host:port, direct UDP only
	turn              *TURNTarget // TURN paths
}

// Quality runs the quality stage after a check: a TRTC-shaped flow over
// every media path the report found working (and counting), one path after
// another so they do not share the access link's bandwidth. It needs
// rtcprobe serve as the reflector; the result is judged by o.Judge.
func Quality(ctx context.Context, env *Env, plan *Plan, r *result.Report, o QualityOptions) *result.Quality {
	if env == nil {
		env = &Env{}
	}
	if o.Flow <= 0 {
		o.Flow = DefaultQualityFlow
	}
	if o.Stage <= 0 {
		o.Stage = defaultRampStage
	}
	start := time.Now()
	paths, notes := qualityPaths(plan, r)
	q := &result.Quality{FlowMs: result.MS(o.Flow), Paths: []result.QualityPath{}, Notes: notes}
	sched := buildSchedule(o.Stage, o.Flow)
	for _, qp := range paths {
		if ctx.Err() != nil {
			q.Notes = append(q.Notes, string(qp.name)+": not measured, the stage was interrupted")
			continue
		}
		if o.OnPath != nil {
			o.OnPath(result.QualityPath{Path: qp.name, Target: qp.target, Transport: qp.transport})
		}
		p := measurePath(ctx, env, plan, qp, sched)
		if ctx.Err() != nil {
			q.Notes = append(q.Notes, string(qp.name)+": the stage was interrupted during its flow; its figures cover the part that ran")
		}
		q.Paths = append(q.Paths, p)
		if o.OnPath != nil {
			one := result.Quality{Paths: []result.QualityPath{p}}
			o.judge(&one)
			o.OnPath(one.Paths[0])
		}
	}
	q.DurationMs = result.MS(time.Since(start))
	o.judge(q)
	return q
}

// judge applies o.Judge when set.
func (o QualityOptions) judge(q *result.Quality) {
	if o.Judge != nil {
		o.Judge(q)
	}
}

// qualityPaths picks the paths: direct UDP on its first answering port,
// and each TURN transport's first working server, with the reflector as
// the relay's peer.
func qualityPaths(plan *Plan, r *result.Report) ([]qualityPath, []string) {
	var out []qualityPath
	var notes []string
	probes := map[result.ID]*result.Probe{}
	for i := range r.Probes {
		probes[r.Probes[i].ID] = &r.Probes[i]
	}
	for _, name := range result.PathOrder {
		path := r.Paths.Get(name)
		if path.Status != result.PathOK && path.Status != result.PathPartial {
			continue
		}
		if !path.Counts {
			notes = append(notes, string(name)+": not measured, the path does not count")
			continue
		}
		qp, note := pickQualityPath(plan, name, path.Evidence, probes)
		if note != "" {
			notes = append(notes, note)
		}
		if qp != nil {
			out = append(out, *qp)
		}
	}
	if len(out) == 0 && len(notes) == 0 {
		notes = append(notes, "no working media path to measure")
	}
	return out, notes
}

func pickQualityPath(plan *Plan, name result.PathName, evidence []result.ID, probes map[result.ID]*result.Probe) (*qualityPath, string) {
	for _, id := range evidence {
		p := probes[id]
		if p == nil || p.Status != result.StatusOK {
			continue
		}
		if name == result.PathDirectUDP {
			if plan.Reflector == nil {
				return nil, string(name) + ": not measured, no reflector"
			}
			hp := JoinHostPort(plan.Reflector.Host, p.Port)
			return &qualityPath{name: name, target: hp, transport: "udp", reflector: hp}, ""
		}
		i := slices.IndexFunc(plan.TURN, func(t TURNTarget) bool { return t.ID == id })
		if i < 0 {
			continue
		}
		t := plan.TURN[i]
		if t.Peer == "" {
			return nil, string(name) + ": not measured, the relay needs rtcprobe serve as its peer (--reflector or --turn-peer)"
		}
		return &qualityPath{name: name, target: t.URL, transport: t.Transport, turn: &t}, ""
	}
	return nil, ""
}

// measurePath sets the path up, runs the flow and analyses it.
func measurePath(ctx context.Context, env *Env, plan *Plan, qp qualityPath, sched []flowEvent) result.QualityPath {
	p := result.QualityPath{Path: qp.name, Target: qp.target, Transport: qp.transport,
		Stages: []result.QualityStage{}, Timeline: []result.QualitySample{}}
	c, closeFn, err := openQualityConn(ctx, env, plan, qp)
	if err != nil {
		p.Status, p.Error = result.QualityError, err.Error()
		return p
	}
	defer closeFn()
	res, err := runFlow(ctx, c, sched, plan.Timing())
	if err != nil {
		p.Status, p.Error = result.QualityNoAnswer, err.Error()
		if err != errFlowNoCookie {
			p.Status = result.QualityError
		}
		return p
	}
	m := analyze(res, qp.transport != "udp", plan.Timing().FlowSilence)
	m.Path, m.Target, m.Transport = p.Path, p.Target, p.Transport
	return m
}

// openQualityConn returns the flow's socket and peer: a UDP socket for
// direct UDP, a fresh TURN allocation with a permission for the peer.
func openQualityConn(ctx context.Context, env *Env, plan *Plan, qp qualityPath) (flowConn, func(), error) {
	rn := &run{env: env, plan: plan, start: time.Now(), deadline: time.Now().Add(plan.Timing().QualitySetup)}
	ctx, cancel := context.WithTimeout(ctx, plan.Timing().QualitySetup)
	defer cancel()
	if qp.turn == nil {
		peer, err := rn.resolveHostPort(ctx, qp.reflector)
		if err != nil {
			return flowConn{}, nil, fmt.Errorf("reflector %s: %v", qp.reflector, err)
		}
		pc, err := env.listenPacket(ctx, "udp", ":0")
		if err != nil {
			return flowConn{}, nil, err
		}
		return flowConn{pc, net.UDPAddrFromAddrPort(peer)}, func() { _ = pc.Close() }, nil
	}
	t := *qp.turn
	peer, err := rn.resolveHostPort(ctx, t.Peer)
	if err != nil {
		return flowConn{}, nil, fmt.Errorf("peer %s: %v", t.Peer, err)
	}
	s, f := rn.turnAllocate(ctx, t, t.Username, t.Credential.Reveal())
	if f != nil {
		if s != nil {
			s.close()
		}
		return flowConn{}, nil, fmt.Errorf("TURN allocation: %s", scrub(f.err.Error(), t.Credential))
	}
	pa := net.UDPAddrFromAddrPort(peer)
	if err := s.createPermission(ctx, pa); err != nil {
		s.close()
		return flowConn{}, nil, fmt.Errorf("TURN permission for %s: %s", pa, scrub(err.Error(), t.Credential))
	}
	return flowConn{s.relay, pa}, s.close, nil
}

// ParseQualityFlag reads --quality's value: "" or "true" for the default
// flow, "false" for off, or a duration within MinQualityFlow and
// MaxQualityFlow. It returns 0 for off.
func ParseQualityFlag(v string) (time.Duration, error) {
	switch strings.ToLower(v) {
	case "", "true", "1":
		return DefaultQualityFlow, nil
	case "false", "0":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, err2 := strconv.Atoi(v); err2 == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d < MinQualityFlow || d > MaxQualityFlow {
		return 0, fmt.Errorf("--quality=%q: want a duration from %s to %s (e.g. --quality=30s)", v, MinQualityFlow, MaxQualityFlow)
	}
	return d, nil
}
