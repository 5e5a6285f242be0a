package probe

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// The call the quality flow imitates: TRTC's audio (50 datagrams a second,
// 20 ms frames of about 160 bytes) and video frames at 15 fps (every TRTC
// Web profile up to 1080p is 15 fps, trtc.io/document/59654) cut into
// packets of at most videoPacket bytes and sent as a burst, as an encoder
// hands a frame to the network.
const (
	audioInterval = 20 * time.Millisecond
	audioSize     = 160
	videoFPS      = 15
	videoPacket   = 1200
)

// flowStage is one step of the ramp: audio plus video at videoKbps.
type flowStage struct {
	name      string
	videoKbps float64
}

// rampStages are the steps, in order: the video bitrates are TRTC's
// profile defaults (result.Stage* documents the source).
var rampStages = []flowStage{
	{result.StageAudio, 0}, {result.Stage360p, 800}, {result.Stage720p, 1500}, {result.Stage1080p, 2000},
}

// audioKbps is the audio stream's bitrate (UDP payload).
const audioKbps = float64(audioSize*8) / float64(audioInterval/time.Millisecond)

// flowEvent is one datagram of the schedule. stage indexes rampStages;
// len(rampStages) is the audio-only hold after the ramp.
type flowEvent struct {
	at    time.Duration
	size  int
	audio bool
	stage int
}

// buildSchedule lays out the whole flow: each ramp stage for stageLen,
// then audio alone until total.
func buildSchedule(stageLen, total time.Duration) []flowEvent {
	var ev []flowEvent
	for i, st := range rampStages {
		from := time.Duration(i) * stageLen
		ev = append(ev, audioEvents(from, from+stageLen, i)...)
		if st.videoKbps > 0 {
			ev = append(ev, videoEvents(from, from+stageLen, st.videoKbps, i)...)
		}
	}
	ramp := time.Duration(len(rampStages)) * stageLen
	ev = append(ev, audioEvents(ramp, max(ramp, total), len(rampStages))...)
	sortEvents(ev)
	return ev
}

func audioEvents(from, to time.Duration, stage int) []flowEvent {
	var ev []flowEvent
	for t := from; t < to; t += audioInterval {
		ev = append(ev, flowEvent{at: t, size: audioSize, audio: true, stage: stage})
	}
	return ev
}

func videoEvents(from, to time.Duration, kbps float64, stage int) []flowEvent {
	frame := int(kbps * 1000 / 8 / videoFPS)
	n := (frame + videoPacket - 1) / videoPacket
	size := max(wire.FlowHeaderLen, frame/n)
	var ev []flowEvent
	step := time.Second / videoFPS
	for t := from + step/2; t < to; t += step { // offset: frames fall between audio packets
		for range n {
			ev = append(ev, flowEvent{at: t, size: size, stage: stage})
		}
	}
	return ev
}

// sortEvents sorts by time, stably (audio and video of one instant keep
// their order).
func sortEvents(ev []flowEvent) {
	slices.SortStableFunc(ev, func(a, b flowEvent) int { return cmp.Compare(a.at, b.at) })
}

// QualityFlowBytes is how many bytes one path's flow of length flow sends
// each way (UDP payloads; the replies are as large): for --dry-run.
func QualityFlowBytes(flow time.Duration) float64 {
	n := 0
	for _, ev := range buildSchedule(defaultRampStage, flow) {
		n += ev.size
	}
	return float64(n)
}

// flowReply is one reply as it arrived.
type flowReply struct {
	seq, replySeq, recvCount uint32
	clientSend               int64 // µs, client clock
	reflRecv, reflSend       int64 // µs, reflector clock
	recvAt                   int64 // µs, client clock
}

// flowResult is what one flow saw, for analyze.
type flowResult struct {
	events  []flowEvent
	sentAt  []int64 // µs since start, by seq; len = datagrams sent
	replies []flowReply
	endAt   int64 // µs: when the flow stopped sending
}

// flowHelloSends is how many hellos are sent, Timers.FlowHelloGap apart,
// before the reflector is called silent.
const flowHelloSends = 4

// errFlowNoCookie: the reflector never answered the hello.
var errFlowNoCookie = errors.New("no answer to the flow's hello: the reflector is not rtcprobe serve (coturn answers STUN only), or the firewall drops the flow")

// flowConn is one flow's socket and peer: a UDP socket to the reflector,
// or a TURN relay with the reflector as its peer.
type flowConn struct {
	pc   net.PacketConn
	peer net.Addr
}

