package report_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/report/reporttest"
	"github.com/rtcprobe/rtcprobe/result"
)

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text: 10.0.0.1:53", "plain text: 10.0.0.1:53"},
		{"Zertifikat für München · 证书", "Zertifikat für München · 证书"},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
		{"a\r\nb\tc", `a\x0d\x0ab\x09c`},
		{"del\x7f", `del\x7f`},
		{"raw csi \x9b31m", `raw csi \x9b31m`},
		{"c1 \u009b31m \u0085", `c1 \u009b31m \u0085`},
		{"\u202eexe.pdf \u2066x\u2069 \u200f", `\u202eexe.pdf \u2066x\u2069 \u200f`},
		{"zero\u200bwidth\u00adsoft\ufeff", `zero\u200bwidth\u00adsoft\ufeff`},
		{"bad utf8 \xff\xfe", `bad utf8 \xff\xfe`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := report.Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u := reporttest.Unsafe(report.Safe(tt.in), false); u != "" {
			t.Errorf("Safe(%q) is not terminal-safe: %s", tt.in, u)
		}
	}
}

// TestSafeCopyLeavesOriginal: renderers sanitise a copy; the report itself
// (what --json writes and `s` saves) keeps the data as it came.
func TestSafeCopyLeavesOriginal(t *testing.T) {
	r := reporttest.Hostile("\x1b[2J")
	before, _ := json.Marshal(r)
	c := report.SafeCopy(r)
	after, _ := json.Marshal(r)
	if !bytes.Equal(before, after) {
		t.Fatal("SafeCopy changed its argument")
	}
	if c == r || c.Probes[0].Details == nil || &c.Probes[0] == &r.Probes[0] {
		t.Fatal("SafeCopy shares memory with its argument")
	}
	if out, _ := json.Marshal(c); strings.Contains(string(out), `\u001b`) {
		t.Errorf("the copy still holds an ESC: %s", out)
	}
	if c.StartedAt != r.StartedAt || c.Probes[1].Port != r.Probes[1].Port || *c.Probes[0].RTTMs != *r.Probes[0].RTTMs {
		t.Error("SafeCopy lost a non-string field")
	}
}

// TestRenderersNeutraliseHostileReports fills every string field of a
// report with terminal escapes (by reflection, so a field added later is
// covered without editing this test) and checks that the text report, with
// and without colour and --verbose, and the text diff print none of them.
func TestRenderersNeutraliseHostileReports(t *testing.T) {
	old, cur := reporttest.Hostile(reporttest.Payload), reporttest.Hostile(reporttest.Payload+"new")
	for _, o := range []report.TextOptions{{}, {Verbose: true}, {Color: true, Verbose: true}} {
		var b bytes.Buffer
		if err := report.WriteText(&b, cur, o); err != nil {
			t.Fatal(err)
		}
		if u := reporttest.Unsafe(b.String(), o.Color); u != "" {
			t.Errorf("WriteText %+v: %s", o, u)
		}
		if !strings.Contains(b.String(), `\x1b]0;pwned\x07`) {
			t.Errorf("WriteText %+v: the escape is not shown visibly:\n%s", o, b.String())
		}
	}
	var b bytes.Buffer
	d := report.Diff(old, cur)
	if err := report.WriteDeltaText(&b, d); err != nil {
		t.Fatal(err)
	}
	if u := reporttest.Unsafe(b.String(), false); u != "" {
		t.Errorf("WriteDeltaText: %s", u)
	}
	// JSON keeps the data: its encoder escapes control characters itself.
	b.Reset()
	if err := report.WriteDeltaJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if u := reporttest.Unsafe(b.String(), false); u != "" {
		t.Errorf("WriteDeltaJSON: %s", u)
	}
	if !strings.Contains(b.String(), `\u001b]0;pwned\u0007`) {
		t.Error("WriteDeltaJSON does not keep the data as it is")
	}
}

// loneMarker and loneMarkerJSON find the oracle's "FAKE LINE" marker not
// preceded by a newline, in text and in JSON (where a newline is \n; a
// marker after \u000a is renamed too, which only loses a case).
var (
	loneMarker     = regexp.MustCompile(`(^|[^\n])FAKE LINE`)
	loneMarkerJSON = regexp.MustCompile(`(^|[^n]|[^\\]n)FAKE LINE`)
)

// FuzzRenderers renders whatever report.Read accepts, and a report whose
// every string is the fuzzed text, with the text report and the text diff:
// the output must never carry a control character from the data.
func FuzzRenderers(f *testing.F) {
	var b bytes.Buffer
	if err := report.WriteJSON(&b, reporttest.Hostile(reporttest.Payload)); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes(), reporttest.Payload)
	f.Add([]byte(`{"schema":"rtcprobe/report/v1","verdict":{"headline":"\u001b]0;x\u0007"}}`), "\u009b2J")
	// Without wrapping, a line that starts with the marker can only come
	// from a newline in the data (a wrap would put a data word there by
	// design: the seed nel-before-crlf is one).
	defer report.SetTextWidth(1 << 20)()
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		// The oracle recognises a forged line by its marker after a newline
		// from the data; a marker the data itself puts at the start of a
		// field (a headline "FAKE LINE") is not a forgery, so it is
		// renamed unless a newline precedes it.
		s = loneMarker.ReplaceAllString(s, "${1}FAKE_LINE")
		data = loneMarkerJSON.ReplaceAll(data, []byte("${1}FAKE_LINE"))
		reps := []*result.Report{reporttest.Hostile(s)}
		if r, err := report.Read(bytes.NewReader(data)); err == nil {
			reps = append(reps, r)
		}
		for _, r := range reps {
			for _, o := range []report.TextOptions{{Verbose: true}, {Color: true}} {
				var out bytes.Buffer
				if err := report.WriteText(&out, r, o); err != nil {
					t.Fatal(err)
				}
				if u := reporttest.Unsafe(out.String(), o.Color); u != "" {
					t.Fatalf("WriteText %+v: %s", o, u)
				}
			}
			var out bytes.Buffer
			if err := report.WriteDeltaText(&out, report.Diff(reps[0], r)); err != nil {
				t.Fatal(err)
			}
			if u := reporttest.Unsafe(out.String(), false); u != "" {
				t.Fatalf("WriteDeltaText: %s", u)
			}
		}
	})
}

// TestJSONKeepsDataTerminalSafe: the JSON report is safe on a terminal
// (`check --json -`) and still decodes to exactly the strings it was given.
func TestJSONKeepsDataTerminalSafe(t *testing.T) {
	payload := strings.ReplaceAll(reporttest.Payload, "RED\x9b", "RED") // json turns bytes that are not UTF-8 into U+FFFD
	r := reporttest.Hostile(payload)
	var b bytes.Buffer
	if err := report.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if u := reporttest.Unsafe(b.String(), false); u != "" {
		t.Errorf("WriteJSON: %s", u)
	}
	var back result.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Verdict.Summary != r.Verdict.Summary || back.Probes[1].Details[result.DetailKey(payload+"#0")] != r.Probes[1].Details[result.DetailKey(payload+"#0")] ||
		back.Findings[0].Evidence[1] != r.Findings[0].Evidence[1] {
		t.Errorf("the JSON changed the data: %q, want %q", back.Verdict.Summary, r.Verdict.Summary)
	}
}
