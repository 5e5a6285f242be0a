//go:build linux

package lab

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
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

// chromiumTruth are the scenarios compared with Chromium. Those with a
// typed login (Basic, NTLM) type it through Playwright (internal/lab/chromium,
// playwright-core driving the same Chromium, answering its login prompt as
// a user would): Chromium takes no proxy login on its command line.
var chromiumTruth = []string{"proxy-auth-negotiate", "proxy-auth-negotiate-no-ticket", "proxy-auth-basic-no-login",
	"proxy-auth-ntlm-no-login", "proxy-auth-basic", "proxy-auth-ntlm"}

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
			var got bool
			if s.Env["RTCPROBE_PROXY_USERNAME"] != "" {
				got = l.playwrightFetch(t, chromium, s, "https://schedule.cloud-rtc.com/")
			} else {
				got = l.chromiumFetch(t, chromium, s, "https://schedule.cloud-rtc.com/")
			}
			r, _ := l.check(t, bin, s, "")
			t.Logf("chromium got through: %v; rtcprobe: signaling %s", got, r.Verdict.Signaling)
			typed := s.Env["RTCPROBE_PROXY_USERNAME"] != ""
			switch {
			case got && r.Verdict.Signaling != result.SignalingViaProxy:
				t.Errorf("Chromium got through the proxy, rtcprobe says signaling %s", r.Verdict.Signaling)
			case !got && !typed && r.Verdict.Signaling != result.SignalingUntested:
				// No login to give: the browser would ask; untested, never blocked.
				t.Errorf("Chromium had no login, rtcprobe says signaling %s (want untested)", r.Verdict.Signaling)
			case !got && typed && r.Verdict.Signaling != result.SignalingBlocked:
				// With the login typed the browser still failed.
				t.Errorf("Chromium failed with the login, rtcprobe says signaling %s (want blocked)", r.Verdict.Signaling)
			}
			if want := s.Expect.Signaling == string(result.SignalingViaProxy); got != want {
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

// playwrightFetch is chromiumFetch with the scenario's typed login given
// to Chromium's proxy login prompt by Playwright. It skips the test when
// node or playwright-core (npm ci in internal/lab/chromium) is missing.
func (l *Lab) playwrightFetch(t *testing.T, chromium string, s Scenario, url string) bool {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("chromium", "fetch.js"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: no Playwright for the typed login")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "playwright-core")); err != nil {
		t.Skip("playwright-core is not installed (cd internal/lab/chromium && npm ci)")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.NS(Laptop), node, script, url)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "CHROMIUM=" + chromium,
		"PROXY_SERVER=" + l.Expand(s.Env["HTTPS_PROXY"]),
		"PROXY_USER=" + l.Expand(s.Env["RTCPROBE_PROXY_USERNAME"]), "PROXY_PASSWORD=" + l.Expand(s.Env["RTCPROBE_PROXY_PASSWORD"])}
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("playwright did not finish in %v", chromiumWait)
	}
	var res struct {
		OK     bool   `json:"ok"`
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("playwright: %v, %v: %q", err, jerr, out)
	}
	if res.Error != "" {
		t.Logf("playwright: %s", res.Error)
	}
	return res.OK
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
