//go:build linux

package lab

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report"
)

// The browser's truth for login-demanding proxies: headless Chromium in
// the laptop namespace fetches the schedule host through each proxy with
// the scenario's Kerberos state and no typed login (headless Chromium has
// no one to prompt). Where it gets through, rtcprobe must say signalling
// works via the proxy; where it does not, rtcprobe must say untested,
// never blocked. No --auth-server-allowlist is given: Chromium uses the
// ticket cache for a proxy without one (AllowsDefaultCredentials).

// chromiumWait bounds one headless Chromium run.
const chromiumWait = 40 * time.Second

// chromiumTruth are the scenarios compared with Chromium. The ones with a
// typed login (Basic, NTLM) are left out: Chromium takes no proxy login
// from its command line.
var chromiumTruth = []string{"proxy-auth-negotiate", "proxy-auth-negotiate-no-ticket", "proxy-auth-basic-no-login", "proxy-auth-ntlm-no-login"}

func TestLabChromiumProxyAuth(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed")
	}
	if !HasKDC() {
		t.Skip("krb5-kdc is not installed")
	}
	all, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	for _, s := range all {
		if !contains(chromiumTruth, s.Name) {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			if err := l.Apply(s); err != nil {
				t.Fatal(err)
			}
			got := l.chromiumFetch(t, chromium, s, "https://schedule.cloud-rtc.com/")
			r, _ := l.check(t, bin, s, "")
			t.Logf("chromium got through: %v; rtcprobe: signaling %s", got, r.Verdict.Signaling)
			switch {
			case got && r.Verdict.Signaling != report.SignalingViaProxy:
				t.Errorf("Chromium got through the proxy, rtcprobe says signaling %s", r.Verdict.Signaling)
			case !got && r.Verdict.Signaling != report.SignalingUntested:
				t.Errorf("Chromium could not log in, rtcprobe says signaling %s (want untested)", r.Verdict.Signaling)
			}
			if want := s.Expect.Signaling == report.SignalingViaProxy; got != want {
				t.Errorf("Chromium got through = %v, the scenario says signaling %s", got, s.Expect.Signaling)
			}
		})
	}
}

// chromiumFetch loads url in headless Chromium through the scenario's
// proxy and reports whether the lab's web server answered.
func (l *Lab) chromiumFetch(t *testing.T, chromium string, s Scenario, url string) bool {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), chromiumWait)
	defer cancel()
	args := []string{"netns", "exec", l.NS(Laptop), "env", "HOME=" + dir}
	for k, v := range s.Env {
		if strings.HasPrefix(k, "KRB5") {
			args = append(args, k+"="+l.Expand(v))
		}
	}
	args = append(args, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--proxy-server="+l.Expand(s.Env["HTTPS_PROXY"]),
		"--ignore-certificate-errors", "--dump-dom", url)
	out, err := exec.CommandContext(ctx, "ip", args...).Output()
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish in %v", chromiumWait)
	}
	if err != nil {
		t.Logf("chromium: %v", err)
	}
	return strings.Contains(string(out), `"lab":"rtcprobe"`)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
