package main

import (
	"fmt"
	"io"
)

// runDiff: STUB.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe diff: not implemented yet")
	return ExitUsage
}
