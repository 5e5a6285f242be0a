package main

import (
	"fmt"
	"io"

	"github.com/rtcprobe/rtcprobe/probe"
)

// dryRun lists what a run would send. STUB.
func dryRun(stdout io.Writer, plan *probe.Plan) int {
	fmt.Fprintln(stdout, "dry run: not implemented yet")
	return ExitOK
}
