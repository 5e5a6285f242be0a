package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

// run calls the CLI in-process and returns the exit code and both outputs.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// savedReport writes a judged report built from probes, as `check --json`
// would, and returns its path.
func savedReport(t *testing.T, name string, probes []result.Probe) (string, *result.Report) {
	t.Helper()
	cfg := result.Config{Regions: []string{"mainland"}, BudgetMs: 10000, Reflector: "198.51.100.9",
		MediaPorts: []int{8000}, ICETransportPolicy: "all", TURNServers: []string{}}
	r := report.Build(result.Tool{Name: "rtcprobe", Version: "test"},
		result.Host{Hostname: "secret-laptop-name", OS: "linux", Arch: "amd64"},
		cfg, probes, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Second, true)
	var b bytes.Buffer
	if err := report.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, b.Bytes())
	return writeFile(t, name, b.String()), r
}

func stunProbe(status, mapped string) result.Probe {
	return result.Probe{ID: "stun/8000", Kind: result.KindSTUN, Role: "media", Target: "198.51.100.9",
		Address: "198.51.100.9", Port: 8000, Transport: "udp", Status: result.Status(status),
		Details: map[result.DetailKey]string{"mappedAddress": mapped}}
}

// Every bad flag, file or argument: exit 2 and one line on stderr that names
// what to fix; never a panic, a stack trace or a page of usage.
func TestBadInputIsOneLine(t *testing.T) {
	badProxy := writeFile(t, "proxy.json", "{\n  \"websocketProxy\": \"wss://p/\",\n  \"nope\": 1\n}\n")
	notPEM := writeFile(t, "ca.pem", "hello")
	foreign := writeFile(t, "foreign.json", `{"schema": "someone-else/v9", "hello": 1}`)
	garbage := writeFile(t, "garbage.json", "\x00\x01PK\x03\x04 not json at all\n\nline two")
	truncated := writeFile(t, "truncated.json", `{"schema": "rtcprobe/report/v1", "probes": [`)
	nullProxy := writeFile(t, "null.json", "\n\nnull\n")
	latin1Proxy := writeFile(t, "latin1.json", "{\n\"websocketProxy\": \"wss://caf\xe9/\"}")
	bracketProxy := writeFile(t, "bracket.json", "{\"turnServer\":\n {\"url\": \"turn:[::1\"}}")
	bigProxy := writeFile(t, "big.json", `{"websocketProxy": "wss://p/", "x": "`+strings.Repeat("a", 2<<20)+`"}`)
	tests := []struct {
		name string
		args []string
		want []string // substrings of the one line
	}{
		{"unknown command", []string{"frobnicate"}, []string{`"frobnicate"`}},
		{"unknown flag", []string{"check", "--bogus"}, []string{"--bogus", "rtcprobe check --help"}},
		{"bad duration", []string{"check", "--timeout", "soon"}, []string{"-timeout"}},
		{"zero timeout", []string{"check", "--timeout", "0s"}, []string{"--timeout"}},
		{"negative app id", []string{"check", "--sdk-app-id", "-5"}, []string{"--sdk-app-id"}},
		{"bad port", []string{"check", "--media-ports", "8000,70000"}, []string{"--media-ports", "70000"}},
		{"port not a number", []string{"check", "--media-ports", "x"}, []string{"--media-ports"}},
		{"port twice", []string{"check", "--media-ports", "8000,443,8000"}, []string{"--media-ports", "8000", "twice"}},
		{"serve negative burst", []string{"serve", "--burst", "-5"}, []string{"--burst", "-5"}},
		{"serve port twice", []string{"serve", "--udp-ports", "443,443"}, []string{"--udp-ports", "443", "twice"}},
		{"missing proxy file", []string{"check", "--proxy", "/nonexistent/p.json"}, []string{"--proxy", "/nonexistent/p.json"}},
		{"proxy file line", []string{"check", "--proxy", badProxy}, []string{badProxy + ":3", `"nope"`}},
		{"proxy file null", []string{"check", "--proxy", nullProxy}, []string{nullProxy + ":3", "null"}},
		{"proxy file not utf-8", []string{"check", "--proxy", latin1Proxy}, []string{latin1Proxy + ":2", "UTF-8"}},
		{"proxy file turn:[::1", []string{"check", "--proxy", bracketProxy}, []string{bracketProxy + ":1", "missing ']'"}},
		{"proxy file too big", []string{"check", "--proxy", bigProxy}, []string{bigProxy, "1 MiB"}},
		{"bad http proxy", []string{"check", "--http-proxy", "ftp://x"}, []string{"--http-proxy"}},
		{"http proxy and pac", []string{"check", "--http-proxy", "http://p:1", "--pac", "/x.pac"}, []string{"--http-proxy", "--pac"}},
		{"missing ca file", []string{"check", "--ca-file", "/nonexistent/ca.pem"}, []string{"--ca-file"}},
		{"ca not pem", []string{"check", "--ca-file", notPEM}, []string{"--ca-file", notPEM}},
		{"bad turn url", []string{"check", "--turn", "stun:x"}, []string{"--turn", "turn:"}},
		{"stray argument", []string{"check", "extra"}, []string{`"extra"`}},
		{"bad browser", []string{"check", "--browser", "safari"}, []string{"--browser", `"safari"`}},
		{"show no file", []string{"show"}, []string{"show"}},
		{"show missing", []string{"show", "/nonexistent/r.json"}, []string{"/nonexistent/r.json"}},
		{"show foreign", []string{"show", foreign}, []string{foreign, "not an rtcprobe report"}},
		{"show garbage", []string{"show", garbage}, []string{garbage}},
		{"show truncated", []string{"show", truncated}, []string{truncated}},
		{"show bad flag", []string{"show", "--colour", foreign}, []string{"-colour"}},
		{"diff one file", []string{"diff", foreign}, []string{"two report files"}},
		{"diff foreign", []string{"diff", foreign, foreign}, []string{foreign}},
		{"diff two stdin", []string{"diff", "-", "-"}, []string{"stdin"}},
		{"version arg", []string{"version", "now"}, []string{`"now"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr is not one line:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", stderr)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"check", "-h"}, {"show", "-h"}, {"diff", "-h"}, {"version", "-h"}} {
		if code, _, _ := run(t, args...); code != ExitOK {
			t.Errorf("%v: exit %d, want 0", args, code)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{"rtcprobe " + version, "commit:", "built:", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(out, w) {
			t.Errorf("version output lacks %q:\n%s", w, out)
		}
	}
}

// The dry run lists the sends and sends nothing: a UDP socket standing in
// for the reflector receives no datagram.
func TestDryRunSendsNothing(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := strconv.Itoa(pc.LocalAddr().(*net.UDPAddr).Port)
	args := []string{"check", "--dry-run", "--reflector", "127.0.0.1", "--media-ports", port,
		"--turn", "turn:127.0.0.1:" + port, "--http-proxy", "none"}
	code, out, stderr := run(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"stun/" + port, "turn1-udp", "turn1-tcp", "/tls", "Dry run: nothing was sent"} {
		if !strings.Contains(out, w) {
			t.Errorf("dry run table lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = run(t, append(args, "--json", "-")...)
	var got dryRunOutput
	if err := json.Unmarshal([]byte(out), &got); code != ExitOK || err != nil || got.Schema != dryRunSchema || len(got.Sends) == 0 {
		t.Errorf("--json: exit %d, err %v, %+v", code, err, got)
	}
	// Nothing may have reached the socket; the deadline only bounds the check.
	pc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, from, err := pc.ReadFrom(make([]byte, 1500)); err == nil {
		t.Errorf("the dry run sent a %d-byte datagram from %v", n, from)
	}
}

// show on a non-terminal prints exactly the text report; --redact removes
// the machine name and the mapped address before rendering.
func TestShow(t *testing.T) {
	path, r := savedReport(t, "r.json", []result.Probe{stunProbe(string(result.StatusOK), "203.0.113.50:40000")})
	code, out, stderr := run(t, "show", "--verbose", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var want bytes.Buffer
	report.Sanitize(r)
	if err := report.WriteText(&want, r, report.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("show output differs from the text report:\n got %q\nwant %q", out, want.String())
	}
	code, out, _ = run(t, "show", path, "--redact", "--verbose")
	if code != ExitOK || strings.Contains(out, "secret-laptop-name") || strings.Contains(out, "203.0.113.50") {
		t.Errorf("show --redact: exit %d, output still has private values:\n%s", code, out)
	}
}

func TestDiffCommand(t *testing.T) {
	before, _ := savedReport(t, "before.json", []result.Probe{stunProbe(string(result.StatusBlocked), "")})
	after, _ := savedReport(t, "after.json", []result.Probe{stunProbe(string(result.StatusOK), "203.0.113.50:40000")})
	code, out, stderr := run(t, "diff", before, after)
	if code != exitDiffChanged || !strings.Contains(out, "stun/8000: blocked -> ok") {
		t.Errorf("diff: exit %d, stderr %q, output:\n%s", code, stderr, out)
	}
	code, out, _ = run(t, "diff", before, after, "--json")
	var d report.Delta
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != exitDiffChanged || d.Schema != report.DiffSchemaID || len(d.Probes) != 1 {
		t.Errorf("diff --json: exit %d, err %v, %+v", code, err, d)
	}
	if code, out, _ := run(t, "diff", before, before); code != exitDiffSame || !strings.Contains(out, "No change") {
		t.Errorf("diff of a report with itself: exit %d\n%s", code, out)
	}
}

// spaces is an endless stream of JSON whitespace: a decoder without a bound
// would read it forever.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestReadReportEndlessInput(t *testing.T) {
	_, err := readReportFile("-", spaces{})
	if err == nil || !strings.Contains(err.Error(), "stdin") || strings.Contains(err.Error(), "\n") {
		t.Errorf("endless stdin: %v, want a one-line error naming stdin", err)
	}
}

// TestDryRunPAC: with --pac the dry run lists the PAC fetch first, and
// fetches nothing (the server would see it).
func TestDryRunPAC(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pacURL := "http://" + ln.Addr().String() + "/proxy.pac"
	code, out, stderr := run(t, "check", "--dry-run", "--pac", pacURL)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "pac/fetch") || !strings.Contains(out, "GET "+pacURL) {
		t.Errorf("dry run does not list the PAC fetch:\n%s", out)
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Error("the dry run connected to the PAC server")
	}
}
