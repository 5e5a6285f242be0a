package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// qualityFlag is --quality[=DURATION]: a bool flag that also takes a
// duration (each path's flow). The zero value is off.
type qualityFlag struct{ flow time.Duration }

func (q *qualityFlag) String() string {
	if q == nil || q.flow == 0 {
		return "false"
	}
	return q.flow.String()
}

func (q *qualityFlag) Set(s string) error {
	d, err := probe.ParseQualityFlag(s)
	if err != nil {
		return err
	}
	q.flow = d
	return nil
}

// IsBoolFlag lets --quality stand alone (flag then calls Set("true")).
func (q *qualityFlag) IsBoolFlag() bool { return true }

const qualityUsage = "after the verdict, measure call quality on every working media path with a TRTC-shaped flow (needs rtcprobe serve as the reflector); =DURATION sets each path's flow (default 15s, 10s-5m)"

// withQuality runs the quality stage when --quality asks for it and adds
// it to the report, cleaned like the rest. Progress goes to progress
// (one line per path); nil means none.
func withQuality(ctx context.Context, r *result.Report, plan *probe.Plan, env *probe.Env, f *checkFlags, progress io.Writer) {
	if f.quality.flow == 0 || ctx.Err() != nil {
		return
	}
	o := probe.QualityOptions{Flow: f.quality.flow, Judge: report.JudgeQuality}
	if progress != nil {
		o.OnPath = func(p result.QualityPath) {
			if p.Status == "" {
				fmt.Fprintf(progress, "rtcprobe: quality: %s to %s, %s...\n", p.Path, report.TermSafe(p.Target), f.quality.flow)
			}
		}
	}
	r.Quality = probe.Quality(ctx, env, plan, r, o)
	if f.redact {
		report.Redact(r)
	} else {
		report.Sanitize(r)
	}
}

// tuiQuality is the TUI's quality stage: --quality's flow (or the
// default), no progress lines (the screen shows the stage), the result
// cleaned like the report.
func tuiQuality(plan *probe.Plan, env *probe.Env, f *checkFlags) func(context.Context, *result.Report) *result.Quality {
	return func(ctx context.Context, r *result.Report) *result.Quality {
		flow := f.quality.flow
		if flow == 0 {
			flow = probe.DefaultQualityFlow
		}
		// Clean the section alone: the screen reads r meanwhile.
		tmp := &result.Report{Host: result.Host{Hostname: r.Host.Hostname},
			Quality: probe.Quality(ctx, env, plan, r, probe.QualityOptions{Flow: flow, Judge: report.JudgeQuality})}
		if f.redact {
			report.Redact(tmp)
		} else {
			report.Sanitize(tmp)
		}
		return tmp.Quality
	}
}

// qualityDryRunNote tells a --dry-run --quality what the stage would add:
// it cannot be listed datagram by datagram before the verdict says which
// paths work.
func qualityDryRunNote(w io.Writer, f *checkFlags) {
	if f.quality.flow == 0 {
		return
	}
	fmt.Fprintf(w, "rtcprobe: --quality: after the verdict, a %s flow to the reflector on each working media path (direct UDP, each TURN transport), one path after another: up to about 2.1 Mbit/s each way, about %.1f MB each way per path\n",
		f.quality.flow, probe.QualityFlowBytes(f.quality.flow)/1e6)
}
