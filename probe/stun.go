package probe

import (
	"context"

	"github.com/rtcprobe/rtcprobe/report"
)

// stun sends STUN binding requests to host:port over UDP.
// STUB: to be replaced.
func (r *run) stun(ctx context.Context, host string, port int) {
	r.finish(report.Probe{ID: "stun-" + itoa(port), Kind: report.KindSTUN, Role: "media", Target: host, Port: port, Transport: "udp", Status: report.StatusError, Error: "not implemented"})
}
