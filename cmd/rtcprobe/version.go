package main

import (
	"fmt"
	"io"
)

// runVersion prints version, commit and build date. STUB.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "rtcprobe %s commit %s built %s\n", version, commit, date)
	return ExitOK
}
