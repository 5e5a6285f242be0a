package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// leakyReport has a credential or a private value in every field that can
// carry one.
func leakyReport() *result.Report {
	return &result.Report{
		Schema: result.SchemaID,
		Host:   result.Host{Hostname: "alice-laptop", OS: "linux", Arch: "amd64"},
		Config: result.Config{
			Reflector:   "reflector.example.com",
			HTTPProxy:   "http://bob:hunter2@proxy.corp:3128",
			TURNServers: []string{"turn:user:s3cret@turn.example.com:3478"},
			Proxy: &result.ProxySummary{
				WebsocketProxy: "wss://u:p4ss@ws.example.com/ws/",
				TURNServers:    []string{"turns:carol:pw9@turn.example.com"},
			},
		},
		Verdict: result.Verdict{Summary: "alice-laptop reached nothing via https://bob:hunter2@proxy.corp:3128"},
		Probes: []result.Probe{
			{
				ID: "stun/8000", Kind: result.KindSTUN, Target: "reflector.example.com", Address: "198.51.100.9", Port: 8000,
				Details: map[result.DetailKey]string{"mappedAddress": "203.0.113.77:61000"},
			},
			{
				ID: "turn1-udp", Kind: result.KindTURN, Target: "turn:turn.example.com:3478?credential=s3cret",
				Address: "198.51.100.20", Port: 3478,
				Error:   "read udp 192.168.1.23:54321->198.51.100.20:3478: i/o timeout",
				Details: map[result.DetailKey]string{"relayedAddress": "198.51.100.20:49152", "mappedAddress": "203.0.113.77:61001", "serverAddress": "198.51.100.20:3478"},
				Steps:   []result.Step{{Name: "allocate", Detail: "mapped 203.0.113.77 on alice-laptop"}},
			},
		},
		Findings:    []result.Finding{{Code: "x", Detail: "seen from 203.0.113.77"}},
		Remediation: []result.Rule{{Protocol: "udp", Port: "3478", Destination: "198.51.100.20"}},
	}
}

func jsonOf(t *testing.T, r *result.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSanitizeRemovesCredentialsEverywhere(t *testing.T) {
	r := leakyReport()
	Sanitize(r)
	out := jsonOf(t, r)
	for _, secret := range []string{"hunter2", "s3cret", "p4ss", "pw9", "bob:", "carol"} {
		if strings.Contains(out, secret) {
			t.Errorf("sanitized report still contains %q:\n%s", secret, out)
		}
	}
	// Sanitize alone keeps what --redact would remove.
	for _, keep := range []string{"alice-laptop", "203.0.113.77", "proxy.corp:3128", "turn.example.com:3478"} {
		if !strings.Contains(out, keep) {
			t.Errorf("sanitized report lost %q", keep)
		}
	}
	if r.Redacted {
		t.Error("Sanitize set Redacted")
	}
}

func TestRedactRemovesLocalAndMapped(t *testing.T) {
	r := leakyReport()
	Redact(r)
	out := jsonOf(t, r)
	for _, private := range []string{"alice-laptop", "203.0.113.77", "192.168.1.23", "hunter2", "s3cret"} {
		if strings.Contains(out, private) {
			t.Errorf("redacted report still contains %q:\n%s", private, out)
		}
	}
	for _, keep := range []string{"198.51.100.9", "198.51.100.20:49152", "198.51.100.20:3478", "reflector.example.com"} {
		if !strings.Contains(out, keep) {
			t.Errorf("redacted report lost the server address %q", keep)
		}
	}
	if !r.Redacted || r.Host.Hostname != "" {
		t.Errorf("Redacted=%v Hostname=%q", r.Redacted, r.Host.Hostname)
	}
	if got := r.Probes[1].Details["mappedAddress"]; got != redactedMark {
		t.Errorf("mappedAddress = %q, want %q", got, redactedMark)
	}
	var back result.Report
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatalf("redacted report is not valid JSON: %v", err)
	}
}

// A reflector on the probing machine itself (a lab, a test) keeps its
// address: it is a server address, even though it equals the mapped one.
func TestRedactKeepsServerEqualToMapped(t *testing.T) {
	r := &result.Report{Probes: []result.Probe{{ID: "stun/8000", Address: "127.0.0.1",
		Details: map[result.DetailKey]string{"mappedAddress": "127.0.0.1:5000"}}}}
	Redact(r)
	if r.Probes[0].Address != "127.0.0.1" {
		t.Errorf("Address = %q, want 127.0.0.1", r.Probes[0].Address)
	}
}

func TestScrubCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://u:p@h:1/x", "https://h:1/x"},
		{"turn:u:p@h:3478?transport=tcp", "turn:h:3478?transport=tcp"},
		{"TURNS:u@h", "TURNS:h"},
		{"x?password=abc&y=1", "x?password=[redacted]&y=1"},
		{"no secrets at all", "no secrets at all"},
		{"mail bob@example.com", "mail bob@example.com"},
	}
	for _, tt := range tests {
		if got := scrubCredentials(tt.in); got != tt.want {
			t.Errorf("scrubCredentials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactProbeLeavesOriginal(t *testing.T) {
	p := result.Probe{ID: "stun/8000", Address: "198.51.100.9", Error: "via turn:u:pw@x",
		Details: map[result.DetailKey]string{"mappedAddress": "203.0.113.77:5"}}
	got := RedactProbe(p)
	if got.Details["mappedAddress"] != redactedMark || got.Error != "via turn:x" || got.Address != "198.51.100.9" {
		t.Errorf("RedactProbe = %+v", got)
	}
	if p.Details["mappedAddress"] != "203.0.113.77:5" {
		t.Error("RedactProbe changed the original's details")
	}
	if s := SanitizeProbe(p); s.Error != "via turn:x" || s.Details["mappedAddress"] != "203.0.113.77:5" {
		t.Errorf("SanitizeProbe = %+v", s)
	}
}

// BenchmarkRedact is --redact on a full report (every string searched for
// names and addresses, by reflection).
func BenchmarkRedact(b *testing.B) {
	base := scenarioReport(b, "udp-dropped")
	base.Host.Hostname = "alice-laptop"
	raw, err := json.Marshal(base)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var r result.Report
		if err := json.Unmarshal(raw, &r); err != nil {
			b.Fatal(err)
		}
		Redact(&r, "alice.smith", "carol7")
	}
}
