//go:build linux

package lab

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// timing is one row of the time-to-verdict table.
type timing struct {
	scenario string
	verdict  result.Verdict
	took     time.Duration
	budget   time.Duration
}

// timingTable renders the rows as a Markdown table (for README.md).
func timingTable(rows []timing) string {
	var b strings.Builder
	b.WriteString("| scenario | signaling | media | 5501 | seconds | budget |\n|---|---|---|---|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %v | %.2f | %.0f |\n", r.scenario, r.verdict.Signaling, r.verdict.Media,
			r.verdict.FirewallError5501, r.took.Seconds(), r.budget.Seconds())
	}
	return b.String()
}

// scenarioTable renders the scenarios and their expected verdicts.
func scenarioTable(scenarios []Scenario) string {
	var b strings.Builder
	b.WriteString("| scenario | what | signaling | media | 5501 | direct-udp / turn-udp / turn-tcp / turn-tls |\n|---|---|---|---|---|---|\n")
	for _, s := range scenarios {
		e := s.Expect
		or := func(v string) string { return strings.ReplaceAll(v, "|", " or ") }
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %v | %s / %s / %s / %s |\n", s.Name, or(s.Description), or(e.Signaling), or(e.Media),
			e.FirewallError5501, or(e.Paths["direct-udp"]), or(e.Paths["turn-udp"]), or(e.Paths["turn-tcp"]), or(e.Paths["turn-tls"]))
	}
	return b.String()
}

// writeReadmeTimings replaces the time-to-verdict table in README.md.
func writeReadmeTimings(timings string) error {
	stamp := fmt.Sprintf("\nMeasured %s with `go test ./internal/lab/ -run TestLab -v -readme` on the 2-core CI machine: wall time from start to report.\n\n", time.Now().UTC().Format("2006-01-02"))
	return rewriteReadme("time-to-verdict", stamp+timings)
}

// rewriteReadme replaces one generated section of README.md.
func rewriteReadme(name, body string) error {
	b, err := os.ReadFile("README.md")
	if err != nil {
		return err
	}
	s, err := replaceBetween(string(b), name, body)
	if err != nil {
		return err
	}
	return os.WriteFile("README.md", []byte(s), 0o644)
}

// replaceBetween replaces the text between <!-- name:begin --> and
// <!-- name:end -->.
func replaceBetween(s, name, body string) (string, error) {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return s, fmt.Errorf("README.md has no %s ... %s markers", begin, end)
	}
	return s[:i+len(begin)] + body + s[j:], nil
}

// startServe runs `rtcprobe serve` in the cloud on ServeAddr, or returns
// "" (logged) when this build has no working serve command yet.
func (l *Lab) startServe(t *testing.T, bin string) string {
	out, _ := l.Exec(Cloud, bin, "serve", "-h")
	if !strings.Contains(out, "-listen") {
		t.Logf("rtcprobe serve is not available in this build: the serve comparison is skipped (%s)", firstLine(out))
		return ""
	}
	p, err := l.StartProcess(Cloud, "rtcprobe-serve", nil, bin, "serve", "--listen", ServeAddr)
	if err != nil {
		t.Fatalf("rtcprobe serve: %v", err)
	}
	if err := l.waitListening([]listener{{Cloud, "udp", ServeAddr + ":8000", p}}); err != nil {
		t.Errorf("rtcprobe serve did not start: %v", err)
		return ""
	}
	return ServeName
}

// compareServe runs the scenario again with rtcprobe serve as the reflector
// and checks the verdict and the direct-udp path are the same (issue 5).
func (l *Lab) compareServe(t *testing.T, bin, serve string, s Scenario, coturn *result.Report) {
	if serve == "" {
		t.Log("serve comparison skipped: rtcprobe serve is not available")
		return
	}
	r, _ := l.check(t, bin, s, serve)
	if r.Verdict.Signaling != coturn.Verdict.Signaling || r.Verdict.Media != coturn.Verdict.Media ||
		r.Verdict.FirewallError5501 != coturn.Verdict.FirewallError5501 || r.Paths.DirectUDP.Status != coturn.Paths.DirectUDP.Status {
		t.Errorf("with rtcprobe serve as reflector the verdict differs from coturn's:\nserve:\n%s\ncoturn:\n%s", compact(r), compact(coturn))
	}
	// serve also answers the echo probes: the false alarms the scenario
	// rules out must stay out with it too.
	for _, f := range r.Findings {
		if slices.Contains(s.Expect.NotFindings, f.Code) {
			t.Errorf("with rtcprobe serve as reflector: finding %q, a false alarm here\n%s", f.Code, compact(r))
		}
	}
}
