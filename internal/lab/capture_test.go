//go:build linux

package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLabTUICapture refreshes the README's TUI capture from a real run:
// the interactive UI in tmux (80x24) in the laptop namespace behind the
// udp-dropped scenario. It writes internal/ui/README-capture.txt and is a generator,
// run on purpose only: RTCPROBE_WRITE_CAPTURE=1 sudo go test -run
// TestLabTUICapture ./internal/lab/
func TestLabTUICapture(t *testing.T) {
	if os.Getenv("RTCPROBE_WRITE_CAPTURE") != "1" {
		t.Skip("generator for internal/ui/README-capture.txt: set RTCPROBE_WRITE_CAPTURE=1")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	s := scenariosByName(t)["udp-dropped"]
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	if err := l.Apply(s); err != nil {
		t.Fatal(err)
	}
	proxy := filepath.Join(l.Dir, "capture-proxy.json")
	if err := os.WriteFile(proxy, []byte(l.Expand(DefaultProxy)), 0o600); err != nil {
		t.Fatal(err)
	}
	// A tmux server of its own (-L), started inside the namespace, so the
	// pane's command runs there too.
	sock := fmt.Sprintf("rtcprobe-capture-%d", os.Getpid())
	script := fmt.Sprintf("env NO_COLOR=1 SSL_CERT_FILE=%s RTCPROBE_PUBLIC_CA_ORGS=%q %s --reflector %s --proxy %s --http-proxy none; sleep 60",
		l.CAFile, LabCAOrg, bin, ReflectorName, proxy)
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("ip", append([]string{"netns", "exec", l.NS(Laptop), "tmux", "-L", sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := tmux("new-session", "-d", "-s", "capture", "-x", "80", "-y", "24", "sh", "-c", script); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { tmux("kill-server") })
	deadline := time.Now().Add(60 * time.Second)
	for {
		screen, err := tmux("capture-pane", "-p", "-t", "capture")
		if err == nil && strings.Contains(screen, "r run again") {
			if err := os.WriteFile(filepath.Join("..", "ui", "README-capture.txt"), []byte(screen), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("capture written:\n%s", screen)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the verdict screen never appeared; last screen:\n%s", screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
