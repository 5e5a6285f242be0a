// Package ui is rtcprobe's interactive terminal interface (bubbletea v2): it
// shows the probes of a running diagnosis grouped by stage, then the verdict,
// the path matrix, the findings and the remediation, with a drill-down into
// every probe and path. It never decides anything: verdict text comes from
// package report, and the probes come from an injected Engine, so the screen
// can be tested with scripted events and no network.
package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// Engine runs one diagnosis under ctx, calling onEvent (possibly from many
// goroutines, serialised) as probes start and finish, and returns the final
// report. When ctx is cancelled it returns promptly with a partial report
// (Complete false). cmd/rtcprobe wraps probe.Run and report.Build in one.
type Engine func(ctx context.Context, onEvent func(result.Probe)) *result.Report

// SaveFunc writes the report to path atomically.
type SaveFunc func(path string, r *result.Report) error

// Options configure the interactive screen.
type Options struct {
	// Engine runs a diagnosis; nil means the screen only shows Report.
	Engine Engine
	// Report, when set with no Engine, is shown as a finished run (rtcprobe show).
	Report *result.Report
	// Budget is the run's time budget, for the progress line.
	Budget time.Duration
	// Save writes the JSON report; nil disables the `s` key.
	Save SaveFunc
	// Dir is where `s` saves (default: the current directory).
	Dir string
	// Hostname names the saved file when the report has none; "" (as with
	// --redact) names it "host".
	Hostname string
	// Now is the clock (tests inject a fixed one); nil means time.Now.
	Now func() time.Time
	// Quality runs the call quality stage (the `m` key); nil disables it.
	Quality QualityFunc
	// AutoQuality starts Quality as soon as a run's verdict is in
	// (rtcprobe --quality).
	AutoQuality bool
}

// eventBuffer is how many progress events may wait for the screen. A plan
// has a few dozen probes with two events each, so the engine never waits on
// a busy screen in practice; once the run's context is done, events are
// dropped rather than blocking the engine (the final report carries them).
const eventBuffer = 256

type state int

const (
	stateRunning  state = iota
	stateStopping       // ctrl-c pressed, waiting for the partial report
	stateDone
)

// Messages. gen ties a message to one run so that a late event of a run that
// was replaced by `r` is ignored.
type (
	probeMsg struct {
		gen int
		p   result.Probe
	}
	doneMsg struct {
		gen int
		r   *result.Report
	}
	savedMsg struct {
		path string
		err  error
	}
)

// runHandle is one engine run: its cancel function and its channels.
type runHandle struct {
	gen    int
	ctx    context.Context
	cancel context.CancelFunc
	events chan result.Probe
	done   chan *result.Report
}

// Model is the top-level bubbletea model. Sub-views are plain methods.
type Model struct {
	opts    Options
	state   state
	run     *runHandle
	gen     int
	started time.Time

	order  []result.ID                // probe IDs in arrival order
	probes map[result.ID]result.Probe // latest state of each probe, through report.SafeCopy
	// final is the report as shown: every string through report.SafeCopy,
	// so that nothing from the network or a file reaches the terminal raw.
	final *result.Report
	// raw is the report as the engine or the file gave it: what Report()
	// returns and `s` saves.
	raw *result.Report

	spin          spinner.Model
	width, height int

	sel    int  // index into items()
	detail bool // details of the selected item are open
	// list scrolls the main screen's body, details the details view;
	// both move only through the key table (keymap.go), never through the
	// viewport's own key map, so that no key acts unannounced. help draws
	// the help line from the same table.
	list, details viewport.Model
	help          help.Model

	status   string // last save result or hint, shown above the help line
	quitting bool

	quality qualityState // the call quality stage (quality.go)
}

// New returns the model for opts. With an Engine the run starts in Init;
// without one, opts.Report is shown as finished.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Model{
		opts:    opts,
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:   80,
		height:  24,
		probes:  map[result.ID]result.Probe{},
		list:    viewport.New(),
		details: viewport.New(),
		help:    newHelp(),
	}
	if opts.Engine == nil {
		m.state = stateDone
		m.setFinal(opts.Report)
	}
	return m
}

// Report returns the final report, or nil when the user quit before the run
// ended.
func (m *Model) Report() *result.Report { return m.raw }

// Init starts the run (if any) and the spinner.
func (m *Model) Init() tea.Cmd {
	if m.opts.Engine == nil {
		return nil
	}
	return m.startRun()
}

// startRun resets the screen and returns the command that starts the engine
// and waits for its first message.
func (m *Model) startRun() tea.Cmd {
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	h := &runHandle{gen: m.gen, ctx: ctx, cancel: cancel,
		events: make(chan result.Probe, eventBuffer), done: make(chan *result.Report, 1)}
	m.run, m.state, m.final, m.raw = h, stateRunning, nil, nil
	m.order, m.probes = nil, map[result.ID]result.Probe{}
	m.sel, m.detail, m.status = 0, false, ""
	m.list.SetYOffset(0)
	m.started = m.opts.Now()
	engine := m.opts.Engine
	start := func() tea.Msg {
		go func() {
			h.done <- engine(ctx, func(p result.Probe) {
				select {
				case h.events <- p:
				case <-ctx.Done():
				}
			})
		}()
		return h.wait()
	}
	return tea.Batch(start, m.spin.Tick)
}

// wait blocks until the run's next event or its final report. It is the
// re-armed command of the bubbletea realtime pattern.
func (h *runHandle) wait() tea.Msg {
	select {
	case p := <-h.events:
		return probeMsg{gen: h.gen, p: p}
	case r := <-h.done:
		return doneMsg{gen: h.gen, r: r}
	}
}

func (m *Model) setFinal(r *result.Report) {
	m.raw, m.final = r, report.SafeCopy(r)
	if r == nil {
		return
	}
	r = m.final
	m.order, m.probes = nil, map[result.ID]result.Probe{}
	for _, p := range r.Probes {
		m.order = append(m.order, p.ID)
		m.probes[p.ID] = p
	}
}

// Update handles one message. It never does I/O: the engine and saving run
// in commands.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampScroll()
	case probeMsg:
		if m.run == nil || msg.gen != m.run.gen || m.state == stateDone {
			return m, nil
		}
		p := report.SafeCopy(msg.p)
		if _, ok := m.probes[p.ID]; !ok {
			m.order = append(m.order, p.ID)
		}
		m.probes[p.ID] = p
		return m, m.run.wait
	case doneMsg:
		if m.run == nil || msg.gen != m.run.gen || m.quitting {
			return m, nil
		}
		m.run.cancel()
		m.state = stateDone
		m.setFinal(msg.r)
		if msg.r != nil && !msg.r.Complete {
			m.status = "interrupted: s saves the partial report, q quits"
		}
		m.clampScroll()
		if m.opts.AutoQuality && msg.r != nil && msg.r.Complete {
			return m, m.startQuality()
		}
	case qualityMsg:
		m.onQuality(msg)
	case savedMsg:
		if msg.err != nil {
			m.status = "save failed: " + report.Safe(msg.err.Error())
		} else {
			m.status = "saved " + report.Safe(msg.path)
		}
	case spinner.TickMsg:
		if m.state == stateDone {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}
