// Package pac runs proxy auto-config (PAC) scripts the way Chromium does:
// FindProxyForURL(url, host) in a JavaScript engine (goja, pure Go) with
// the Netscape helpers and Microsoft's *Ex extensions, and parses the
// answer ("PROXY a:1; PROXY b:2; DIRECT") into an ordered list.
//
// A PAC script comes from the network (often found by WPAD, over plain
// HTTP), so it is hostile input: every evaluation runs in a fresh runtime
// under a time limit (goja's Interrupt), a heap watchdog and guards on the
// builtins that allocate a lot in one native step; the only network access
// it gets is the bounded DNS of dnsResolve and friends. Errors are one
// line with no control characters.
package pac

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Limits on a script and one evaluation. Chromium refuses PAC files over
// 1 MB (pac_file_fetcher_impl.cc); the rest are rtcprobe's own bounds.
const (
	// MaxScriptBytes is the largest script accepted.
	MaxScriptBytes = 1 << 20
	// DefaultTimeout bounds one evaluation (loading the script and one
	// FindProxyForURL call, helpers' DNS included).
	DefaultTimeout = 2 * time.Second
	// DefaultMemoryLimit is how much the Go heap may grow during one
	// evaluation before the watchdog interrupts it.
	DefaultMemoryLimit = 64 << 20
	// maxStringLen bounds strings made in one native step (repeat,
	// padStart, padEnd, join), which an Interrupt cannot stop midway.
	maxStringLen = 4 << 20
	// maxArrayLen bounds arrays made in one native step (Array(n),
	// Array.from, fill on a huge array).
	maxArrayLen = 1 << 20
	// maxCallStack bounds recursion.
	maxCallStack = 2000
	// runawayGrace is how long after the time limit an evaluation stuck
	// in native code (a backtracking regular expression) is waited for
	// before the script is given up.
	runawayGrace = 500 * time.Millisecond
)

// Error kinds, used by the report (pac probe reasons).
const (
	KindTooLarge   = "pac-too-large"
	KindSyntax     = "pac-syntax-error"
	KindThrew      = "pac-threw"
	KindNoFunction = "pac-no-function"
	KindBadResult  = "pac-bad-result"
	KindTimeout    = "pac-timeout"
	KindMemory     = "pac-memory"
)

// Error is a failed load or evaluation. Msg is one printable line.
type Error struct {
	Kind string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func newError(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: OneLine(fmt.Sprintf(format, args...), 300)}
}

