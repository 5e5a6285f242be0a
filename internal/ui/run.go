package ui

import (
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/rtcprobe/rtcprobe/result"
)

// ErrNoReport is returned by ShowReport when there is nothing to show.
var ErrNoReport = errors.New("ui: no report to show")

// RunOptions are the terminal settings of a program.
type RunOptions struct {
	In  io.Reader
	Out io.Writer
	// NoColor forces a colourless screen (--no-color); NO_COLOR in the
	// environment is honoured by the terminal detection anyway.
	NoColor bool
}

// Run opens the interactive screen until the user quits and returns the
// final report: nil when the user quit before any run ended.
func Run(opts Options, ro RunOptions) (*result.Report, error) {
	m := New(opts)
	var popts []tea.ProgramOption
	if ro.In != nil {
		popts = append(popts, tea.WithInput(ro.In))
	}
	if ro.Out != nil {
		popts = append(popts, tea.WithOutput(ro.Out))
	}
	if ro.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil {
		return m.Report(), fmt.Errorf("ui: %w", err)
	}
	return m.Report(), nil
}

// ShowReport opens the verdict screen for a saved report (rtcprobe show):
// the same drill-down as after a run, without re-running or saving.
func ShowReport(r *result.Report, ro RunOptions) error {
	if r == nil {
		return ErrNoReport
	}
	_, err := Run(Options{Report: r}, ro)
	return err
}
