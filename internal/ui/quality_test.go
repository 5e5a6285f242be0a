package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// sampleQuality is a measured stage: a clean direct path and a TURN path
// that went silent after 2.1 s.
func sampleQuality() *result.Quality {
	var tl, cut []result.QualitySample
	for i := range 24 {
		tl = append(tl, result.QualitySample{AtMs: float64(i * 500), RTTMs: ms(30 + float64(i%6)*10), LossPct: float64(i%8) * 1.5})
		s := result.QualitySample{AtMs: float64(i * 500), LossPct: 100}
		if i < 5 {
			s.RTTMs, s.LossPct = ms(45), 0
		}
		cut = append(cut, s)
	}
	q := &result.Quality{DurationMs: 26000, FlowMs: 12000, Paths: []result.QualityPath{
		{Path: result.PathDirectUDP, Target: "serve.lab.test:8000", Transport: "udp", Status: result.QualityOK, RTTMedianMs: ms(42), RTTP95Ms: ms(80),
			Stages:   []result.QualityStage{{Name: result.StageAudio, Kbps: 64, UpSent: 100, DownSent: 100}, {Name: result.Stage360p, Kbps: 864, UpSent: 280, DownSent: 280}},
			Timeline: tl},
		{Path: result.PathTURNUDP, Target: "turn:turn.lab.test:3478", Transport: "udp", Status: result.QualitySilent,
			Stopped: &result.QualityStop{AfterMs: 2100, AfterPackets: 105, SilentMs: 9900}, Timeline: cut},
	}}
	report.JudgeQuality(q)
	return q
}

func TestQualityKey(t *testing.T) {
	r := reportOK()
	called := make(chan struct{}, 1)
	c := &clock{t: fixedStart}
	m := New(Options{Engine: scriptedEngine(nil, r, r, false), Budget: 15 * time.Second, Now: c.now,
		Quality: func(ctx context.Context, got *result.Report) *result.Quality {
			called <- struct{}{}
			return sampleQuality()
		}})
	m.startRun()
	defer stop(m)
	if cmd := press(m, "m"); cmd != nil {
		t.Fatal("m during the run must not start the stage")
	}
	m.Update(doneMsg{gen: m.gen, r: r})
	if !strings.Contains(ansi.Strip(m.render()), "m measures it") {
		t.Errorf("no hint for the m key:\n%s", ansi.Strip(m.render()))
	}
	cmd := press(m, "m")
	if cmd == nil {
		t.Fatal("m after the verdict starts nothing")
	}
	if !strings.Contains(ansi.Strip(m.render()), "measuring") {
		t.Error("no sign the stage runs")
	}
	m.Update(cmd())
	<-called
	if m.final.Quality == nil {
		t.Fatal("the stage's result is not in the report")
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	golden.RequireEqual(t, ansi.Strip(m.render())+"\n")
}

func TestSpark(t *testing.T) {
	if got := spark([]*float64{ms(0), ms(50), ms(100), nil}, 100); got != " ▄█·" {
		t.Errorf("spark = %q", got)
	}
}
