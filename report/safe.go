package report

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text in a report comes from the network (a proxy's reason phrase, a
// certificate's issuer, a resolver's answer) or from a file someone attached
// to a ticket. A terminal obeys the control characters in it: ESC sequences
// retitle the window, clear the screen, recolour or hide text, and bidi
// overrides make "exe.pdf" read as "fdp.exe". Everything rtcprobe prints to
// people therefore goes through Safe first, and only rtcprobe's own styling
// adds escapes. JSON output keeps the data as it is: its encoder escapes
// control characters already, and scripts want the real bytes.

// Safe returns s with every character a terminal could act on replaced by a
// visible escape: C0 controls (including newline and tab, so that data
// cannot forge extra lines), DEL and bytes that are not UTF-8 as \xNN; C1
// controls (U+0080-U+009F, the 8-bit CSI among them) and invisible format
// characters (bidi overrides, zero-width characters) as \uNNNN. Everything
// else, including non-ASCII letters, is kept.
func Safe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape is the fast path: most strings are plain ASCII.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return !plainUTF8(s[i:])
		}
	}
	return false
}

// plainUTF8 reports whether s is valid UTF-8 without anything Safe escapes.
func plainUTF8(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r < 0x20 || r == 0x7f || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune reports the non-ASCII characters a terminal acts on or that
// change what the reader sees without being seen: C1 controls (U+0080 to
// U+009F, the 8-bit CSI among them), every format character (Unicode
// category Cf: the bidi marks, embeddings, overrides and isolates such as
// U+202E, zero-width characters, the soft hyphen) and the line and
// paragraph separators some terminals break lines on.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// SafeCopy returns a deep copy of v (a report, a delta, a probe, or a
// pointer to one) in which every string, map keys included, went through
// Safe. Renderers call it once, where data enters them, so no field can be
// forgotten, including fields added later; v itself is not changed (it is
// still what the JSON output and a saved file carry).
func SafeCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.New(src.Type()).Elem()
	safeValue(dst, src)
	return dst.Interface().(T)
}

// safeValue sets dst to a sanitised deep copy of src (same type).
func safeValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(Safe(src.String()))
	case reflect.Struct:
		dst.Set(src) // unexported fields (time.Time's) are copied as they are
		for i := 0; i < src.NumField(); i++ {
			if f := dst.Field(i); f.CanSet() {
				safeValue(f, src.Field(i))
			}
		}
	case reflect.Pointer:
		if !src.IsNil() {
			p := reflect.New(src.Type().Elem())
			safeValue(p.Elem(), src.Elem())
			dst.Set(p)
		}
	case reflect.Slice:
		if !src.IsNil() {
			s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
			for i := 0; i < src.Len(); i++ {
				safeValue(s.Index(i), src.Index(i))
			}
			dst.Set(s)
		}
	case reflect.Map:
		if !src.IsNil() {
			m := reflect.MakeMapWithSize(src.Type(), src.Len())
			for it := src.MapRange(); it.Next(); {
				k, v := reflect.New(src.Type().Key()).Elem(), reflect.New(src.Type().Elem()).Elem()
				safeValue(k, it.Key())
				safeValue(v, it.Value())
				m.SetMapIndex(k, v)
			}
			dst.Set(m)
		}
	default:
		dst.Set(src)
	}
}

// EscapeJSON rewrites, in encoded JSON, the characters encoding/json leaves
// raw although a terminal acts on them (DEL, C1 controls, bidi marks) as
// \uXXXX escapes. They can only occur inside JSON strings, so the result is
// the same JSON value: a script decoding it gets the data exactly as it
// was, and `--json -` or `diff --json` on a terminal cannot be turned
// against the reader.
func EscapeJSON(b []byte) []byte {
	if !needsEscape(string(b)) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || unsafeRune(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
