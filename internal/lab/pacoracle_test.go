//go:build linux

package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The PAC scenarios' oracle is the browser itself: headless Chromium
// (Debian's /usr/bin/chromium, never a downloaded one) in the laptop
// namespace, given the scenario's proxy settings as Chromium flags
// (--proxy-pac-url for auto_proxy=URL or --pac, --proxy-auto-detect for
// an empty auto_proxy), loads https://trtc.rtc.qq.com/, the signalling
// host. Whether the page loaded says whether signalling can work; squid's
// access log says whether the browser went through squid. Curl, the
// other scenarios' oracle, cannot run a PAC.

// pacChromiumWait bounds one Chromium run (its own --timeout stops the load
// earlier; a dropped SYN would otherwise wait for Chromium's minute-long
// connect timeout).
const pacChromiumWait = "25"

// chromiumArgs are the proxy flags of a scenario, or nil when it sets no
// PAC.
func (l *Lab) chromiumArgs(s Scenario) []string {
	if v, ok := s.Env["auto_proxy"]; ok {
		if v == "" {
			return []string{"--proxy-auto-detect"}
		}
		return []string{"--proxy-pac-url=" + l.Expand(v)}
	}
	for i, a := range s.Args {
		if a == "--pac" && i+1 < len(s.Args) {
			return []string{"--proxy-pac-url=" + l.Expand(s.Args[i+1])}
		}
	}
	return nil
}

// pacOracle runs Chromium and compares with the scenario's signalling:
// loaded unless "blocked", through squid exactly when "via-proxy".
func (l *Lab) pacOracle(s Scenario) []string {
	flags := l.chromiumArgs(s)
	if flags == nil {
		return []string{"oracle: a PAC scenario must set auto_proxy or --pac"}
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		l.t.Logf("oracle: chromium is not installed; %s is checked against its description only", s.Name)
		return nil
	}
	logPath := filepath.Join(l.Dir, "squid", "squid-access.log")
	before := connectCount(logPath)
	profile, err := os.MkdirTemp(l.Dir, "chromium-")
	if err != nil {
		return []string{"oracle: " + err.Error()}
	}
	defer os.RemoveAll(profile)
	args := append([]string{"timeout", pacChromiumWait, "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--user-data-dir=" + profile, "--ignore-certificate-errors", "--timeout=15000",
		"--dump-dom"}, flags...)
	args = append(args, "https://trtc.rtc.qq.com/")
	out, _ := l.Exec(Laptop, args...)
	loaded := strings.Contains(out, `"lab":"rtcprobe"`)
	viaSquid := connectCount(logPath) > before
	want := s.Expect.Signaling
	var errs []string
	if loaded != (want != "blocked") {
		errs = append(errs, "oracle: Chromium with "+strings.Join(flags, " ")+" loaded the signalling host="+yesNo(loaded)+", but the scenario expects signaling "+want)
	}
	if loaded && viaSquid != (want == "via-proxy") {
		errs = append(errs, "oracle: Chromium went through squid="+yesNo(viaSquid)+", but the scenario expects signaling "+want)
	}
	l.t.Logf("oracle: Chromium %s: loaded=%v via squid=%v", strings.Join(flags, " "), loaded, viaSquid)
	return errs
}

// connectCount counts squid's successful CONNECTs to the signalling host.
func connectCount(logPath string) int {
	b, _ := os.ReadFile(logPath)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "CONNECT trtc.rtc.qq.com:443") && strings.Contains(line, "/200 ") {
			n++
		}
	}
	return n
}
