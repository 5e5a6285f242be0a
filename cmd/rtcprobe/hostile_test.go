package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/report/reporttest"
	"github.com/rtcprobe/rtcprobe/result"
)

// TestNoRawControlCharacters: whatever a report file, a flag or a server
// puts in a string, what the commands print (stdout and stderr) shows its
// control characters visibly and acts on no terminal.
func TestNoRawControlCharacters(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteJSON(&b, reporttest.Hostile(reporttest.Payload)); err != nil {
		t.Fatal(err)
	}
	hostile := writeFile(t, "hostile.json", b.String())
	other := writeFile(t, "other.json", strings.ReplaceAll(b.String(), "pwned", "owned"))
	notJSON := writeFile(t, "bad.json", "{\"schema\": \x1b]0;x\x07\x1b[2J")
	p := reporttest.Payload
	for _, args := range [][]string{
		{"show", "--verbose", hostile},
		{"show", "--redact", hostile},
		{"diff", hostile, other},
		{"diff", "--json", hostile, other},
		{"show", notJSON},
		{"show", p},
		{"diff", hostile, p},
		{"check", "--reflector", p, "--dry-run"},
		{"check", "--turn", "turn:" + p, "--dry-run"},
		{"check", "--http-proxy", "http://" + p, "--dry-run"},
		{"check", "--ca-file", p},
		{"serve", "--udp-ports", p},
		{p},
	} {
		_, stdout, stderr := run(t, args...)
		if u := reporttest.Unsafe(stdout, false); u != "" {
			t.Errorf("%q: stdout: %s", args, u)
		}
		if u := reporttest.Unsafe(stderr, false); u != "" {
			t.Errorf("%q: stderr: %s", args, u)
		}
	}
}

// TestCheckPrintsProbeErrorsSafely: a proxy's reason phrase ("403 <ESC>...")
// lands in a probe's error; check's text report shows it escaped, and the
// error line of a usage mistake is sanitised too.
func TestCheckPrintsProbeErrorsSafely(t *testing.T) {
	r := report.Build(toolInfo(), result.Host{OS: "linux"}, result.Config{Regions: []string{"mainland"}},
		[]result.Probe{{ID: "main-signaling-x/tls", Kind: result.KindTLS, Status: result.StatusFailed,
			Reason: "connect-refused-by-proxy", Step: "connect", Details: map[result.DetailKey]string{"proxyStatus": "403"},
			Error: "proxy refused CONNECT: 403 \x1b]0;owned\x07\x1b[2JForbidden"}}, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Second, true)
	var out, errb bytes.Buffer
	finish(r, &checkFlags{}, &out, &errb)
	if u := reporttest.Unsafe(out.String()+errb.String(), false); u != "" {
		t.Errorf("check output: %s", u)
	}
	if !strings.Contains(out.String(), `403 \x1b]0;owned\x07`) {
		t.Errorf("the reason phrase is not shown:\n%s", out.String())
	}
	errb.Reset()
	usageError(&errb, errors.New("bad value \x1b[2J\u202e"))
	if u := reporttest.Unsafe(errb.String(), false); u != "" {
		t.Errorf("usage error: %s", u)
	}
}

// TestServeLogsAreTerminalSafe: what a client sends and the reflector logs
// (here as an attribute and in the message) reaches the terminal escaped,
// in text and in JSON logs.
func TestServeLogsAreTerminalSafe(t *testing.T) {
	for _, args := range [][]string{nil, {"--log-json"}} {
		var b bytes.Buffer
		cfg, err := serveConfig(args, io.Discard, &b)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Logger.Info("client said "+reporttest.Payload, "user", reporttest.Payload)
		if u := reporttest.Unsafe(b.String(), false); u != "" {
			t.Errorf("serve %q log: %s", args, u)
		}
	}
}
