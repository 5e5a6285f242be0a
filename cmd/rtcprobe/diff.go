package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rtcprobe/rtcprobe/report"
)

// Exit codes of `rtcprobe diff`, like diff(1): 0 the reports agree, 1 they
// differ, 2 a file could not be read.
const (
	exitDiffSame    = ExitOK
	exitDiffChanged = ExitFail
)

// runDiff shows what changed between two saved reports (did the firewall
// change work?), as text or, with --json, as rtcprobe/diff/v1.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "write the difference as JSON (schema rtcprobe/diff/v1)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: rtcprobe diff [--json] OLD.json NEW.json\nexit status: 0 no change, 1 changed, 2 unreadable input")
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args, stderr)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(files) != 2 {
		fmt.Fprintln(stderr, "rtcprobe diff: want two report files: OLD.json NEW.json")
		return ExitUsage
	}
	if files[0] == "-" && files[1] == "-" {
		fmt.Fprintln(stderr, "rtcprobe diff: only one of the two reports can come from stdin (-)")
		return ExitUsage
	}
	var reps [2]*report.Report
	for i, f := range files {
		if reps[i], err = readReportFile(f, os.Stdin); err != nil {
			fmt.Fprintf(stderr, "rtcprobe diff: %s\n", report.Safe(err.Error()))
			return ExitUsage
		}
		report.Sanitize(reps[i])
	}
	d := report.Diff(reps[0], reps[1])
	write := report.WriteDeltaText
	if *asJSON {
		write = report.WriteDeltaJSON
	}
	if err := write(stdout, d); err != nil {
		fmt.Fprintf(stderr, "rtcprobe diff: %s\n", report.Safe(err.Error()))
		return ExitUsage
	}
	if d.Empty() {
		return exitDiffSame
	}
	return exitDiffChanged
}
