package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// action is one row of the key table: a charm key binding (its keys and
// its help text), the states in which it applies, and what it does. The
// key handler and the help line both read the table and nothing else, so a
// key cannot work without its binding being on the help line, and the help
// line cannot offer a key that does nothing (TestKeyTableIsHelp).
type action struct {
	key.Binding
	// on reports whether the binding applies to the model's state; a row
	// that does not apply is neither handled nor shown.
	on func(m *Model) bool
	// do runs the binding; k is the key pressed, for rows with several
	// keys that do different things (up and down).
	do func(m *Model, k string) tea.Cmd
	// desc, when set, replaces the help text's description for the state
	// (a shorter word where the line is crowded).
	desc func(m *Model) string
}

// Keys that move by one line, a page, or to either end, on the main
// screen (the selection) and in the details (the scroll position).
var moveKeys = []string{"up", "k", "down", "j", "pgup", "pgdown", "home", "g", "end", "G"}

// keyTable is every key of the screen, in help-line order. The help line
// names each binding by its main keys; pgup/pgdown/home/end (g/G) belong
// to the same bindings as the arrows, and left/h, backspace to esc.
var keyTable = []action{
	{Binding: key.NewBinding(key.WithKeys(moveKeys...), key.WithHelp("↑/↓ j/k", "move")),
		on: func(m *Model) bool { return !m.detail && len(m.items()) > 0 },
		do: func(m *Model, k string) tea.Cmd { m.move(m.step(k, len(m.items()))); return nil }},
	{Binding: key.NewBinding(key.WithKeys(moveKeys...), key.WithHelp("↑/↓", "scroll")),
		on: func(m *Model) bool { return m.detail },
		do: func(m *Model, k string) tea.Cmd { m.scrollDetail(k); return nil }},
	{Binding: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		on: func(m *Model) bool { return !m.detail && len(m.items()) > 0 },
		do: func(m *Model, _ string) tea.Cmd { m.openDetail(); return nil }},
	{Binding: key.NewBinding(key.WithKeys("esc", "backspace", "left", "h"), key.WithHelp("esc", "back")),
		on: func(m *Model) bool { return m.detail },
		do: func(m *Model, _ string) tea.Cmd { m.detail = false; m.clampScroll(); return nil }},
	{Binding: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl-c", "stop")),
		on: func(m *Model) bool { return m.state == stateRunning },
		do: func(m *Model, _ string) tea.Cmd { return m.interrupt() }},
	{Binding: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "call quality")),
		on: func(m *Model) bool { return !m.detail && m.canQuality() },
		do: func(m *Model, _ string) tea.Cmd { return m.startQuality() }},
	{Binding: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
		on: func(m *Model) bool { return !m.detail && m.state == stateDone && m.opts.Engine != nil },
		do: func(m *Model, _ string) tea.Cmd { return m.startRun() }},
	{Binding: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save JSON")),
		on: func(m *Model) bool { return m.state == stateDone && m.final != nil && m.opts.Save != nil },
		do: func(m *Model, _ string) tea.Cmd { return m.save() },
		desc: func(m *Model) string {
			if m.detail || m.opts.Quality != nil {
				return "save" // the line is full: keep q quit on it at 80 columns
			}
			return "save JSON"
		}},
	// ctrl-c quits whenever it does not stop a run (the row above comes
	// first while one is going).
	{Binding: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		on: func(*Model) bool { return true },
		do: func(m *Model, _ string) tea.Cmd { return m.quit() }},
}

// actions returns the rows of keyTable that apply now, with their help
// text for this state.
func (m *Model) actions() []action {
	var out []action
	for _, a := range keyTable {
		if !a.on(m) {
			continue
		}
		if a.desc != nil {
			a.SetHelp(a.Help().Key, a.desc(m))
		}
		out = append(out, a)
	}
	return out
}

// key handles one key press through the table and returns the command it
// needs; a key of no applicable row does nothing.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	for _, a := range m.actions() {
		if key.Matches(msg, a.Binding) {
			return a.do(m, msg.String())
		}
	}
	return nil
}

// newHelp is the help line's charm model, drawn in the dim style of the
// rest of the screen's secondary text with the separator the screen used
// before; it drops whole bindings (ending with "…") where the line is too
// narrow.
func newHelp() help.Model {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles = help.Styles{Ellipsis: styleDim, ShortKey: styleDim, ShortDesc: styleDim, ShortSeparator: styleDim,
		FullKey: styleDim, FullDesc: styleDim, FullSeparator: styleDim}
	return h
}

// helpLine is the bindings that apply now, rendered by help.Model.
func (m *Model) helpLine() string {
	acts := m.actions()
	b := make([]key.Binding, len(acts))
	for i, a := range acts {
		b[i] = a.Binding
	}
	m.help.SetWidth(m.width)
	return m.help.ShortHelpView(b)
}

// step is how far a move key goes in a list of n rows shown bodyHeight at
// a time.
func (m *Model) step(k string, n int) int {
	switch k {
	case "up", "k":
		return -1
	case "down", "j":
		return 1
	case "pgup":
		return -m.bodyHeight()
	case "pgdown":
		return m.bodyHeight()
	case "home", "g":
		return -n
	}
	return n // end, G
}
