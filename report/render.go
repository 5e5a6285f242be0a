package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// TextOptions control the text renderer.
type TextOptions struct {
	// Color enables ANSI colour. Status is always spelled out too.
	Color bool
	// Verbose lists every probe, not only the failed ones.
	Verbose bool
}

// WriteText writes the human-readable report.
// STUB: to be replaced.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	_, err := fmt.Fprintf(w, "%s\n%s\n", r.Verdict.Headline, r.Verdict.Summary)
	return err
}
