package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/rtcprobe/rtcprobe/internal/ui"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// runInteractive opens the TUI when stdin and stdout are terminals, with the
// same flags as check; anywhere else (pipes, CI, --json -) it runs check and
// prints the text report.
func runInteractive(args []string, stdout, stderr io.Writer) int {
	fd, ok := stdout.(interface{ Fd() uintptr })
	if !ok || !isTerminal(fd.Fd()) || !isTerminal(os.Stdin.Fd()) {
		return runCheck(args, stdout, stderr)
	}
	f, plan, env, err := parseCheckArgs("rtcprobe", args, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if f.dryRun || f.jsonOut == "-" {
		return runCheck(args, stdout, stderr)
	}
	// Asked on the terminal before the TUI takes the screen.
	askProxyLogin(plan, env, terminalPrompt(stderr))
	host, _ := os.Hostname()
	if f.redact {
		host = "" // the saved file's name must not name the machine either
	}
	opts := ui.Options{
		Engine: func(ctx context.Context, onEvent func(result.Probe)) *result.Report {
			return runEngine(ctx, plan, env, f.redact, onEvent)
		},
		Budget:   plan.Budget,
		Save:     func(path string, r *result.Report) error { return writeJSONFile(path, r, stdout) },
		Hostname: host,
	}
	if plan.Reflector != nil {
		// The `m` key (and --quality, at once after the verdict).
		opts.Quality, opts.AutoQuality = tuiQuality(plan, env, f), f.quality.flow != 0
	}
	r, err := ui.Run(opts, ui.RunOptions{In: os.Stdin, Out: stdout, NoColor: f.noColor})
	if err != nil {
		fmt.Fprintf(stderr, "rtcprobe: %s\n", report.Safe(err.Error()))
	}
	if r == nil {
		fmt.Fprintln(stderr, "rtcprobe: interrupted before the run ended: nothing to report")
		return ExitInterrupted
	}
	if f.jsonOut != "" {
		if !saveJSON(f.jsonOut, r, stdout, stderr) {
			fmt.Fprintln(stdout, r.Verdict.Headline)
			return ExitUsage
		}
	}
	// The screen was on the alternate buffer: leave the answer in the
	// scrollback.
	fmt.Fprintln(stdout, report.Safe(r.Verdict.Headline))
	if !r.Complete {
		fmt.Fprintln(stderr, "rtcprobe: interrupted: the report is incomplete")
	}
	return exitFor(r)
}
