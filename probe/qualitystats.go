package probe

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Late decisions: a flow is called silent when, at its end, nothing has
// come back for Timers.FlowSilence while at least silencePackets more
// datagrams were sent.
const silencePackets = 20

// analyze turns what a flow saw into a path's measurements. tcp marks a
// path whose first leg is TCP or TLS (head-of-line delay is reported);
// silenceMin is the plan's Timers.FlowSilence.
func analyze(res *flowResult, tcp bool, silenceMin time.Duration) result.QualityPath {
	var p result.QualityPath
	uniq := firstArrivals(res.replies)
	rtts := make([]float64, 0, len(uniq))
	for _, r := range uniq {
		rtts = append(rtts, rttMs(r))
	}
	if len(rtts) > 0 {
		med, p95 := percentile(rtts, 50), percentile(rtts, 95)
		p.RTTMedianMs, p.RTTP95Ms = &med, &p95
		if tcp {
			hol := round1(p95 - slices.Min(rtts))
			p.HOLDelayMs = &hol
		}
	}
	p.Up, p.Down = upDirection(res, uniq), downDirection(res)
	p.Stages, p.Up.AudioLossPct, p.Down.AudioLossPct = stages(res, uniq)
	p.Timeline = timeline(res, uniq)
	p.Status = result.QualityOK
	if stop := silence(res, uniq, silenceMin); stop != nil {
		p.Status, p.Stopped = result.QualitySilent, stop
	}
	return p
}

// firstArrivals keeps the first arrival of each reply (duplicates out),
// in reflector order (by reply seq).
func firstArrivals(rs []flowReply) []flowReply {
	seen := map[uint32]bool{}
	out := make([]flowReply, 0, len(rs))
	for _, r := range rs {
		if !seen[r.replySeq] {
			seen[r.replySeq] = true
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b flowReply) int { return cmp.Compare(a.replySeq, b.replySeq) })
	return out
}

// rttMs is a reply's round trip without the reflector's holding time.
func rttMs(r flowReply) float64 {
	return float64(r.recvAt-r.clientSend-(r.reflSend-r.reflRecv)) / 1000
}

// percentile by nearest rank of a copy of v (non-empty).
func percentile(v []float64, pct float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(pct/100*float64(len(s)))) - 1
	return round1(s[max(0, min(len(s)-1, i))])
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func lossPct(sent, lost int) float64 {
	if sent <= 0 {
		return 0
	}
	return round1(100 * float64(max(0, lost)) / float64(sent))
}

// upDirection: the reflector's count says how many arrived; the reply
// seqs say which were answered, so a gap in client seqs not matched by a
// gap in reply seqs was lost on the way up. Reordering is seen in the
// reflector's order (its reply seqs).
func upDirection(res *flowResult, uniq []flowReply) result.QualityDirection {
	d := result.QualityDirection{Sent: len(res.sentAt)}
	for _, r := range uniq {
		d.Received = max(d.Received, int(r.recvCount))
	}
	lost := d.Sent - d.Received
	d.LossPct = lossPct(d.Sent, lost)
	counted := 0
	for _, run := range upLossRuns(uniq) {
		d.LossBursts++
		d.MaxBurst = max(d.MaxBurst, run)
		counted += run
	}
	if tail := lost - counted; tail > 0 { // lost after the last answer
		d.LossBursts++
		d.MaxBurst = max(d.MaxBurst, tail)
	}
	seen, maxSeq := map[uint32]bool{}, int64(-1)
	for _, r := range uniq { // reflector order
		if seen[r.seq] {
			continue // a duplicate, counted below
		}
		seen[r.seq] = true
		if int64(r.seq) < maxSeq {
			d.Reordered++
		}
		maxSeq = max(maxSeq, int64(r.seq))
	}
	d.Duplicates = len(uniq) - countDistinct(uniq, func(r flowReply) uint32 { return r.seq })
	d.JitterMs = jitter(uniq, res, func(r flowReply) (send, recv int64) { return r.clientSend, r.reflRecv },
		func(a, b flowReply) int { return cmp.Compare(a.reflRecv, b.reflRecv) })
	return d
}

// upLossRuns returns the runs of datagrams lost on the way up, in client
// seq order: between two answered seqs, the unanswered ones whose replies
// the reflector did not send (no gap in reply seqs covers them).
func upLossRuns(uniq []flowReply) []int {
	bySeq := seqsBySeq(uniq)
	var runs []int
	prevSeq, prevReply := int64(-1), int64(-1)
	for _, r := range bySeq {
		if int64(r.seq) <= prevSeq {
			continue // duplicate
		}
		gap := int64(r.seq) - prevSeq - 1
		missingReplies := max(0, int64(r.replySeq)-prevReply-1)
		if up := gap - missingReplies; up > 0 {
			runs = append(runs, int(up))
		}
		prevSeq, prevReply = int64(r.seq), max(prevReply, int64(r.replySeq))
	}
	return runs
}

// downDirection: reply seqs are the reflector's, so gaps, repeats and
// order on arrival are exact.
func downDirection(res *flowResult) result.QualityDirection {
	var d result.QualityDirection
	seen := map[uint32]bool{}
	maxReply := int64(-1)
	for _, r := range res.replies { // arrival order
		if seen[r.replySeq] {
			d.Duplicates++
			continue
		}
		seen[r.replySeq] = true
		if int64(r.replySeq) < maxReply {
			d.Reordered++
		}
		maxReply = max(maxReply, int64(r.replySeq))
	}
	d.Sent, d.Received = int(maxReply+1), len(seen)
	d.LossPct = lossPct(d.Sent, d.Sent-d.Received)
	for i := int64(0); i <= maxReply; {
		if seen[uint32(i)] {
			i++
			continue
		}
		run := 0
		for ; i <= maxReply && !seen[uint32(i)]; i++ {
			run++
		}
		d.LossBursts++
		d.MaxBurst = max(d.MaxBurst, run)
	}
	d.JitterMs = jitter(firstArrivals(res.replies), res, func(r flowReply) (send, recv int64) { return r.reflSend, r.recvAt },
		func(a, b flowReply) int { return cmp.Compare(a.recvAt, b.recvAt) })
	return d
}

func countDistinct(rs []flowReply, key func(flowReply) uint32) int {
	m := map[uint32]bool{}
	for _, r := range rs {
		m[key(r)] = true
	}
	return len(m)
}

// jitter is RFC 3550 §6.4.1's interarrival jitter of the audio stream, in
// arrival order at the receiver: J += (|D(i-1,i)| - J) / 16, where D is
// the change in transit time (receive minus send; each clock's offset
// cancels out).
func jitter(rs []flowReply, res *flowResult, times func(flowReply) (send, recv int64), order func(a, b flowReply) int) float64 {
	audio := make([]flowReply, 0, len(rs))
	for _, r := range rs {
		if int(r.seq) < len(res.events) && res.events[r.seq].audio {
			audio = append(audio, r)
		}
	}
	slices.SortStableFunc(audio, order)
	var j float64
	for i := 1; i < len(audio); i++ {
		s0, r0 := times(audio[i-1])
		s1, r1 := times(audio[i])
		d := math.Abs(float64((r1 - r0) - (s1 - s0)))
		j += (d - j) / 16
	}
	return round1(j / 1000)
}
