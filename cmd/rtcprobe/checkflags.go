package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/probe"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// checkDoc is the help of `check` (and of rtcprobe with no command).
var checkDoc = cmdDoc{
	name:     "check",
	synopsis: "rtcprobe check [flags]",
	summary:  "Run the diagnosis and print the report (text, or JSON with --json).",
	long: `Tests what the TRTC Web SDK needs from this network: DNS, HTTPS and WebSocket
signalling (directly or through the HTTP proxy), UDP media to a reflector you
run outside the firewall (rtcprobe serve), and TURN. Without --reflector and
without a TURN server, UDP media is reported untested.
TURN credentials come from RTCPROBE_TURN_USERNAME and RTCPROBE_TURN_CREDENTIAL,
never from the command line.`,
	examples: []string{
		"# Check from a laptop against your reflector and save the report for the ticket",
		"rtcprobe check --reflector reflector.example.com --json report.json",
		"# Through the SDK proxy setting the app passes to enterRoom({proxy})",
		"rtcprobe check --reflector 203.0.113.10 --proxy proxy.json",
		"# Test a TURN server over TCP only",
		"RTCPROBE_TURN_USERNAME=u RTCPROBE_TURN_CREDENTIAL=p rtcprobe check --turn 'turn:turn.example.com:3478?transport=tcp'",
		"# List what a run would send, and send nothing",
		"rtcprobe check --reflector reflector.example.com --dry-run",
	},
	footer: exitCodesHelp,
}

// checkFlagTable is the flags of check, one row each: name, value name,
// help, and the check run on the parsed value.
func checkFlagTable(f *checkFlags) []flagSpec {
	return []flagSpec{
		stringFlag(&f.reflector, "reflector", "HOST", "",
			"host answering STUN on the media ports (rtcprobe serve, or coturn --stun-only); without it direct UDP is untested").
			withCheck(func() error { return checkReflector(f.reflector) }),
		stringFlag(&f.mediaPorts, "media-ports", "PORTS", "",
			"comma-separated UDP ports to test on the reflector (default: the SDK's 8000,8080,8800,843,443,16285)").
			withCheck(func() error { return checkPorts("media-ports", f.mediaPorts) }),
		int64Flag(&f.sdkAppID, "sdk-app-id", "ID",
			"the app's SDKAppID: picks the region's hosts like the SDK (default: check both regions)").
			withCheck(func() error { return checkAppID(f.sdkAppID) }),
		stringFlag(&f.proxyFile, "proxy", "FILE", "",
			"JSON file with the enterRoom({proxy}) object (websocketProxy, turnServer, ...)"),
		listFlag(&f.turn, "turn", "URL",
			"TURN server to test (repeatable), e.g. turn:turn.example.com:3478; credentials from "+
				probe.EnvTURNUsername+"/"+probe.EnvTURNCredential),
		stringFlag(&f.turnPeer, "turn-peer", "HOST:PORT", "",
			"UDP address that answers STUN, the far end of the TURN relay test (default: the reflector, else a second allocation)").
			withCheck(func() error { return checkTURNPeer(f.turnPeer) }),
		stringFlag(&f.httpProxy, "http-proxy", "URL", "",
			"HTTP proxy the browser uses (default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY and the system settings); \"none\" for none").
			withCheck(func() error { _, err := parseHTTPProxyFlag(f.httpProxy); return err }),
		stringFlag(&f.pac, "pac", "URL|FILE", "",
			"proxy auto-config script the browser uses, run for every URL the SDK opens (default: the browser policy, the system settings, WPAD)"),
		stringFlag(&f.caFile, "ca-file", "FILE", "", "PEM file of extra trusted root certificates (e.g. a lab CA)"),
		durationFlag(&f.timeout, "timeout", probe.DefaultBudget, "overall time budget for the run").
			withCheck(func() error { return checkTimeout(f.timeout) }),
		stringFlag(&f.jsonOut, "json", "FILE", "", "write the JSON report to FILE (- for stdout); checked before anything is sent").
			withCheck(func() error { return checkJSONDest(f.jsonOut) }),
		boolFlag(&f.verbose, "verbose", "list every probe in the text report, not only the failed ones"),
		boolFlag(&f.redact, "redact", "remove local and mapped addresses and the machine name from the report"),
		boolFlag(&f.dryRun, "dry-run", "list every connection and datagram the run would send, and send nothing"),
		boolFlag(&f.noColor, "no-color", "no colour in the text report (also NO_COLOR)"),
		stringFlag(&f.browser, "browser", "NAME", "",
			"the browser calls are made in: chrome, edge, chromium or firefox (default: the one with a managed policy, else chrome)"),
		optionalValueFlag(&f.quality, "quality", "DURATION", qualityUsage),
	}
}

