// Command rtcprobe tells whether Tencent TRTC Web SDK calls will work from
// this network, by which path, and which firewall rules are missing.
//
// This package only parses flags, wires the engine (probe), the verdict
// (report) and a renderer (text, JSON or the TUI in ui) together, and maps
// outcomes to exit codes (exit.go).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Set by the release build with -ldflags "-X main.version=... ".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// command is one subcommand. It returns the process exit code.
type command struct {
	name  string
	usage string
	run   func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"check", "run the diagnosis and print the report (text, or JSON with --json)", runCheck},
		{"serve", "run the reflector: STUN/echo on the media ports, TCP/TLS, optional TURN", runServe},
		{"show", "render a saved JSON report", runShow},
		{"diff", "show what changed between two saved reports", runDiff},
		{"version", "print version, commit and build date (also --version)", runVersion},
		{"help", "show the commands, or a command's flags and examples: rtcprobe help check", runHelp},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(nil, stdout, stderr)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) {
		// No subcommand: the interactive UI on a terminal, else the text report.
		return runInteractive(args, stdout, stderr)
	}
	if isHelp(args[0]) {
		usage(stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "rtcprobe: unknown command %q; run 'rtcprobe help' for the list\n", args[0])
	return ExitUsage
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }
