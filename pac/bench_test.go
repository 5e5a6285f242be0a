package pac

import (
	"context"
	"testing"
	"time"
)

// BenchmarkHostile measures what a hostile script costs: the time to stop
// it and the peak Go heap growth seen while it ran (peak-MiB), with the
// default limits. README "PAC" quotes the numbers.
func BenchmarkHostile(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"loop", `function FindProxyForURL(u, h) { for (;;) {} }`},
		{"string-doubling", `function FindProxyForURL(u, h) { var s = "x"; for (;;) s = s + s; }`},
		{"array-growth", `function FindProxyForURL(u, h) { var a = []; for (var i = 0; ; i++) a.push({i: i, s: "abcdefgh" + i}); }`},
		{"split", `function FindProxyForURL(u, h) { var s = "ab".repeat(2000000); for (;;) s.split(""); }`},
		{"normal", `function FindProxyForURL(u, h) { if (shExpMatch(h, "*.qq.com")) return "PROXY p:1; DIRECT"; return "DIRECT"; }`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Compile(bc.src)
			if err != nil {
				b.Fatal(err)
			}
			var peak uint64
			for b.Loop() {
				base := heapBytes()
				stop := make(chan struct{})
				done := make(chan uint64)
				go func() {
					var p uint64
					t := time.NewTicker(time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							done <- p
							return
						case <-t.C:
							if h := heapBytes(); h > base {
								p = max(p, h-base)
							}
						}
					}
				}()
				s.FindProxy(context.Background(), "https://a.qq.com/", "a.qq.com", Options{Env: testEnv()})
				close(stop)
				peak = max(peak, <-done)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
		})
	}
}