// read returns the next datagram from the peer.
func (c flowConn) read(b []byte) (int, error) {
	for {
		n, from, err := c.pc.ReadFrom(b)
		if err != nil || from.String() == c.peer.String() {
			return n, err
		}
	}
}

// runFlow runs one flow: hello and cookie, then the schedule, then a
// drain (tm: the plan's timers). The result holds whatever came back, even
// when ctx ends early.
func runFlow(ctx context.Context, c flowConn, sched []flowEvent, tm *Timers) (*flowResult, error) {
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	id := binary.BigEndian.Uint64(idb[:])
	start := time.Now()
	us := func() int64 { return time.Since(start).Microseconds() }
	cookie, err := flowHello(ctx, c, id, us, tm.FlowHelloGap)
	if err != nil {
		return nil, err
	}
	res := &flowResult{events: sched, sentAt: make([]int64, 0, len(sched))}
	var mu sync.Mutex // protects res.replies until wg.Wait
	var wg sync.WaitGroup
	_ = c.pc.SetReadDeadline(time.Time{})
	wg.Go(func() { receiveReplies(c, id, us, &mu, res) })
	sendSchedule(ctx, c, id, cookie, sched, start, us, res)
	res.endAt = us()
	t := time.NewTimer(tm.FlowDrain)
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	_ = c.pc.SetReadDeadline(time.Now())
	wg.Wait()
	return res, nil
}

func flowHello(ctx context.Context, c flowConn, id uint64, us func() int64, gap time.Duration) ([wire.CookieLen]byte, error) {
	buf := make([]byte, wire.MaxFlow)
	for range flowHelloSends {
		b, _ := wire.AppendFlow(nil, wire.Flow{Kind: wire.FlowHello, FlowID: id, ClientSend: us()}, wire.FlowHeaderLen)
		if _, err := c.pc.WriteTo(b, c.peer); err != nil {
			return [wire.CookieLen]byte{}, err
		}
		_ = c.pc.SetReadDeadline(time.Now().Add(gap))
		for {
			n, err := c.read(buf)
			if err != nil {
				break // deadline: send again
			}
			if f, err := wire.ParseFlow(buf[:n]); err == nil && f.Kind == wire.FlowCookie && f.FlowID == id {
				return f.Cookie, nil
			}
		}
		if ctx.Err() != nil {
			return [wire.CookieLen]byte{}, ctx.Err()
		}
	}
	return [wire.CookieLen]byte{}, errFlowNoCookie
}

// sendSchedule sends every event at its time (late events go at once).
func sendSchedule(ctx context.Context, c flowConn, id uint64, cookie [wire.CookieLen]byte, sched []flowEvent, start time.Time, us func() int64, res *flowResult) {
	buf := make([]byte, wire.MaxFlow)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for seq, ev := range sched {
		if wait := time.Until(start.Add(ev.at)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		} else if ctx.Err() != nil {
			return
		}
		now := us()
		b, _ := wire.AppendFlow(buf, wire.Flow{Kind: wire.FlowData, FlowID: id, Cookie: cookie, Seq: uint32(seq),
			Want: uint16(ev.size), ClientSend: now}, ev.size)
		res.sentAt = append(res.sentAt, now)
		_, _ = c.pc.WriteTo(b, c.peer) // a failed send is a lost datagram
	}
}

// receiveReplies records replies of flow id until the read deadline.
func receiveReplies(c flowConn, id uint64, us func() int64, mu *sync.Mutex, res *flowResult) {
	buf := make([]byte, wire.MaxFlow+64)
	for failures := 0; ; {
		n, err := c.read(buf)
		if err != nil {
			// ICMP errors come and go on a UDP socket; a socket that
			// only fails (a closed relay) ends the loop.
			if failures++; errors.Is(err, net.ErrClosed) || isTimeout(err) || failures > 100 {
				return
			}
			continue
		}
		failures = 0
		at := us()
		f, err := wire.ParseFlow(buf[:n])
		if err != nil || f.Kind != wire.FlowReply || f.FlowID != id {
			continue
		}
		mu.Lock()
		res.replies = append(res.replies, flowReply{seq: f.Seq, replySeq: f.ReplySeq, recvCount: f.RecvCount,
			clientSend: f.ClientSend, reflRecv: f.ReflRecv, reflSend: f.ReflSend, recvAt: at})
		mu.Unlock()
	}
}
