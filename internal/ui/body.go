package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/rtcprobe/rtcprobe/result"
)

// body lists the scrollable part of the main screen: the path matrix,
// findings and firewall changes once a verdict exists, then the probes by
// stage. Selectable rows carry their index in items().
func (m *Model) body() []line {
	var out []line
	idx := 0
	add := func(text string, selectable bool) {
		l := line{text: text, item: -1}
		if selectable {
			l.item = idx
			idx++
			if l.item == m.sel && !m.detail {
				l.text = styleSel.Render("›") + text[1:]
			}
		}
		out = append(out, l)
	}
	if r := m.final; r != nil {
		add(styleTitle.Render("Media paths"), false)
		for _, name := range result.PathOrder {
			p := r.Paths.Get(name)
			add(fmt.Sprintf("  %-11s %s %s", pathLabel(name), m.mark(string(p.Status)), styleDim.Render(p.Detail)), true)
		}
		out = append(out, m.qualityLines()...)
		out = append(out, m.findings(r)...)
	}
	for _, g := range m.groups() {
		add(styleTitle.Render(g.title)+"  "+styleDim.Render(m.tally(g.ids)), false)
		for _, id := range g.ids {
			p := m.probes[id]
			add(fmt.Sprintf("  %s %6s  %s%s", m.mark(string(p.Status)), rtt(p), id, reasonSuffix(p)), true)
		}
	}
	return out
}

// tally counts a stage's probes by outcome, e.g. "3 ok · 1 blocked".
func (m *Model) tally(ids []result.ID) string {
	counts := map[result.Status]int{}
	for _, id := range ids {
		counts[m.probes[id].Status]++
	}
	var parts []string
	for _, st := range []result.Status{result.StatusOK, result.StatusRunning, result.StatusBlocked, result.StatusRejected,
		result.StatusFailed, result.StatusError, result.StatusSkipped, result.StatusUntested} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	return strings.Join(parts, " · ")
}

func reasonSuffix(p result.Probe) string {
	if p.Reason == "" {
		return ""
	}
	return styleDim.Render(" (" + string(p.Reason) + ")")
}

// findings renders the findings and the firewall changes (not selectable).
func (m *Model) findings(r *result.Report) []line {
	var out []line
	add := func(s string) { out = append(out, line{text: s, item: -1}) }
	if len(r.Findings) > 0 {
		add(styleTitle.Render("Findings"))
		for _, f := range r.Findings {
			st := styleDim
			switch f.Severity {
			case result.SeverityCritical:
				st = styleBad
			case result.SeverityWarning:
				st = styleWarn
			}
			add("  " + st.Render("["+string(f.Severity)+"]") + " " + f.Title)
		}
	}
	if len(r.Remediation) > 0 {
		add(styleTitle.Render("Firewall changes needed"))
		for _, rule := range r.Remediation {
			add(fmt.Sprintf("  allow %s %-11s to %s", rule.Protocol, rule.Port, rule.Destination))
		}
	}
	return out
}

// detailLines describes the selected path or probe completely.
func (m *Model) detailLines() []string {
	items := m.items()
	if m.sel >= len(items) {
		return nil
	}
	it := items[m.sel]
	if it.path != "" {
		return m.pathDetail(it.path)
	}
	return m.probeDetail(m.probes[it.probe])
}

func (m *Model) wrap(s string) []string {
	return strings.Split(lipgloss.Wrap(s, max(m.width-4, 20), " "), "\n")
}

func (m *Model) pathDetail(name result.PathName) []string {
	p := m.final.Paths.Get(name)
	out := []string{styleTitle.Render("Media path: " + pathLabel(name)), "",
		"  status     " + m.mark(string(p.Status)),
		fmt.Sprintf("  counts     %t (false: the SDK would not use this path)", p.Counts), ""}
	for _, l := range m.wrap(p.Detail) {
		out = append(out, "  "+l)
	}
	out = append(out, "", styleTitle.Render("Evidence"))
	if len(p.Evidence) == 0 {
		out = append(out, "  (none)")
	}
	for _, id := range p.Evidence {
		pr := m.probes[id]
		out = append(out, fmt.Sprintf("  %s %6s  %s%s", m.mark(string(pr.Status)), rtt(pr), id, reasonSuffix(pr)))
	}
	return out
}

func (m *Model) probeDetail(p result.Probe) []string {
	out := []string{styleTitle.Render("Probe " + p.ID.String()), ""}
	field := func(k, v string) {
		if v != "" && v != "0" {
			out = append(out, fmt.Sprintf("  %-10s %s", k, v))
		}
	}
	out = append(out, "  status     "+m.mark(string(p.Status))+" "+string(p.Reason))
	field("kind", string(p.Kind))
	field("role", p.Role)
	field("region", p.Region)
	field("target", p.Target)
	field("address", p.Address)
	field("port", fmt.Sprint(p.Port))
	field("transport", p.Transport)
	via := string(p.Via)
	if p.SDKProxy {
		via = strings.TrimSpace(via + " (to the SDK proxy)")
	}
	field("via", via)
	field("step", p.Step)
	field("rtt", rtt(p))
	field("started", fmt.Sprintf("+%.1fms", p.StartMs))
	field("after", p.After.String())
	if p.Error != "" {
		out = append(out, "  error")
		for _, l := range m.wrap(p.Error) {
			out = append(out, "    "+l)
		}
	}
	if len(p.Steps) > 0 {
		out = append(out, "", styleTitle.Render("Steps"))
		for _, s := range p.Steps {
			out = append(out, fmt.Sprintf("  %-12s %s %7.1fms  %s", s.Name, m.mark(s.Status), s.Ms, s.Detail))
		}
	}
	if len(p.Details) > 0 {
		out = append(out, "", styleTitle.Render("Details"))
		keys := make([]result.DetailKey, 0, len(p.Details))
		for k := range p.Details {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, fmt.Sprintf("  %-15s %s", k, p.Details[k]))
		}
	}
	return out
}
