package probe

import (
	"context"
	"strconv"

	"github.com/rtcprobe/rtcprobe/report"
)

func itoa(i int) string { return strconv.Itoa(i) }

// turn checks one TURN server over one transport: allocate, permission, relay.
// STUB: to be replaced.
func (r *run) turn(ctx context.Context, t TURNTarget) {
	r.finish(report.Probe{ID: t.ID, Kind: report.KindTURN, Role: "turn", Target: t.URL, Port: t.Port, Transport: t.Transport, Status: report.StatusError, Error: "not implemented"})
}
