package main

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/report"
)

// E2E bounds: the run itself is bounded by --timeout 3s; these bound the
// waits on the terminal so a broken UI fails the test instead of hanging.
const (
	e2eScreenWait = 30 * time.Second       // build done, run + verdict drawn
	e2ePoll       = 200 * time.Millisecond // capture-pane interval
	e2eHelperLife = 90 * time.Second       // the STUN helper exits on its own
)

// e2eSTUNPorts are the reflector ports inside the test's own network
// namespace, so fixed ports cannot collide with anything.
const e2eSTUNPorts = "3478,8000"

// TestE2EHelperSTUN is not a test: it is the STUN responder the e2e test
// starts inside its network namespace (the test binary re-executed).
func TestE2EHelperSTUN(t *testing.T) {
	if os.Getenv("RTCPROBE_E2E_STUN") != "1" {
		t.Skip("helper process for TestTUIEndToEnd")
	}
	for _, port := range strings.Split(e2eSTUNPorts, ",") {
		c, err := net.ListenPacket("udp4", "127.0.0.1:"+port)
		if err != nil {
			t.Fatal(err)
		}
		go answerSTUN(c)
	}
	time.Sleep(e2eHelperLife)
}

func answerSTUN(c net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if req.Decode() != nil {
			continue
		}
		ua := from.(*net.UDPAddr)
		resp, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: ua.IP, Port: ua.Port}, stun.Fingerprint)
		if err == nil {
			c.WriteTo(resp.Raw, from)
		}
	}
}

// TestTUIEndToEnd drives the real binary in a real terminal (tmux): a run
// against a loopback STUN responder, a drill-down, a save. Everything runs
// in a new network namespace holding only lo, so no packet can leave the
// machine (the TRTC names fail to resolve there).
func TestTUIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: builds the binary and drives tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("e2e: tmux is not installed")
	}
	if _, err := exec.LookPath("unshare"); err != nil || os.Geteuid() != 0 {
		t.Skip("e2e: needs root and unshare for a private network namespace (no traffic may leave the machine)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rtcprobe")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "rc")
	script := "ip link set lo up || exit 97; RTCPROBE_E2E_STUN=1 " + self + " -test.run='^TestE2EHelperSTUN$' >/dev/null 2>&1 & sleep 0.5; " +
		bin + " --reflector 127.0.0.1 --media-ports " + e2eSTUNPorts + " --timeout 3s --http-proxy none; echo $? > " + rc + "; sleep 60"
	session := "rtcprobe-e2e-" + strings.ReplaceAll(filepath.Base(dir), ".", "")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", dir, "unshare", "-n", "sh", "-c", script)
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	screen := func() string { return tmux("capture-pane", "-p", "-t", session) }
	waitFor := func(what string) string {
		deadline := time.Now().Add(e2eScreenWait)
		for {
			s := screen()
			if strings.Contains(s, what) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("screen never showed %q; last screen:\n%s", what, s)
			}
			time.Sleep(e2ePoll)
		}
	}
	verdict := waitFor("r run again")
	if !strings.Contains(verdict, "Media paths") || !strings.Contains(verdict, "direct UDP") {
		t.Errorf("verdict screen lacks the path matrix:\n%s", verdict)
	}
	if os.Getenv("RTCPROBE_WRITE_CAPTURE") == "1" { // refresh the README capture on purpose only
		if err := os.WriteFile(filepath.Join("..", "..", "ui", "README-capture.txt"), []byte(verdict), 0o644); err != nil {
			t.Errorf("capture not written: %v", err)
		}
	}
	tmux("send-keys", "-t", session, "Down", "Enter")
	waitFor("Media path: TURN UDP")
	tmux("send-keys", "-t", session, "Escape")
	waitFor("r run again")
	tmux("send-keys", "-t", session, "s")
	saved := regexp.MustCompile(`saved (\S+\.json)`).FindStringSubmatch(waitFor("saved "))
	if saved == nil {
		t.Fatalf("no saved path on screen:\n%s", screen())
	}
	r := checkSavedReport(t, filepath.Join(dir, saved[1]))
	tmux("send-keys", "-t", session, "q")
	deadline := time.Now().Add(e2eScreenWait)
	for {
		if b, err := os.ReadFile(rc); err == nil && len(b) > 0 {
			if got, want := strings.TrimSpace(string(b)), strconv.Itoa(exitFor(r)); got != want {
				t.Errorf("exit code %s, want %s (the saved verdict %q)", got, want, r.Verdict.Outcome)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rtcprobe did not exit after q; screen:\n%s", screen())
		}
		time.Sleep(e2ePoll)
	}
}

func checkSavedReport(t *testing.T, path string) *report.Report {
	t.Helper()
	if !regexp.MustCompile(`rtcprobe-.+-\d{8}-\d{6}\.json$`).MatchString(path) {
		t.Errorf("saved file name %q is not rtcprobe-<host>-<YYYYMMDD-HHMMSS>.json", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("saved report: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("saved report is not JSON: %v", err)
	}
	if r.Schema != report.SchemaID || !r.Complete {
		t.Errorf("saved report: schema %q complete %v, want %q and true", r.Schema, r.Complete, report.SchemaID)
	}
	var stunOK int
	for _, p := range r.Probes {
		if p.Kind == report.KindSTUN && p.Status == report.StatusOK {
			stunOK++
		}
	}
	if stunOK != 2 {
		t.Errorf("saved report has %d working STUN probes, want 2 (the loopback responder)", stunOK)
	}
	return &r
}
