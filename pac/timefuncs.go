package pac

import (
	"strings"
	"time"

	"github.com/dop251/goja"
)

// The time helpers follow the Netscape definitions as Mozilla and
// Chromium implement them: an optional last argument "GMT" selects UTC,
// otherwise local time.

var weekdays = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
var months = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// clock returns now (local or UTC) and the arguments without "GMT".
func (h *helpers) clock(args []goja.Value) (time.Time, []goja.Value) {
	now := time.Now()
	if h.env.Now != nil {
		now = h.env.Now()
	}
	if n := len(args); n > 0 && strings.EqualFold(args[n-1].String(), "GMT") {
		return now.UTC(), args[:n-1]
	}
	return now.Local(), args
}

func indexOf(list []string, v goja.Value) int {
	s := strings.ToUpper(v.String())
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// inRange is lo <= v <= hi, wrapping around when lo > hi (FRI..MON).
func inRange(v, lo, hi int) bool {
	if lo <= hi {
		return lo <= v && v <= hi
	}
	return v >= lo || v <= hi
}

func (h *helpers) weekdayRange(call goja.FunctionCall) goja.Value {
	now, args := h.clock(call.Arguments)
	if len(args) == 0 || len(args) > 2 {
		return h.vm.ToValue(false)
	}
	d1 := indexOf(weekdays, args[0])
	d2 := d1
	if len(args) == 2 {
		d2 = indexOf(weekdays, args[1])
	}
	if d1 < 0 || d2 < 0 {
		return h.vm.ToValue(false)
	}
	return h.vm.ToValue(inRange(int(now.Weekday()), d1, d2))
}

// datePart is one argument of dateRange: a day (1-31), a month name or a
// year (four digits).
type datePart struct {
	kind byte // 'd', 'm', 'y'
	v    int
}

func parseDatePart(v goja.Value) (datePart, bool) {
	if m := indexOf(months, v); m >= 0 {
		return datePart{'m', m}, true
	}
	n := v.ToInteger()
	switch {
	case n >= 1 && n <= 31:
		return datePart{'d', int(n)}, true
	case n >= 1000 && n <= 9999:
		return datePart{'y', int(n)}, true
	}
	return datePart{}, false
}

// dateRange(day), (month), (year), and ranges of the same shape:
// (d1, d2), (m1, m2), (y1, y2), (d1, m1, d2, m2), (m1, y1, m2, y2),
// (d1, m1, y1, d2, m2, y2).
func (h *helpers) dateRange(call goja.FunctionCall) goja.Value {
	now, args := h.clock(call.Arguments)
	if len(args) == 0 || len(args) > 6 || (len(args) > 1 && len(args)%2 == 1) {
		return h.vm.ToValue(false)
	}
	parts := make([]datePart, len(args))
	for i, a := range args {
		p, ok := parseDatePart(a)
		if !ok {
			return h.vm.ToValue(false)
		}
		parts[i] = p
	}
	cur := map[byte]int{'d': now.Day(), 'm': int(now.Month()) - 1, 'y': now.Year()}
	if len(parts) == 1 {
		return h.vm.ToValue(cur[parts[0].kind] == parts[0].v)
	}
	half := len(parts) / 2
	lo, hi := parts[:half], parts[half:]
	// Compare as a number, most significant field first (y, m, d).
	key := func(ps []datePart, fill func(byte) int) int {
		get := map[byte]int{'y': fill('y'), 'm': fill('m'), 'd': fill('d')}
		for _, p := range ps {
			get[p.kind] = p.v
		}
		return get['y']*10000 + get['m']*100 + get['d']
	}
	has := map[byte]bool{}
	for _, p := range lo {
		if hi[0].kind != lo[0].kind && len(lo) == 1 {
			return h.vm.ToValue(false)
		}
		has[p.kind] = true
	}
	fill := func(k byte) int {
		if has[k] {
			return 0
		}
		return cur[k]
	}
	v := key(nil, func(k byte) int {
		if has[k] {
			return cur[k]
		}
		return fill(k)
	})
	a, b := key(lo, fill), key(hi, fill)
	if !has['y'] && a > b {
		return h.vm.ToValue(v >= a || v <= b) // wraps over the year's end
	}
	return h.vm.ToValue(a <= v && v <= b)
}

// timeRange(hour), (h1, h2), (h1, m1, h2, m2), (h1, m1, s1, h2, m2, s2).
func (h *helpers) timeRange(call goja.FunctionCall) goja.Value {
	now, args := h.clock(call.Arguments)
	n := make([]int, len(args))
	for i, a := range args {
		n[i] = int(a.ToInteger())
	}
	sec := now.Hour()*3600 + now.Minute()*60 + now.Second()
	switch len(n) {
	case 1:
		return h.vm.ToValue(now.Hour() == n[0])
	case 2:
		return h.vm.ToValue(n[0] <= now.Hour() && now.Hour() <= n[1])
	case 4:
		return h.vm.ToValue(n[0]*3600+n[1]*60 <= sec && sec <= n[2]*3600+n[3]*60+59)
	case 6:
		return h.vm.ToValue(n[0]*3600+n[1]*60+n[2] <= sec && sec <= n[3]*3600+n[4]*60+n[5])
	}
	return h.vm.ToValue(false)
}
