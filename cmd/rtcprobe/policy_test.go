package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/policy"
	"github.com/rtcprobe/rtcprobe/report/schematest"
	"github.com/rtcprobe/rtcprobe/result"
)

// policyRoot writes files (path below the root -> content) and points
// RTCPROBE_POLICY_ROOT at them.
func policyRoot(t *testing.T, files map[string]string) {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(policy.EnvRoot, root)
}

// A managed Chromium policy reaches the report: the judged browser, each
// setting with its file, the policy probe, and a verdict that names it.
// A broken file is reported, not fatal.
func TestCheckReadsPolicies(t *testing.T) {
	if runtime.GOOS != "linux" {
		// Not a Wine limitation: Windows reads the policies from the
		// registry, macOS from plists (policy/'s own tests cover both).
		t.Skip("the policy files here are Linux paths; " + runtime.GOOS + " reads its policies elsewhere")
	}
	policyRoot(t, map[string]string{
		"etc/chromium/policies/managed/webrtc.json":   `{"WebRtcIPHandling": "disable_non_proxied_udp", "WebRtcUdpPortRange": "20000-20100"}`,
		"etc/opt/chrome/policies/managed/broken.json": `{"WebRtcIPHandling": `,
	})
	port := stunResponder(t)
	code, out, stderr := run(t, "check", "--reflector", "127.0.0.1", "--media-ports", strconv.Itoa(port),
		"--http-proxy", "none", "--timeout", "2s", "--json", "-")
	if code == ExitUsage {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	schematest.Validate(t, []byte(out))
	var r result.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Config.Browser != "chromium" || r.Config.UDPPortRange != "20000-20100" || len(r.Config.Policies) != 1 {
		t.Fatalf("config: browser %q range %q policies %+v", r.Config.Browser, r.Config.UDPPortRange, r.Config.Policies)
	}
	if r.Paths.DirectUDP.Counts || r.Paths.DirectUDP.Status != result.PathOK {
		t.Errorf("direct-udp %+v: answered, but must not count", r.Paths.DirectUDP)
	}
	ids := map[string]result.Probe{}
	for _, p := range r.Probes {
		ids[string(p.ID)] = p
	}
	if p := ids["stun/"+strconv.Itoa(port)]; p.Details["sourcePortRange"] != "20000-20100" {
		t.Errorf("stun probe not sent from the policy's range: %v", p.Details)
	}
	if p := ids["policy/chromium"]; p.Details["WebRtcIPHandling.source"] != "/etc/chromium/policies/managed/webrtc.json" {
		t.Errorf("policy probe %+v", p)
	}
	if p := ids["policy/unreadable"]; !strings.Contains(p.Error, "broken.json") {
		t.Errorf("broken policy file not reported: %+v", p)
	}
	// --browser picks another browser: Chrome has no usable policy, so the
	// Chromium policy no longer decides.
	_, out, _ = run(t, "check", "--browser", "chrome", "--reflector", "127.0.0.1", "--media-ports", strconv.Itoa(port),
		"--http-proxy", "none", "--timeout", "2s", "--json", "-")
	var r2 result.Report
	if err := json.Unmarshal([]byte(out), &r2); err != nil {
		t.Fatal(err)
	}
	if r2.Config.Browser != "chrome" || r2.Config.UDPPortRange != "" || !r2.Paths.DirectUDP.Counts {
		t.Errorf("--browser chrome: browser %q range %q direct counts %v", r2.Config.Browser, r2.Config.UDPPortRange, r2.Paths.DirectUDP.Counts)
	}
}

// No policy anywhere: the report is what it was before browsers were
// told apart (no browser, no policies, no range).
func TestCheckWithoutPolicies(t *testing.T) {
	policyRoot(t, nil)
	port := stunResponder(t)
	_, out, _ := run(t, "check", "--reflector", "127.0.0.1", "--media-ports", strconv.Itoa(port),
		"--http-proxy", "none", "--timeout", "2s", "--json", "-")
	for _, absent := range []string{`"browser"`, `"policies"`, `"udpPortRange"`, `"policy/`, `"policy"`} {
		if strings.Contains(out, absent) {
			t.Errorf("a run without policies reports %s", absent)
		}
	}
}
