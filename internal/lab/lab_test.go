//go:build linux

package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
	"go.uber.org/goleak"
)

var updateReadme = flag.Bool("readme", false, "write the time-to-verdict table into internal/lab/README.md")

// runTimeout bounds one rtcprobe run: its own budget (10 s by default)
// plus start-up and report writing, with a wide margin for a loaded CI
// machine. A run hitting it is a hang, which is a bug.
const runTimeout = 60 * time.Second

// summaryFile is where the lab leaves its one-paragraph result (skip reason
// or time table) for .ci/run to print: go test hides the output of passing
// packages.
var summaryFile = filepath.Join(os.TempDir(), "rtcprobe-lab-summary.txt")

func TestMain(m *testing.M) {
	flag.Parse()
	os.Remove(summaryFile)
	if err := Check(); err != nil {
		msg := fmt.Sprintf("%v (the firewall lab did not run)\n", err)
		fmt.Print(msg)
		os.WriteFile(summaryFile, []byte(msg), 0o644)
	}
	code := m.Run()
	// The lab's own goroutines (the web server, process waiters) must be
	// gone once every lab is closed.
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "lab: goroutine leak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestLab runs every scenario of internal/lab/scenarios against the real servers and
// firewall rules, and checks rtcprobe's report field by field.
func TestLab(t *testing.T) {
	scenarios, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	serve := l.startServe(t, bin)
	var rows []timing
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			if s.Needs != "" {
				if _, err := exec.LookPath(s.Needs); err != nil {
					t.Skipf("needs %s, which is not installed", s.Needs)
				}
			}
			if err := l.Apply(s); err != nil {
				t.Fatalf("apply scenario: %v", err)
			}
			if errs := l.oracle(s); len(errs) > 0 {
				t.Errorf("the lab does not build scenario %q as described:\n  %s", s.Name, strings.Join(errs, "\n  "))
			}
			r, took := l.check(t, bin, s, "")
			if errs := compare(s.Expect, r); len(errs) > 0 && s.RandomLoss() {
				// A random-loss scenario can, rarely, lose every try of
				// one exchange (seen about one run in six, see the
				// README): one more run, and the second must agree.
				t.Logf("random loss: the first run disagreed (%s); running it once more", strings.Join(errs, "; "))
				r, took = l.check(t, bin, s, "")
			}
			rows = append(rows, timing{s.Name, r.Verdict, took, time.Duration(r.Config.BudgetMs) * time.Millisecond})
			if errs := compare(s.Expect, r); len(errs) > 0 {
				t.Errorf("rtcprobe disagrees with what the SDK would do behind %q:\n  %s\nreport:\n%s",
					s.Name, strings.Join(errs, "\n  "), compact(r))
			}
			if s.CompareServe {
				l.compareServe(t, bin, serve, s, r)
			}
		})
	}
	table := timingTable(rows)
	t.Log("\n" + table)
	os.WriteFile(summaryFile, []byte("lab: time to verdict\n"+table), 0o644)
	if *updateReadme {
		if err := writeReadmeTimings(table); err != nil {
			t.Error(err)
		}
	}
}

// buildRTCProbe compiles the current tree's rtcprobe once per lab run.
func buildRTCProbe(t *testing.T, dir string) string {
	return goBuild(t, filepath.Join(dir, "rtcprobe"), "github.com/rtcprobe/rtcprobe/cmd/rtcprobe")
}

// goBuild compiles pkg to out, with env (GOOS=...) added to the
// environment; the test fails when it does not build.
func goBuild(t *testing.T, out, pkg string, env ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	cmd := exec.Command(goBin, "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", filepath.Base(out), err, b)
	}
	return out
}

// scenariosByName loads the lab's scenarios, keyed by name.
func scenariosByName(t *testing.T) map[string]Scenario {
	t.Helper()
	all, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Scenario{}
	for _, s := range all {
		byName[s.Name] = s
	}
	return byName
}

// check runs rtcprobe check in the laptop namespace and returns its report
// and the wall time from start to report. reflector overrides the
// scenario's reflector when not "".
func (l *Lab) check(t *testing.T, bin string, s Scenario, reflector string) (*result.Report, time.Duration) {
	t.Helper()
	return l.checkWith(t, linuxBinary(bin), s, reflector)
}

