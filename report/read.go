package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// Errors of Read. Messages are one line and say what is wrong with the file.
var (
	// ErrNotReport: the input is not an rtcprobe report (not JSON, another
	// tool's JSON, or a different rtcprobe format such as a diff).
	ErrNotReport = errors.New("not an rtcprobe report")
	// ErrSchema: an rtcprobe report of a format this build cannot read.
	ErrSchema = errors.New("unsupported report format")
	// ErrBroken: a report that is cut short or has fields of the wrong type.
	ErrBroken = errors.New("broken report")
)

// Read parses a saved report (rtcprobe check --json). It rejects other
// files with a one-line error naming what is wrong, and checks the schema
// id. The verdict is read as saved; call Judge to re-judge with this build.
func Read(in io.Reader) (*result.Report, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotReport)
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %s", notJSONOrBroken(data), jsonProblem(data, err))
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("%w: no \"schema\" field", ErrNotReport)
	case *head.Schema == result.SchemaID:
	case strings.HasPrefix(*head.Schema, "rtcprobe/report/"):
		return nil, fmt.Errorf("%w: %q (this build reads %s; use a newer rtcprobe)", ErrSchema, oneLine(*head.Schema), result.SchemaID)
	default:
		return nil, fmt.Errorf("%w: schema is %q, want %s", ErrNotReport, oneLine(*head.Schema), result.SchemaID)
	}
	var r result.Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBroken, jsonProblem(data, err))
	}
	if r.Probes == nil || r.Verdict.Signaling == "" {
		return nil, fmt.Errorf("%w: no probes or no verdict", ErrBroken)
	}
	r.Normalize()
	return &r, nil
}

// notJSONOrBroken picks the error for input that does not parse: a file
// that starts like a JSON object is a broken report, anything else is not one.
func notJSONOrBroken(data []byte) error {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && bytes.Contains(t, []byte(`"rtcprobe/report/`)) {
		return ErrBroken
	}
	return ErrNotReport
}

// jsonProblem turns a JSON error into a short message with the line.
func jsonProblem(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at line %d: %s", lineOf(data, syn.Offset), oneLine(syn.Error()))
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s, want %s) at line %d", typ.Field, typ.Value, typ.Type, lineOf(data, typ.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends in the middle (truncated?)"
	}
	return oneLine(err.Error())
}

func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// oneLine keeps an error message to one short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
