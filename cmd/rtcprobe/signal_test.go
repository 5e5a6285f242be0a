package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

// Bounds of the interruption test. None is a speed assertion: they only
// keep a broken build from hanging the test.
const (
	// signalAfter lets check start its probes before the signal; the STUN
	// probe to the silent socket then waits for answers for the whole
	// --timeout (30 s), so the signal always lands mid-run.
	signalAfter = time.Second
	// exitWithin bounds the wait for the interrupted process.
	exitWithin = 15 * time.Second
)

const helperEnv = "RTCPROBE_SIGNAL_HELPER"

// TestInterruptWritesPartialReport builds rtcprobe, runs `check --json F`
// against a loopback reflector that swallows every datagram, interrupts it
// with SIGINT (and SIGTERM), and checks the exit status (130) and the partial
// report. The run happens inside a fresh network namespace (unshare -n) with
// only lo up, so the TRTC names cannot resolve to anything outside.
func TestInterruptWritesPartialReport(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux for unshare -n (keeps the run's traffic inside a private namespace)")
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rtcprobe")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []string{"INT", "TERM"} {
		t.Run("SIG"+sig, func(t *testing.T) {
			jsonPath := filepath.Join(dir, sig+".json")
			codePath := filepath.Join(dir, sig+".code")
			cmd := exec.Command("unshare", "-n", os.Args[0], "-test.run=^TestSignalHelper$", "-test.v")
			cmd.Env = append(os.Environ(), helperEnv+"=1", "HELPER_BIN="+bin, "HELPER_JSON="+jsonPath,
				"HELPER_CODE="+codePath, "HELPER_SIG="+sig)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper in the namespace failed: %v\n%s", err, out)
			}
			code, _ := os.ReadFile(codePath)
			if got := strings.TrimSpace(string(code)); got != strconv.Itoa(ExitInterrupted) {
				t.Errorf("exit status %q, want %d (if the report below is complete, check ended before the signal: "+
					"a probe returned at once instead of waiting for the silent reflector)\n%s", got, ExitInterrupted, out)
			}
			checkPartialReport(t, jsonPath)
		})
	}
}

func checkPartialReport(t *testing.T, path string) {
	t.Helper()
	r := schematest.ReadFile(t, path)
	if r.Schema != result.SchemaID || r.Complete {
		t.Errorf("schema %q complete %v, want %q and false", r.Schema, r.Complete, result.SchemaID)
	}
	interrupted := 0
	for _, p := range r.Probes {
		if p.Status == result.StatusRunning {
			t.Errorf("probe %s still running in a finished report", p.ID)
		}
		if p.Reason == "interrupted" {
			interrupted++
		}
	}
	if interrupted == 0 {
		var got []string
		for _, p := range r.Probes {
			got = append(got, p.ID.String()+"="+string(p.Status)+"/"+string(p.Reason))
		}
		t.Errorf("no probe marked interrupted; probes: %s", strings.Join(got, " "))
	}
}

// TestSignalHelper runs inside the namespace (only when started by
// TestInterruptWritesPartialReport): lo up, a UDP socket that never answers,
// rtcprobe check against it, then the signal. It writes check's exit status
// to HELPER_CODE.
func TestSignalHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper for TestInterruptWritesPartialReport")
	}
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v\n%s", err, out)
	}
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	port := strconv.Itoa(silent.LocalAddr().(*net.UDPAddr).Port)
	cmd := exec.Command(os.Getenv("HELPER_BIN"), "check", "--json", os.Getenv("HELPER_JSON"),
		"--reflector", "127.0.0.1", "--media-ports", port, "--timeout", "30s", "--http-proxy", "none")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(signalAfter)
	sig := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM}[os.Getenv("HELPER_SIG")]
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal: %v (check already exited?)", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(exitWithin):
		cmd.Process.Kill()
		<-done
		t.Fatalf("check did not exit within %s of %s", exitWithin, sig)
	}
	code := fmt.Sprint(cmd.ProcessState.ExitCode())
	if err := os.WriteFile(os.Getenv("HELPER_CODE"), []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
}
