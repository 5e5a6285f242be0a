package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rtcprobe/rtcprobe/result"
)

// otherKeys are keys no binding of the table has: some are viewport or
// pager habits (f, b, space, u, d) that must do nothing rather than act
// unannounced.
var otherKeys = []string{"x", "?", "1", "l", "f", "b", "u", "d", "space", "tab", "right", "ctrl+a", "M", "R", "S", "Q", "H"}

// keyStates are the screens a key can meet; each call builds a fresh
// model, so that one key's effect does not leak into the next.
var keyStates = []struct {
	name  string
	model func() *Model
}{
	{"running, nothing yet", func() *Model {
		m := New(Options{Engine: scriptedEngine(nil, nil, nil, true), Now: (&clock{t: fixedStart}).now})
		m.startRun()
		return m
	}},
	{"running", runningModel},
	{"stopping", func() *Model { m := runningModel(); press(m, "ctrl+c"); return m }},
	{"running, details", func() *Model { m := runningModel(); small(m); press(m, "down", "enter"); return m }},
	{"verdict", func() *Model { return doneModel(report5501()) }},
	{"verdict, reflector", func() *Model { return qualityModel() }},
	{"verdict, measuring", func() *Model { m := qualityModel(); press(m, "m"); return m }},
	{"verdict, details", func() *Model {
		m := doneModel(report5501())
		small(m)
		press(m, "down", "down", "down", "down", "down", "down", "j", "enter")
		return m
	}},
	{"show", func() *Model { return New(Options{Report: reportOK()}) }},
}

// small makes the screen short enough for the details to scroll.
func small(m *Model) { m.Update(tea.WindowSizeMsg{Width: 80, Height: 10}) }

// qualityModel is a finished run with a reflector (the m key) and saving.
func qualityModel() *Model {
	r := reportOK()
	m := New(Options{Engine: scriptedEngine(nil, r, r, false), Now: (&clock{t: fixedStart}).now,
		Save:    func(string, *result.Report) error { return nil },
		Quality: func(context.Context, *result.Report) *result.Quality { return sampleQuality() }})
	m.startRun()
	m.Update(doneMsg{gen: m.gen, r: r})
	return m
}

// TestKeyTableIsHelp: in every state, a key that does anything (a command,
// or a change on screen) belongs to a binding whose help is on the screen's
// help line, and every binding on the help line has a key that does
// something. Keys and help come from one table; this proves nothing
// bypasses it.
func TestKeyTableIsHelp(t *testing.T) {
	var universe []string
	for _, a := range keyTable {
		universe = append(universe, a.Keys()...)
	}
	universe = append(universe, otherKeys...)
	slices.Sort(universe)
	universe = slices.Compact(universe)
	for _, k := range universe {
		if got := keyMsg(k).String(); got != k {
			t.Fatalf("test key %q arrives as %q", k, got)
		}
	}
	for _, st := range keyStates {
		t.Run(st.name, func(t *testing.T) {
			m := st.model()
			screen := strings.Split(ansi.Strip(m.render()), "\n")
			helpLine := screen[len(screen)-1]
			acts := m.actions()
			m.quit()
			worked := make([]bool, len(acts))
			for _, k := range universe {
				if !keyDoesSomething(st.model, k) {
					continue
				}
				i := slices.IndexFunc(acts, func(a action) bool { return slices.Contains(a.Keys(), k) })
				if i < 0 {
					t.Errorf("%q acts, but no binding that applies has it (help line %q)", k, helpLine)
					continue
				}
				worked[i] = true
				if h := acts[i].Help(); !strings.Contains(helpLine, h.Key+" "+h.Desc) {
					t.Errorf("%q acts as %q, which the help line %q does not show", k, h.Key+" "+h.Desc, helpLine)
				}
			}
			for i, a := range acts {
				if !worked[i] {
					t.Errorf("help offers %q, but none of its keys %v does anything", a.Help().Key+" "+a.Help().Desc, a.Keys())
				}
			}
		})
	}
}

// keyDoesSomething presses k on a fresh model and reports whether it
// returned a command or changed the screen.
func keyDoesSomething(model func() *Model, k string) bool {
	m := model()
	defer stop(m)
	before := m.render()
	cmd := press(m, k)
	return cmd != nil || m.render() != before
}

// TestDetailsScroll: the details view scrolls within its content (the
// viewport clamps: no blank screen past the end, no presses to undo).
func TestDetailsScroll(t *testing.T) {
	m := doneModel(report5501())
	defer stop(m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	press(m, "down", "down", "down", "down", "down", "down", "j", "enter")
	top := ansi.Strip(m.render())
	press(m, "G")
	bottom := ansi.Strip(m.render())
	const last = "no answer to the WebSocket upgrade" // the error, the details' last line
	if strings.Contains(top, last) || !strings.Contains(bottom, last) {
		t.Fatalf("G did not scroll to the end of the details:\n%s", bottom)
	}
	press(m, "j", "j", "pgdown")
	if got := ansi.Strip(m.render()); got != bottom {
		t.Errorf("scrolled past the end:\n%s", got)
	}
	press(m, "k")
	press(m, "j")
	if got := ansi.Strip(m.render()); got != bottom {
		t.Errorf("one up and one down from the end is not the end:\n%s", got)
	}
	press(m, "g")
	if got := ansi.Strip(m.render()); got != top {
		t.Errorf("g did not go back to the top:\n%s", got)
	}
	press(m, "esc", "enter")
	if got := ansi.Strip(m.render()); got != top {
		t.Errorf("details opened again do not start at the top:\n%s", got)
	}
}
