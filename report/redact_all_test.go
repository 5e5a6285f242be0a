package report_test

import (
	"bytes"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/report/reporttest"
	"github.com/rtcprobe/rtcprobe/result"
)

// privateValues are what --redact must remove, each in the form it takes
// in a report. The comment says which rule removes it.
var privateValues = []string{
	"10.1.2.3", "172.16.5.4", "192.168.1.23", // RFC 1918
	"100.64.0.9",                                 // shared address space (CGNAT)
	"169.254.10.1", "fe80::1%eth0", "fe80::abcd", // link-local
	"fd12:3456:789a::1",  // ULA
	"203.0.113.53",       // the resolver (a public address: known from the dns@ probes)
	"proxy.corp.example", // the HTTP proxy by name
	"203.0.113.80",       // and by address
	"wpad.corp.example",  // the PAC script's host
	"alice-laptop",       // the machine name
	"alice.smith",        // the OS user (given by the caller)
	"bob.proxyuser",      // the proxy user (given by the caller)
	"carol7",             // a TURN username (given by the caller)
	"dave",               // a user in a home directory path
	"198.51.100.77",      // the mapped (public NAT) address
}

// leakEverywhere is a report whose every string field holds one of the
// private values (in turn) inside ordinary text, plus the fields from which
// Redact learns which servers are the resolver and the proxy.
func leakEverywhere() *result.Report {
	contexts := []string{
		"%s", "dial tcp %s:3128: i/o timeout", "lookup via [%s]:53 failed", "C:\\Users\\dave\\ca.pem (%s)",
		"/home/dave/x and %s", "schedule/dns@%s:53", "host %s,other", "User %s refused",
	}
	r := &result.Report{}
	n := 0
	reporttest.Fill(reflect.ValueOf(r).Elem(), func() string {
		v, c := privateValues[n%len(privateValues)], contexts[n%len(contexts)]
		n++
		return strings.Replace(c, "%s", strings.ToUpper(v[:1])+v[1:], 1)
	})
	r.Host.Hostname = "alice-laptop.corp.example"
	r.Config.HTTPProxy = "http://proxy.corp.example:3128"
	r.Config.PACURL = "http://wpad.corp.example/proxy.pac"
	r.Probes = append(r.Probes,
		result.Probe{ID: "main-schedule-x/dns@203.0.113.53:53", Kind: result.KindDNS, Details: map[result.DetailKey]string{"resolver": "203.0.113.53:53"}},
		result.Probe{ID: "main-schedule-x/tcp/proxy", Kind: result.KindTCP, Target: "proxy.corp.example", Address: "203.0.113.80",
			Details: map[result.DetailKey]string{"via": "http-proxy", "proxy": "proxy.corp.example:3128"}},
		result.Probe{ID: "stun/8000", Kind: result.KindSTUN, Address: "203.0.113.10", Error: "ok from 203.0.113.10",
			Details: map[result.DetailKey]string{"mappedAddress": "198.51.100.77:40000"}},
		result.Probe{ID: "ipv6/dns", Error: "answer fe80::abcd and [fd12:3456:789a::1]:3478, ::ffff:10.1.2.3"},
	)
	return r
}

