//go:build linux

package lab

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
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
// scenario is not misread from one lost datagram: turnutils_stunclient
// sends one request, so under 25 % loss each way an attempt fails 44 %
// of the time; three attempts still failed one run in six, six fail
// about one in 140.
const oracleTries = 6

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
	// untested: authOracle checks it; proxy-auth-broken: curl is laxer
	// about NTLM than Chromium, which TestLabChromiumProxyAuth asks.
	if want := s.Expect.Signaling; want != "" && s.PAC != "" {
		// PAC routes: Chromium is the oracle (pacoracle_test.go).
		wg.Go(func() {
			for _, e := range l.pacOracle(s) {
				add("%s", e)
			}
		})
	} else if want != "" && want != "untested" && !slices.Contains(s.Expect.Findings, "proxy-auth-broken") {
		wg.Go(func() {
			works := l.tryOracle(want != "blocked", func() bool { return l.curlUpgrade(s) && l.curlScheduleProxy(s) })
			if works != (want != "blocked") {
				add("oracle: curl's WebSocket upgrade to %s (and GET of the scheduleProxy, if any) worked=%v, but the scenario expects signaling %q", l.signalingURL(s), works, want)
			}
		})
	}
	// turnutils_stunclient cannot pick its source port: a scenario whose
	// firewall filters on the browser's port range is left to Chromium's
	// ground truth (chromium_test.go).
	if want := s.Expect.Paths["direct-udp"]; (want == "ok" || want == "blocked") && !s.PortRangePolicy() {
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
	wg.Go(func() {
		for _, e := range l.authOracle(s) {
			add("%s", e)
		}
	})
	if *oracleTURN {
		wg.Go(func() {
			for _, e := range l.turnOracle(s) {
				add("%s", e)
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

// curlScheduleProxy reports whether the scenario's scheduleProxy (if it
// has one) answers a GET with 2xx: the SDK's first request of a join.
func (l *Lab) curlScheduleProxy(s Scenario) bool {
	var px struct {
		ScheduleProxy string `json:"scheduleProxy"`
	}
	json.Unmarshal([]byte(l.Expand(string(s.Proxy))), &px)
	if px.ScheduleProxy == "" {
		return true
	}
	out, _ := l.Exec(Laptop, "curl", "-sS", "-o", "/dev/null", "-w", "code=%{http_code};", "--max-time", oracleWait,
		"--cacert", l.CAFile, px.ScheduleProxy)
	return strings.Contains(out, "code=2")
}

// curlUpgrade reports whether a WebSocket upgrade gets 101.
func (l *Lab) curlUpgrade(s Scenario) bool {
	return strings.Contains(l.curlUpgradeOut(s), "code=101;")
}

// curlUpgradeOut runs curl's WebSocket upgrade (logging in to the proxy
// with the scenario's identity) and returns its status line
// "code=NNN;connect=NNN;".
func (l *Lab) curlUpgradeOut(s Scenario) string {
	u := strings.Replace(l.signalingURL(s), "wss://", "https://", 1)
	args := []string{"env"}
	for k, v := range s.Env {
		args = append(args, k+"="+l.Expand(v))
	}
	if px := s.PolicyProxy(); px != "" && s.Env["HTTPS_PROXY"] == "" {
		// The browser's proxy comes from its managed policy.
		args = append(args, "HTTPS_PROXY=http://"+px)
	}
	cafile := l.CAFile
	for _, name := range s.ExtraCA {
		if name == "mitmproxy" {
			cafile = l.MitmCAFile()
		}
	}
	args = append(args, "curl", "-sS", "-o", "/dev/null", "-w", "code=%{http_code};connect=%{http_connect};", "--max-time", oracleWait, "--cacert", cafile)
	args = append(args, l.curlProxyAuthArgs(s.Env)...)
	args = append(args,
		"-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
		"-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", closeHeader+": 1", u)
	out, _ := l.Exec(Laptop, args...)
	return strings.TrimSpace(out)
}

// oracleTURN adds coturn's own client to the oracle. It costs about 5 s
// per scenario, so it runs only when asked: go test ./internal/lab/ -run TestLab -oracle-turn.
var oracleTURN = flag.Bool("oracle-turn", false, "also check the scenarios' TURN paths with turnutils_uclient")

// uclientWait bounds one turnutils_uclient run: it needs about 5 s when the
// relay works (its own pacing), so 12 s without success is a failure.
const uclientWait = "12"

// turnOracle checks every TURN path the scenario expects to be plainly ok
// or plainly not ok with turnutils_uclient (two allocations relaying to
// each other). Scenarios behind an HTTP proxy are left out (uclient cannot
// use one), and so are lossy ones: uclient gives up after one lost
// Allocate, where a browser retransmits.
func (l *Lab) turnOracle(s Scenario) []string {
	if len(s.Env) > 0 || strings.Contains(strings.Join(s.Firewall.Rules, " "), "numgen") {
		return nil
	}
	proxy := string(s.Proxy)
	if proxy == "" {
		proxy = DefaultProxy
	}
	var px struct {
		TURN json.RawMessage `json:"turnServer"`
	}
	json.Unmarshal([]byte(l.Expand(proxy)), &px)
	type server struct{ URL, Username, Credential string }
	var servers []server
	if json.Unmarshal(px.TURN, &servers) != nil {
		var one server
		if json.Unmarshal(px.TURN, &one) == nil {
			servers = []server{one}
		}
	}
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	for _, srv := range servers {
		host, port, secure := splitTURN(srv.URL)
		transports := []string{"udp", "tcp"}
		if secure {
			transports = []string{"tls"}
		}
		for _, tr := range transports {
			want := s.Expect.Paths["turn-"+tr]
			if want != "ok" && strings.Contains(want, "ok") || want == "untested" {
				continue
			}
			wg.Go(func() {
				args := []string{"timeout", uclientWait, "turnutils_uclient", "-y", "-n", "2", "-m", "1", "-l", "100",
					"-u", srv.Username, "-w", srv.Credential, "-p", port}
				switch tr {
				case "tcp":
					args = append(args, "-t")
				case "tls":
					args = append(args, "-t", "-S")
				}
				addr := labNames[host]
				if host == TURNInName {
					addr = FirewallLAN
				}
				out, err := l.Exec(Laptop, append(args, addr)...)
				works := err == nil && relayed(out)
				if works != (want == "ok") {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("oracle: turnutils_uclient over %s to %s:%s worked=%v, but the scenario expects turn-%s %q", tr, host, port, works, tr, want))
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return errs
}

// splitTURN parses the lab's TURN URLs: [turn:|turns:]host[:port].
func splitTURN(u string) (host, port string, secure bool) {
	secure = strings.HasPrefix(u, "turns:")
	u = strings.TrimPrefix(strings.TrimPrefix(u, "turns:"), "turn:")
	host, port, found := strings.Cut(u, ":")
	if !found {
		port = "3478"
		if secure {
			port = "5349"
		}
	}
	return host, port, secure
}

// relayed reports whether uclient got any of its messages back through the
// relay ("Total lost packets 8 (100.000000%)" means none): a lossy path
// still relays.
func relayed(out string) bool {
	_, rest, ok := strings.Cut(out, "Total lost packets ")
	line, _, _ := strings.Cut(rest, "\n")
	return ok && !strings.Contains(line, "(100.")
}
