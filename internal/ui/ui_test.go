package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"go.uber.org/goleak"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestMain checks that no run leaves its engine goroutine behind. teatest
// itself leaves one goroutine per program waiting for SIGINT, by design.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest/v2.NewTestModel.func2"))
}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// specialKeys are the keys keyMsg builds by code rather than by text.
var specialKeys = map[string]rune{
	"down": tea.KeyDown, "up": tea.KeyUp, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace, "tab": tea.KeyTab,
}

// keyMsg is the key press whose String() is k: a named key, ctrl+<letter>,
// space, or one printable character.
func keyMsg(k string) tea.KeyPressMsg {
	if c, ok := specialKeys[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if k == "space" {
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	if l, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(l)[0], Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// stop ends m's run and quality test as the q key does (the returned
// tea.Quit has nothing to stop in a test without a program).
func stop(m *Model) { m.quit() }

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

// doneModel shows r as a finished run of an engine, at 80x24.
func doneModel(r *result.Report) *Model {
	c := &clock{t: fixedStart}
	m := New(Options{Engine: scriptedEngine(nil, r, r, false), Budget: 15 * time.Second, Now: c.now,
		Save: func(string, *result.Report) error { return nil }})
	m.startRun()
	m.Update(doneMsg{gen: m.gen, r: r})
	return m
}

// runningModel is a run 4.2s into a 15s budget, some probes done.
func runningModel() *Model {
	c := &clock{t: fixedStart}
	m := New(Options{Engine: scriptedEngine(nil, nil, nil, true), Budget: 15 * time.Second, Now: c.now,
		Save: func(string, *result.Report) error { return nil }})
	m.startRun()
	c.t = fixedStart.Add(4200 * time.Millisecond)
	probes := append(signallingProbes(string(result.StatusOK), ""), mediaProbes(result.StatusOK, "")...)
	for i, p := range probes {
		if i%2 == 1 {
			p.Status, p.RTTMs, p.Reason = result.StatusRunning, nil, ""
		}
		m.Update(probeMsg{gen: m.gen, p: p})
	}
	return m
}

func TestScreens(t *testing.T) {
	tests := []struct {
		name  string
		model func() *Model
	}{
		{"running", runningModel},
		{"verdict-ok", func() *Model { return doneModel(reportOK()) }},
		{"verdict-5501", func() *Model { return doneModel(report5501()) }},
		{"details-probe", func() *Model {
			m := doneModel(report5501())
			// 4 paths, then DNS (1), then signalling: the 4th signalling row is the WebSocket.
			press(m, "down", "down", "down", "down", "down", "down", "j", "enter")
			return m
		}},
		{"details-path", func() *Model { m := doneModel(report5501()); press(m, "enter"); return m }},
		{"incomplete", func() *Model { return doneModel(reportIncomplete()) }},
		{"scrolled-small", func() *Model {
			m := doneModel(report5501())
			m.Update(tea.WindowSizeMsg{Width: 60, Height: 14})
			press(m, "G")
			return m
		}},
		{"details-scrolled", func() *Model {
			m := doneModel(report5501())
			m.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
			press(m, "down", "down", "down", "down", "down", "down", "j", "enter", "G")
			return m
		}},
		{"show", func() *Model { return New(Options{Report: reportOK()}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model()
			defer stop(m)
			golden.RequireEqual(t, ansi.Strip(m.render())+"\n")
		})
	}
}

func TestScreenFitsSize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 14}, {120, 40}, {30, 8}} {
		m := doneModel(report5501())
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "G")
		lines := strings.Split(m.render(), "\n")
		if len(lines) > size[1] {
			t.Errorf("%v: %d lines, want at most %d", size, len(lines), size[1])
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%v: line %q is %d wide", size, ansi.Strip(l), w)
			}
		}
		if !strings.Contains(ansi.Strip(m.render()), "› ") {
			t.Errorf("%v: the selected row is not on screen", size)
		}
	}
}

func TestInterrupt(t *testing.T) {
	m := runningModel()
	if cmd := press(m, "ctrl+c"); cmd != nil {
		t.Fatalf("first ctrl-c during a run returned a command (quit?)")
	}
	if m.state != stateStopping || m.run.ctx.Err() == nil {
		t.Fatalf("first ctrl-c: state %v, ctx err %v; want stopping and cancelled", m.state, m.run.ctx.Err())
	}
	m.Update(doneMsg{gen: m.gen, r: reportIncomplete()})
	if !strings.Contains(m.render(), "INCOMPLETE") {
		t.Errorf("partial report not marked INCOMPLETE:\n%s", ansi.Strip(m.render()))
	}
	if cmd := press(m, "s"); cmd == nil {
		t.Errorf("s after an interrupted run: no save command")
	}
	if cmd := press(m, "ctrl+c"); cmd == nil || !m.quitting {
		t.Errorf("second ctrl-c did not quit")
	}
}

