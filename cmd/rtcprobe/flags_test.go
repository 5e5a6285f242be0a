package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// secretValue stands for a credential the user put in a flag by mistake.
const secretValue = "HUNTER2SECRET"

// wantUsage runs args and checks a usage error: exit 2, one line on stderr
// that contains every want, nothing on stdout (nothing ran), and never the
// secret.
func wantUsage(t *testing.T, args []string, want ...string) string {
	t.Helper()
	code, stdout, stderr := run(t, args...)
	if code != ExitUsage {
		t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, ExitUsage, stderr)
	}
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("%q: stderr is not one line: %q", args, stderr)
	}
	if stdout != "" {
		t.Errorf("%q: printed on stdout (a run started?):\n%s", args, stdout)
	}
	if strings.Contains(stderr, secretValue) {
		t.Errorf("%q: the error shows the credential: %q", args, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%q: stderr %q does not mention %q", args, stderr, w)
		}
	}
	return stderr
}

// No usage error prints user info or a credential, whichever layer finds
// the mistake (probe.ParseTURNURL, the HTTP proxy parser, the flag checks).
func TestSecretsNotInErrors(t *testing.T) {
	for _, tt := range []struct {
		val  []string
		want string
	}{
		{[]string{"--turn", "turn:h:3478?transport=tpc&credential=" + secretValue}, "transport must be udp or tcp"},
		{[]string{"--turn", "turn:h:99999?transport=udp&credential=" + secretValue}, "port"},
		{[]string{"--turn", "stun:h:3478?credential=" + secretValue}, "scheme"},
		{[]string{"--turn", "turns:h?transport=udp&credential=" + secretValue}, "--turn"},
		{[]string{"--turn", "turn:user:" + secretValue + "@h"}, "credentials"},
		{[]string{"--http-proxy", "ftp://user:" + secretValue + "@proxy:3128"}, "--http-proxy"},
		{[]string{"--http-proxy", "http://user:" + secretValue + "@[::1"}, "--http-proxy"},
		{[]string{"--http-proxy", "http://user:" + secretValue + "@proxy:99999"}, "port"},
		{[]string{"--turn-peer", "user:" + secretValue + "@h:99999"}, "--turn-peer"},
		{[]string{"--reflector", "http://user:" + secretValue + "@x/"}, "--reflector"},
	} {
		wantUsage(t, append([]string{"check", "--dry-run"}, tt.val...), tt.want)
	}
	proxy := writeFile(t, "p.json", `{"websocketProxy": "wss://u:`+secretValue+`@[::1/"}`)
	wantUsage(t, []string{"check", "--dry-run", "--proxy", proxy}, proxy+":1")
}

// A string flag's value that looks like a flag is a usage error:
// `check --json --dry-run` took "--dry-run" as the file name and ran a
// real check. Every string flag of check and serve is tried.
func TestFlagValueLooksLikeFlag(t *testing.T) {
	t.Chdir(t.TempDir())
	wantUsage(t, []string{"check", "--json", "--dry-run"}, "--json", "looks like a flag")
	if _, err := os.Stat("--dry-run"); err == nil {
		t.Error(`a file named "--dry-run" was written`)
	}
	for _, cmd := range []struct {
		name  string
		specs []flagSpec
	}{{"check", checkFlagTable(&checkFlags{})}, {"serve", serveFlagTable(&serveFlags{})}} {
		n := 0
		for _, s := range cmd.specs {
			if s.text == nil {
				continue
			}
			n++
			wantUsage(t, []string{cmd.name, "--" + s.name, "--verbose"}, "--"+s.name, "looks like a flag")
		}
		if n < 3 {
			t.Errorf("%s: only %d string flags in the table", cmd.name, n)
		}
	}
}

