package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/rtcprobe/rtcprobe/result"
)

// textWidth is the width the text report keeps to: it is read in 100-column
// terminals, pasted into tickets and mail. Data that is longer wraps onto
// indented lines; nothing is cut, since IDs and errors are what a network
// team searches for. A variable only so that the renderers' fuzz oracle
// can turn wrapping off (export_test.go): wrapping puts data words at the
// start of a line by design, which the oracle would take for a forged line.
var textWidth = 100

// wrapLines breaks s into lines of at most width columns at spaces; a
// word wider than a line (a long URL) is cut where the line ends. Lists in
// the report are ", "-separated, so IDs and domains stay whole.
func wrapLines(s string, width int) []string {
	width = max(width, 20)
	if ansi.StringWidth(s) <= width {
		return []string{s}
	}
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	for _, w := range strings.Split(s, " ") {
		ww := ansi.StringWidth(w)
		if curW > 0 && curW+1+ww > width {
			flush()
		}
		for ww > width {
			if curW > 0 {
				flush()
			}
			head := ansi.Truncate(w, width, "")
			lines = append(lines, head)
			w = w[len(head):]
			ww = ansi.StringWidth(w)
		}
		if curW > 0 {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(w)
		curW += ww
	}
	return append(lines, cur.String())
}

// wrapped writes prefix and s, s wrapped so that its lines end by
// textWidth; continuation lines are indented by indent columns (the width
// of prefix, so that the text stays in its column).
func (t *textWriter) wrapped(prefix, s string, indent int) {
	pad := strings.Repeat(" ", indent)
	for i, l := range wrapLines(s, textWidth-indent) {
		if i == 0 {
			t.b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
			continue
		}
		t.b.WriteString(strings.TrimRight(pad+l, " ") + "\n")
	}
}

// probeColumns is the width of the columns after the ID: status, reason
// and time with their separators.
const probeColumns = 1 + 8 + 1 + 18 + 1 + 9

// probeTable writes one row per probe: ID, status, reason, time, then the
// error on the same line when it fits in textWidth, on indented lines below
// it otherwise. The ID column is as wide as the longest ID that leaves room
// for the other columns; a longer ID gets a line of its own.
func (t *textWriter) probeTable(list []result.Probe) {
	idw := 0
	for _, p := range list {
		if n := ansi.StringWidth(p.ID.String()); n <= textWidth-2-probeColumns {
			idw = max(idw, n)
		}
	}
	for _, p := range list {
		rtt := "-"
		if p.RTTMs != nil {
			rtt = strconv.FormatFloat(*p.RTTMs, 'f', 1, 64) + " ms"
		}
		id := p.ID.String()
		if ansi.StringWidth(id) > idw {
			t.wrapped("  ", id, 4)
			id = ""
		}
		cols := fmt.Sprintf("%-*s %s %-18s %9s", idw, id, t.status(string(p.Status), 8), orDash(p.Reason), rtt)
		width := 2 + idw + probeColumns + max(0, len(orDash(p.Reason))-18)
		switch {
		case p.Error == "":
			t.b.WriteString(strings.TrimRight("  "+cols, " ") + "\n")
		case width+2+ansi.StringWidth(p.Error) <= textWidth:
			t.b.WriteString("  " + cols + "  " + p.Error + "\n")
		default:
			t.b.WriteString(strings.TrimRight("  "+cols, " ") + "\n")
			t.wrapped("      ", p.Error, 6)
		}
	}
}
