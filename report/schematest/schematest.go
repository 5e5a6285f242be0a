// Package schematest validates report JSON against report/schema.json in
// tests outside package report (the lab, the command's end-to-end tests).
// Only tests import it, so the JSON Schema validator stays out of the
// binary.
package schematest

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

var (
	once     sync.Once
	compiled *jsonschema.Schema
	compErr  error
)

func schema() (*jsonschema.Schema, error) {
	once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.Schema()))
		if err != nil {
			compErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if compErr = c.AddResource("schema.json", doc); compErr != nil {
			return
		}
		compiled, compErr = c.Compile("schema.json")
	})
	return compiled, compErr
}

// Validate reports, as a test error, b not being a valid report.
func Validate(t testing.TB, b []byte) {
	t.Helper()
	s, err := schema()
	if err != nil {
		t.Fatalf("report schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Errorf("report is not JSON: %v", err)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("report does not validate against report/schema.json: %v", err)
	}
}

// ReadFile reads a report file, validates it against the schema and
// decodes it with report.Read (the reader `rtcprobe show` uses).
func ReadFile(t testing.TB, path string) *result.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	Validate(t, b)
	r, err := report.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("report %s: %v", path, err)
	}
	return r
}
