package probe

import (
	"context"

	"github.com/rtcprobe/rtcprobe/report"
)

// web checks one HTTPS/WebSocket endpoint: DNS -> TCP -> TLS -> request.
// STUB: to be replaced.
func (r *run) web(ctx context.Context, t WebTarget) {
	r.finish(report.Probe{ID: t.ID + "-dns", Kind: report.KindDNS, Role: t.Role, Region: t.Region, Target: t.Host(), Status: report.StatusError, Error: "not implemented"})
}
