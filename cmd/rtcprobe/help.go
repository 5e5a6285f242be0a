package main

import (
	"fmt"
	"io"
	"strings"
)

// cmdDoc is a command's help: what `rtcprobe CMD --help` and
// `rtcprobe help CMD` print on stdout, in the shape gh, kubectl and
// tailscale users expect (summary, usage, flags with value names,
// examples).
type cmdDoc struct {
	name     string
	synopsis string   // e.g. "rtcprobe check [flags]"
	summary  string   // one line, also listed by `rtcprobe help`
	long     string   // a paragraph or two, "" for none
	examples []string // "# what it does" lines, each followed by a command line
	footer   string   // exit status and the like, "" for none
}

// command is how the user runs the command: "rtcprobe check", or
// "rtcprobe" for the interactive UI's flags.
func (d *cmdDoc) command() string {
	if d.name == "rtcprobe" {
		return d.name
	}
	return "rtcprobe " + d.name
}

// writeHelp prints doc and the flag table.
func writeHelp(w io.Writer, doc *cmdDoc, specs []flagSpec) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", doc.summary, doc.synopsis)
	if doc.long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(doc.long))
	}
	fmt.Fprintln(w, "\nFlags:")
	rows := make([][2]string, 0, len(specs)+1)
	for _, s := range specs {
		left := "--" + s.name
		switch {
		case strings.HasPrefix(s.value, "["): // optional value: --quality[=DURATION]
			left += s.value
		case s.value != "":
			left += " " + s.value
		}
		text := s.usage
		if s.def != "" {
			text += " (default " + s.def + ")"
		}
		rows = append(rows, [2]string{left, text})
	}
	rows = append(rows, [2]string{"-h, --help", "show this help"})
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		lines := wrap(r[1], helpWidth-width-4)
		fmt.Fprintf(w, "  %-*s  %s\n", width, r[0], lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "  %*s  %s\n", width, "", l)
		}
	}
	if len(doc.examples) > 0 {
		fmt.Fprint(w, "\nExamples:")
		for _, e := range doc.examples {
			if strings.HasPrefix(e, "#") {
				fmt.Fprintf(w, "\n  %s\n", e)
			} else {
				fmt.Fprintf(w, "  $ %s\n", e)
			}
		}
	}
	if doc.footer != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(doc.footer))
	}
	fmt.Fprintln(w, "\nRun 'rtcprobe help' for the other commands.")
}

// exitCodesHelp is the exit status table of check and of rtcprobe alone.
const exitCodesHelp = `Exit status:
  0    calls will work (possibly degraded: relayed over TURN)
  1    calls will fail
  2    bad usage or configuration (one line on stderr), or the --json file could not be written
  3    inconclusive: no media path could be tested (no --reflector, no TURN server)
  130  interrupted (SIGINT/SIGTERM); with --json the partial report was written`

// runHelp is `rtcprobe help [COMMAND]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || len(args) == 1 && (args[0] == "help" || isHelp(args[0])) {
		usage(stdout)
		return ExitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "rtcprobe help: want one command, not %d arguments\n", len(args))
		return ExitUsage
	}
	for _, c := range commands() {
		if c.name == args[0] && c.name != "help" {
			return c.run([]string{"--help"}, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "rtcprobe help: unknown command %q; run 'rtcprobe help' for the list\n", args[0])
	return ExitUsage
}

// usage is `rtcprobe help` and `rtcprobe --help`: the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "rtcprobe tells whether Tencent TRTC Web SDK calls will work from this network,")
	fmt.Fprintln(w, "by which path, and which firewall rules are missing.")
	fmt.Fprintln(w, "\nUsage:\n  rtcprobe [flags]             the interactive UI on a terminal (the text report otherwise);")
	fmt.Fprintln(w, "                               the same flags as check")
	fmt.Fprintln(w, "  rtcprobe <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nExamples:")
	fmt.Fprintln(w, "  $ rtcprobe check --reflector reflector.example.com --json report.json")
	fmt.Fprintln(w, "  $ rtcprobe help check")
	fmt.Fprintln(w, "\nFlags:\n  -h, --help     show this help\n      --version  print the version")
	fmt.Fprintf(w, "\n%s\n", exitCodesHelp)
	fmt.Fprintln(w, "\nRun 'rtcprobe <command> --help' (or 'rtcprobe help <command>') for a command's flags.")
}

// helpWidth is the width help text is wrapped to, for a terminal of 100
// columns or an 80-column one with the flag names on the left.
const helpWidth = 100

// wrap splits s into lines of at most n columns at spaces (a longer word
// gets a line of its own).
func wrap(s string, n int) []string {
	n = max(n, 30)
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