// parseCheckArgs parses flags and builds the plan and environment. Errors
// are one line, naming the flag or file; -h prints the help on stdout and
// returns errHelp.
func parseCheckArgs(name string, args []string, stdout io.Writer) (*checkFlags, *probe.Plan, *probe.Env, error) {
	f := &checkFlags{}
	doc := checkDoc
	if name != doc.name {
		// rtcprobe with no command: the interactive UI, check's flags.
		doc.name, doc.synopsis = name, name+" [flags]"
		doc.summary = "Open the interactive UI on a terminal (the text report otherwise); the flags are check's."
	}
	rest, err := parseTable(&doc, checkFlagTable(f), args, false, stdout)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rest) > 0 {
		return nil, nil, nil, fmt.Errorf("unexpected argument %q (%s takes flags only; see '%s --help')",
			probe.RedactURL(rest[0]), doc.command(), doc.command())
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
	if f.browser != "" {
		if opts.Browser, err = policy.ParseBrowser(f.browser); err != nil {
			return nil, nil, nil, fmt.Errorf("--browser: %v", err)
		}
	}
	opts.Policies = policy.Read(policy.Sources{Root: os.Getenv(policy.EnvRoot)})
	if opts.ProxySetup, err = discoverProxy(f, opts.Policies, opts.Browser); err != nil {
		return nil, nil, nil, err
	}
	plan, err := probe.NewPlan(cat, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	env, err := checkEnv(f.caFile)
	return f, plan, env, err
}

// checkEnv builds the probe environment: public CA organisations and
// --ca-file.
func checkEnv(caFile string) (*probe.Env, error) {
	env := &probe.Env{}
	for _, org := range strings.Split(os.Getenv(EnvPublicCAOrgs), ",") {
		if org = strings.TrimSpace(org); org != "" {
			env.PublicIssuers = append(env.PublicIssuers, org)
		}
	}
	if caFile == "" {
		return env, nil
	}
	pem, err := readCAFile(caFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificates found", caFile)
	}
	env.RootCAs = pool
	return env, nil
}

// maxCAFileBytes bounds --ca-file: the whole Mozilla bundle is about
// 220 KB, and a wrong file (/dev/zero, a disk image) must be refused
// before it costs the run its memory or never ends.
const maxCAFileBytes = 16 << 20

// readCAFile reads --ca-file, at most maxCAFileBytes.
func readCAFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %v", err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, maxCAFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %v", err)
	}
	if len(pem) > maxCAFileBytes {
		return nil, fmt.Errorf("--ca-file %s: larger than 16 MiB: not a PEM file of root certificates", path)
	}
	return pem, nil
}

func checkTimeout(d time.Duration) error {
	if d <= 0 || d > 10*time.Minute {
		return fmt.Errorf("--timeout must be between 1ms and 10m, not %s", d)
	}
	return nil
}

func checkAppID(id int64) error {
	if id < 0 {
		return fmt.Errorf("--sdk-app-id must be a positive SDKAppID, not %d", id)
	}
	return nil
}

func checkPorts(name, s string) error {
	if s == "" {
		return nil
	}
	if _, err := parsePorts(s); err != nil {
		return fmt.Errorf("--%s: %v", name, err)
	}
	return nil
}

// checkReflector accepts a host name or an IP address, and says what to
// give instead of a URL or host:port.
func checkReflector(s string) error {
	if s == "" {
		return nil
	}
	q := probe.RedactURL(s)
	if strings.Contains(s, "/") {
		return fmt.Errorf("--reflector %q: give the host name or address only, not a URL (e.g. --reflector reflector.example.com)", q)
	}
	if h, p, err := probe.ParseHostPort(s); err == nil {
		return fmt.Errorf("--reflector %q: give the host only; the ports to test are --media-ports (e.g. --reflector %s --media-ports %d)", q, h, p)
	}
	if err := probe.CheckHost(s); err != nil {
		return fmt.Errorf("--reflector %q: %v; want a host name or IP address such as reflector.example.com or 203.0.113.10", q, err)
	}
	return nil
}

// checkTURNPeer accepts HOST:PORT or [IPv6]:PORT.
func checkTURNPeer(s string) error {
	if s == "" {
		return nil
	}
	if _, _, err := probe.ParseHostPort(s); err != nil {
		return fmt.Errorf("--turn-peer %q: %v (want HOST:PORT, e.g. reflector.example.com:8000)", probe.RedactURL(s), err)
	}
	return nil
}

// parseHTTPProxyFlag parses an explicit --http-proxy; "" and "none" give
// nil. The error quotes the value without its user info.
func parseHTTPProxyFlag(s string) (*url.URL, error) {
	if s == "" || s == "none" {
		return nil, nil
	}
	u, err := probe.ParseHTTPProxy(s)
	if err != nil {
		return nil, fmt.Errorf("--http-proxy %q: %v", probe.RedactURL(s), err)
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
		// A port twice would be probed twice under one probe ID.
		if slices.Contains(out, n) {
			return nil, fmt.Errorf("port %d is listed twice", n)
		}
		out = append(out, n)
	}
	return out, nil
}
