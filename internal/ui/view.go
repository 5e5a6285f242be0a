package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rtcprobe/rtcprobe/result"
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
	ids   []result.ID
}

// stageOf maps a probe kind to its stage title.
func stageOf(kind result.Kind) string {
	switch kind {
	case result.KindDNS:
		return "DNS"
	case result.KindSTUN, result.KindUDP:
		return "Media UDP"
	case result.KindTURN:
		return "TURN"
	case result.KindPAC:
		return "Proxy (PAC)"
	case result.KindPolicy, result.KindRoute:
		// What the laptop itself does: managed browser policies and the
		// route (VPN, SASE) to each server.
		return "Browser policies and routes"
	default:
		return "Signalling"
	}
}

var stageOrder = []string{"Proxy (PAC)", "DNS", "Signalling", "Media UDP", "TURN", "Browser policies and routes"}

// groups returns the probes grouped by stage, in stage order, each in
// arrival (report) order; empty stages are left out.
func (m *Model) groups() []stage {
	by := map[string][]result.ID{}
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
	case string(result.StatusOK):
		sym, st = "✔", styleOK
	case string(result.StatusRunning):
		sym, st = m.spin.View(), styleDim
	case string(result.StatusSkipped), string(result.PathUntested):
		sym, st = "–", styleDim
	case string(result.PathPartial):
		sym, st = "◐", styleWarn
	case string(result.StatusError):
		sym, st = "!", styleWarn
	default: // blocked, rejected, failed
		sym = "✖"
	}
	return st.Render(fmt.Sprintf("%s %-9s", sym, status))
}

// pathLabel names a media path for people.
func pathLabel(name result.PathName) string {
	switch name {
	case result.PathDirectUDP:
		return "direct UDP"
	case result.PathTURNUDP:
		return "TURN UDP"
	case result.PathTURNTCP:
		return "TURN TCP"
	case result.PathTURNTLS:
		return "TURN TLS"
	}
	return string(name)
}

func rtt(p result.Probe) string {
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
	out := m.header()
	vp := &m.list
	if m.detail {
		vp = &m.details
		m.syncDetails()
	} else {
		m.syncList()
	}
	if m.bodyRoom() > 0 {
		for _, l := range strings.Split(vp.View(), "\n") {
			// The viewport pads every line to its width; the padding is
			// dropped so that lines end where their text does.
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	room := max(m.height-2, 0)
	out = out[:min(len(out), room)]
	for len(out) < room {
		out = append(out, "")
	}
	out = append(out, styleWarn.Render(keepTail(m.status, m.width)), m.helpLine())
	out = out[max(len(out)-m.height, 0):]
	for i, l := range out {
		out[i] = ansi.Truncate(l, m.width, "…")
	}
	return strings.Join(out, "\n")
}

// fit cuts lines to the screen width with "…", before the viewport sees
// them, so that a long line is visibly cut rather than wrapped or clipped.
func (m *Model) fit(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Truncate(l, m.width, "…")
	}
	return out
}

// keepTail fits a status line to width by cutting its middle, not its end:
// "saved C:\Users\...\rtcprobe-host-20261124-103000.json" must keep the
// file name (Windows' temporary and profile paths rarely fit 80 columns).
func keepTail(s string, width int) string {
	if width <= 0 || ansi.StringWidth(s) <= width {
		return s
	}
	head, rest, ok := strings.Cut(s, " ")
	if !ok || ansi.StringWidth(head)+2 >= width {
		return ansi.TruncateLeft(s, ansi.StringWidth(s)-width+1, "…")
	}
	keep := width - ansi.StringWidth(head) - 2
	return head + " …" + ansi.TruncateLeft(rest, ansi.StringWidth(rest)-keep, "")
}

// syncList gives the main screen's viewport the current body and size.
func (m *Model) syncList() []line {
	lines := m.body()
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	m.list.SetWidth(max(m.width, 1))
	m.list.SetHeight(m.bodyHeight())
	m.list.SetContentLines(m.fit(texts))
	m.list.SetYOffset(m.list.YOffset()) // clamp after a resize or a shorter body
	return lines
}

// syncDetails gives the details viewport the selected row's details and
// the current size.
func (m *Model) syncDetails() {
	m.details.SetWidth(max(m.width, 1))
	m.details.SetHeight(m.bodyHeight())
	m.details.SetContentLines(m.fit(m.detailLines()))
	m.details.SetYOffset(m.details.YOffset())
}

// scrollDetail moves the details view for a move key.
func (m *Model) scrollDetail(k string) {
	m.syncDetails()
	switch k {
	case "up", "k":
		m.details.ScrollUp(1)
	case "down", "j":
		m.details.ScrollDown(1)
	case "pgup":
		m.details.PageUp()
	case "pgdown":
		m.details.PageDown()
	case "home", "g":
		m.details.GotoTop()
	default: // end, G
		m.details.GotoBottom()
	}
}

// bodyRoom is how many lines the screen has for the body under the
// header, above the status and help lines (0 on a tiny terminal).
func (m *Model) bodyRoom() int {
	return max(m.height-len(m.header())-2, 0)
}

// bodyHeight is the body's viewport height: at least one line, so that
// paging always moves.
func (m *Model) bodyHeight() int {
	return max(m.bodyRoom(), 1)
}

// clampScroll scrolls the main screen's viewport as little as needed to
// keep the selected row in view.
func (m *Model) clampScroll() {
	lines := m.syncList()
	selLine := 0
	for i, l := range lines {
		if l.item == m.sel {
			selLine = i
		}
	}
	off, h := m.list.YOffset(), m.bodyHeight()
	switch {
	case selLine < off:
		m.list.SetYOffset(selLine)
	case selLine >= off+h:
		m.list.SetYOffset(selLine - h + 1)
	}
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
	case result.OutcomeWorks:
		sym, st = "✔", styleOK
	case result.OutcomeWorksDegraded:
		sym, st = "▲", styleWarn
	case result.OutcomeInconclusive:
		sym, st = "?", styleWarn
	default:
		sym = "✖"
	}
	headline := r.Verdict.Headline
	if headline == "" { // a report without a judged verdict: say so, decide nothing
		headline = "Outcome: " + string(r.Verdict.Outcome)
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
		if m.probes[id].Status != result.StatusRunning {
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
