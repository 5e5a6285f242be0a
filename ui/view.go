package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rtcprobe/rtcprobe/report"
)

// Colours are the 16 ANSI colours, which every terminal theme maps to
// something readable on its own background (light or dark); status is also
// always spelled out, so no colour (NO_COLOR) loses nothing.
var (
	styleOK    = lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Bold(true)
	styleBad   = lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true)
	styleWarn  = lipgloss.NewStyle().Foreground(lipgloss.Color("3")).Bold(true)
	styleDim   = lipgloss.NewStyle().Faint(true)
	styleTitle = lipgloss.NewStyle().Bold(true)
	styleSel   = lipgloss.NewStyle().Reverse(true)
)

// stage is one group of probes on screen.
type stage struct {
	title string
	ids   []string
}

// stageOf maps a probe kind to its stage title.
func stageOf(kind string) string {
	switch kind {
	case report.KindDNS:
		return "DNS"
	case report.KindSTUN, report.KindUDP:
		return "Media UDP"
	case report.KindTURN:
		return "TURN"
	case report.KindPolicy, report.KindRoute:
		// What the laptop itself does: managed browser policies and the
		// route (VPN, SASE) to each server.
		return "Browser policies and routes"
	default:
		return "Signalling"
	}
}

var stageOrder = []string{"DNS", "Signalling", "Media UDP", "TURN", "Browser policies and routes"}

// groups returns the probes grouped by stage, in stage order, each in
// arrival (report) order; empty stages are left out.
func (m *Model) groups() []stage {
	by := map[string][]string{}
	for _, id := range m.order {
		s := stageOf(m.probes[id].Kind)
		by[s] = append(by[s], id)
	}
	var out []stage
	for _, s := range stageOrder {
		if len(by[s]) > 0 {
			out = append(out, stage{title: s, ids: by[s]})
		}
	}
	return out
}

// mark spells a status as a symbol plus the word, padded to one width.
func (m *Model) mark(status string) string {
	var sym string
	st := styleBad
	switch status {
	case report.StatusOK:
		sym, st = "✔", styleOK
	case report.StatusRunning:
		sym, st = m.spin.View(), styleDim
	case report.StatusSkipped, report.PathUntested:
		sym, st = "–", styleDim
	case report.PathPartial:
		sym, st = "◐", styleWarn
	case report.StatusError:
		sym, st = "!", styleWarn
	default: // blocked, rejected, failed
		sym = "✖"
	}
	return st.Render(fmt.Sprintf("%s %-9s", sym, status))
}

// pathLabel names a media path for people.
func pathLabel(name string) string {
	switch name {
	case report.PathDirectUDP:
		return "direct UDP"
	case report.PathTURNUDP:
		return "TURN UDP"
	case report.PathTURNTCP:
		return "TURN TCP"
	case report.PathTURNTLS:
		return "TURN TLS"
	}
	return name
}

func rtt(p report.Probe) string {
	switch {
	case p.RTTMs == nil:
		return ""
	case *p.RTTMs < 10:
		return fmt.Sprintf("%.1fms", *p.RTTMs)
	}
	return fmt.Sprintf("%.0fms", *p.RTTMs)
}

// line is one body line; item is the selectable row it shows, or -1.
type line struct {
	text string
	item int
}

// View renders the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "rtcprobe"
	return v
}

// render builds the screen as text; tests compare it (without escapes)
// against golden files.
func (m *Model) render() string {
	if m.quitting {
		return ""
	}
	head := m.header()
	var body []string
	if m.detail {
		body = m.window(m.detailLines(), &m.detailOff)
	} else {
		lines := m.body()
		texts := make([]string, len(lines))
		for i, l := range lines {
			texts[i] = l.text
		}
		off := m.offset
		body = m.window(texts, &off)
	}
	out := append(head, body...)
	room := max(m.height-2, 0)
	out = out[:min(len(out), room)]
	for len(out) < room {
		out = append(out, "")
	}
	out = append(out, styleWarn.Render(m.status), styleDim.Render(m.help()))
	out = out[max(len(out)-m.height, 0):]
	for i, l := range out {
		out[i] = ansi.Truncate(l, m.width, "…")
	}
	return strings.Join(out, "\n")
}