func TestKeys(t *testing.T) {
	m := doneModel(report5501())
	defer stop(m)
	press(m, "enter")
	if !m.detail {
		t.Fatal("enter did not open details")
	}
	press(m, "esc")
	if m.detail {
		t.Fatal("esc did not close details")
	}
	press(m, "k", "up")
	if m.sel != 0 {
		t.Errorf("selection moved above the first row: %d", m.sel)
	}
	oldGen := m.gen
	if cmd := press(m, "r"); cmd == nil || m.gen != oldGen+1 || m.state != stateRunning {
		t.Errorf("r after a verdict did not start a new run")
	}
	// A late event from the old run is ignored.
	m.Update(probeMsg{gen: oldGen, p: result.Probe{ID: "stale", Kind: "dns"}})
	if _, ok := m.probes["stale"]; ok {
		t.Errorf("event of a replaced run was shown")
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	var got string
	c := &clock{t: fixedStart}
	m := New(Options{Report: reportOK(), Dir: dir, Now: c.now,
		Save: func(p string, r *result.Report) error {
			got = p
			b, _ := json.Marshal(r)
			return os.WriteFile(p, b, 0o644)
		}})
	cmd := press(m, "s")
	if cmd == nil {
		t.Fatal("s gave no command")
	}
	m.Update(cmd())
	want := filepath.Join(dir, "rtcprobe-desk-42-20261124-103000.json")
	if got != want {
		t.Errorf("saved to %q, want %q", got, want)
	}
	// The whole path when it fits (Linux's short temporary directory); else,
	// as with Windows' long ones, at least the file name after "saved …".
	screen := m.render()
	shown := strings.Contains(screen, "saved "+want)
	if ansi.StringWidth("saved "+want) > 80 {
		shown = strings.Contains(screen, "saved …") && strings.Contains(screen, filepath.Base(want))
	}
	if !shown {
		t.Errorf("saved path not on screen:\n%s", ansi.Strip(m.render()))
	}
}

func TestKeepTail(t *testing.T) {
	long := `saved C:\users\someone\AppData\Local\Temp\TestSave369032997\001\rtcprobe-desk-42-20261124-103000.json`
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"saved /tmp/r.json", 80, "saved /tmp/r.json"},
		{long, 60, `saved …ve369032997\001\rtcprobe-desk-42-20261124-103000.json`},
		{long, 30, `saved …42-20261124-103000.json`},
		{"nospacesatallinthisverylongline", 10, "…ylongline"},
		{"x", 0, "x"},
	} {
		got := keepTail(tt.in, tt.width)
		if got != tt.want {
			t.Errorf("keepTail(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		if tt.width > 0 && ansi.StringWidth(got) > tt.width {
			t.Errorf("keepTail(%q, %d) is %d wide", tt.in, tt.width, ansi.StringWidth(got))
		}
	}
}

func TestRunStopsEngineOnQuit(t *testing.T) {
	// q during a run cancels the engine, which then returns (goleak checks).
	m := New(Options{Engine: scriptedEngine(nil, nil, reportIncomplete(), true), Budget: time.Second})
	var out bytes.Buffer
	p := tea.NewProgram(m, tea.WithInput(strings.NewReader("q")), tea.WithOutput(&out), tea.WithWindowSize(80, 24))
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	go func() { <-ctx.Done(); p.Kill() }()
	if _, err := p.Run(); err != nil {
		t.Fatalf("program: %v", err)
	}
	if m.Report() != nil {
		t.Errorf("quit before the end still has a report")
	}
	time.Sleep(0) // the engine goroutine ends on its own; goleak waits for it
}

// testWait bounds every wait on a program in tests, so a broken model
// fails the test instead of hanging it.
const testWait = 10 * time.Second

