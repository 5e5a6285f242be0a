package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// coturnTimeout bounds each run of coturn's client tools: they finish in
// well under a second on loopback; a hang means the server did not answer.
const coturnTimeout = 30 * time.Second

func TestServeBadFlags(t *testing.T) {
	t.Setenv("RTCPROBE_TURN_USERS", "")
	for _, args := range [][]string{
		{"serve", "--udp-ports", "8000,x"},
		{"serve", "--listen", "not-an-ip"},
		{"serve", "--metrics", "0.0.0.0:9464"},
		{"serve", "--turn-port", "3478"},
		{"serve", "--turn-port", "3478", "--turn-users", "/nonexistent/users"},
		{"serve", "--turn-port", "3478", "--turn-users", writeFile(t, "u", "alice:pw\n"), "--relay-ports", "9-1"},
		{"serve", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key", "--udp-ports", "", "--tcp-port", "0"},
	} {
		code, _, stderr := run(t, args...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") > 1 || !strings.HasPrefix(stderr, "rtcprobe serve") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line", args, code, stderr, ExitUsage)
		}
	}
}

// syncBuffer collects a child's stderr while the test reads it.
type syncBuffer struct {
	mu sync.Mutex // protects b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freePorts(t *testing.T, network string, n int) []int {
	t.Helper()
	var out []int
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for range n {
		if network == "udp" {
			c, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, c)
			out = append(out, c.LocalAddr().(*net.UDPAddr).Port)
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out
}

// TestServeWithCoturnClients runs the real binary on loopback (ports above
// 1024, no root) and checks it with coturn's independent clients: a STUN
// answer on every UDP port, and a TURN allocation that relays.
func TestServeWithCoturnClients(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: builds the binary")
	}
	for _, tool := range []string{"turnutils_stunclient", "turnutils_uclient"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("coturn's %s is not installed (Debian package coturn)", tool)
		}
	}
	bin := filepath.Join(t.TempDir(), "rtcprobe")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	udp := freePorts(t, "udp", 4)
	tcp := freePorts(t, "tcp", 3) // TLS/STUN, TURN, metrics
	const password = "pw-never-logged"
	users := writeFile(t, "users", "alice:"+password+"\n")
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1",
		"--udp-ports", fmt.Sprintf("%d,%d,%d", udp[0], udp[1], udp[2]), "--tcp-port", fmt.Sprint(tcp[0]),
		"--turn-port", fmt.Sprint(udp[3]), "--turn-users", users, "--relay-ports", "42000-42999",
		"--allow-private-peers", "--metrics", fmt.Sprintf("127.0.0.1:%d", tcp[2]), "--log-json")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	waitLog(t, &stderr, "reflector ready")

	for _, p := range udp[:3] {
		out := coturn(t, "turnutils_stunclient", "-p", fmt.Sprint(p), "127.0.0.1")
		if !regexp.MustCompile(`UDP reflexive addr: 127\.0\.0\.1:\d+`).MatchString(out) {
			t.Errorf("port %d: turnutils_stunclient got no reflexive address:\n%s", p, out)
		}
	}
	out := coturn(t, "turnutils_uclient", "-u", "alice", "-w", password, "-p", fmt.Sprint(udp[3]), "-y", "-n", "10", "-m", "1", "127.0.0.1")
	totals := regexp.MustCompile(`start_mclient: tot_send_bytes ~ (\d+), tot_recv_bytes ~ (\d+)`).FindStringSubmatch(out)
	if !strings.Contains(out, "Total lost packets 0 (") || totals == nil || totals[1] != totals[2] || totals[2] == "0" {
		t.Errorf("turnutils_uclient did not relay everything:\n%s", out)
	}
	metrics := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", tcp[2]))
	if !strings.Contains(metrics, "rtcprobe_stun_answered_total ") || strings.Contains(metrics, "rtcprobe_stun_answered_total 0\n") {
		t.Errorf("metrics do not count the answers:\n%s", metrics)
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(coturnTimeout):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if strings.Contains(stderr.String(), password) {
		t.Error("the TURN password reached the log")
	}
}

func waitLog(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(coturnTimeout)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", want, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func coturn(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), coturnTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: coturnTimeout}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
