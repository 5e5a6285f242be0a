package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestLabReports: the real reports kept from a firewall-lab run (the
// README's samples) read back, validate against the schema, and judging
// them again gives the verdict, paths, findings and firewall rules they
// carry (the verdict is a function of the probes, whatever machine wrote
// them), and the typed result model carries them unchanged.
func TestLabReports(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "reports", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lab reports in testdata/reports: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(t, b); err != nil {
				t.Fatalf("schema: %v", err)
			}
			r, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want := judged(r)
			Judge(r)
			if got := judged(r); !bytes.Equal(got, want) {
				t.Errorf("judged again:\n got %s\nwant %s", got, want)
			}
			sameJSON(t, b)
		})
	}
}

// judged is what Judge writes: the verdict, the paths, the findings and
// the firewall rules.
func judged(r *result.Report) []byte {
	b, _ := json.MarshalIndent(struct {
		Verdict     result.Verdict   `json:"verdict"`
		Paths       result.Paths     `json:"paths"`
		Findings    []result.Finding `json:"findings"`
		Remediation []result.Rule    `json:"remediation"`
	}{r.Verdict, r.Paths, r.Findings, r.Remediation}, "", " ")
	return b
}

// sameJSON: the typed model carries a kept report unchanged. Decoded into
// result.Report (without Normalize, which adds the route fields) and
// encoded again, the report is the same JSON value as the file.
func sameJSON(t *testing.T, file []byte) {
	t.Helper()
	var r result.Report
	if err := json.Unmarshal(file, &r); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := canonical(t, file), canonical(t, again); !bytes.Equal(a, b) {
		t.Errorf("the report changed on a round trip through result.Report:\n file %.300s\nagain %.300s", a, b)
	}
}

// canonical re-encodes JSON through a generic value (sorted keys).
func canonical(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
