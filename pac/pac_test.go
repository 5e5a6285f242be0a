package pac

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// testEnv resolves from a fixed table and has a fixed address and clock
// (Wednesday 2026-03-04 14:30:15 UTC).
func testEnv() Env {
	table := map[string][]netip.Addr{
		"intranet.corp":   {netip.MustParseAddr("10.1.2.3")},
		"v6only.corp":     {netip.MustParseAddr("2001:db8::1")},
		"dual.corp":       {netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("192.0.2.7")},
		"trtc.rtc.qq.com": {netip.MustParseAddr("203.0.113.10")},
	}
	return Env{
		Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			if a, ok := table[host]; ok {
				return a, nil
			}
			return nil, errors.New("no such host")
		},
		MyAddrs: func() []netip.Addr {
			return []netip.Addr{netip.MustParseAddr("10.9.8.7"), netip.MustParseAddr("fd00::7")}
		},
		Now: func() time.Time { return time.Date(2026, 3, 4, 14, 30, 15, 0, time.UTC) },
	}
}

func eval(t *testing.T, body string) string {
	t.Helper()
	s, err := Compile("function FindProxyForURL(url, host) {" + body + "}")
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	got, _, err := s.FindProxy(context.Background(), "https://trtc.rtc.qq.com/", "trtc.rtc.qq.com", Options{Env: testEnv()})
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return got
}

