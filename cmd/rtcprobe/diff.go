package main

import (
	"fmt"
	"io"
	"os"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// Exit codes of `rtcprobe diff`, like diff(1): 0 the reports agree, 1 they
// differ, 2 a file could not be read.
const (
	exitDiffSame    = ExitOK
	exitDiffChanged = ExitFail
)

// diffDoc is the help of `diff`.
var diffDoc = cmdDoc{
	name:     "diff",
	synopsis: "rtcprobe diff [flags] OLD.json NEW.json",
	summary:  "Show what changed between two saved reports (did the firewall change work?).",
	long:     "Compares the verdict, the paths, every probe and the firewall rules. One of the two files may be - (stdin).",
	examples: []string{
		"# Before and after a firewall change",
		"rtcprobe diff before.json after.json",
		"# The difference as JSON (schema rtcprobe/diff/v1)",
		"rtcprobe diff --json before.json after.json",
	},
	footer: "Exit status:\n  0  no change\n  1  changed\n  2  bad usage or an unreadable report",
}

// runDiff shows what changed between two saved reports (did the firewall
// change work?), as text or, with --json, as rtcprobe/diff/v1.
func runDiff(args []string, stdout, stderr io.Writer) int {
	var asJSON bool
	specs := []flagSpec{boolFlag(&asJSON, "json", "write the difference as JSON (schema rtcprobe/diff/v1)")}
	files, err := parseTable(&diffDoc, specs, args, true, stdout)
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
	var reps [2]*result.Report
	for i, f := range files {
		if reps[i], err = readReportFile(f, os.Stdin); err != nil {
			fmt.Fprintf(stderr, "rtcprobe diff: %s\n", report.Safe(err.Error()))
			return ExitUsage
		}
		report.Sanitize(reps[i])
	}
	d := report.Diff(reps[0], reps[1])
	write := report.WriteDeltaText
	if asJSON {
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