// window returns the lines that fit the body area from *off, clamping *off.
func (m *Model) window(lines []string, off *int) []string {
	h := m.bodyHeight()
	*off = min(*off, max(len(lines)-h, 0))
	end := min(*off+h, len(lines))
	return lines[*off:end]
}

func (m *Model) bodyHeight() int {
	return max(m.height-len(m.header())-2, 1)
}

// clampScroll keeps the selected row inside the body window.
func (m *Model) clampScroll() {
	lines := m.body()
	selLine := 0
	for i, l := range lines {
		if l.item == m.sel {
			selLine = i
		}
	}
	h := m.bodyHeight()
	if selLine < m.offset {
		m.offset = selLine
	}
	if selLine >= m.offset+h {
		m.offset = selLine - h + 1
	}
	m.offset = min(m.offset, max(len(lines)-h, 0))
}

func (m *Model) help() string {
	switch {
	case m.detail:
		return "↑/↓ scroll · esc back · s save · q quit"
	case m.state != stateDone:
		return "↑/↓ j/k move · enter details · ctrl-c stop · q quit"
	case m.opts.Engine == nil:
		return "↑/↓ j/k move · enter details · q quit"
	}
	return "↑/↓ j/k move · enter details · r run again · s save JSON · q quit"
}

// header is the top of the screen: progress while running, the verdict when
// done.
func (m *Model) header() []string {
	if m.state != stateDone || m.final == nil {
		return []string{styleTitle.Render("rtcprobe · TRTC network check") + "  " + m.progress(), ""}
	}
	r := m.final
	var sym string
	st := styleBad
	switch r.Verdict.Outcome {
	case report.OutcomeWorks:
		sym, st = "✔", styleOK
	case report.OutcomeWorksDegraded:
		sym, st = "▲", styleWarn
	case report.OutcomeInconclusive:
		sym, st = "?", styleWarn
	default:
		sym = "✖"
	}
	headline := r.Verdict.Headline
	if headline == "" { // a report without a judged verdict: say so, decide nothing
		headline = "Outcome: " + r.Verdict.Outcome
	}
	// The headline is wrapped, never cut: it is the answer.
	var out []string
	for _, l := range strings.Split(lipgloss.Wrap(sym+" "+headline, max(m.width-2, 20), " "), "\n") {
		out = append(out, st.Render(l))
	}
	if !r.Complete {
		out = append(out, styleWarn.Render("INCOMPLETE: the run was interrupted; results below are partial"))
	}
	// Another managed browser on this laptop fares differently: one
	// short line each, so the ticket names the right browser.
	for _, b := range r.Verdict.Browsers {
		line := browserName(b.Browser) + ": " + b.Headline
		for _, l := range strings.Split(lipgloss.Wrap(line, max(m.width-2, 20), " "), "\n") {
			out = append(out, styleWarn.Render(l))
		}
	}
	if m.height >= minHeightForSummary && r.Verdict.Summary != "" {
		for _, l := range strings.Split(lipgloss.Wrap(r.Verdict.Summary, max(m.width-2, 20), ""), "\n") {
			out = append(out, styleDim.Render(l))
		}
	}
	return append(out, "")
}

// browserName is a browser as written on screen.
func browserName(b string) string {
	if b == "" {
		return b
	}
	return strings.ToUpper(b[:1]) + b[1:]
}

// minHeightForSummary is the terminal height below which the summary
// sentence is left out, so that the path matrix still fits.
const minHeightForSummary = 16

// progress is elapsed against the budget, with a bar and the probe count.
func (m *Model) progress() string {
	done := 0
	for _, id := range m.order {
		if m.probes[id].Status != report.StatusRunning {
			done++
		}
	}
	count := fmt.Sprintf("%d/%d probes done", done, len(m.order))
	if m.state == stateStopping {
		count = "stopping…"
	}
	budget := m.opts.Budget
	if budget <= 0 {
		return count
	}
	el := min(m.opts.Now().Sub(m.started), budget)
	const barWidth = 16
	fill := int(float64(barWidth) * float64(el) / float64(budget))
	bar := strings.Repeat("█", fill) + strings.Repeat("░", barWidth-fill)
	return fmt.Sprintf("%s %s / %s  %s", bar, secs(el), secs(budget), count)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
