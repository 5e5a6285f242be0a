package report

import (
	"runtime"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Build assembles a report from what a run was asked to check (cfg) and what
// its probes found, and judges it. complete is false for an interrupted run.
func Build(tool result.Tool, host result.Host, cfg result.Config, probes []result.Probe, started time.Time, dur time.Duration, complete bool) *result.Report {
	if probes == nil {
		probes = []result.Probe{}
	}
	if host.OS == "" {
		host.OS, host.Arch = runtime.GOOS, runtime.GOARCH
	}
	r := &result.Report{
		Schema: result.SchemaID, Tool: tool, Host: host, Config: cfg,
		StartedAt: started.UTC(), DurationMs: result.MS(dur), Complete: complete,
		Probes: probes,
	}
	Judge(r)
	return r
}
