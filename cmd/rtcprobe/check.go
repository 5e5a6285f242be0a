package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/report"
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
	caFile     string
	jsonOut    string
	verbose    bool
	redact     bool
	dryRun     bool
	noColor    bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func newCheckFlagSet(name string, f *checkFlags, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&f.timeout, "timeout", probe.DefaultBudget, "overall time budget for the run")
	fs.Int64Var(&f.sdkAppID, "sdk-app-id", 0, "the app's SDKAppID: picks the region's hosts like the SDK (default: check both regions)")
	fs.StringVar(&f.proxyFile, "proxy", "", "JSON `file` with the enterRoom({proxy}) object (websocketProxy, turnServer, ...)")
	fs.StringVar(&f.reflector, "reflector", "", "`host` answering STUN on the media ports (rtcprobe serve, or coturn --stun-only); without it direct UDP is untested")
	fs.StringVar(&f.mediaPorts, "media-ports", "", "comma-separated UDP `ports` to test on the reflector (default: the SDK's 8000,8080,8800,843,443,16285)")
	fs.Var(&f.turn, "turn", "TURN server `url` to test (repeatable), e.g. turn:turn.example.com:3478; credentials from "+probe.EnvTURNUsername+"/"+probe.EnvTURNCredential)
	fs.StringVar(&f.turnPeer, "turn-peer", "", "UDP `host:port` that answers STUN, used as the far end of the TURN relay test (default: the reflector, else a second allocation)")
	fs.StringVar(&f.httpProxy, "http-proxy", "", "HTTP proxy `url` the browser uses (default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY and the system settings); \"none\" for none")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM `file` of extra trusted root certificates (e.g. a lab CA)")
	fs.StringVar(&f.jsonOut, "json", "", "write the JSON report to `file` (- for stdout)")
	fs.BoolVar(&f.verbose, "verbose", false, "list every probe in the text report, not only the failed ones")
	fs.BoolVar(&f.redact, "redact", false, "remove local and mapped addresses and the machine name from the report")
	fs.BoolVar(&f.dryRun, "dry-run", false, "list every connection and datagram the run would send, and send nothing")
	fs.BoolVar(&f.noColor, "no-color", false, "no colour in the text report (also NO_COLOR)")
	return fs
}

// parseCheckArgs parses flags and builds the plan and environment. Errors
// are one line, naming the flag or file.
func parseCheckArgs(name string, args []string, stderr io.Writer) (*checkFlags, *probe.Plan, *probe.Env, error) {
	f := &checkFlags{}
	fs := newCheckFlagSet(name, f, stderr)
	if err := parseFlags(fs, args, stderr); err != nil {
		return nil, nil, nil, err
	}
	if fs.NArg() > 0 {
		return nil, nil, nil, fmt.Errorf("unexpected argument %q (flags go before nothing else; see -h)", fs.Arg(0))
	}
	if f.timeout <= 0 || f.timeout > 10*time.Minute {
		return nil, nil, nil, fmt.Errorf("--timeout must be between 1ms and 10m, not %s", f.timeout)
	}
	if f.sdkAppID < 0 {
		return nil, nil, nil, fmt.Errorf("--sdk-app-id must be a positive SDKAppID, not %d", f.sdkAppID)
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, nil, nil, err
	}
	opts := probe.Options{
		SDKAppID: f.sdkAppID, Budget: f.timeout, Reflector: f.reflector, TURN: f.turn,
		TURNPeer:     f.turnPeer,
		TURNUsername: os.Getenv(probe.EnvTURNUsername), TURNCredential: probe.Secret(os.Getenv(probe.EnvTURNCredential)),
	}
	if f.mediaPorts != "" {
		if opts.MediaPorts, err = parsePorts(f.mediaPorts); err != nil {
			return nil, nil, nil, fmt.Errorf("--media-ports: %v", err)
		}
	}
	if f.proxyFile != "" {
		if opts.Proxy, err = probe.ReadProxyFile(f.proxyFile); err != nil {
			return nil, nil, nil, err
		}
	}
	if opts.HTTPProxy, err = httpProxyFor(f.httpProxy); err != nil {
		return nil, nil, nil, err
	}
	if f.httpProxy == "" && opts.HTTPProxy == nil {
		opts.PACURL = probe.SystemPACURL()
	}
	plan, err := probe.NewPlan(cat, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	env := &probe.Env{}
	for _, org := range strings.Split(os.Getenv(EnvPublicCAOrgs), ",") {
		if org = strings.TrimSpace(org); org != "" {
			env.PublicIssuers = append(env.PublicIssuers, org)
		}
	}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("--ca-file: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, nil, fmt.Errorf("--ca-file %s: no PEM certificates found", f.caFile)
		}
		env.RootCAs = pool
	}
	return f, plan, env, nil
}

