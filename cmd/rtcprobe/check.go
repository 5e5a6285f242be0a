package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// checkFlags are the flags shared by `check` and the interactive UI.
type checkFlags struct {
	timeout    time.Duration
	sdkAppID   int64
	proxyFile  string
	reflector  string
	mediaPorts string
	turn       multiFlag
	turnPeer   string
	httpProxy  string
	pac        string
	caFile     string
	jsonOut    string
	verbose    bool
	redact     bool
	dryRun     bool
	noColor    bool
	quality    qualityFlag // --quality[=DURATION] (quality.go)
	browser    string
}

// EnvPublicCAOrgs names issuer organisations (comma-separated) that count
// as public CAs, so their certificates are never reported as TLS
// inspection: a company CA signing a Solution-2 proxy inside the network,
// or a test lab's stand-in for the web PKI.
const EnvPublicCAOrgs = "RTCPROBE_PUBLIC_CA_ORGS"

// discoverProxy resolves --http-proxy and --pac, then the browser
// policy, the environment and the system settings (probe.DiscoverProxy).
func discoverProxy(f *checkFlags, pol *policy.Set, browser string) (*probe.ProxySetup, error) {
	if f.httpProxy != "" && f.pac != "" {
		return nil, fmt.Errorf("--http-proxy and --pac exclude each other: give one")
	}
	return probe.DiscoverProxy(probe.ProxyInput{FlagProxy: f.httpProxy, FlagPAC: f.pac, Policy: browserProxyPolicy(pol, browser)})
}

func toolInfo() result.Tool {
	return result.Tool{Name: "rtcprobe", Version: version, Commit: commit, Date: date}
}

func hostInfo() result.Host {
	h, _ := os.Hostname()
	return result.Host{Hostname: h, OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// runEngine runs the plan under ctx and builds the report. onEvent streams
// progress (may be nil).
func runEngine(ctx context.Context, plan *probe.Plan, env *probe.Env, redact bool, onEvent func(result.Probe)) *result.Report {
	start := time.Now()
	if show := onEvent; show != nil {
		// Progress on screen obeys --redact too, not only the final report.
		clean := report.SanitizeProbe
		if redact {
			names := privateNames(plan)
			clean = func(p result.Probe) result.Probe { return report.RedactProbe(p, names...) }
		}
		onEvent = func(p result.Probe) { show(clean(p)) }
	}
	probes := probe.Run(ctx, env, plan, onEvent)
	complete := ctx.Err() == nil
	r := report.Build(toolInfo(), hostInfo(), plan.Config, probes, start, time.Since(start), complete)
	if redact {
		report.Redact(r, privateNames(plan)...)
	} else {
		report.Sanitize(r)
	}
	return r
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	f, plan, env, err := parseCheckArgs("check", args, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if f.dryRun {
		qualityDryRunNote(stderr, f)
		return dryRun(stdout, stderr, plan, f.jsonOut)
	}
	askProxyLogin(plan, env, terminalPrompt(stderr))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := runEngine(ctx, plan, env, f.redact, nil)
	withQuality(ctx, r, plan, env, f, stderr)
	return finish(r, f, stdout, stderr)
}

// finish writes the report the way the flags ask and returns the exit code.
// The JSON file is written even for an interrupted run.
func finish(r *result.Report, f *checkFlags, stdout, stderr io.Writer) int {
	code := exitFor(r)
	if f.jsonOut != "" {
		if !saveJSON(f.jsonOut, r, stdout, stderr) {
			// The text report below still shows the diagnosis.
			code = ExitUsage
		} else if f.jsonOut == "-" {
			return code
		}
	}
	opts := report.TextOptions{Color: colorOK(stdout, f.noColor), Verbose: f.verbose}
	if err := report.WriteText(stdout, r, opts); err != nil {
		fmt.Fprintf(stderr, "rtcprobe: %s\n", report.Safe(err.Error()))
	}
	if !r.Complete {
		fmt.Fprintln(stderr, "rtcprobe: interrupted: the report is incomplete")
	}
	return code
}

func colorOK(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fd, ok := w.(interface{ Fd() uintptr })
	return ok && isTerminal(fd.Fd())
}

// usageError prints a one-line error and returns ExitUsage; after help
// (errHelp) it returns ExitOK.
func usageError(stderr io.Writer, err error) int {
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	msg := strings.TrimPrefix(err.Error(), probe.ErrConfig.Error()+": ")
	fmt.Fprintf(stderr, "rtcprobe: %s\n", report.Safe(msg))
	return ExitUsage
}
