package main

import (
	"fmt"
	"io"
)

// runShow: STUB.
func runShow(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "rtcprobe show: not implemented yet")
	return ExitUsage
}
