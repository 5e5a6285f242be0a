package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/rtcprobe/rtcprobe/result"
)

// WriteJSON writes the report as indented JSON. Strings keep the data as it
// is; characters a terminal would act on are \u-escaped (EscapeJSON).
func WriteJSON(w io.Writer, r *result.Report) error {
	return writeIndentedJSON(w, r)
}

func writeIndentedJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(EscapeJSON(b.Bytes()))
	return err
}
