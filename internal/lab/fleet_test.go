//go:build linux

package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// fleetSize is how many laptops check at once in TestFleetBehindOneNAT:
// the rollout (30 laptops behind one corporate NAT).
const fleetSize = 30

// fleetSpread is the time over which the fleet's checks start: all within
// one second (an MDM push), so every check overlaps every other for most
// of its run. Starting them in the same millisecond would also overflow
// the lab's corporate resolver (dnsmasq's socket buffer drops about 200 of
// the 1300 queries that arrive within 100 ms), which is not the
// reflector's doing.
const fleetSpread = time.Second

// TestFleetBehindOneNAT: 30 checks start at once in the laptop namespace,
// all behind the firewall's NAT (one source address for the cloud), against
// one rtcprobe serve with its default flags, on an open network. Every
// report must find direct UDP open: the reflector's limits must not turn
// into firewall verdicts (before its defaults were sized from what a check
// sends, 11 to 15 of 30 said partial or blocked).
func TestFleetBehindOneNAT(t *testing.T) {
	open := scenariosByName(t)["open"]
	if open.Name == "" {
		t.Fatal("no open scenario")
	}
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	serve := l.startServe(t, bin)
	if serve == "" {
		t.Skip("rtcprobe serve is not in this build")
	}
	// 30 checks at once send the corporate resolver some 1500 queries
	// within 100 ms. dnsmasq keeps at most 150 forwarded queries in flight
	// by default and drops the rest, which a company's resolver would not:
	// give it room, so the test is about the reflector.
	if err := l.SetCorporateDNS(append(open.DNS, "dns-forward-max=5000")); err != nil {
		t.Fatalf("corporate DNS: %v", err)
	}
	// And the reflector by address: on a shared 2-core machine 30 checks
	// starting at once can still starve the resolver past a check's DNS
	// timeout, and a reflector name that did not resolve would test that.
	serve = ServeAddr
	if err := l.Apply(open); err != nil {
		t.Fatalf("apply scenario: %v", err)
	}
	reports := make([]*result.Report, fleetSize)
	errs := make([]error, fleetSize)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range fleetSize {
		dir := t.TempDir()
		wg.Go(func() {
			time.Sleep(time.Duration(i) * fleetSpread / fleetSize)
			reports[i], errs[i] = l.fleetCheck(dir, bin, open, serve)
		})
	}
	wg.Wait()
	t.Logf("%d checks at once through one NAT: all done in %v", fleetSize, time.Since(start).Round(100*time.Millisecond))
	for _, role := range []string{Firewall, Cloud} {
		out, _ := l.Exec(role, "cat", "/proc/net/snmp")
		t.Logf("UDP counters in %s (RcvbufErrors: datagrams a full socket buffer dropped):\n%s", role, udpCounters(out))
	}
	wrong, slow := 0, 0
	for i, r := range reports {
		if errs[i] != nil {
			t.Errorf("check %d: %v", i, errs[i])
			wrong++
			continue
		}
		if msg := fleetWrong(r); msg != "" {
			t.Errorf("check %d: %s\n%s", i, msg, compact(r))
			wrong++
		}
		if r.Verdict.Outcome != result.OutcomeWorks {
			slow++
			t.Logf("check %d: outcome %s (%s): a timeout outside direct UDP on a loaded machine", i, r.Verdict.Outcome, r.Verdict.Summary)
		}
	}
	t.Logf("%d of %d reports wrong about direct UDP; %d of %d with another timeout", wrong, fleetSize, slow, fleetSize)
}

// fleetWrong says what is wrong with one fleet report on the open network,
// or "". Only direct UDP and the media verdict are judged: 30 checks on a
// shared 2-core machine can slow a DNS answer or a TLS handshake past its
// timeout (logged), which is not what this test is about.
func fleetWrong(r *result.Report) string {
	if p := r.Paths.DirectUDP; p.Status != result.PathOK {
		return fmt.Sprintf("paths.direct-udp = %s (%s), want ok", p.Status, p.Detail)
	}
	if r.Verdict.Media != result.PathDirectUDP {
		return fmt.Sprintf("verdict media %s, want direct-udp", r.Verdict.Media)
	}
	for _, p := range r.Probes {
		if (strings.HasPrefix(string(p.ID), "stun/") || strings.HasPrefix(string(p.ID), "echo/")) && p.Status != result.StatusOK {
			return fmt.Sprintf("probe %s = %s/%s (%s), want ok", p.ID, p.Status, p.Reason, p.Error)
		}
	}
	return ""
}

// fleetCheck is Lab.check for many runs at once: it returns an error
// instead of failing the test, so it can run off the test's goroutine.
func (l *Lab) fleetCheck(dir, bin string, s Scenario, reflector string) (*result.Report, error) {
	jsonPath := filepath.Join(dir, "report.json")
	pf := filepath.Join(dir, "proxy.json")
	if err := os.WriteFile(pf, []byte(l.Expand(DefaultProxy)), 0o600); err != nil {
		return nil, err
	}
	args := []string{"netns", "exec", l.NS(Laptop), bin, "check", "--json", jsonPath, "--reflector", reflector, "--proxy", pf}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "NO_COLOR=1",
		"SSL_CERT_FILE=" + l.CAFile, "RTCPROBE_PUBLIC_CA_ORGS=" + LabCAOrg}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() == 2 || ctx.Err() != nil) {
		return nil, fmt.Errorf("rtcprobe check: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, fmt.Errorf("no JSON report: %v\n%s", err, stderr.String())
	}
	if strings.Contains(string(b), l.secret) {
		return nil, errors.New("the report contains the TURN password")
	}
	var r result.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("report is not JSON: %v", err)
	}
	return &r, nil
}

// udpCounters returns the two Udp lines of /proc/net/snmp.
func udpCounters(snmp string) string {
	var lines []string
	for _, line := range strings.Split(snmp, "\n") {
		if strings.HasPrefix(line, "Udp:") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}
