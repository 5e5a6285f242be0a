package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestLabReports: the real reports kept from a firewall-lab run (the
// README's samples) read back, validate against the schema, and judging
// them again gives the verdict they carry: the verdict is a function of the
// probes, whatever machine wrote them.
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
			want, _ := json.Marshal(r.Verdict)
			Judge(r)
			if got, _ := json.Marshal(r.Verdict); !bytes.Equal(got, want) {
				t.Errorf("judged again:\n got %s\nwant %s", got, want)
			}
		})
	}
}
