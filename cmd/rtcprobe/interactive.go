package main

import "io"

// runInteractive opens the TUI on a terminal, else runs check. STUB.
func runInteractive(args []string, stdout, stderr io.Writer) int {
	return runCheck(args, stdout, stderr)
}
