package probe

import (
	"cmp"
	"slices"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// seqsBySeq returns the first arrivals sorted by client seq.
func seqsBySeq(uniq []flowReply) []flowReply {
	s := slices.Clone(uniq)
	slices.SortFunc(s, func(a, b flowReply) int { return cmp.Compare(a.seq, b.seq) })
	return s
}

// stageTally is one step's counts while they are gathered.
type stageTally struct {
	sent, answered, downLost int
	rtts                     []float64
}

// stages measures each ramp step, and the loss of the audio stream alone
// (the audio step and the hold after the ramp) per direction. A datagram
// answered reached the reflector; a missing reply seq is a reply lost on
// the way down, counted in the step of the next reply that came (the
// reflector answers in the order it receives); what is neither was lost
// on the way up. Reordering moves nothing between steps.
func stages(res *flowResult, uniq []flowReply) ([]result.QualityStage, float64, float64) {
	tally := make([]stageTally, len(rampStages)+1)
	stageOf := func(seq uint32) int { return res.events[seq].stage }
	for seq := range res.sentAt {
		tally[stageOf(uint32(seq))].sent++
	}
	prev := int64(-1)
	for _, r := range uniq { // reply seq order
		if int(r.seq) >= len(res.sentAt) {
			continue
		}
		k := stageOf(r.seq)
		tally[k].answered++
		tally[k].downLost += int(max(0, int64(r.replySeq)-prev-1))
		tally[k].rtts = append(tally[k].rtts, rttMs(r))
		prev = max(prev, int64(r.replySeq))
	}
	var out []result.QualityStage
	var audioUp, audioUpLost, audioDown, audioDownLost int
	for k, tl := range tally {
		if tl.sent == 0 {
			continue
		}
		st := result.QualityStage{UpSent: tl.sent, DownSent: tl.answered + tl.downLost, DownLost: tl.downLost}
		st.UpLost = max(0, st.UpSent-st.DownSent)
		if len(tl.rtts) > 0 {
			med := percentile(tl.rtts, 50)
			st.RTTMedianMs = &med
		}
		if k == 0 || k == len(rampStages) {
			audioUp, audioUpLost = audioUp+st.UpSent, audioUpLost+st.UpLost
			audioDown, audioDownLost = audioDown+st.DownSent, audioDownLost+st.DownLost
		}
		if k < len(rampStages) {
			st.Name = rampStages[k].name
			st.Kbps = round1(audioKbps + rampStages[k].videoKbps)
			out = append(out, st)
		}
	}
	return out, lossPct(audioUp, audioUpLost), lossPct(audioDown, audioDownLost)
}

// timelinePoints bounds the timeline: at most about 60 points (a chart
// of a minute at 1 s, or a 15 s flow at 500 ms).
const (
	timelinePoints = 60
	timelineMin    = 500 * time.Millisecond
)

// timeline is round-trip loss and median RTT per interval of send time.
func timeline(res *flowResult, uniq []flowReply) []result.QualitySample {
	if len(res.sentAt) == 0 {
		return []result.QualitySample{}
	}
	step := max(timelineMin, time.Duration(res.endAt)*time.Microsecond/timelinePoints).Microseconds()
	n := int(res.sentAt[len(res.sentAt)-1]/step) + 1
	sent := make([]int, n)
	rtts := make([][]float64, n)
	for _, at := range res.sentAt {
		sent[at/step]++
	}
	for _, r := range uniq {
		if int(r.seq) < len(res.sentAt) {
			i := res.sentAt[r.seq] / step
			rtts[i] = append(rtts[i], rttMs(r))
		}
	}
	out := make([]result.QualitySample, 0, n)
	for i := range n {
		s := result.QualitySample{AtMs: float64(int64(i)*step) / 1000, LossPct: lossPct(sent[i], sent[i]-len(rtts[i]))}
		if len(rtts[i]) > 0 {
			med := percentile(rtts[i], 50)
			s.RTTMs = &med
		}
		out = append(out, s)
	}
	return out
}

// silence reports a flow that stopped coming back and stayed silent for
// silenceMin.
func silence(res *flowResult, uniq []flowReply, silenceMin time.Duration) *result.QualityStop {
	last, recv := -1, 0
	for _, r := range uniq {
		if int(r.seq) < len(res.sentAt) {
			last = max(last, int(r.seq))
		}
		recv = max(recv, int(r.recvCount))
	}
	lastAt := int64(0)
	if last >= 0 {
		lastAt = res.sentAt[last]
	}
	after := len(res.sentAt) - 1 - last
	silent := time.Duration(res.endAt-lastAt) * time.Microsecond
	if after < silencePackets || silent < silenceMin {
		return nil
	}
	return &result.QualityStop{AfterMs: result.MS(time.Duration(lastAt) * time.Microsecond), AfterPackets: recv, SilentMs: result.MS(silent)}
}
