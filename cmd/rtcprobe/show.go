package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rtcprobe/rtcprobe/internal/ui"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// showDoc is the help of `show`.
var showDoc = cmdDoc{
	name:     "show",
	synopsis: "rtcprobe show [flags] FILE",
	summary:  "Render a saved JSON report (- reads stdin).",
	long: `On a terminal, the interactive verdict screen; otherwise the text report. A network
team uses it to read a report attached to a ticket.`,
	examples: []string{
		"# Read the report a user attached, every probe listed",
		"rtcprobe show --verbose report.json",
		"# Remove addresses and the machine name before pasting it elsewhere",
		"rtcprobe show --redact report.json > redacted.txt",
	},
}

// runShow renders a saved JSON report: the text report when stdout is not a
// terminal, the TUI verdict screen on one. A network team uses it to read
// what was attached to a ticket.
func runShow(args []string, stdout, stderr io.Writer) int {
	var verbose, noColor, redact bool
	specs := []flagSpec{
		boolFlag(&verbose, "verbose", "list every probe, not only the failed ones"),
		boolFlag(&noColor, "no-color", "no colour (also NO_COLOR)"),
		boolFlag(&redact, "redact", "remove local and mapped addresses and the machine name before showing"),
	}
	rest, err := parseTable(&showDoc, specs, args, true, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "rtcprobe show: want one report FILE (- for stdin)")
		return ExitUsage
	}
	r, err := readReportFile(rest[0], os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "rtcprobe show: %s\n", report.Safe(err.Error()))
		return ExitUsage
	}
	if redact {
		report.Redact(r)
	} else {
		report.Sanitize(r)
	}
	if err := showReport(stdout, r, report.TextOptions{Color: colorOK(stdout, noColor), Verbose: verbose}, noColor); err != nil {
		fmt.Fprintf(stderr, "rtcprobe show: %s\n", report.Safe(err.Error()))
		return ExitUsage
	}
	return ExitOK
}

// showReport renders r on w: the TUI verdict screen when both w and stdin
// are a terminal (the screen needs keys; a report piped in on stdin gets
// text), the text report otherwise.
func showReport(w io.Writer, r *result.Report, o report.TextOptions, noColor bool) error {
	if f, ok := w.(*os.File); ok && isTerminal(f.Fd()) && isTerminal(os.Stdin.Fd()) {
		return ui.ShowReport(r, ui.RunOptions{In: os.Stdin, Out: f, NoColor: noColor})
	}
	return report.WriteText(w, r, o)
}

// readReportFile reads a saved report; "-" reads stdin. Errors are one line
// and name the file.
func readReportFile(path string, stdin io.Reader) (*result.Report, error) {
	in, name := stdin, "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, oneLine(err)
		}
		defer f.Close()
		in, name = f, path
	}
	r, err := report.Read(&capReader{r: in, left: maxReportBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, oneLine(err))
	}
	return r, nil
}

// maxReportBytes bounds what show and diff read: a real report is tens of
// kilobytes, and a hostile or wrong file (a disk image, /dev/zero) must give
// an error, not exhaust memory.
const maxReportBytes = 32 << 20

// errTooLarge is returned by capReader past maxReportBytes.
var errTooLarge = errors.New("larger than 32 MiB: not an rtcprobe report")

// capReader fails, rather than stopping quietly, when its budget is spent,
// so a huge file is never mistaken for a truncated report.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// oneLine keeps an error to its first line: a hostile file must not be able
// to write a screenful into the terminal through an error message.
type oneLineErr struct{ err error }

func (e oneLineErr) Error() string {
	s, _, _ := strings.Cut(e.err.Error(), "\n")
	return s
}
func (e oneLineErr) Unwrap() error { return e.err }

func oneLine(err error) error { return oneLineErr{err} }
