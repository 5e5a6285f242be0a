//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wine"
	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

// TestWindowsBinaryUnderWine runs the Windows build under Wine (.ci/wine
// sets the prefix up): version, then a check against a loopback reflector
// (this package's Linux build) with the JSON report written to a Z:\ path.
// Both media ports must answer: the Windows binary's UDP path works.
func TestWindowsBinaryUnderWine(t *testing.T) {
	prefix, err := wine.Prefix()
	if err != nil {
		t.Skip("Wine: " + err.Error())
	}
	dir := t.TempDir()
	exe, bin := filepath.Join(dir, "rtcprobe.exe"), filepath.Join(dir, "rtcprobe")
	for _, b := range []struct{ out, goos, env string }{{exe, "windows", wine.ExeEnv}, {bin, "linux", wine.BinEnv}} {
		if p := os.Getenv(b.env); p != "" {
			if b.goos == "windows" {
				exe = p
			} else {
				bin = p
			}
			continue
		}
		cmd := exec.Command("go", "build", "-o", b.out, ".")
		cmd.Env = append(cmd.Environ(), "GOOS="+b.goos, "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", b.goos, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	out, err := wine.Command(ctx, prefix, exe, "version").Output()
	if err != nil || !strings.Contains(string(out), "rtcprobe") {
		t.Fatalf("rtcprobe.exe version: %v: %q", err, out)
	}

	udp := freePorts(t, "udp", 2)
	ports := fmt.Sprintf("%d,%d", udp[0], udp[1])
	serve := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1", "--udp-ports", ports, "--tcp-port", "0")
	var log syncBuffer
	serve.Stderr = &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = serve.Process.Kill(); _ = serve.Wait() }()
	waitLog(t, &log, "reflector ready")

	path := filepath.Join(dir, "report.json")
	check := wine.Command(ctx, prefix, exe, "check", "--reflector", "127.0.0.1", "--media-ports", ports,
		"--http-proxy", "none", "--timeout", "8s", "--json", wine.WindowsPath(path))
	out, err = check.CombinedOutput()
	code := check.ProcessState.ExitCode()
	if code != 0 && code != 1 && code != 3 { // verdicts; no TRTC host is reachable from CI
		t.Fatalf("rtcprobe.exe check: exit %d (%v)\n%s", code, err, out)
	}
	r := schematest.ReadFile(t, path)
	got := map[string]string{}
	for _, p := range r.Probes {
		got[string(p.ID)] = string(p.Status)
	}
	for _, p := range udp {
		if id := fmt.Sprintf("stun/%d", p); result.Status(got[id]) != result.StatusOK {
			t.Errorf("%s = %q under Wine, want ok (the reflector answers it)", id, got[id])
		}
	}
}
