package probe

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// Echo sizes beyond the STUN-sized datagram: 1200 bytes is what WebRTC
// stacks keep media packets under; 1472 is the UDP payload of a full
// 1500-byte IPv4 packet, the largest that passes without fragmentation.
const (
	echoMediaSize = 1200
	echoFullSize  = 1472
)

// echoNote explains a silent echo probe: coturn and other plain STUN
// reflectors never answer echo datagrams, so silence alone proves nothing.
const echoNote = "only a reflector in echo mode (rtcprobe serve) answers these; a plain STUN server (coturn) never does"

// echo sends the echo datagrams to a port that answered STUN from
// rtcprobe serve: one of the STUN request's size (a firewall that passes
// STUN but drops other payloads filters by inspection, not by port), 1200
// bytes (what WebRTC keeps media packets under) and 1472 (a full 1500-byte
// packet); a path that drops the large ones breaks video.
func (r *run) echo(ctx context.Context, to netip.AddrPort, stunProbe result.Probe) {
	sizes := []int{stunRequestSize(), echoMediaSize, echoFullSize}
	var wg sync.WaitGroup
	for i, size := range sizes {
		wg.Go(func() {
			if !sleepCtx(ctx, r.plan.Timing().UDPPacing*timeMul(i)) {
				return
			}
			w := r.udpWait(r.plan.Timing().STUNSendAt[:echoSends], r.plan.Timing().EchoGiveUp)
			r.echoOne(ctx, to, stunProbe, size, w, nil)
		})
	}
	wg.Wait()
}

func timeMul(i int) time.Duration { return time.Duration(i) }

// echoOne runs one echo probe of one size. When noEcho is set by the time
// the probe ends, the STUN answer showed a reflector that does not echo:
// the probe was stopped and is recorded as skipped, not blocked.
func (r *run) echoOne(ctx context.Context, to netip.AddrPort, stunProbe result.Probe, size int, w udpWait, noEcho *atomic.Bool) {
	p := result.Probe{ID: result.EchoID(int(to.Port()), size), Kind: result.KindUDP, Role: "media",
		Target: stunProbe.Target, Address: stunProbe.Address, Port: stunProbe.Port, Transport: "udp", After: stunProbe.ID}
	start := r.begin(p)
	token := r.echoToken()
	build, match := echoExchange(token, size)
	res := r.exchange(ctx, to, w, build, match)
	r.noteLoss(res)
	res.fill(&p, r.env.now().Sub(start))
	r.markRange(&p, res.localPort)
	p.Details[result.DetailPayload] = "echo"
	p.Details[result.DetailSize] = strconv.Itoa(size)
	switch {
	case p.Status == result.StatusOK:
		p.Details[result.DetailEchoCapable] = "true"
	case noEcho != nil && noEcho.Load():
		p.Status, p.Reason, p.Error = result.StatusSkipped, result.ReasonNoEcho, "stopped: "+stunProbe.ID.String()+" ended (answered, rejected, or the reflector busy), so the datagram alongside it has nothing to tell"
	case p.Status == result.StatusBlocked:
		p.Details[result.DetailNote] = echoNote
	}
	r.finish(p)
}

// echoSends is how many times a large echo datagram is sent (more on a
// lossy path): the first three sends of Timers.STUNSendAt fit in
// Timers.EchoGiveUp.
const echoSends = 3

// echoExchange returns the build and match functions of an echo exchange.
// Every send carries the same token, so the RTT is from the latest send (a
// lower bound when an earlier send was the one answered).
func echoExchange(token [wire.TokenLen]byte, size int) (func(int) ([]byte, error), func([]byte, int) (int, string)) {
	build := func(int) ([]byte, error) { return wire.NewEchoRequest(token, size) }
	return build, func(b []byte, sent int) (int, string) {
		if wire.MatchAnswer(b, token, size) {
			return sent - 1, ""
		}
		if wire.MatchBusy(b, token) {
			return -1, busyKind
		}
		return -1, "garbage"
	}
}

// stunRequestSize is the size of the binding request stun() sends, so the
// non-STUN datagram matches it byte for byte.
func stunRequestSize() int {
	m, err := newBindingRequest()
	if err != nil || len(m.Raw) < wire.HeaderLen {
		return wire.HeaderLen + 8
	}
	return len(m.Raw)
}
