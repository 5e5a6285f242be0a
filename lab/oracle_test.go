//go:build linux

package lab

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// The oracle checks that a scenario is built as its file says, with
// standard clients instead of rtcprobe: curl for the WebSocket signalling
// upgrade (honouring HTTPS_PROXY like a browser) and coturn's
// turnutils_stunclient for direct UDP. A disagreement means the lab is
// wrong, not rtcprobe. (TURN is left to the WebRTC ground-truth peer:
// turnutils_uclient needs 5 s per transport.)

// oracleWait bounds each standard client: everything in the lab answers in
// milliseconds, so 2 s without an answer is a blocked path.
const oracleWait = "2"

// oracleTries are the attempts for a path expected to work, so a lossy
// scenario is not misread from one lost datagram.
const oracleTries = 3

// oracle returns the disagreements between the scenario's expected
// signalling and direct-UDP verdicts and what standard clients see.
func (l *Lab) oracle(s Scenario) []string {
	var mu sync.Mutex
	var errs []string
	add := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	if want := s.Expect.Signaling; want != "" {
		wg.Go(func() {
			works := l.tryOracle(want != "blocked", func() bool { return l.curlUpgrade(s) })
			if works != (want != "blocked") {
				add("oracle: curl's WebSocket upgrade to %s worked=%v, but the scenario expects signaling %q", l.signalingURL(s), works, want)
			}
		})
	}
	if want := s.Expect.Paths["direct-udp"]; want == "ok" || want == "blocked" {
		wg.Go(func() {
			works := l.tryOracle(want == "ok", func() bool {
				out, _ := l.Exec(Laptop, "timeout", oracleWait, "turnutils_stunclient", "-p", "16285", ReflAddr)
				return strings.Contains(out, "UDP reflexive addr")
			})
			if works != (want == "ok") {
				add("oracle: turnutils_stunclient to the reflector worked=%v, but the scenario expects direct-udp %q", works, want)
			}
		})
	}
	wg.Wait()
	return errs
}

// tryOracle runs check once, or up to oracleTries times when it is
// expected to work.
func (l *Lab) tryOracle(expectWorks bool, check func() bool) bool {
	n := 1
	if expectWorks {
		n = oracleTries
	}
	for range n {
		if check() {
			return true
		}
	}
	return false
}

// signalingURL is the WebSocket the SDK opens: websocketProxy, or the
// mainland signalling host.
func (l *Lab) signalingURL(s Scenario) string {
	var px struct {
		WebsocketProxy string `json:"websocketProxy"`
	}
	json.Unmarshal([]byte(l.Expand(string(s.Proxy))), &px)
	if px.WebsocketProxy != "" {
		return px.WebsocketProxy
	}
	return "https://trtc.rtc.qq.com/"
}

// curlUpgrade reports whether a WebSocket upgrade gets 101.
func (l *Lab) curlUpgrade(s Scenario) bool {
	u := strings.Replace(l.signalingURL(s), "wss://", "https://", 1)
	args := []string{"env"}
	for k, v := range s.Env {
		args = append(args, k+"="+l.Expand(v))
	}
	cafile := l.CAFile
	for _, name := range s.ExtraCA {
		if name == "mitmproxy" {
			cafile = l.MitmCAFile()
		}
	}
	args = append(args, "curl", "-sS", "-o", "/dev/null", "-w", "code=%{http_code};", "--max-time", oracleWait, "--cacert", cafile,
		"-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
		"-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", closeHeader+": 1", u)
	out, _ := l.Exec(Laptop, args...)
	return strings.Contains(out, "code=101;")
}
