package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/report/reporttest"
	"github.com/rtcprobe/rtcprobe/result"
)

// TestScreensNeutraliseHostileReports shows a report whose every string is
// terminal escapes (reporttest.Hostile fills them by reflection): the main
// screen, the details of every row, the progress screen fed the same probes
// as events, and a save error must show them visibly and pass none through,
// colour sequences included. Only the screen's own styling may colour.
func TestScreensNeutraliseHostileReports(t *testing.T) {
	hostile := reporttest.Hostile(reporttest.Payload)
	check := func(what, screen string) {
		t.Helper()
		if u := reporttest.Unsafe(screen, true); u != "" {
			t.Errorf("%s: %s", what, u)
		}
	}
	for _, size := range []tea.WindowSizeMsg{{Width: 80, Height: 24}, {Width: 200, Height: 60}} {
		m := New(Options{Report: hostile})
		m.Update(size)
		check("show", m.render())
		if !strings.Contains(m.render(), `\x1b]0;pwned\x07`) {
			t.Errorf("the escape is not shown visibly:\n%s", m.render())
		}
		for i := range m.items() {
			m.sel = i
			press(m, "enter")
			for range 5 {
				check("details of row "+m.items()[i].probe.String()+string(m.items()[i].path), m.render())
				press(m, "down")
			}
			press(m, "esc")
		}
		m.Update(savedMsg{path: reporttest.Payload, err: errors.New(reporttest.Payload)})
		check("save error", m.render())
		m.quit()
	}
	c := &clock{t: fixedStart}
	m := New(Options{Engine: scriptedEngine(nil, nil, nil, true), Budget: 15 * time.Second, Now: c.now})
	m.startRun()
	for _, p := range hostile.Probes {
		m.Update(probeMsg{gen: m.gen, p: p})
	}
	check("running", m.render())
	m.quit()
	if m.View().WindowTitle != "" && m.View().WindowTitle != "rtcprobe" {
		t.Errorf("window title %q comes from data", m.View().WindowTitle)
	}
}

// TestSaveKeepsRawReport: the screen shows a sanitised copy, but `s` saves
// and Report returns the report as it came (JSON escapes it itself).
func TestSaveKeepsRawReport(t *testing.T) {
	r := reportOK()
	r.Verdict.Summary = "\x1b[2J summary"
	var saved *result.Report
	m := New(Options{Report: r, Save: func(_ string, got *result.Report) error { saved = got; return nil }})
	if cmd := press(m, "s"); cmd != nil {
		cmd()
	}
	if saved != r || m.Report() != r {
		t.Errorf("saved %p, Report() %p, want the original %p", saved, m.Report(), r)
	}
	if strings.Contains(m.render(), "\x1b[2J") {
		t.Error("the screen shows the raw escape")
	}
}

// TestSaveRedactedName: under --redact the report has no host name and the
// caller passes none, so the saved file is named "host", not the machine.
func TestSaveRedactedName(t *testing.T) {
	r := reportOK()
	report.Redact(r)
	var got string
	m := New(Options{Report: r, Now: (&clock{t: fixedStart}).now,
		Save: func(p string, _ *result.Report) error { got = p; return nil }})
	m.Update(press(m, "s")())
	if got != "rtcprobe-host-20261124-103000.json" || strings.Contains(m.render(), "desk-42") {
		t.Errorf("saved to %q; screen:\n%s", got, m.render())
	}
}
