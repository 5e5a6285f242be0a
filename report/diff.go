package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// DiffSchemaID names the format of a Delta in JSON. Like SchemaID it changes
// only when a field is removed or changes meaning.
//
// rtcprobe/diff/v1:
//
//	{ "schema": "rtcprobe/diff/v1",
//	  "old": {"startedAt", "outcome", "complete"}, "new": {...},
//	  "verdict": [{"field", "old", "new"}],         // changed verdict fields
//	  "paths":   [{"field": "<path>", "old", "new"}], // changed path statuses
//	  "probes":  [{"id", "kind", "target", "port", "transport",
//	               "old", "new", "oldReason", "newReason"}], // "" = absent
//	  "remediationAdded": [Rule], "remediationRemoved": [Rule],
//	  "findingsAdded": [Finding], "findingsRemoved": [Finding] }
//
// Every list is present (possibly empty), so a script can test its length.
const DiffSchemaID = "rtcprobe/diff/v1"

// Delta is what changed between two reports of the same network, e.g. before
// and after a firewall change.
type Delta struct {
	Schema             string           `json:"schema"`
	Old                DeltaSide        `json:"old"`
	New                DeltaSide        `json:"new"`
	Verdict            []Change         `json:"verdict"`
	Paths              []Change         `json:"paths"`
	Probes             []ProbeChange    `json:"probes"`
	RemediationAdded   []result.Rule    `json:"remediationAdded"`
	RemediationRemoved []result.Rule    `json:"remediationRemoved"`
	FindingsAdded      []result.Finding `json:"findingsAdded"`
	FindingsRemoved    []result.Finding `json:"findingsRemoved"`
}

// DeltaSide identifies one of the two reports.
type DeltaSide struct {
	StartedAt string         `json:"startedAt"`
	Outcome   result.Outcome `json:"outcome"`
	Complete  bool           `json:"complete"`
}

// Change is one scalar field that differs.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// ProbeChange is a probe (matched by ID) whose status or reason differs, or
// that exists in one report only (the other status is "").
type ProbeChange struct {
	ID        result.ID     `json:"id"`
	Kind      result.Kind   `json:"kind"`
	Target    string        `json:"target"`
	Port      int           `json:"port"`
	Transport string        `json:"transport"`
	Old       result.Status `json:"old"`
	New       result.Status `json:"new"`
	OldReason result.Reason `json:"oldReason,omitempty"`
	NewReason result.Reason `json:"newReason,omitempty"`
}

// Diff compares two reports. Timings are ignored: only what a firewall
// change can alter (verdict, paths, probe statuses, rules, findings) counts.
func Diff(old, new *result.Report) *Delta {
	d := &Delta{Schema: DiffSchemaID, Old: sideOf(old), New: sideOf(new)}
	ov, nv := old.Verdict, new.Verdict
	d.Verdict = changes([][3]string{
		{"signaling", string(ov.Signaling), string(nv.Signaling)},
		{"media", string(ov.Media), string(nv.Media)},
		{"firewallError5501", strconv.FormatBool(ov.FirewallError5501), strconv.FormatBool(nv.FirewallError5501)},
		{"outcome", string(ov.Outcome), string(nv.Outcome)},
		{"summary", ov.Summary, nv.Summary},
	})
	var paths [][3]string
	for _, name := range result.PathOrder {
		paths = append(paths, [3]string{string(name), string(old.Paths.Get(name).Status), string(new.Paths.Get(name).Status)})
	}
	d.Paths = changes(paths)
	d.Probes = probeChanges(old.Probes, new.Probes)
	d.RemediationAdded, d.RemediationRemoved = setDiff(old.Remediation, new.Remediation, ruleKey)
	d.FindingsAdded, d.FindingsRemoved = setDiff(old.Findings, new.Findings, findingKey)
	return d
}

// Empty reports whether nothing changed.
func (d *Delta) Empty() bool {
	return len(d.Verdict)+len(d.Paths)+len(d.Probes)+len(d.RemediationAdded)+
		len(d.RemediationRemoved)+len(d.FindingsAdded)+len(d.FindingsRemoved) == 0
}

