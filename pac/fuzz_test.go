package pac

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzFindProxy: any script text costs bounded time and memory and fails,
// if at all, with a pac *Error of one printable line. The seeds under
// testdata/fuzz/FuzzFindProxy are the hostile shapes (hang, loop,
// allocate, recurse, throw odd values).
func FuzzFindProxy(f *testing.F) {
	for _, s := range []string{
		`function FindProxyForURL(u, h) { return "PROXY a:1; DIRECT"; }`,
		`function FindProxyForURL(u, h) { for(;;){} }`,
		`function FindProxyForURL(u, h) { var s="ab"; while(1) s+=s; }`,
		`function FindProxyForURL(u, h) { throw {toString: function(){ return "\x1b]0;x\x07"; }}; }`,
		`function FindProxyForURL(u, h) { return [].concat.apply([], new Array(1e7)); }`,
		`function FindProxyForURL(u, h) { return /(a+)+$/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!") ? "DIRECT" : "PROXY x:1"; }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		const limit = 200 * time.Millisecond
		start := time.Now()
		s, err := Compile(src)
		if err == nil {
			var res string
			res, _, err = s.FindProxy(context.Background(), "wss://trtc.rtc.qq.com/", "trtc.rtc.qq.com",
				Options{Timeout: limit, MemoryLimit: 32 << 20, Env: testEnv()})
			if err == nil {
				ParseResult(res)
			}
		}
		if took := time.Since(start); took > limit+runawayGrace+time.Second {
			t.Errorf("evaluation took %s", took)
		}
		if err != nil {
			if KindOf(err) == "" {
				t.Errorf("not a pac error: %T %v", err, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b\x07") {
				t.Errorf("error not one clean line: %q", msg)
			}
		}
	})
}

// FuzzParseResult: any answer parses into at least one hop with clean
// text.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{"PROXY a:1; DIRECT", "", "HTTPS [::1]:443", "PROXY a:0", "SOCKS5 x\x1b:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hops, skipped := ParseResult(s)
		if len(hops) == 0 {
			t.Fatal("no hops")
		}
		for _, h := range hops {
			if strings.ContainsAny(h.String(), "\n\r\x1b; ") && !h.IsDirect() && strings.Count(h.String(), " ") != 1 {
				t.Errorf("hop %q not clean", h)
			}
		}
		for _, k := range skipped {
			if strings.ContainsAny(k, "\n\r\x1b") {
				t.Errorf("skipped entry %q not clean", k)
			}
		}
	})
}