// TestRedactRemovesEverythingPrivate: after Redact, a search of the whole
// JSON finds none of the private values, in any case; public server
// addresses stay; probe IDs stay distinct.
func TestRedactRemovesEverythingPrivate(t *testing.T) {
	r := leakEverywhere()
	report.Redact(r, "alice.smith", `CORP\bob.proxyuser`, "carol7", "turn")
	var b bytes.Buffer
	if err := report.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	out := strings.ToLower(b.String())
	for _, v := range privateValues {
		if strings.Contains(out, strings.ToLower(v)) {
			i := strings.Index(out, strings.ToLower(v))
			t.Errorf("redacted JSON still contains %q: ...%s...", v, out[max(0, i-80):min(len(out), i+40)])
		}
	}
	if !strings.Contains(out, "203.0.113.10") {
		t.Error("the reflector's public address was removed too")
	}
	ids := map[string]bool{}
	for _, p := range r.Probes {
		if ids[string(p.ID)] {
			t.Errorf("two probes share the ID %q after redaction", p.ID)
		}
		ids[string(p.ID)] = true
	}
	if !r.Redacted || r.Host.Hostname != "" {
		t.Errorf("Redacted %v, Hostname %q", r.Redacted, r.Host.Hostname)
	}
	// The text report says so and shows labels, never the values.
	var text bytes.Buffer
	if err := report.WriteText(&text, r, report.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\[redacted-[0-9a-f]{6}\]`).MatchString(text.String()) {
		t.Errorf("no redaction label in the text report:\n%s", text.String())
	}
}

// TestRedactLabelsAreStable: the same value gets the same label in the
// progress events (RedactProbe) and in the report, and two resolvers get
// two labels, so evidence still points at the right probe.
func TestRedactLabelsAreStable(t *testing.T) {
	p1 := result.Probe{ID: "a/dns@10.0.0.1:53", Details: map[result.DetailKey]string{"resolver": "10.0.0.1:53"}}
	p2 := result.Probe{ID: "a/dns@10.0.0.2:53", Details: map[result.DetailKey]string{"resolver": "10.0.0.2:53"}}
	r := &result.Report{Probes: []result.Probe{p1, p2}, Findings: []result.Finding{{Evidence: []result.ID{p1.ID, p2.ID}}}}
	report.Redact(r)
	e1, e2 := report.RedactProbe(p1), report.RedactProbe(p2)
	if e1.ID != r.Probes[0].ID || e2.ID != r.Probes[1].ID || e1.ID == e2.ID {
		t.Errorf("event IDs %q %q, report IDs %q %q", e1.ID, e2.ID, r.Probes[0].ID, r.Probes[1].ID)
	}
	if got := r.Findings[0].Evidence; got[0] != r.Probes[0].ID || got[1] != r.Probes[1].ID {
		t.Errorf("evidence %q does not match the probe IDs", got)
	}
}

func TestRedactKeepsWordsAndLongerNumbers(t *testing.T) {
	r := &result.Report{Host: result.Host{Hostname: "bobcat-pc"},
		Verdict: result.Verdict{Summary: "bobcat-pcs are fine; 110.0.0.15 and 10.0.0.150 differ from 9.10.0.0.1; turn-udp via HTTP proxy refused"},
		Config:  result.Config{HTTPProxy: "http://proxy:3128"}}
	report.Redact(r, "bob", "turn")
	if want := "bobcat-pcs are fine; 110.0.0.15 and "; !strings.HasPrefix(r.Verdict.Summary, want) || !strings.HasSuffix(r.Verdict.Summary, "turn-udp via HTTP proxy refused") {
		t.Errorf("summary = %q", r.Verdict.Summary)
	}
	if strings.Contains(r.Verdict.Summary, "10.0.0.150") {
		t.Errorf("a private address stayed: %q", r.Verdict.Summary)
	}
}

// FuzzRedact puts arbitrary text in a report's fields and checks that
// Redact leaves no private address that the same search would find, never
// panics, and leaves a report that still encodes.
func FuzzRedact(f *testing.F) {
	f.Add("dial tcp 10.0.0.1:53->[fd00::1]:3478: i/o timeout", "alice")
	f.Add("fe80::1%eth0 100.64.1.1 ::ffff:192.168.0.1 169.254.0.1", "C:\\Users\\bob\\x")
	f.Add("10.0.0.1.5 110.0.0.1 12:38:48 ::", "turn")
	// Whole dotted runs of digits: "192.168.0.11691" is not an address.
	privateIn := regexp.MustCompile(`\d+(?:\.\d+){3}`)
	f.Fuzz(func(t *testing.T, text, name string) {
		r := &result.Report{Verdict: result.Verdict{Summary: text},
			Probes: []result.Probe{{ID: result.ID(text), Error: text + " " + name, Details: map[result.DetailKey]string{result.DetailKey(text): name, "resolver": name}}}}
		report.Redact(r, name)
		var b bytes.Buffer
		if err := report.WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		for _, m := range privateIn.FindAllString(r.Verdict.Summary, -1) {
			if a, err := netip.ParseAddr(m); err == nil && (a.IsPrivate() || a.IsLinkLocalUnicast()) &&
				strings.Contains(text, m) && !strings.Contains(text, "."+m) && !strings.Contains(text, m+".") {
				t.Errorf("private %s left in %q", m, r.Verdict.Summary)
			}
		}
	})
}
