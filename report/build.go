package report

import (
	"runtime"
	"time"
)

// Build assembles a report from what a run was asked to check (cfg) and what
// its probes found, and judges it. complete is false for an interrupted run.
func Build(tool Tool, host Host, cfg Config, probes []Probe, started time.Time, dur time.Duration, complete bool) *Report {
	if probes == nil {
		probes = []Probe{}
	}
	if host.OS == "" {
		host.OS, host.Arch = runtime.GOOS, runtime.GOARCH
	}
	r := &Report{
		Schema: SchemaID, Tool: tool, Host: host, Config: cfg,
		StartedAt: started.UTC(), DurationMs: MS(dur), Complete: complete,
		Probes: probes,
	}
	Judge(r)
	return r
}