// An empty file name is a usage error: `check --json=` (or --json
// "$UNSET") ran the check and wrote no report, with no word about it.
// Every FILE flag of check, serve and show is tried.
func TestEmptyFileNameIsUsageError(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, cmd := range []struct {
		// safe are flags that keep the command from doing anything should
		// the empty name be taken (a dry run; a listen address serve
		// rejects).
		safe  []string
		specs []flagSpec
	}{
		{[]string{"check", "--dry-run"}, checkFlagTable(&checkFlags{})},
		{[]string{"serve", "--listen", "not an address", "--udp-ports", "", "--tcp-port", "0"}, serveFlagTable(&serveFlags{})},
	} {
		n := 0
		for _, s := range cmd.specs {
			if s.text != nil && s.value == "FILE" {
				n++
				wantUsage(t, append(cmd.safe[:len(cmd.safe):len(cmd.safe)], "--"+s.name+"="), "--"+s.name, "empty name")
			}
		}
		if n < 2 {
			t.Errorf("%s: only %d FILE flags in the table", cmd.safe[0], n)
		}
	}
}

// A bad --quality=DURATION says what is wrong with the duration, not that
// it is not a boolean (the flag also works as a switch).
func TestQualityValueMessage(t *testing.T) {
	for _, v := range []string{"1s", "x"} {
		msg := wantUsage(t, []string{"check", "--dry-run", "--quality=" + v}, "--quality", "want a duration")
		if strings.Contains(msg, "boolean") {
			t.Errorf("--quality=%s: %q calls the duration a boolean", v, msg)
		}
	}
}

// --ca-file is read up to a bound: /dev/zero took gigabytes and never
// ended; a file over the bound (sparse here) is refused at once.
func TestCAFileBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(16<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	wantUsage(t, []string{"check", "--dry-run", "--ca-file", big}, "--ca-file", "larger than 16 MiB")
}

// --reflector takes a host name or an address; a URL, host:port or a
// blank is a usage error with a hint, --turn-peer and --http-proxy check
// their ports.
func TestHostAndPortFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--reflector", " "}, []string{"--reflector", "host name or IP address"}},
		{[]string{"--reflector", "http://x/"}, []string{"--reflector", "not a URL"}},
		{[]string{"--reflector", "host:8000"}, []string{"--reflector", "--media-ports 8000"}},
		{[]string{"--reflector", "a..b"}, []string{"--reflector"}},
		{[]string{"--turn-peer", "h:99999"}, []string{"--turn-peer", "port"}},
		{[]string{"--turn-peer", "x"}, []string{"--turn-peer", "HOST:PORT"}},
		{[]string{"--http-proxy", "http://p:99999"}, []string{"--http-proxy", "port"}},
		{[]string{"--http-proxy", "x"}, []string{"--http-proxy", "http://host:port"}},
	} {
		wantUsage(t, append([]string{"check", "--dry-run"}, tt.args...), tt.want...)
	}
	for _, ok := range [][]string{{"--reflector", "reflector.example.com"}, {"--reflector", "203.0.113.10"},
		{"--reflector", "2001:db8::1"}, {"--turn-peer", "[2001:db8::1]:8000", "--turn", "turn:192.0.2.1"},
		{"--http-proxy", "http://proxy.corp:3128"}, {"--http-proxy", "none"}} {
		args := append([]string{"check", "--dry-run", "--http-proxy", "none"}, ok...)
		if code, _, stderr := run(t, args...); code != ExitOK {
			t.Errorf("%q: exit %d: %s", ok, code, stderr)
		}
	}
}

