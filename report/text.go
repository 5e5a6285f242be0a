package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// TextOptions control the text renderer.
type TextOptions struct {
	// Color enables ANSI colour. Status is always spelled out too.
	Color bool
	// Verbose lists every probe, not only the failed ones.
	Verbose bool
}

// ANSI colours, used only with TextOptions.Color and always next to a word.
const (
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// textWriter builds the text report.
type textWriter struct {
	b strings.Builder
	o TextOptions
}

func (t *textWriter) paint(code, s string) string {
	if !t.o.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// status pads a status word to width, then colours it (so columns align
// with and without colour).
func (t *textWriter) status(s string, width int) string {
	code := map[string]string{
		string(result.PathOK): ansiGreen, string(result.SignalingViaProxy): ansiYellow, string(result.PathPartial): ansiYellow,
		string(result.PathBlocked): ansiRed, string(result.StatusRejected): ansiRed, string(result.StatusFailed): ansiRed, string(result.PathError): ansiRed,
		string(result.PathUntested): ansiDim, string(result.StatusSkipped): ansiDim,
		string(result.SeverityCritical): ansiRed, string(result.SeverityWarning): ansiYellow, string(result.SeverityInfo): ansiDim,
	}[s]
	return t.paint(code, s) + strings.Repeat(" ", max(0, width-len(s)))
}

func (t *textWriter) section(title string) {
	fmt.Fprintf(&t.b, "\n%s\n", t.paint(ansiBold, title))
}

// WriteText writes the human-readable report: verdict, media paths,
// signalling per region, findings, firewall rules and failed probes.
// Every string of r goes through Safe first: the only escapes in the output
// are the colours of TextOptions.Color.
func WriteText(w io.Writer, r *result.Report, o TextOptions) error {
	r = SafeCopy(r)
	t := &textWriter{o: o}
	t.header(r)
	t.browser(r)
	t.paths(r)
	t.quality(r)
	t.signaling(r)
	t.findings(r)
	t.rules(r)
	t.probes(r)
	_, err := io.WriteString(w, t.b.String())
	return err
}

func (t *textWriter) header(r *result.Report) {
	if !r.Complete {
		fmt.Fprintf(&t.b, "%s the run was interrupted; this report holds only what was gathered until then.\n\n", t.paint(ansiYellow, "INCOMPLETE:"))
	}
	code := map[result.Outcome]string{result.OutcomeWorks: ansiGreen, result.OutcomeWorksDegraded: ansiYellow, result.OutcomeFails: ansiRed}[r.Verdict.Outcome]
	for _, l := range wrapLines(r.Verdict.Headline, textWidth) {
		fmt.Fprintf(&t.b, "%s\n", t.paint(ansiBold+code, l))
	}
	t.wrapped("", r.Verdict.Summary, 0)
	fmt.Fprintf(&t.b, "\nSignalling: %s   Media: %s   Error 5501 expected: %s\n",
		t.status(string(r.Verdict.Signaling), 0), r.Verdict.Media, yesNo(r.Verdict.FirewallError5501))
	if r.Redacted {
		fmt.Fprintf(&t.b, "Redacted: names, private and mapped addresses, the resolver and the proxy were removed.\n")
	}
}

// browser says which browser the verdict is for, which policy decided,
// how the other managed browsers fare, and every policy read with its
// source. Nothing is written for a report without browser or policies.
func (t *textWriter) browser(r *result.Report) {
	v := r.Verdict
	if r.Config.Browser == "" && len(r.Config.Policies) == 0 {
		return
	}
	name := browserTitles[r.Config.Browser]
	if name == "" {
		name = "Chrome"
	}
	fmt.Fprintf(&t.b, "\nBrowser: %s", name)
	if r.Config.UDPPortRange != "" {
		fmt.Fprintf(&t.b, "   UDP sent from ports %s (its WebRtcUdpPortRange)", r.Config.UDPPortRange)
	}
	fmt.Fprintln(&t.b)
	if v.Policy != "" {
		t.wrapped("Decided by policy: ", noControl(v.Policy), len("Decided by policy: "))
	}
	for _, o := range v.Browsers {
		t.wrapped(fmt.Sprintf("  %-9s ", browserTitles[o.Browser]+":"), noControl(o.Headline), 12)
	}
	if len(r.Config.Policies) == 0 {
		return
	}
	t.section("Browser policies read (name = value, where)")
	for _, bp := range r.Config.Policies {
		for _, s := range bp.Settings {
			t.wrapped(fmt.Sprintf("  %-9s ", browserTitles[bp.Browser]),
				noControl(s.Name)+" = "+noControl(s.Value)+"   ("+noControl(s.Source)+")", 12)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (t *textWriter) paths(r *result.Report) {
	t.section("Media paths, in the order the SDK tries them (> = the one it will use)")
	for _, name := range result.PathOrder {
		p := r.Paths.Get(name)
		mark := "  "
		if name == r.Verdict.Media {
			mark = "> "
		}
		note := ""
		if !p.Counts && !strings.Contains(p.Detail, "not count") {
			note = " (does not count)"
		}
		t.wrapped(fmt.Sprintf("%s%-11s %s ", mark, name, t.status(string(p.Status), 9)), p.Detail+note, 24)
	}
}

func (t *textWriter) signaling(r *result.Report) {
	if len(r.Verdict.Regions) == 0 {
		return
	}
	t.section("Signalling (schedule + WebSocket), per region")
	for _, rv := range r.Verdict.Regions {
		region := rv.Region
		if region == "" {
			region = "(proxy)"
		}
		t.wrapped(fmt.Sprintf("  %-14s %s ", region, t.status(string(rv.Status), 10)), rv.Detail, 28)
	}
}

func (t *textWriter) findings(r *result.Report) {
	if len(r.Findings) == 0 {
		return
	}
	t.section("Findings")
	for _, f := range r.Findings {
		t.wrapped("  "+t.status(string(f.Severity), 8)+" ", f.Code+": "+f.Title, 11)
		t.wrapped("           ", f.Detail, 11)
		if len(f.Evidence) > 0 {
			t.wrapped("           ", "evidence: "+result.JoinIDs(f.Evidence, ", "), 11)
		}
	}
}

// rules writes the firewall rules, one line per protocol, destination and
// reason (the media ports share one).
func (t *textWriter) rules(r *result.Report) {
	if len(r.Remediation) == 0 {
		return
	}
	t.section("Firewall rules to add")
	type group struct {
		proto, dest, reason string
		ports               []string
	}
	var groups []group
	for _, ru := range r.Remediation {
		i := slices.IndexFunc(groups, func(g group) bool {
			return g.proto == ru.Protocol && g.dest == ru.Destination && g.reason == ru.Reason
		})
		if i < 0 {
			groups = append(groups, group{proto: ru.Protocol, dest: ru.Destination, reason: ru.Reason})
			i = len(groups) - 1
		}
		groups[i].ports = append(groups[i].ports, ru.Port)
	}
	for _, g := range groups {
		t.wrapped("  ", fmt.Sprintf("%s %s to %s", strings.ToUpper(g.proto), strings.Join(g.ports, ", "), g.dest), 6)
		t.wrapped("      ", "why: "+g.reason, 11)
	}
}

// passedAudit reports a TURN audit probe whose failure is the server doing
// the right thing (it refused a loopback/private peer or the example
// credentials): not a failure to show.
func passedAudit(p *result.Probe) bool {
	return p.ID.IsAudit() && p.Status == result.StatusFailed &&
		(p.Reason == result.ReasonPermissionDenied || p.Reason == result.ReasonUnauthorized)
}

func (t *textWriter) probes(r *result.Report) {
	var list []result.Probe
	_, echoCapable := echoProbes(r)
	hidden := 0
	for _, p := range r.Probes {
		switch {
		case t.o.Verbose:
		case p.Status == result.StatusOK || p.Status == result.StatusSkipped:
			continue
		case passedAudit(&p) || (!echoCapable && p.ID.IsEcho()):
			hidden++
			continue
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		return
	}
	defer func() {
		if hidden > 0 {
			t.wrapped("  ", fmt.Sprintf("(%d more not listed: TURN audits the server passed, and echo datagrams to a reflector that never echoes; --verbose lists them)", hidden), 3)
		}
	}()
	title := "Failed probes"
	if t.o.Verbose {
		title = "All probes"
	}
	t.section(title + " (status, reason, time)")
	t.probeTable(list)
}

// noControl replaces control characters: policy names, values and file
// names come from files on the laptop (or a report file), and an escape
// sequence in one must not drive the terminal that shows it.
func noControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return '?'
		}
		return r
	}, s)
}
