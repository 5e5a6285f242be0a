package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// FuzzRead feeds report.Read arbitrary files, as `rtcprobe show` and `diff`
// do with whatever is attached to a ticket. Read must return a report or an
// error, never panic; an accepted report must survive what show and diff do
// with it (redaction, rendering, a diff with itself, a JSON round trip).
func FuzzRead(f *testing.F) {
	ok := Build(result.Tool{Name: "rtcprobe", Version: "fuzz"}, result.Host{Hostname: "h", OS: "linux", Arch: "amd64"},
		result.Config{Regions: []string{"mainland"}, MediaPorts: []int{8000}, TURNServers: []string{"turn:t"}},
		[]result.Probe{{ID: "stun/8000", Kind: result.KindSTUN, Status: result.StatusOK, Details: map[result.DetailKey]string{"mappedAddress": "203.0.113.1:1"}}},
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Second, true)
	var b bytes.Buffer
	if err := WriteJSON(&b, ok); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:b.Len()/2])
	f.Add([]byte(`{"schema": "rtcprobe/report/v2"}`))
	f.Add([]byte(`{"schema": "rtcprobe/report/v1", "probes": null, "paths": 7}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(bytes.NewReader(data))
		if err != nil {
			if r != nil {
				t.Fatalf("Read returned both a report and an error: %v", err)
			}
			return
		}
		if r == nil {
			t.Fatal("Read returned neither a report nor an error")
		}
		if r.Schema != result.SchemaID {
			t.Fatalf("accepted schema %q", r.Schema)
		}
		if d := Diff(r, r); !d.Empty() {
			t.Fatalf("a report differs from itself: %+v", d)
		}
		var out bytes.Buffer
		Redact(r)
		if err := WriteText(&out, r, TextOptions{Verbose: true}); err != nil {
			t.Fatalf("WriteText: %v", err)
		}
		out.Reset()
		if err := WriteJSON(&out, r); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		if _, err := Read(&out); err != nil {
			t.Fatalf("a report written by WriteJSON does not read back: %v", err)
		}
	})
}
