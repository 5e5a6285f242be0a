package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// beforeAfter is a firewall change: UDP 8000 opened, TURN over TCP now
// refused, a finding resolved.
func beforeAfter() (*result.Report, *result.Report) {
	old := &result.Report{
		Schema: result.SchemaID, StartedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), Complete: true,
		Verdict: result.Verdict{Signaling: result.SignalingOK, Media: result.PathTURNTCP, Outcome: result.OutcomeWorksDegraded, Summary: "relayed"},
		Paths: result.Paths{DirectUDP: result.Path{Status: result.PathBlocked}, TURNUDP: result.Path{Status: result.PathBlocked},
			TURNTCP: result.Path{Status: result.PathOK}, TURNTLS: result.Path{Status: result.PathUntested}},
		Probes: []result.Probe{
			{ID: "stun/8000", Kind: result.KindSTUN, Port: 8000, Transport: "udp", Status: result.StatusBlocked, Reason: "timeout"},
			{ID: "stun/8080", Kind: result.KindSTUN, Port: 8080, Transport: "udp", Status: result.StatusBlocked, Reason: "timeout"},
			{ID: "turn1-tcp", Kind: result.KindTURN, Port: 3478, Transport: "tcp", Status: result.StatusOK},
			{ID: "gone", Kind: result.KindDNS, Status: result.StatusOK},
		},
		Findings:    []result.Finding{{Code: "dns-sinkhole", Severity: "warning", Title: "sinkholed"}},
		Remediation: []result.Rule{{Protocol: "udp", Port: "8000", Destination: "*.trtc.tencent-cloud.com", Reason: "media"}},
	}
	new := &result.Report{
		Schema: result.SchemaID, StartedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Complete: true,
		Verdict: result.Verdict{Signaling: result.SignalingOK, Media: result.PathDirectUDP, Outcome: result.OutcomeWorks, Summary: "direct"},
		Paths: result.Paths{DirectUDP: result.Path{Status: result.PathPartial}, TURNUDP: result.Path{Status: result.PathBlocked},
			TURNTCP: result.Path{Status: result.PathBlocked}, TURNTLS: result.Path{Status: result.PathUntested}},
		Probes: []result.Probe{
			{ID: "stun/8000", Kind: result.KindSTUN, Port: 8000, Transport: "udp", Status: result.StatusOK},
			{ID: "stun/8080", Kind: result.KindSTUN, Port: 8080, Transport: "udp", Status: result.StatusBlocked, Reason: "timeout"},
			{ID: "turn1-tcp", Kind: result.KindTURN, Port: 3478, Transport: "tcp", Status: result.StatusRejected, Reason: "rst"},
			{ID: "added", Kind: result.KindDNS, Status: result.StatusOK},
		},
		Findings:    []result.Finding{},
		Remediation: []result.Rule{{Protocol: "udp", Port: "8080", Destination: "*.trtc.tencent-cloud.com", Reason: "media"}},
	}
	return old, new
}

func TestDiff(t *testing.T) {
	old, new := beforeAfter()
	d := Diff(old, new)
	want := &Delta{
		Schema: DiffSchemaID,
		Old:    DeltaSide{StartedAt: "2026-11-01T09:00:00Z", Outcome: result.OutcomeWorksDegraded, Complete: true},
		New:    DeltaSide{StartedAt: "2026-11-02T09:00:00Z", Outcome: result.OutcomeWorks, Complete: true},
		Verdict: []Change{{"media", string(result.PathTURNTCP), string(result.PathDirectUDP)}, {"outcome", string(result.OutcomeWorksDegraded), string(result.OutcomeWorks)},
			{"summary", "relayed", "direct"}},
		Paths: []Change{{string(result.PathDirectUDP), string(result.PathBlocked), string(result.PathPartial)}, {string(result.PathTURNTCP), string(result.PathOK), string(result.PathBlocked)}},
		Probes: []ProbeChange{
			{ID: "stun/8000", Kind: result.KindSTUN, Port: 8000, Transport: "udp", Old: result.StatusBlocked, OldReason: "timeout", New: result.StatusOK},
			{ID: "turn1-tcp", Kind: result.KindTURN, Port: 3478, Transport: "tcp", Old: result.StatusOK, New: result.StatusRejected, NewReason: "rst"},
			{ID: "added", Kind: result.KindDNS, New: result.StatusOK},
			{ID: "gone", Kind: result.KindDNS, Old: result.StatusOK},
		},
		RemediationAdded:   []result.Rule{new.Remediation[0]},
		RemediationRemoved: []result.Rule{old.Remediation[0]},
		FindingsAdded:      []result.Finding{},
		FindingsRemoved:    []result.Finding{old.Findings[0]},
	}
	if !reflect.DeepEqual(d, want) {
		a, _ := json.MarshalIndent(d, "", " ")
		b, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Diff:\n got %s\nwant %s", a, b)
	}
}

func TestDiffSameReportIsEmpty(t *testing.T) {
	old, _ := beforeAfter()
	d := Diff(old, old)
	if !d.Empty() {
		t.Errorf("Diff(r, r) not empty: %+v", d)
	}
	var b bytes.Buffer
	if err := WriteDeltaJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "paths", "probes", "remediationAdded", "remediationRemoved", "findingsAdded", "findingsRemoved"} {
		if l, ok := back[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %v, want an empty list", k, back[k])
		}
	}
}

func TestDiffGolden(t *testing.T) {
	old, new := beforeAfter()
	for _, tt := range []struct {
		name  string
		write func(*bytes.Buffer, *Delta) error
	}{
		{"diff.txt", func(b *bytes.Buffer, d *Delta) error { return WriteDeltaText(b, d) }},
		{"diff.json", func(b *bytes.Buffer, d *Delta) error { return WriteDeltaJSON(b, d) }},
		{"nochange.txt", func(b *bytes.Buffer, _ *Delta) error { return WriteDeltaText(b, Diff(old, old)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, Diff(old, new)); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "diff", tt.name), b.Bytes())
		})
	}
}

// TestDeltaTextWidth: a changed summary (a long sentence) wraps at the
// text report's width.
func TestDeltaTextWidth(t *testing.T) {
	old, cur := scenarioReport(t, "udp-dropped"), scenarioReport(t, "nothing-out")
	var b strings.Builder
	if err := WriteDeltaText(&b, Diff(old, cur)); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if len(l) > textWidth {
			t.Errorf("line of %d columns: %q", len(l), l)
		}
	}
	if !strings.Contains(b.String(), "summary: ") {
		t.Errorf("no summary change in:\n%s", b.String())
	}
}
