package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// QualityFunc runs the quality stage on a finished report (rtcprobe
// check --quality's work) and returns its section. It must return when
// ctx ends.
type QualityFunc func(ctx context.Context, r *result.Report) *result.Quality

// qualityMsg carries the stage's result to Update.
type qualityMsg struct {
	gen int
	q   *result.Quality
}

// qualityState is the quality stage of the shown report.
type qualityState struct {
	running bool
	cancel  context.CancelFunc
}

// startQuality is the `m` key: measure call quality on the finished
// report's working paths, in a command (no I/O in Update).
func (m *Model) startQuality() tea.Cmd {
	switch {
	case m.opts.Quality == nil:
		m.status = "call quality needs rtcprobe serve as the reflector (--reflector)"
		return nil
	case m.state != stateDone || m.final == nil:
		m.status = "call quality can be measured when the run has ended"
		return nil
	case m.quality.running:
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.quality = qualityState{running: true, cancel: cancel}
	m.status = "measuring call quality on every working path (q quits)…"
	gen, r, run := m.gen, m.final, m.opts.Quality
	return func() tea.Msg { return qualityMsg{gen: gen, q: run(ctx, r)} }
}

// canQuality reports whether the m key applies: a reflector is set, the
// run has ended with a report, and no measurement is under way.
func (m *Model) canQuality() bool {
	return m.opts.Quality != nil && m.state == stateDone && m.final != nil && !m.quality.running
}

// onQuality puts a finished stage into the report shown (and saved).
func (m *Model) onQuality(msg qualityMsg) {
	m.quality.running = false
	if m.quality.cancel != nil {
		m.quality.cancel()
	}
	if msg.gen != m.gen || m.final == nil || msg.q == nil {
		return
	}
	m.final.Quality = msg.q
	m.status = fmt.Sprintf("call quality measured in %.0f s (s saves it with the report)", msg.q.DurationMs/1000)
	m.clampScroll()
}

// qualityLines are the body's call quality block: a line per path and
// two small charts, RTT and loss over the flow.
func (m *Model) qualityLines() []line {
	var out []line
	add := func(s string) { out = append(out, line{text: s, item: -1}) }
	if m.final == nil {
		return nil
	}
	q := m.final.Quality
	switch {
	case m.quality.running:
		add(styleTitle.Render("Call quality") + "  " + styleDim.Render("measuring…"))
		return out
	case q == nil && m.opts.Quality != nil && m.state == stateDone:
		add(styleTitle.Render("Call quality") + "  " + styleDim.Render("m measures it on every working path"))
		return out
	case q == nil:
		return nil
	}
	add(styleTitle.Render("Call quality"))
	for _, p := range q.Paths {
		st := styleOK
		switch {
		case p.Status != result.QualityOK || p.Resolution == result.ResolutionNone:
			st = styleBad
		case p.Resolution == result.ResolutionAudioOnly || p.Resolution == result.Stage360p:
			st = styleWarn
		}
		add("  " + st.Render(report.TermSafe(p.Summary)))
		if len(p.Timeline) > 0 {
			rtt, maxRTT := rttChart(p.Timeline)
			loss, maxLoss := lossChart(p.Timeline)
			add(fmt.Sprintf("    RTT  %s %s", rtt, styleDim.Render(fmt.Sprintf("max %.0f ms", maxRTT))))
			add(fmt.Sprintf("    loss %s %s", loss, styleDim.Render(fmt.Sprintf("max %.0f %%", maxLoss))))
		}
	}
	for _, n := range q.Notes {
		add("  " + styleDim.Render(report.TermSafe(n)))
	}
	return out
}

// sparkBlocks are the eight heights of a chart cell; a space is nothing.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// spark draws values scaled to top (values <= 0 give a blank cell, nil a
// "·": no datagram came back in that interval).
func spark(vals []*float64, top float64) string {
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v == nil:
			b.WriteRune('·')
		case *v <= 0 || top <= 0:
			b.WriteRune(' ')
		default:
			i := int(*v / top * float64(len(sparkBlocks)-1))
			b.WriteRune(sparkBlocks[max(0, min(len(sparkBlocks)-1, i))])
		}
	}
	return b.String()
}

func rttChart(tl []result.QualitySample) (string, float64) {
	vals := make([]*float64, len(tl))
	top := 0.0
	for i, s := range tl {
		vals[i] = s.RTTMs
		if s.RTTMs != nil {
			top = max(top, *s.RTTMs)
		}
	}
	return spark(vals, top), top
}

func lossChart(tl []result.QualitySample) (string, float64) {
	vals := make([]*float64, len(tl))
	top := 0.0
	for i := range tl {
		vals[i] = &tl[i].LossPct
		top = max(top, tl[i].LossPct)
	}
	return spark(vals, top), top
}
