package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rtcprobe/rtcprobe/result"
)

// ansiSGR matches the text report's colour codes, which take no column.
var ansiSGR = regexp.MustCompile(`\x1b\[[0-9;]*m`)

var update = flag.Bool("update", false, "rewrite the golden files under report/testdata")

// scenarioReport judges the named scenario of scenarios().
func scenarioReport(t testing.TB, name string) *result.Report {
	all := scenarios()
	i := slices.IndexFunc(all, func(s scenario) bool { return s.name == name })
	if i < 0 {
		t.Fatalf("no scenario %q", name)
	}
	return all[i].report(t)
}

// interrupted is the udp-dropped run cut short: TURN and half the STUN
// probes never finished.
func interrupted(t testing.TB) *result.Report {
	r := scenarioReport(t, "udp-dropped")
	r.Complete = false
	for i := range r.Probes {
		p := &r.Probes[i]
		if strings.HasPrefix(string(p.ID), "turn") || p.ID == "stun/443" || p.ID == "stun/16285" {
			p.Status, p.Reason, p.Error, p.RTTMs = result.StatusSkipped, "interrupted", "the run ended before this probe finished", nil
		}
	}
	Judge(r)
	return r
}

func TestWriteTextGolden(t *testing.T) {
	tests := []struct {
		name string
		r    func(testing.TB) *result.Report
		o    TextOptions
	}{
		{"open.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "open") }, TextOptions{}},
		{"udp-dropped-turn-tcp.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "udp-dropped") }, TextOptions{}},
		{"5501.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "nothing-out") }, TextOptions{}},
		{"untested.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "untested") }, TextOptions{}},
		{"interrupted.txt", interrupted, TextOptions{}},
		{"solution2-no-upgrade.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "solution2-nginx-no-upgrade") }, TextOptions{}},
		{"udp-dropped-color.txt", func(t testing.TB) *result.Report { return scenarioReport(t, "udp-dropped") }, TextOptions{Color: true}},
		{"offline-nxdomain.txt", offline, TextOptions{}},
		{"edge-policy-no-udp.txt", func(t testing.TB) *result.Report {
			s := scenario{net: n(withPolicies("edge", edgeNoUDP, chromeRange))}
			return s.report(t)
		}, TextOptions{}},
		{"relay-policy-verbose.txt", func(t testing.TB) *result.Report {
			r := scenarioReport(t, "relay-policy")
			r.Redacted = true
			return r
		}, TextOptions{Verbose: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, tt.r(t), tt.o); err != nil {
				t.Fatal(err)
			}
			if !tt.o.Color && strings.Contains(b.String(), "\x1b[") {
				t.Error("colour codes without TextOptions.Color")
			}
			for _, l := range strings.Split(ansiSGR.ReplaceAllString(b.String(), ""), "\n") {
				if w := utf8.RuneCountInString(l); w > textWidth {
					t.Errorf("line of %d columns (want at most %d): %q", w, textWidth, l)
				}
			}
			golden(t, filepath.Join("testdata", "text", tt.name), b.Bytes())
		})
	}
}

func TestWriteTextSpellsOutStatus(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, scenarioReport(t, "udp-dropped"), TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"blocked", "ok", "UDP 8000", "INCOMPLETE"} {
		if got := strings.Contains(b.String(), w); got != (w != "INCOMPLETE") {
			t.Errorf("text contains %q = %v", w, got)
		}
	}
}

// golden compares got with the golden file at path (-update rewrites it).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after checking):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func BenchmarkJudgeAndWriteText(b *testing.B) {
	r := scenarioReport(b, "udp-dropped")
	var buf bytes.Buffer
	for b.Loop() {
		Judge(r)
		buf.Reset()
		if err := WriteText(&buf, r, TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTextHidesNonFailures: audits the server passed and echo datagrams to
// a reflector that never echoes are not "failed probes"; --verbose lists
// them, and the text says how many were left out.
func TestTextHidesNonFailures(t *testing.T) {
	r := scenario{name: "quiet", net: defaultNet(), mods: []mod{dropped("stun/8000")}}.report(t)
	audit := okProbe("turn1-udp/audit/relay-loopback", string(result.KindTURN), "turn", "", "turn:turn.lab.test:3478", 3478, "udp")
	audit.Status, audit.Reason = result.StatusFailed, "permission-denied"
	r.Probes = append(r.Probes, audit, echo("echo/8000/76", 8000, string(result.StatusBlocked)))
	Judge(r)
	var quiet, verbose strings.Builder
	if err := WriteText(&quiet, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&verbose, r, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"turn1-udp/audit/relay-loopback", "echo/8000/76"} {
		if strings.Contains(quiet.String(), id) {
			t.Errorf("%s listed among the failed probes", id)
		}
		if !strings.Contains(verbose.String(), id) {
			t.Errorf("%s missing from --verbose", id)
		}
	}
	if !strings.Contains(quiet.String(), "stun/8000") || !strings.Contains(quiet.String(), "(2 more not listed") {
		t.Errorf("want stun/8000 listed and 2 left out:\n%s", quiet.String())
	}
}

// offline is a laptop whose resolver answers NXDOMAIN for every name (a
// captive network, a resolver cut off from the internet): each name's
// system lookup and direct query to the resolver fail, nothing after DNS
// runs, as probe.Run records it.
func offline(t testing.TB) *result.Report {
	net := defaultNet()
	net.reflector, net.turn = false, nil
	r := scenario{name: "offline", net: net, mods: append([]mod{
		failed("*/dns", "nxdomain"), {pat: "*/tcp/*", status: "-"}}, tcpGone...)}.report(t)
	var ps []result.Probe
	for _, p := range r.Probes {
		switch {
		case p.Kind == result.KindDNS:
			p.Step, p.Error = "resolve", fmt.Sprintf("lookup %s on 10.20.30.40:53: no such host", p.Target)
			direct := p
			direct.ID, direct.Details = p.ID+"@10.20.30.40:53", map[result.DetailKey]string{"resolver": "10.20.30.40:53"}
			direct.Error = "NXDOMAIN: the name does not exist"
			ps = append(ps, p, direct)
		default:
			ps = append(ps, p)
		}
	}
	r.Probes = ps
	Judge(r)
	return r
}

// TestOfflineGroupsFindings: eleven names failing for one cause give one
// finding per cause (code unchanged), naming every host and keeping every
// probe as evidence.
func TestOfflineGroupsFindings(t *testing.T) {
	r := offline(t)
	var hosts, dnsIDs []string
	for _, p := range r.Probes {
		if p.Kind == result.KindDNS {
			hosts, dnsIDs = uniq(hosts, p.Target), append(dnsIDs, string(p.ID))
		}
	}
	if len(hosts) < 10 {
		t.Fatalf("the scenario has %d names, want the catalog's eleven or so", len(hosts))
	}
	var nx []result.Finding
	for _, f := range r.Findings {
		if f.Code == "dns-nxdomain" {
			nx = append(nx, f)
		}
	}
	if len(nx) != 1 {
		t.Fatalf("%d dns-nxdomain findings, want one for the shared cause", len(nx))
	}
	for _, h := range hosts {
		if !strings.Contains(nx[0].Detail, h) {
			t.Errorf("the finding does not name %s: %s", h, nx[0].Detail)
		}
	}
	for _, id := range dnsIDs {
		if !slices.Contains(nx[0].Evidence, result.ID(id)) {
			t.Errorf("evidence lacks %s", id)
		}
	}
	if !strings.HasPrefix(nx[0].Title, fmt.Sprintf("DNS says %d names do not exist", len(hosts))) {
		t.Errorf("title %q", nx[0].Title)
	}
}
