// Package reporttest holds test helpers shared by the renderers' tests
// (report, ui, cmd/rtcprobe): a report with an attacker's text in every
// string field, and a check that rendered output cannot act on a terminal.
// It is imported by tests only.
package reporttest

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rtcprobe/rtcprobe/result"
)

// Payload is what a hostile report file or server puts in its strings:
// an OSC that retitles the window, a clear-screen CSI, an 8-bit CSI as a raw
// byte and as U+009B, a bidi override, NEL, DEL, a carriage return that
// overwrites the line and a newline that forges a new one.
const Payload = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRED\x9b1m\u009b2J\u202eexe.pdf\u0085\x7f\r\nFAKE LINE\x00\t"

// Hostile returns a report in which every string field (every element of
// every slice and every key and value of every map, reached through
// reflection, so that fields added later are covered too) holds payload
// followed by a counter, so that IDs stay distinct. Slices and maps get two
// elements, pointers a value.
func Hostile(payload string) *result.Report {
	r := &result.Report{}
	n := 0
	Fill(reflect.ValueOf(r).Elem(), func() string { n++; return fmt.Sprintf("%s#%d", payload, n) })
	return r
}

// Fill sets every settable string reachable from v to next().
func Fill(v reflect.Value, next func() string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(next())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				Fill(v.Field(i), next)
			}
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		Fill(p.Elem(), next)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			Fill(s.Index(i), next)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			Fill(k, next)
			Fill(e, next)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Float64:
		v.SetFloat(12.5)
	case reflect.Int, reflect.Int64:
		v.SetInt(8000)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// dataSGR is the colour sequence inside Payload: with styling allowed, it
// must still not appear raw.
const dataSGR = "\x1b[31mRED"

// sgr matches the colour and style sequences rtcprobe's own styling writes
// (SGR: ESC [ params m). Only these may appear, and only when colour is on.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// Unsafe returns a description of the first thing in out a terminal would
// act on, or "" when out is clean. Newlines are the renderer's own; with
// ownStyling, SGR colour sequences are allowed (they are rtcprobe's).
func Unsafe(out string, ownStyling bool) string {
	if strings.Contains(out, dataSGR) {
		return "the data's own colour sequence came through"
	}
	if ownStyling {
		out = sgr.ReplaceAllString(out, "")
	}
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && n == 1:
			bad = fmt.Sprintf("invalid UTF-8 byte %#x", out[i])
		case r == '\n':
		case r < 0x20 || r == 0x7f:
			bad = fmt.Sprintf("control character %q", r)
		case r >= 0x80 && r <= 0x9f:
			bad = fmt.Sprintf("C1 control %U", r)
		case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			bad = fmt.Sprintf("bidi control %U", r)
		}
		if bad != "" {
			lo, hi := max(0, i-40), min(len(out), i+40)
			return fmt.Sprintf("%s at byte %d, near %q", bad, i, out[lo:hi])
		}
		i += n
	}
	if strings.Contains(out, "FAKE LINE") && strings.Contains(out, "\nFAKE LINE") {
		return "a newline from the data started a line of its own"
	}
	return ""
}
