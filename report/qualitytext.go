package report

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rtcprobe/rtcprobe/result"
)

// quality writes the quality stage's section: one line per path, then the
// notes on what was not measured. Nothing when the stage did not run.
func (t *textWriter) quality(r *result.Report) {
	q := r.Quality
	if q == nil {
		return
	}
	t.section(fmt.Sprintf("Call quality (a %.0f s TRTC-shaped flow per path, %.0f s in all)", q.FlowMs/1000, q.DurationMs/1000))
	for _, p := range q.Paths {
		code := map[string]string{result.QualityOK: ansiGreen, result.QualitySilent: ansiRed, result.QualityNoAnswer: ansiYellow, result.QualityError: ansiRed}[p.Status]
		if p.Status == result.QualityOK && p.Resolution == result.ResolutionNone {
			code = ansiRed
		} else if p.Status == result.QualityOK && p.Resolution == result.ResolutionAudioOnly {
			code = ansiYellow
		}
		fmt.Fprintf(&t.b, "  %s\n", t.paint(code, TermSafe(p.Summary)))
	}
	for _, n := range q.Notes {
		fmt.Fprintf(&t.b, "  %s\n", t.paint(ansiDim, TermSafe(n)))
	}
}

// TermSafe returns s without control characters (escape sequences
// included), so text read from a report file or the network cannot drive
// the terminal.
func TermSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
}
