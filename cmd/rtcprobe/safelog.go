package main

import (
	"io"

	"github.com/rtcprobe/rtcprobe/report"
)

// safeJSONLog is the writer under `serve --log-json`. slog's JSON handler
// escapes C0 controls but writes DEL, C1 controls and bidi overrides raw,
// and the reflector logs what clients send (a TURN username, a request
// path): each record (one Write) gets those \u-escaped, which leaves the
// JSON the same value. The text handler quotes such strings itself.
type safeJSONLog struct{ w io.Writer }

func (s safeJSONLog) Write(p []byte) (int, error) {
	if _, err := s.w.Write(report.EscapeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
