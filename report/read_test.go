package report

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadRoundTrip(t *testing.T) {
	for _, s := range scenarios() {
		r := s.report(t)
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		got, err := Read(&b)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !reflect.DeepEqual(jsonOf(t, got), jsonOf(t, r)) {
			t.Errorf("%s: read back differs", s.name)
		}
	}
}

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		says     string
	}{
		{"empty", "", ErrNotReport, "empty"},
		{"not json", "hello world", ErrNotReport, "invalid JSON at line 1"},
		{"array", "[1,2]", ErrNotReport, "wrong type"},
		{"foreign json", `{"name": "package.json"}`, ErrNotReport, `no "schema" field`},
		{"diff", `{"schema": "rtcprobe/diff/v1"}`, ErrNotReport, `schema is "rtcprobe/diff/v1"`},
		{"newer report", `{"schema": "rtcprobe/report/v2"}`, ErrSchema, "newer rtcprobe"},
		{"truncated", "{\"schema\": \"rtcprobe/report/v1\",\n\"probes\": [", ErrBroken, "invalid JSON"},
		{"wrong type", "{\"schema\": \"rtcprobe/report/v1\",\n\"durationMs\": \"long\"}", ErrBroken, `"durationMs" has the wrong type`},
		{"no verdict", `{"schema": "rtcprobe/report/v1", "probes": []}`, ErrBroken, "no verdict"},
		{"long newer schema", `{"schema": "rtcprobe/report/v9` + strings.Repeat("B", 100000) + `"}`, ErrSchema, "newer rtcprobe"},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.in))
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 300 {
			t.Errorf("%s: error %v, want %v saying %q on one line", tt.name, err, tt.want, tt.says)
		}
	}
}