// --json is checked before anything is sent: a directory, a read-only
// file or a missing directory is a usage error, and a read-only file is
// never replaced (not even by root, who could).
func TestJSONDestinationCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	wantUsage(t, []string{"check", "--json", dir}, "is a directory")
	wantUsage(t, []string{"check", "--json", filepath.Join(dir, "missing", "r.json")}, "cannot create a file in")
	ro := filepath.Join(dir, "ro.json")
	if err := os.WriteFile(ro, []byte("keep me\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "--json", ro}, {"check", "--dry-run", "--json", ro}} {
		wantUsage(t, args, "read-only")
	}
	if b, _ := os.ReadFile(ro); string(b) != "keep me\n" {
		t.Errorf("the read-only file was replaced: %q", b)
	}
	// A writable file is replaced; the dry run writes its plan there.
	rw := filepath.Join(dir, "rw.json")
	if err := os.WriteFile(rw, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "check", "--dry-run", "--http-proxy", "none", "--json", rw); code != ExitOK {
		t.Fatalf("dry run to a writable file: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(rw); !bytes.Contains(b, []byte(dryRunSchema)) {
		t.Errorf("the dry run did not write its plan: %q", b)
	}
}

// When the JSON cannot be written after a run (the directory went away),
// the text report is still printed and the JSON lands in a file named so:
// a finished diagnosis is never lost.
func TestFinishKeepsUnsavedReport(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	_, r := savedReport(t, "r.json", []result.Probe{stunProbe(string(result.StatusOK), "203.0.113.50:40000")})
	gone := filepath.Join(t.TempDir(), "gone")
	var stdout, stderr bytes.Buffer
	code := finish(r, &checkFlags{jsonOut: filepath.Join(gone, "r.json")}, &stdout, &stderr)
	if code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	var text bytes.Buffer
	if err := report.WriteText(&text, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != text.String() {
		t.Errorf("the text report was not printed:\n%s", stdout.String())
	}
	saved, _ := filepath.Glob(filepath.Join(cwd, "rtcprobe-unsaved-*.json"))
	if len(saved) != 1 || !strings.Contains(stderr.String(), saved[0]) {
		t.Fatalf("unsaved report files %v; stderr %q", saved, stderr.String())
	}
	got, err := readReportFile(saved[0], nil)
	if err != nil || got.Verdict.Outcome != r.Verdict.Outcome {
		t.Errorf("the saved report does not read back: %v", err)
	}
}

// Help is on stdout with exit 0, for `CMD --help`, `CMD -h` and
// `help CMD` alike: a synopsis, --double-dash flags with value names and
// examples.
func TestHelpOnStdout(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want []string
	}{
		{"check", []string{"rtcprobe check [flags]", "--reflector HOST", "--json FILE", "--turn-peer HOST:PORT", "--dry-run", "$ rtcprobe check"}},
		{"serve", []string{"rtcprobe serve [flags]", "--udp-ports PORTS", "--turn-users FILE", "$ rtcprobe serve"}},
		{"show", []string{"rtcprobe show [flags] FILE", "--verbose", "$ rtcprobe show"}},
		{"diff", []string{"rtcprobe diff [flags] OLD.json NEW.json", "--json", "$ rtcprobe diff"}},
	} {
		var outs []string
		for _, args := range [][]string{{tt.cmd, "--help"}, {tt.cmd, "-h"}, {"help", tt.cmd}} {
			code, stdout, stderr := run(t, args...)
			if code != ExitOK || stderr != "" {
				t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
			}
			for _, w := range append(tt.want, "Usage:", "Flags:", "Examples:", "-h, --help") {
				if !strings.Contains(stdout, w) {
					t.Errorf("%q: help lacks %q:\n%s", args, w, stdout)
				}
			}
			outs = append(outs, stdout)
		}
		if outs[0] != outs[1] || outs[0] != outs[2] {
			t.Errorf("%s: --help, -h and help %s differ", tt.cmd, tt.cmd)
		}
	}
	code, stdout, _ := run(t, "help")
	for _, c := range commands() {
		if code != ExitOK || !strings.Contains(stdout, "  "+c.name+" ") {
			t.Errorf("rtcprobe help (exit %d) does not list %s:\n%s", code, c.name, stdout)
		}
	}
	_, v1, _ := run(t, "version")
	if code, v2, _ := run(t, "--version"); code != ExitOK || v1 != v2 {
		t.Errorf("--version: exit %d, %q, want %q", code, v2, v1)
	}
	wantUsage(t, []string{"help", "frobnicate"}, `"frobnicate"`)
}