// KindOf returns the Kind of a pac *Error, or "".
func KindOf(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

// Script is a compiled PAC script. It is safe for concurrent use;
// evaluations run one at a time.
type Script struct {
	prog *goja.Program
	mu   sync.Mutex
	// runaway is set once an evaluation did not stop at its time limit
	// (stuck in native code): later calls fail at once, so at most one
	// goroutine per script is ever left running.
	runaway bool
	cache   dnsCache
}

// Compile parses a script (at most MaxScriptBytes; invalid UTF-8 is
// replaced, as a browser decodes it).
func Compile(src string) (*Script, error) {
	if len(src) > MaxScriptBytes {
		return nil, newError(KindTooLarge, "the PAC script is %d bytes, over the %d-byte limit", len(src), MaxScriptBytes)
	}
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	prog, err := goja.Compile("pac", src, false)
	if err != nil {
		return nil, newError(KindSyntax, "the PAC script does not parse: %s", err.Error())
	}
	return &Script{prog: prog}, nil
}

// Options bound one evaluation and give the helpers their world.
type Options struct {
	// Timeout bounds the evaluation; 0 means DefaultTimeout.
	Timeout time.Duration
	// MemoryLimit is the heap growth that interrupts it; 0 means
	// DefaultMemoryLimit.
	MemoryLimit uint64
	// Env is what the helpers may touch (DNS, own addresses, clock).
	Env Env
}

// FindProxy runs FindProxyForURL(url, host) in a fresh runtime and returns
// its answer unparsed (see ParseResult). Chromium calls only
// FindProxyForURL (proxy_resolver_v8.cc); a script that defines only
// Microsoft's FindProxyForURLEx is run with that instead, and usedEx says
// so, because Chrome would fail it and go DIRECT.
func (s *Script) FindProxy(ctx context.Context, url, host string, o Options) (result string, usedEx bool, err error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MemoryLimit == 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runaway {
		return "", false, newError(KindTimeout, "an earlier evaluation of the PAC script never stopped; the script is no longer run")
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	type answer struct {
		res    string
		usedEx bool
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		res, ex, err := s.evaluate(ctx, url, host, o)
		done <- answer{res, ex, err}
	}()
	select {
	case a := <-done:
		return a.res, a.usedEx, a.err
	case <-time.After(o.Timeout + runawayGrace):
		s.runaway = true
		return "", false, newError(KindTimeout, "the PAC script ran past its %s limit inside a builtin and was abandoned", o.Timeout)
	}
}

// evaluate does one load-and-call in a new runtime, interrupted when ctx
// ends or the watchdog sees the heap grow past the limit.
func (s *Script) evaluate(ctx context.Context, url, host string, o Options) (string, bool, error) {
	vm := goja.New()
	vm.SetMaxCallStackSize(maxCallStack)
	h := &helpers{vm: vm, ctx: ctx, env: o.Env, cache: &s.cache}
	if err := h.install(); err != nil {
		return "", false, newError(KindThrew, "setting up the PAC helpers: %v", err)
	}
	stop := context.AfterFunc(ctx, func() { vm.Interrupt(errTimeLimit) })
	defer stop()
	dog := watch(vm, o.MemoryLimit)
	defer dog.stop()
	if _, err := vm.RunProgram(s.prog); err != nil {
		return "", false, classify(err, dog, "loading the PAC script")
	}
	fn, ok := goja.AssertFunction(vm.Get("FindProxyForURL"))
	usedEx := false
	if !ok {
		if fn, ok = goja.AssertFunction(vm.Get("FindProxyForURLEx")); !ok {
			return "", false, newError(KindNoFunction, "the PAC script defines no FindProxyForURL function")
		}
		usedEx = true
	}
	v, err := fn(goja.Undefined(), vm.ToValue(url), vm.ToValue(host))
	if err != nil {
		return "", usedEx, classify(err, dog, "FindProxyForURL")
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "", usedEx, newError(KindBadResult, "FindProxyForURL returned %v, not a string", v)
	}
	str, isStr := v.Export().(string)
	if !isStr {
		return "", usedEx, newError(KindBadResult, "FindProxyForURL returned a %s, not a string", v.ExportType())
	}
	if len(str) > 4096 {
		return "", usedEx, newError(KindBadResult, "FindProxyForURL returned %d characters; a proxy list is never that long", len(str))
	}
	return str, usedEx, nil
}

// errTimeLimit is the interrupt value of the time limit; the watchdog's
// is errMemoryLimit.
var (
	errTimeLimit   = errors.New("time limit")
	errMemoryLimit = errors.New("memory limit")
)

// classify turns a goja error into an *Error with one clean line.
func classify(err error, dog *watchdog, what string) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if ie.Value() == errMemoryLimit {
			return newError(KindMemory, "%s was stopped: it grew the heap by over %d MiB", what, dog.limit>>20)
		}
		return newError(KindTimeout, "%s was stopped at its time limit", what)
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return newError(KindThrew, "%s threw: too much recursion", what)
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return newError(KindThrew, "%s threw: %s", what, ex.Value().String())
	}
	return newError(KindThrew, "%s failed: %v", what, err)
}

// OneLine makes outside text safe for a terminal and a report: control
// characters (newlines, escape sequences) become spaces, runs of spaces
// one space, and the result is cut at max runes with "...".
func OneLine(s string, max int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Cf, r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		space = false
		if n >= max {
			b.WriteString("...")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}
