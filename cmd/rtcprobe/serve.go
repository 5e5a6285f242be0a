package main

import (
	"fmt"
	"io"
)

// runServe: STUB, replaced by the reflector work.
func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe serve: not implemented yet")
	return ExitUsage
}
