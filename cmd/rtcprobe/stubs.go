package main

import (
	"fmt"
	"io"

	"github.com/rtcprobe/rtcprobe/probe"
)

// STUBS: each is replaced by its own file.

func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe serve: not implemented yet")
	return ExitUsage
}

func runShow(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe show: not implemented yet")
	return ExitUsage
}

func runDiff(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe diff: not implemented yet")
	return ExitUsage
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "rtcprobe %s commit %s built %s\n", version, commit, date)
	return ExitOK
}

func dryRun(stdout io.Writer, plan *probe.Plan) int {
	fmt.Fprintln(stdout, "dry run: not implemented yet")
	return ExitOK
}

// runInteractive opens the TUI on a terminal, else runs check.
func runInteractive(args []string, stdout, stderr io.Writer) int {
	return runCheck(args, stdout, stderr)
}