// TestProgram runs the model in a real bubbletea program (teatest, 80x24)
// with a scripted engine: verdict, drill-down, back, save, quit.
func TestProgram(t *testing.T) {
	dir := t.TempDir()
	saved := make(chan string, 1)
	events := append(signallingProbes(string(result.StatusBlocked), "timeout"), mediaProbes(result.StatusBlocked, "timeout")...)
	m := New(Options{Engine: scriptedEngine(events, report5501(), nil, false), Budget: 15 * time.Second, Dir: dir,
		Save: func(p string, r *result.Report) error { saved <- p; return nil }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitScreen(t, tm, "Calls will fail: the SDK will raise 5501")
	tm.Send(keyMsg("down"))
	tm.Send(keyMsg("enter"))
	// The renderer repaints only what changed, so wait for text that is new
	// on this screen.
	waitScreen(t, tm, "Evidence")
	tm.Send(keyMsg("esc"))
	tm.Send(keyMsg("s"))
	p := waitSaved(t, saved)
	tm.Send(keyMsg("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(testWait)).(*Model)
	if r := final.Report(); r == nil || r.Verdict.Outcome != result.OutcomeFails {
		t.Errorf("final report %+v, want the 5501 report", r)
	}
	if filepath.Dir(p) != dir {
		t.Errorf("saved to %q, want a file in %q", p, dir)
	}
}

// TestProgramInterrupted: ctrl-c during a run shows the partial report,
// which can still be saved; a second ctrl-c quits.
func TestProgramInterrupted(t *testing.T) {
	saved := make(chan string, 1)
	m := New(Options{Engine: scriptedEngine(signallingProbes(string(result.StatusOK), "")[:2], nil, reportIncomplete(), true),
		Budget: 15 * time.Second, Dir: t.TempDir(),
		Save: func(p string, r *result.Report) error { saved <- p; return nil }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitScreen(t, tm, "probes done")
	tm.Send(keyMsg("ctrl+c"))
	waitScreen(t, tm, "INCOMPLETE")
	tm.Send(keyMsg("s"))
	waitSaved(t, saved)
	tm.Send(keyMsg("ctrl+c"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(testWait)).(*Model)
	if r := final.Report(); r == nil || r.Complete {
		t.Errorf("final report %+v, want the incomplete one", r)
	}
}

// waitScreen waits (bounded) until the program's output shows s.
func waitScreen(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), s)
	}, teatest.WithDuration(testWait), teatest.WithCheckInterval(10*time.Millisecond))
}

func waitSaved(t *testing.T, saved <-chan string) string {
	t.Helper()
	select {
	case p := <-saved:
		return p
	case <-time.After(testWait):
		t.Fatal("s did not save")
		return ""
	}
}

// TestNoColor: NO_COLOR removes colour from the screen, while the status
// words stay; without it the same screen is coloured.
func TestNoColor(t *testing.T) {
	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	hasColour := func(b []byte) bool {
		for _, m := range sgr.FindAllSubmatch(b, -1) {
			for _, p := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ';' || r == ':' }) {
				if n, err := strconv.Atoi(p); err == nil && (n >= 30 && n <= 38 || n >= 90 && n <= 97) {
					return true
				}
			}
		}
		return false
	}
	for _, tt := range []struct {
		env        []string
		wantColour bool
	}{
		{[]string{"TERM=xterm-256color", "TTY_FORCE=1"}, true},
		{[]string{"TERM=xterm-256color", "TTY_FORCE=1", "NO_COLOR=1"}, false},
	} {
		tm := teatest.NewTestModel(t, New(Options{Report: report5501()}),
			teatest.WithProgramOptions(tea.WithEnvironment(tt.env)))
		var out []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			out = append(out, b...)
			return strings.Contains(string(out), "raise 5501")
		}, teatest.WithDuration(testWait), teatest.WithCheckInterval(10*time.Millisecond))
		tm.Send(keyMsg("q"))
		tm.WaitFinished(t, teatest.WithFinalTimeout(testWait))
		if got := hasColour(out); got != tt.wantColour {
			t.Errorf("env %v: colour codes %v, want %v", tt.env, got, tt.wantColour)
		}
		if !strings.Contains(ansi.Strip(string(out)), "blocked") {
			t.Errorf("env %v: status word missing", tt.env)
		}
	}
}

// The verdict screen says which policy decided (in the headline) and how
// another managed browser fares.
func TestScreenNamesPolicy(t *testing.T) {
	r := reportOK()
	r.Verdict.Headline = "Calls will work only relayed over TCP: expect higher latency (Edge policy WebRtcIPHandling forbids UDP)"
	r.Verdict.Browsers = []result.BrowserVerdict{{Browser: "chrome", Outcome: result.OutcomeWorks, Media: result.PathDirectUDP, Headline: "Calls will work: direct UDP"}}
	m := doneModel(r)
	defer stop(m)
	screen := strings.Join(strings.Fields(ansi.Strip(m.render())), " ")
	for _, want := range []string{"Edge policy WebRtcIPHandling forbids UDP", "Chrome: Calls will work: direct UDP"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

// Policy and route probes get their own group, not "Signalling".
func TestPolicyAndRouteStage(t *testing.T) {
	for kind, want := range map[string]string{string(result.KindPolicy): "Browser policies and routes", string(result.KindRoute): "Browser policies and routes",
		string(result.KindTLS): "Signalling", string(result.KindSTUN): "Media UDP"} {
		if got := stageOf(result.Kind(kind)); got != want {
			t.Errorf("stageOf(%q) = %q, want %q", kind, got, want)
		}
	}
}