func TestHelpers(t *testing.T) {
	for _, tt := range []struct{ expr, want string }{
		{`isPlainHostName("www")`, "true"},
		{`isPlainHostName("www.corp")`, "false"},
		{`isPlainHostName("::1")`, "false"},
		{`dnsDomainIs("www.corp.com", ".corp.com")`, "true"},
		{`dnsDomainIs("www.corp.com", ".other.com")`, "false"},
		{`localHostOrDomainIs("www", "www.corp.com")`, "true"},
		{`localHostOrDomainIs("www.corp.com", "www.corp.com")`, "true"},
		{`localHostOrDomainIs("www.other.com", "www.corp.com")`, "false"},
		{`isResolvable("intranet.corp")`, "true"},
		{`isResolvable("v6only.corp")`, "false"},
		{`isResolvable("nowhere.corp")`, "false"},
		{`dnsResolve("dual.corp")`, "192.0.2.7"},
		{`dnsResolve("nowhere.corp")`, "null"},
		{`isInNet("intranet.corp", "10.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("203.0.113.10", "10.0.0.0", "255.0.0.0")`, "false"},
		{`isInNet("nowhere.corp", "10.0.0.0", "255.0.0.0")`, "false"},
		{`myIpAddress()`, "10.9.8.7"},
		{`dnsDomainLevels("a.b.c")`, "2"},
		{`dnsDomainLevels("www")`, "0"},
		{`shExpMatch("http://x.corp/a", "*.corp/*")`, "true"},
		{`shExpMatch("x.corp", "?.corp")`, "true"},
		{`shExpMatch("xx.corp", "?.corp")`, "false"},
		{`shExpMatch("a.b", "a?b")`, "true"},
		{`shExpMatch("a+b", "a.b")`, "false"},
		{`weekdayRange("MON", "FRI")`, "true"},
		{`weekdayRange("SAT", "SUN")`, "false"},
		{`weekdayRange("WED")`, "true"},
		{`weekdayRange("FRI", "WED", "GMT")`, "true"},
		{`dateRange("MAR")`, "true"},
		{`dateRange(4)`, "true"},
		{`dateRange(2026)`, "true"},
		{`dateRange("JAN", "FEB")`, "false"},
		{`dateRange("NOV", "MAR")`, "true"},
		{`dateRange(1, "MAR", 3, "MAR")`, "false"},
		{`dateRange(1, "MAR", 2026, 31, "DEC", 2026)`, "true"},
		{`dateRange(2020, 2025)`, "false"},
		{`timeRange(14)`, "true"},
		{`timeRange(9, 17)`, "true"},
		{`timeRange(15, 17)`, "false"},
		{`timeRange(14, 0, 14, 30)`, "true"},
		{`timeRange(14, 31, 0, 15, 0, 0, "GMT")`, "false"},
		{`isResolvableEx("v6only.corp")`, "true"},
		{`dnsResolveEx("dual.corp")`, "2001:db8::2;192.0.2.7"},
		{`dnsResolveEx("nowhere.corp")`, ""},
		{`myIpAddressEx()`, "10.9.8.7;fd00::7"},
		{`isInNetEx("2001:db8::1", "2001:db8::/32")`, "true"},
		{`isInNetEx("10.1.2.3", "10.0.0.0/8")`, "true"},
		{`isInNetEx("10.1.2.3", "11.0.0.0/8")`, "false"},
		{`sortIpAddressList("10.0.0.2;2001:db8::1;10.0.0.1")`, "2001:db8::1;10.0.0.1;10.0.0.2"},
		{`sortIpAddressList("nonsense")`, "false"},
		{`getClientVersion()`, "1.0"},
	} {
		if got := eval(t, "return String("+tt.expr+");"); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestFindProxy(t *testing.T) {
	script := `
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp")) return "DIRECT";
  if (shExpMatch(host, "*.rtc.qq.com") && url.substring(0, 4) == "wss:") return "PROXY ws.corp:3128; DIRECT";
  if (shExpMatch(url, "https://*:3478/")) return "PROXY turn.corp:8080";
  return "PROXY proxy.corp:8080; PROXY backup.corp:8080; DIRECT";
}`
	s, err := Compile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ url, host, want string }{
		{"https://intranet.corp/", "intranet.corp", "DIRECT"},
		{"wss://trtc.rtc.qq.com/", "trtc.rtc.qq.com", "PROXY ws.corp:3128; DIRECT"},
		{"https://turn.example.com:3478/", "turn.example.com", "PROXY turn.corp:8080"},
		{"https://schedule.rtc.qq.com/", "schedule.rtc.qq.com", "PROXY proxy.corp:8080; PROXY backup.corp:8080; DIRECT"},
	} {
		got, ex, err := s.FindProxy(context.Background(), tt.url, tt.host, Options{Env: testEnv()})
		if err != nil || ex || got != tt.want {
			t.Errorf("FindProxy(%s) = %q, %v, %v; want %q", tt.url, got, ex, err, tt.want)
		}
	}
}

func TestFindProxyEx(t *testing.T) {
	s, err := Compile(`function FindProxyForURLEx(url, host) { return "PROXY ex.corp:8080"; }`)
	if err != nil {
		t.Fatal(err)
	}
	got, ex, err := s.FindProxy(context.Background(), "https://a.b/", "a.b", Options{Env: testEnv()})
	if err != nil || !ex || got != "PROXY ex.corp:8080" {
		t.Errorf("FindProxyForURLEx only: %q %v %v", got, ex, err)
	}
}

// TestHostile: every failure is an *Error of the right kind with one
// printable line, and no evaluation outlives its bounds by much.
func TestHostile(t *testing.T) {
	for _, tt := range []struct {
		name, script, kind string
	}{
		{"syntax", "function FindProxyForURL(url, host) { return ", KindSyntax},
		{"no function", "var x = 1;", KindNoFunction},
		{"throws", `function FindProxyForURL(u, h) { throw new Error("boom\n\x1b[31mred"); }`, KindThrew},
		{"throws at load", `null.x;`, KindThrew},
		{"undefined helper", `function FindProxyForURL(u, h) { return notAHelper(h); }`, KindThrew},
		{"returns number", `function FindProxyForURL(u, h) { return 42; }`, KindBadResult},
		{"returns null", `function FindProxyForURL(u, h) { return null; }`, KindBadResult},
		{"loops", `function FindProxyForURL(u, h) { for (;;) {} }`, KindTimeout},
		{"loops at load", `while (true) {} function FindProxyForURL(u, h) { return "DIRECT"; }`, KindTimeout},
		{"recursion", `function f(n) { return f(n + 1) + 1; } function FindProxyForURL(u, h) { return f(0); }`, KindThrew},
		{"string doubling", `function FindProxyForURL(u, h) { var s = "x"; for (;;) { s = s + s; } }`, KindMemory},
		{"array growth", `function FindProxyForURL(u, h) { var a = []; for (var i = 0; ; i++) { a.push({i: i, s: "abcdefgh" + i}); } }`, KindMemory},
		{"repeat", `function FindProxyForURL(u, h) { return "x".repeat(1e9); }`, KindThrew},
		{"padEnd", `function FindProxyForURL(u, h) { return "x".padEnd(1e9); }`, KindThrew},
		{"join", `function FindProxyForURL(u, h) { return new Array(1e8).join("xx"); }`, KindThrew},
		{"fill", `function FindProxyForURL(u, h) { return new Array(1e9).fill(1).length + ""; }`, KindThrew},
		{"sparse walk", `function FindProxyForURL(u, h) { var a = []; a.length = 4294967295; return a.indexOf(1) + ""; }`, KindThrew},
		{"typed array", `function FindProxyForURL(u, h) { return new Uint8Array(1e9).length + ""; }`, KindThrew},
		{"dns storm", `function FindProxyForURL(u, h) { for (var i = 0; i < 1e6; i++) dnsResolve("n" + i + ".corp"); return "DIRECT"; }`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Long enough for the memory cases to reach the heap limit
			// first on a loaded machine; the loops show the time limit.
			limit := 3 * time.Second
			if tt.kind == KindTimeout {
				limit = 300 * time.Millisecond
			}
			start := time.Now()
			s, err := Compile(tt.script)
			if err == nil {
				_, _, err = s.FindProxy(context.Background(), "https://a.b/", "a.b", Options{Timeout: limit, Env: testEnv()})
			}
			// A bound, not a speed target: the margin is for a loaded
			// machine; a script that escaped the limit would take forever.
			if took := time.Since(start); took > limit+runawayGrace+2*time.Second {
				t.Errorf("took %s", took)
			}
			if tt.kind == "" {
				return
			}
			if got := KindOf(err); got != tt.kind {
				t.Fatalf("error %v (kind %q), want kind %q", err, got, tt.kind)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 400 {
				t.Errorf("error not one clean line: %q", msg)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	_, err := Compile("//" + strings.Repeat("x", MaxScriptBytes))
	if KindOf(err) != KindTooLarge {
		t.Errorf("oversized script: %v", err)
	}
}

func TestParseResult(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		skipped  int
	}{
		{"PROXY a.corp:8080; PROXY b.corp:3128; DIRECT", "PROXY a.corp:8080|PROXY b.corp:3128|DIRECT", 0},
		{"proxy a.corp", "PROXY a.corp:80", 0},
		{"HTTPS secure.corp", "HTTPS secure.corp:443", 0},
		{"SOCKS5 s.corp:1080; DIRECT", "SOCKS5 s.corp:1080|DIRECT", 0},
		{"", "DIRECT", 0},
		{"  ;; ", "DIRECT", 0},
		{"BOGUS x; PROXY a:1", "PROXY a:1", 1},
		{"PROXY a:99999; PROXY [2001:db8::1]:8080", "PROXY [2001:db8::1]:8080", 1},
		{"PROXY a b", "DIRECT", 1},
		{"PROXY a/b:80", "DIRECT", 1},
	} {
		hops, skipped := ParseResult(tt.in)
		var got []string
		for _, h := range hops {
			got = append(got, h.String())
		}
		if strings.Join(got, "|") != tt.want || len(skipped) != tt.skipped {
			t.Errorf("ParseResult(%q) = %v (skipped %v), want %s (%d skipped)", tt.in, got, skipped, tt.want, tt.skipped)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\r\nc":             "a b c",
		"\x1b[31mred\x1b[0m":    "[31mred [0...",
		"tab\there  ":           "tab here",
		"bidi\u202eevil":        "bidi evil",
		strings.Repeat("x", 20): "xxxxxxxxxx...",
	} {
		if got := OneLine(in, 10); got != want && !(len(in) < 12 && got == OneLine(in, 100)) {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDNSBounds: a lookup that hangs ends at DNSTimeout, well inside the
// evaluation's limit (else the evaluation would fail), and is then cached
// as no answer: once per script, not once per URL.
func TestDNSBounds(t *testing.T) {
	var calls int
	env := testEnv()
	env.DNSTimeout = 100 * time.Millisecond
	env.Lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		calls++
		<-ctx.Done()
		return nil, ctx.Err()
	}
	s, err := Compile(`function FindProxyForURL(u, h) { return isResolvable("slow.corp") ? "PROXY p:1" : "DIRECT"; }`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, _, err := s.FindProxy(context.Background(), "https://a.b/", "a.b", Options{Env: env, Timeout: time.Second})
		if err != nil || got != "DIRECT" {
			t.Fatalf("eval %d: %q %v (the lookup's bound must end it before the evaluation's)", i, got, err)
		}
	}
	if calls != 1 {
		t.Errorf("%d lookups, want 1 (cached after the timeout)", calls)
	}
}
