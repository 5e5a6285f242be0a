package ui

import (
	"fmt"
	"path/filepath"
	"regexp"

	tea "charm.land/bubbletea/v2"

	"github.com/rtcprobe/rtcprobe/result"
)

// openDetail is enter: the details of the selected row, from their top.
func (m *Model) openDetail() {
	m.detail = true
	m.details.SetYOffset(0)
}

// interrupt is ctrl-c: the first one during a run stops it (the partial
// report still arrives and can be saved); otherwise it quits.
func (m *Model) interrupt() tea.Cmd {
	if m.state == stateRunning {
		m.state = stateStopping
		m.run.cancel()
		m.status = "stopping: collecting the partial report (ctrl-c again to quit)"
		return nil
	}
	return m.quit()
}

func (m *Model) quit() tea.Cmd {
	if m.run != nil {
		m.run.cancel()
	}
	if m.quality.cancel != nil {
		m.quality.cancel()
	}
	m.quitting = true
	return tea.Quit
}

func (m *Model) move(d int) {
	n := len(m.items())
	m.sel = min(max(m.sel+d, 0), max(n-1, 0))
	m.clampScroll()
}

// save returns the command writing the report next to the user, named after
// the host and the time so that several runs at one desk do not collide.
func (m *Model) save() tea.Cmd {
	if m.final == nil || m.opts.Save == nil { // the key table offers s only with both
		return nil
	}
	path := filepath.Join(m.opts.Dir, m.fileName())
	r, save := m.raw, m.opts.Save
	return func() tea.Msg {
		return savedMsg{path: path, err: save(path, r)}
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName is rtcprobe-<hostname>-<YYYYMMDD-HHMMSS>.json.
func (m *Model) fileName() string {
	host := m.final.Host.Hostname
	if host == "" {
		host = m.opts.Hostname
	}
	host = unsafeName.ReplaceAllString(host, "_")
	if host == "" {
		host = "host"
	}
	return fmt.Sprintf("rtcprobe-%s-%s.json", host, m.opts.Now().Format("20060102-150405"))
}

// item is one selectable row: a media path or a probe.
type item struct {
	path  result.PathName // report path name, or ""
	probe result.ID       // probe ID, or ""
}

// items lists the selectable rows in screen order: the paths once a verdict
// exists, then the probes grouped by stage.
func (m *Model) items() []item {
	var out []item
	if m.final != nil {
		for _, name := range result.PathOrder {
			out = append(out, item{path: name})
		}
	}
	for _, g := range m.groups() {
		for _, id := range g.ids {
			out = append(out, item{probe: id})
		}
	}
	return out
}
