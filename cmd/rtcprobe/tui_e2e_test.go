package main

import (
	"fmt"
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

	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

// E2E bounds: each run is bounded by its --timeout; these bound the waits on
// the terminal so a broken UI fails the test instead of hanging it.
const (
	e2eScreenWait = 30 * time.Second       // build done, run + verdict drawn
	e2ePoll       = 100 * time.Millisecond // capture-pane interval
	e2eHelperLife = 90 * time.Second       // the STUN helper exits on its own
)

// The reflector ports inside the test's own network namespace (so fixed
// ports cannot collide with anything): e2eSTUNPorts answer STUN,
// e2eSilentPort receives and never answers (a "blocked" port that keeps a
// probe running for its whole wait).
const (
	e2eSTUNPorts  = "3478,8000"
	e2eSilentPort = "8800"
)

// TestE2EHelperSTUN is not a test: it is the STUN responder the e2e tests
// start inside their network namespace (the test binary re-executed).
func TestE2EHelperSTUN(t *testing.T) {
	if os.Getenv("RTCPROBE_E2E_STUN") != "1" {
		t.Skip("helper process for the TUI e2e tests")
	}
	for _, port := range strings.Split(e2eSTUNPorts+","+e2eSilentPort, ",") {
		c, err := net.ListenPacket("udp4", "127.0.0.1:"+port)
		if err != nil {
			t.Fatal(err)
		}
		go answerSTUN(c, port != e2eSilentPort)
	}
	time.Sleep(e2eHelperLife)
}

func answerSTUN(c net.PacketConn, answer bool) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if !answer || req.Decode() != nil {
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

// terminal is the real binary running in a tmux pane (80x24) inside a new
// network namespace holding only lo, so no packet can leave the machine
// (the TRTC names fail to resolve there).
type terminal struct {
	t       *testing.T
	dir     string // the working directory (where `s` saves)
	rc      string // file receiving the exit code
	session string
}

func startTerminal(t *testing.T, flags string) *terminal {
	t.Helper()
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
	term := &terminal{t: t, dir: dir, rc: filepath.Join(dir, "rc"),
		session: fmt.Sprintf("rtcprobe-e2e-%d-%s", os.Getpid(), strings.ReplaceAll(filepath.Base(dir), ".", ""))}
	script := "ip link set lo up || exit 97; RTCPROBE_E2E_STUN=1 " + self + " -test.run='^TestE2EHelperSTUN$' >/dev/null 2>&1 & sleep 0.5; " +
		bin + " --reflector 127.0.0.1 --http-proxy none " + flags + "; echo $? > " + term.rc + "; sleep 60"
	term.tmux("new-session", "-d", "-s", term.session, "-x", "80", "-y", "24", "-c", dir, "unshare", "-n", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", term.session).Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (term *terminal) keys(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", term.session}, keys...)...)
}

func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", term.session) }

// waitFor polls the screen until it shows what, and returns that screen.
func (term *terminal) waitFor(what string) string {
	term.t.Helper()
	deadline := time.Now().Add(e2eScreenWait)
	for {
		s := term.screen()
		if strings.Contains(s, what) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("screen never showed %q; last screen:\n%s", what, s)
		}
		time.Sleep(e2ePoll)
	}
}

// save presses s and returns the saved report, checking the path shown.
func (term *terminal) save() *result.Report {
	term.t.Helper()
	term.keys("s")
	saved := regexp.MustCompile(`saved (\S+\.json)`).FindStringSubmatch(term.waitFor("saved "))
	if saved == nil {
		term.t.Fatalf("no saved path on screen:\n%s", term.screen())
	}
	return checkSavedReport(term.t, filepath.Join(term.dir, saved[1]))
}

// exitCode waits for the binary to exit and returns its status.
func (term *terminal) exitCode() string {
	term.t.Helper()
	deadline := time.Now().Add(e2eScreenWait)
	for {
		if b, err := os.ReadFile(term.rc); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("rtcprobe did not exit; screen:\n%s", term.screen())
		}
		time.Sleep(e2ePoll)
	}
}

// TestTUIEndToEnd: a run against the loopback STUN responder, the verdict,
// a drill-down and back, a save, quit with the verdict's exit code.
func TestTUIEndToEnd(t *testing.T) {
	term := startTerminal(t, "--media-ports "+e2eSTUNPorts+" --timeout 3s")
	verdict := term.waitFor("r run again")
	if !strings.Contains(verdict, "Media paths") || !strings.Contains(verdict, "direct UDP") {
		t.Errorf("verdict screen lacks the path matrix:\n%s", verdict)
	}
	if os.Getenv("RTCPROBE_WRITE_CAPTURE") == "1" { // refresh the README capture on purpose only
		if err := os.WriteFile(filepath.Join("..", "..", "internal", "ui", "README-capture.txt"), []byte(verdict), 0o644); err != nil {
			t.Errorf("capture not written: %v", err)
		}
	}
	term.keys("Down", "Enter")
	term.waitFor("Media path: TURN UDP")
	term.keys("Escape")
	term.waitFor("r run again")
	r := term.save()
	if !r.Complete {
		t.Errorf("saved report of a finished run is marked incomplete")
	}
	if n := countSTUN(r, string(result.StatusOK)); n != 2 {
		t.Errorf("saved report has %d working STUN probes, want 2 (the loopback responder)", n)
	}
	term.keys("q")
	if got, want := term.exitCode(), strconv.Itoa(exitFor(r)); got != want {
		t.Errorf("exit code %s, want %s (the saved verdict %q)", got, want, r.Verdict.Outcome)
	}
}

// TestTUIInterrupt: ctrl-c during a run (a silent port keeps it running)
// shows the partial report marked INCOMPLETE, which can be saved; a second
// ctrl-c quits with the interrupted status.
func TestTUIInterrupt(t *testing.T) {
	term := startTerminal(t, "--media-ports "+e2eSTUNPorts+","+e2eSilentPort+" --timeout 20s")
	// "ctrl-c stop" is in the help line only while the run is going; the
	// silent port keeps it going for seconds (its probe's retransmissions),
	// whichever rows fit on the screen.
	term.waitFor("ctrl-c stop")
	term.keys("C-c")
	term.waitFor("INCOMPLETE")
	if r := term.save(); r.Complete {
		t.Errorf("saved report of an interrupted run is marked complete")
	}
	term.keys("C-c")
	if got, want := term.exitCode(), strconv.Itoa(ExitInterrupted); got != want {
		t.Errorf("exit code %s, want %s", got, want)
	}
}

func countSTUN(r *result.Report, status string) int {
	n := 0
	for _, p := range r.Probes {
		if p.Kind == result.KindSTUN && p.Status == result.Status(status) {
			n++
		}
	}
	return n
}

func checkSavedReport(t *testing.T, path string) *result.Report {
	t.Helper()
	if !regexp.MustCompile(`rtcprobe-.+-\d{8}-\d{6}\.json$`).MatchString(path) {
		t.Errorf("saved file name %q is not rtcprobe-<host>-<YYYYMMDD-HHMMSS>.json", path)
	}
	return schematest.ReadFile(t, path)
}