// EnvPublicCAOrgs names issuer organisations (comma-separated) that count
// as public CAs, so their certificates are never reported as TLS
// inspection: a company CA signing a Solution-2 proxy inside the network,
// or a test lab's stand-in for the web PKI.
const EnvPublicCAOrgs = "RTCPROBE_PUBLIC_CA_ORGS"

// httpProxyFor resolves --http-proxy: explicit URL, "none", or the
// environment/system settings.
func httpProxyFor(flagVal string) (*url.URL, error) {
	switch flagVal {
	case "none":
		return nil, nil
	case "":
		return probe.SystemHTTPProxy()
	}
	u, err := url.Parse(flagVal)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("--http-proxy %q: want http://host:port", flagVal)
	}
	return u, nil
}

func parsePorts(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q is not a port (1-65535)", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func toolInfo() report.Tool {
	return report.Tool{Name: "rtcprobe", Version: version, Commit: commit, Date: date}
}

func hostInfo() report.Host {
	h, _ := os.Hostname()
	return report.Host{Hostname: h, OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// runEngine runs the plan under ctx and builds the report. onEvent streams
// progress (may be nil).
func runEngine(ctx context.Context, plan *probe.Plan, env *probe.Env, redact bool, onEvent func(report.Probe)) *report.Report {
	start := time.Now()
	if show := onEvent; show != nil {
		// Progress on screen obeys --redact too, not only the final report.
		clean := report.SanitizeProbe
		if redact {
			clean = report.RedactProbe
		}
		onEvent = func(p report.Probe) { show(clean(p)) }
	}
	probes := probe.Run(ctx, env, plan, onEvent)
	complete := ctx.Err() == nil
	r := report.Build(toolInfo(), hostInfo(), plan.Config, probes, start, time.Since(start), complete)
	if redact {
		report.Redact(r)
	} else {
		report.Sanitize(r)
	}
	return r
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	f, plan, env, err := parseCheckArgs("check", args, stderr)
	if err != nil {
		return usageError(stderr, err)
	}
	if f.dryRun {
		return dryRun(stdout, stderr, plan, f.jsonOut)
	}
	askProxyLogin(plan, env, terminalPrompt(stderr))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := runEngine(ctx, plan, env, f.redact, nil)
	return finish(r, f, stdout, stderr)
}

// finish writes the report the way the flags ask and returns the exit code.
// The JSON file is written even for an interrupted run.
func finish(r *report.Report, f *checkFlags, stdout, stderr io.Writer) int {
	code := exitFor(r)
	if f.jsonOut != "" {
		if err := writeJSONFile(f.jsonOut, r, stdout); err != nil {
			fmt.Fprintf(stderr, "rtcprobe: --json: %v\n", err)
			return ExitUsage
		}
		if f.jsonOut == "-" {
			return code
		}
	}
	opts := report.TextOptions{Color: colorOK(stdout, f.noColor), Verbose: f.verbose}
	if err := report.WriteText(stdout, r, opts); err != nil {
		fmt.Fprintf(stderr, "rtcprobe: %v\n", err)
	}
	if !r.Complete {
		fmt.Fprintln(stderr, "rtcprobe: interrupted: the report is incomplete")
	}
	return code
}

// writeJSONFile writes the report atomically (temp file + rename), so an
// interrupted write never leaves half a report.
func writeJSONFile(path string, r *report.Report, stdout io.Writer) error {
	if path == "-" {
		return report.WriteJSON(stdout, r)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".rtcprobe-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := report.WriteJSON(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func colorOK(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fd, ok := w.(interface{ Fd() uintptr })
	return ok && isTerminal(fd.Fd())
}

// usageError prints a one-line error and returns ExitUsage. flag's own
// errors were already printed by the FlagSet.
func usageError(stderr io.Writer, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if !isFlagErr(err) {
		msg := strings.TrimPrefix(err.Error(), probe.ErrConfig.Error()+": ")
		fmt.Fprintf(stderr, "rtcprobe: %s\n", msg)
	}
	return ExitUsage
}

func isFlagErr(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "flag provided but not defined") || strings.HasPrefix(s, "invalid value") ||
		strings.HasPrefix(s, "invalid boolean") || strings.HasPrefix(s, "flag needs an argument") || strings.HasPrefix(s, "bad flag syntax")
}