func sideOf(r *result.Report) DeltaSide {
	s := DeltaSide{Outcome: r.Verdict.Outcome, Complete: r.Complete}
	if !r.StartedAt.IsZero() {
		s.StartedAt = r.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return s
}

func changes(fields [][3]string) []Change {
	out := []Change{}
	for _, f := range fields {
		if f[1] != f[2] {
			out = append(out, Change{Field: f[0], Old: f[1], New: f[2]})
		}
	}
	return out
}

// probeChanges lists changed probes in the new report's order, then the
// probes only the old report has.
func probeChanges(old, new []result.Probe) []ProbeChange {
	byID := map[result.ID]result.Probe{}
	for _, p := range old {
		byID[p.ID] = p
	}
	seen := map[result.ID]bool{}
	out := []ProbeChange{}
	for _, n := range new {
		seen[n.ID] = true
		o, ok := byID[n.ID]
		if ok && o.Status == n.Status && o.Reason == n.Reason {
			continue
		}
		c := probeChange(n)
		c.New, c.NewReason = n.Status, n.Reason
		if ok {
			c.Old, c.OldReason = o.Status, o.Reason
		}
		out = append(out, c)
	}
	for _, o := range old {
		if !seen[o.ID] {
			c := probeChange(o)
			c.Old, c.OldReason = o.Status, o.Reason
			out = append(out, c)
			seen[o.ID] = true
		}
	}
	return out
}

func probeChange(p result.Probe) ProbeChange {
	return ProbeChange{ID: p.ID, Kind: p.Kind, Target: p.Target, Port: p.Port, Transport: p.Transport}
}

func ruleKey(r result.Rule) string       { return r.Protocol + "|" + r.Port + "|" + r.Destination }
func findingKey(f result.Finding) string { return f.Code + "|" + f.Title }

// setDiff returns the elements of new missing from old, and of old missing
// from new, each in its report's order.
func setDiff[T any](old, new []T, key func(T) string) (added, removed []T) {
	in := func(list []T, k string) bool {
		return slices.ContainsFunc(list, func(x T) bool { return key(x) == k })
	}
	added, removed = []T{}, []T{}
	for _, n := range new {
		if !in(old, key(n)) {
			added = append(added, n)
		}
	}
	for _, o := range old {
		if !in(new, key(o)) {
			removed = append(removed, o)
		}
	}
	return added, removed
}

// WriteDeltaJSON writes the delta as indented JSON (rtcprobe/diff/v1).
func WriteDeltaJSON(w io.Writer, d *Delta) error {
	return writeIndentedJSON(w, d)
}

// WriteDeltaText writes the delta for people: one line per change. The
// delta's strings go through Safe first (they come from two report files).
func WriteDeltaText(w io.Writer, d *Delta) error {
	d = SafeCopy(d)
	var b strings.Builder
	fmt.Fprintf(&b, "old: %s (%s)\nnew: %s (%s)\n", orDash(d.Old.StartedAt), orDash(d.Old.Outcome),
		orDash(d.New.StartedAt), orDash(d.New.Outcome))
	if d.Empty() {
		b.WriteString("\nNo change: same verdict, paths, probe results, rules and findings.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	section(&b, "Verdict", d.Verdict, func(c Change) string { return fmt.Sprintf("%s: %s -> %s", c.Field, orDash(c.Old), orDash(c.New)) })
	section(&b, "Media paths", d.Paths, func(c Change) string { return fmt.Sprintf("%s: %s -> %s", c.Field, orDash(c.Old), orDash(c.New)) })
	section(&b, "Probes", d.Probes, func(c ProbeChange) string {
		return fmt.Sprintf("%s: %s -> %s", c.ID, statusText(c.Old, c.OldReason), statusText(c.New, c.NewReason))
	})
	section(&b, "Firewall rules no longer needed", d.RemediationRemoved, ruleText)
	section(&b, "Firewall rules now needed", d.RemediationAdded, ruleText)
	section(&b, "Findings resolved", d.FindingsRemoved, findingText)
	section(&b, "New findings", d.FindingsAdded, findingText)
	_, err := io.WriteString(w, b.String())
	return err
}

func section[T any](b *strings.Builder, title string, items []T, line func(T) string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, it := range items {
		for i, l := range wrapLines(line(it), textWidth-4) {
			fmt.Fprintf(b, "%s%s\n", map[bool]string{true: "  ", false: "    "}[i == 0], l)
		}
	}
}

func ruleText(r result.Rule) string {
	s := fmt.Sprintf("%s %s to %s", r.Protocol, r.Port, r.Destination)
	if r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s
}

func findingText(f result.Finding) string {
	return fmt.Sprintf("[%s] %s: %s", f.Severity, f.Code, f.Title)
}

func statusText(status result.Status, reason result.Reason) string {
	switch {
	case status == "":
		return "(absent)"
	case reason != "":
		return string(status) + " (" + string(reason) + ")"
	}
	return string(status)
}

func orDash[S ~string](s S) string {
	if s == "" {
		return "-"
	}
	return string(s)
}
