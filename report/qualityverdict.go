package report

import (
	"fmt"
	"math"
	"net"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// Thresholds of the quality verdict.
const (
	// heldLossGrowth: a stage is held while its loss stays within 2 points
	// of the audio stage's. libwebrtc's loss-based controller (GCC,
	// draft-ietf-rmcat-gcc-02 §6) raises the rate below 2% loss, holds it
	// between 2% and 10% and cuts it above 10%.
	heldLossGrowth = 2.0
	// heldMaxLoss: above 10% loss GCC cuts the rate, so the stage is not
	// held whatever the audio stage lost.
	heldMaxLoss = 10.0
	// heldDelayGrowthMs: a rate limit with a deep queue shows as delay, not
	// loss; 100 ms more median RTT than the audio stage means the queue is
	// filling (GCC's delay-based controller backs off far earlier).
	heldDelayGrowthMs = 100.0
	// audioMaxLoss: above 20% loss of the audio stream alone the E-model's
	// R is below 50 ("nearly all users dissatisfied", G.107 Table B.1).
	audioMaxLoss = 20.0
)

// JudgeQuality fills each path's verdict fields from its measurements. It
// is deterministic, so a saved report can be judged again.
func JudgeQuality(q *result.Quality) {
	if q == nil {
		return
	}
	for i := range q.Paths {
		judgeQualityPath(&q.Paths[i])
	}
}

func judgeQualityPath(p *result.QualityPath) {
	up := func(s result.QualityStage) (int, int) { return s.UpSent, s.UpLost }
	down := func(s result.QualityStage) (int, int) { return s.DownSent, s.DownLost }
	p.Up.Held, p.Up.HeldKbps = held(p.Stages, p.Up.AudioLossPct, audioBase(p.Up.Sent, p.Stages, up), up)
	p.Down.Held, p.Down.HeldKbps = held(p.Stages, p.Down.AudioLossPct, audioBase(p.Down.Sent, p.Stages, down), down)
	p.ResolutionUp, p.ResolutionDown = resolutionOf(p.Up), resolutionOf(p.Down)
	p.Resolution = worseResolution(p.ResolutionUp, p.ResolutionDown)
	p.MOS, p.RFactor = nil, nil
	if p.Status != result.QualityOK {
		p.Resolution, p.ResolutionUp, p.ResolutionDown = result.ResolutionNone, result.ResolutionNone, result.ResolutionNone
	} else if rtt := audioRTT(p); rtt != nil {
		r := eModelR(*rtt, max(p.Up.JitterMs, p.Down.JitterMs), max(p.Up.AudioLossPct, p.Down.AudioLossPct))
		mos := math.Round(rToMOS(r)*100) / 100
		r = math.Round(r*10) / 10
		p.MOS, p.RFactor = &mos, &r
	}
	p.Summary = qualitySummary(p)
}

// audioRTT is the round trip the E-model uses: the audio step's median,
// before any video loads the path (the SDK lowers its video to what the
// path carries; a TCP path's backlog from the ramp would otherwise count
// as audio delay), else the whole flow's.
func audioRTT(p *result.QualityPath) *float64 {
	if len(p.Stages) > 0 && p.Stages[0].Name == result.StageAudio && p.Stages[0].RTTMedianMs != nil {
		return p.Stages[0].RTTMedianMs
	}
	return p.RTTMedianMs
}

// held returns the highest stage whose loss and delay did not grow over
// the audio stream's, and its bitrate. The baseline is the loss of every
// audio-only datagram (the audio step and the hold after the ramp, base
// of baseSent); a step's loss counts as grown beyond heldLossGrowth plus
// two standard errors of the difference, so the sampling noise of a 2 s
// step under random loss does not decide the verdict.
func held(stages []result.QualityStage, base float64, baseSent int, counts func(result.QualityStage) (sent, lost int)) (string, float64) {
	name, kbps := "", 0.0
	var baseRTT float64
	pb := base / 100
	for i, s := range stages {
		sent, lost := counts(s)
		if sent == 0 {
			break
		}
		loss := 100 * float64(lost) / float64(sent)
		if i == 0 {
			if loss > audioMaxLoss {
				return "", 0
			}
			if s.RTTMedianMs != nil {
				baseRTT = *s.RTTMedianMs
			}
		} else {
			se := 100 * math.Sqrt(pb*(1-pb)*(1/float64(sent)+1/float64(max(1, baseSent))))
			if loss > heldMaxLoss || loss-base > heldLossGrowth+2*se ||
				(s.RTTMedianMs != nil && *s.RTTMedianMs-baseRTT > heldDelayGrowthMs) {
				break
			}
		}
		name, kbps = s.Name, s.Kbps
	}
	return name, kbps
}

// audioBase is a direction's audio-only datagram count: the audio step
// plus the hold (everything sent that is not in a video step).
func audioBase(total int, stages []result.QualityStage, counts func(result.QualityStage) (sent, lost int)) int {
	n := total
	for i, s := range stages {
		if i > 0 {
			sent, _ := counts(s)
			n -= sent
		}
	}
	return max(0, n)
}

func resolutionOf(d result.QualityDirection) string {
	switch d.Held {
	case "":
		return result.ResolutionNone
	case result.StageAudio:
		return result.ResolutionAudioOnly
	}
	return d.Held
}

// resolutionRank orders resolutions from worst to best.
var resolutionRank = map[string]int{result.ResolutionNone: 0, result.ResolutionAudioOnly: 1, result.Stage360p: 2, result.Stage720p: 3, result.Stage1080p: 4}

func worseResolution(a, b string) string {
	if resolutionRank[a] <= resolutionRank[b] {
		return a
	}
	return b
}

// E-model constants (ITU-T G.107 (06/2015)); the codec is taken as G.711
// with packet loss concealment, the reference G.113 Appendix I gives
// figures for (Ie = 0, Bpl = 25.1); Opus, which WebRTC uses, has no
// G.113 figures and conceals loss at least as well.
const (
	// eR0MinusIs is Ro - Is with every G.107 default (Table 3): 93.2.
	eR0MinusIs = 93.2
	eIe        = 0.0
	eBpl       = 25.1
	// eCodecDelayMs: one 20 ms audio frame (TRTC sends 50 a second) plus
	// the same again for capture and playout buffers.
	eCodecDelayMs = 40.0
	// eJitterBufferFactor: an adaptive jitter buffer holds about twice the
	// interarrival jitter (a common rule, e.g. RFC 3550's J is a mean
	// deviation and buffers cover about two of them).
	eJitterBufferFactor = 2.0
)

// eModelR is a simplified E-model R factor from the round trip, the
// interarrival jitter and the loss of the audio stream (percent). Delay
// impairment Id uses the Cole-Rosenbluth fit of G.107's Id for one-way
// delay Ta (ms): Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3); loss
// uses G.107 eq. (7-29) with random loss (BurstR = 1):
// Ie,eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl). Echo and advantage terms are 0.
func eModelR(rttMs, jitterMs, lossPct float64) float64 {
	ta := rttMs/2 + eJitterBufferFactor*jitterMs + eCodecDelayMs
	id := 0.024 * ta
	if ta > 177.3 {
		id += 0.11 * (ta - 177.3)
	}
	ppl := max(0, min(100, lossPct))
	ie := eIe + (95-eIe)*ppl/(ppl+eBpl)
	return eR0MinusIs - id - ie
}

// rToMOS maps R to the estimated mean opinion score (G.107 Annex B, B-4).
func rToMOS(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// qualitySummary is the one-line verdict of a path.
func qualitySummary(p *result.QualityPath) string {
	where := qualityWhere(p)
	switch p.Status {
	case result.QualityNoAnswer:
		return fmt.Sprintf("%s: no answer to the quality flow (%s)", where, orText(p.Error, "the reflector must be rtcprobe serve"))
	case result.QualityError:
		return fmt.Sprintf("%s: not measured: %s", where, p.Error)
	case result.QualitySilent:
		if p.Stopped != nil {
			return fmt.Sprintf("%s carried %.1f s (%d datagrams), then went silent: the firewall drops the flow after it has identified it or after a fixed time; allow the application, not just the port",
				where, p.Stopped.AfterMs/1000, p.Stopped.AfterPackets)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", where, describeResolution(p))
	if p.MOS != nil {
		fmt.Fprintf(&b, ", audio MOS %.1f", *p.MOS)
	}
	if p.RTTMedianMs != nil && p.RTTP95Ms != nil {
		fmt.Fprintf(&b, "; RTT %.0f/%.0f ms (median/p95)", *p.RTTMedianMs, *p.RTTP95Ms)
	}
	fmt.Fprintf(&b, ", jitter %.1f/%.1f ms, loss %.1f%%/%.1f%% (up/down)", p.Up.JitterMs, p.Down.JitterMs, p.Up.LossPct, p.Down.LossPct)
	if p.HOLDelayMs != nil {
		fmt.Fprintf(&b, ", head-of-line delay %.0f ms", *p.HOLDelayMs)
	}
	return b.String()
}

func describeResolution(p *result.QualityPath) string {
	if p.ResolutionUp == p.ResolutionDown {
		if p.Resolution == result.ResolutionNone {
			return "too lossy even for audio"
		}
		if p.Resolution == result.ResolutionAudioOnly {
			return "audio only"
		}
		return p.Resolution + " up and down"
	}
	return fmt.Sprintf("%s up, %s down", p.ResolutionUp, p.ResolutionDown)
}

func qualityWhere(p *result.QualityPath) string {
	if p.Path == result.PathDirectUDP {
		if _, port, err := net.SplitHostPort(p.Target); err == nil {
			return "UDP " + port
		}
		return "direct UDP"
	}
	name := map[result.PathName]string{result.PathTURNUDP: "TURN/UDP", result.PathTURNTCP: "TURN/TCP", result.PathTURNTLS: "TURN/TLS"}[p.Path]
	if name == "" {
		name = string(p.Path)
	}
	return name + " via " + qualityTURNHost(p.Target)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// qualityTURNHost is a TURN URL's host:port ("turn:h:3478?transport=tcp" ->
// "h:3478"), or the URL itself when it does not look like one.
func qualityTURNHost(u string) string {
	_, rest, ok := strings.Cut(u, ":")
	if !ok {
		return u
	}
	rest, _, _ = strings.Cut(rest, "?")
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:] // never show user info, should a URL carry any
	}
	return rest
}