// laptopRun is how the laptop runs rtcprobe: the command line before "check",
// the file paths as the program sees them, and extra environment.
type laptopRun struct {
	argv []string
	path func(string) string
	env  []string
}

// linuxBinary runs bin as it is.
func linuxBinary(bin string) laptopRun {
	return laptopRun{argv: []string{bin}, path: func(p string) string { return p }}
}

// checkWith is check with any binary (the Linux one, or the Windows one
// under Wine: wine_test.go).
func (l *Lab) checkWith(t *testing.T, run laptopRun, s Scenario, reflector string) (*result.Report, time.Duration) {
	t.Helper()
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	args := append(append([]string{"netns", "exec", l.NS(Laptop)}, run.argv...), "check", "--json", run.path(jsonPath))
	if len(s.ExtraCA) > 0 {
		args = append(args, "--ca-file", run.path(l.extraCAFile(t, dir, s.ExtraCA)))
	}
	if reflector == "" {
		reflector = s.Reflector
	}
	switch reflector {
	case "":
		args = append(args, "--reflector", ReflectorName)
	case "none":
	default:
		args = append(args, "--reflector", reflector)
	}
	proxy := string(s.Proxy)
	if proxy == "" {
		proxy = DefaultProxy
	}
	if proxy != "null" {
		pf := filepath.Join(dir, "proxy.json")
		if err := os.WriteFile(pf, []byte(l.Expand(proxy)), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--proxy", run.path(pf))
	}
	for _, a := range s.Args {
		args = append(args, l.Expand(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	// The lab root stands for the public web PKI: it is in the laptop's
	// system store (Go reads SSL_CERT_FILE), not a locally added root.
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "NO_COLOR=1",
		"SSL_CERT_FILE=" + l.CAFile,
		// The lab root stands for a public CA: its chains are not inspection.
		"RTCPROBE_PUBLIC_CA_ORGS=" + LabCAOrg}
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+l.Expand(v))
	}
	policyRoot := filepath.Join(dir, "policy-root")
	if err := s.WritePolicies(policyRoot); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(cmd.Env, "RTCPROBE_POLICY_ROOT="+policyRoot)
	cmd.Env = append(cmd.Env, run.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() == 2 || ctx.Err() != nil) {
		t.Fatalf("rtcprobe %s: %v\n%s", strings.Join(args[3+len(run.argv):], " "), err, stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("no JSON report: %v\nstderr:\n%s", err, stderr.String())
	}
	if keep := os.Getenv("RTCPROBE_LAB_REPORTS"); keep != "" && reflector == s.Reflector {
		// Keep the scenario's report (for reading timings, and the
		// README's sample report) as <dir>/<scenario>.json.
		if err := os.WriteFile(filepath.Join(keep, s.Name+".json"), b, 0o644); err != nil {
			t.Logf("RTCPROBE_LAB_REPORTS: %v", err)
		}
	}
	if strings.Contains(string(b), l.secret) {
		t.Errorf("the report contains the TURN password")
	}
	schematest.Validate(t, b)
	var r result.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	return &r, took
}

// extraCAFile writes the named extra roots ("mitmproxy") into one file for
// --ca-file: roots added locally, as a company adds its inspection CA.
func (l *Lab) extraCAFile(t *testing.T, dir string, extra []string) string {
	var b []byte
	for _, name := range extra {
		if name != "mitmproxy" {
			t.Fatalf("unknown extra CA %q", name)
		}
		m, err := os.ReadFile(l.MitmCAFile())
		if err != nil {
			t.Fatalf("mitmproxy CA: %v", err)
		}
		b = append(b, m...)
	}
	path := filepath.Join(dir, "extra-ca.pem")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// compare lists every difference between the expectation and the report.
func compare(e Expect, r *result.Report) []string {
	var errs []string
	want := func(field, want, got string) {
		if want != "" && !matches(want, got) {
			errs = append(errs, fmt.Sprintf("%s = %q, want %q", field, got, want))
		}
	}
	want("verdict.signaling", e.Signaling, string(r.Verdict.Signaling))
	want("verdict.media", e.Media, string(r.Verdict.Media))
	want("verdict.outcome", e.Outcome, string(r.Verdict.Outcome))
	if e.Policy != "" && !strings.Contains(r.Verdict.Policy, e.Policy) {
		errs = append(errs, fmt.Sprintf("verdict.policy = %q, want it to name %q", r.Verdict.Policy, e.Policy))
	}
	if r.Verdict.FirewallError5501 != e.FirewallError5501 {
		errs = append(errs, fmt.Sprintf("verdict.firewallError5501 = %v, want %v", r.Verdict.FirewallError5501, e.FirewallError5501))
	}
	for _, name := range result.PathOrder {
		if w, ok := e.Paths[string(name)]; ok {
			want(string("paths."+name), w, string(r.Paths.Get(name).Status))
			if counts := !slices.Contains(e.Uncounted, string(name)); r.Paths.Get(name).Counts != counts {
				errs = append(errs, fmt.Sprintf("paths.%s.counts = %v, want %v", name, r.Paths.Get(name).Counts, counts))
			}
		} else {
			errs = append(errs, string("scenario does not say what paths."+name+" should be"))
		}
	}
	if e.Remediation != nil {
		got := map[string]bool{}
		for _, rule := range r.Remediation {
			got[rule.Protocol+"/"+rule.Port] = true
		}
		wantSet := map[string]bool{}
		for _, w := range e.Remediation {
			wantSet[w] = true
		}
		if !sameKeys(got, wantSet) {
			errs = append(errs, fmt.Sprintf("remediation covers %v, want %v", sortedKeys(got), sortedKeys(wantSet)))
		}
	}
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
	}
	for _, w := range e.Findings {
		if !slices.Contains(codes, w) {
			errs = append(errs, fmt.Sprintf("finding %q missing (findings: %v)", w, codes))
		}
	}
	for _, w := range e.NotFindings {
		if slices.Contains(codes, w) {
			errs = append(errs, fmt.Sprintf("finding %q present, a false alarm here (findings: %v)", w, codes))
		}
	}
	return append(errs, compareProbes(e.Probes, r.Probes)...)
}

func compareProbes(want map[string]string, probes []result.Probe) []string {
	var errs []string
	for _, pat := range sortedKeys(want) {
		n := 0
		for _, p := range probes {
			if ok, _ := path.Match(pat, string(p.ID)); !ok {
				continue
			}
			n++
			got := string(p.Status)
			if strings.Contains(want[pat], "/") {
				got += "/" + string(p.Reason)
			}
			if !matches(want[pat], string(got)) {
				errs = append(errs, fmt.Sprintf("probe %s = %s, want %s (%s: %s)", p.ID, got, want[pat], p.Step, p.Error))
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Sprintf("no probe matches %q", pat))
		}
	}
	return errs
}

// matches accepts "a|b" alternatives.
func matches(want, got string) bool {
	return slices.Contains(strings.Split(want, "|"), got)
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// compact prints the report's verdict, paths, findings, remediation and
// one line per probe, enough to see why a scenario failed.
func compact(r *result.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  verdict: signaling=%s media=%s 5501=%v outcome=%s (%s)\n", r.Verdict.Signaling, r.Verdict.Media,
		r.Verdict.FirewallError5501, r.Verdict.Outcome, r.Verdict.Summary)
	for _, name := range result.PathOrder {
		p := r.Paths.Get(name)
		fmt.Fprintf(&b, "  path %-10s %-8s counts=%v %v %s\n", name, p.Status, p.Counts, p.Evidence, p.Detail)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  finding %s (%s) %v\n", f.Code, f.Severity, f.Evidence)
	}
	for _, rule := range r.Remediation {
		fmt.Fprintf(&b, "  rule %s/%s -> %s (%s)\n", rule.Protocol, rule.Port, rule.Destination, rule.Reason)
	}
	for _, p := range r.Probes {
		rtt := "-"
		if p.RTTMs != nil {
			rtt = fmt.Sprintf("%.0fms", *p.RTTMs)
		}
		var took float64
		for _, st := range p.Steps {
			took += st.Ms
		}
		fmt.Fprintf(&b, "  probe %-46s at %5.0fms steps %5.0fms rtt %-5s %-8s %-18s %s %s\n", p.ID, p.StartMs, took, rtt, p.Status, p.Reason, p.Step, firstLine(p.Error))
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 90 {
		s = s[:90] + "..."
	}
	return s
}
