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

	"github.com/rtcprobe/rtcprobe/internal/lab/webrtc"
	"github.com/rtcprobe/rtcprobe/result"
)

// Chromium is the truth for managed browser policies: headless Debian
// Chromium (driven by playwright-core from npm, internal/lab/chromium) reads the
// scenario's policy from /etc/chromium/policies/managed/ and makes a real
// data-channel round trip over each path to the answerer in the cloud.
// The policy exists only for that Chromium: it runs in its own mount
// namespace (unshare -m, private propagation) where a directory holding
// the policy is bind-mounted over /etc/chromium; the real /etc is never
// written.

// chromiumScenarios are the scenarios checked against Chromium.
var chromiumScenarios = []string{"policy-disable-non-proxied-udp", "policy-proxy-no-udp", "policy-udp-port-range", "udp-source-port-filter"}

// chromiumTimeout bounds one Chromium offer: start-up, 5 s gathering and
// the 8 s connect wait of offer.mjs.
const chromiumTimeout = 40 * time.Second

func TestChromiumPolicies(t *testing.T) {
	script, err := filepath.Abs("chromium/offer.mjs")
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []string{"/usr/bin/chromium", "/etc/chromium", filepath.Join(filepath.Dir(script), "node_modules", "playwright-core")} {
		if _, err := os.Stat(need); err != nil {
			t.Skipf("Chromium ground truth needs %s (npm ci --prefix internal/lab/chromium; apt-get install chromium)", need)
		}
	}
	for _, tool := range []string{"node", "certutil"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("Chromium ground truth needs %s (nodejs, libnss3-tools)", tool)
		}
	}
	byName := scenariosByName(t)
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	peer := buildRTCPeer(t, l.Dir)
	var rows []truthRow
	for _, name := range chromiumScenarios {
		s := byName[name]
		t.Run(name, func(t *testing.T) {
			if err := l.Apply(s); err != nil {
				t.Fatalf("apply scenario: %v", err)
			}
			servers, err := turnServers(s)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := l.check(t, bin, s, "")
			etc := chromiumEtc(t, s)
			for _, path := range result.PathOrder {
				res := l.runChromium(t, peer, script, etc, s, string(path), servers[string(path)])
				rp := r.Paths.Get(path)
				if !res.Connected && rp.Counts && rp.Status == result.PathOK {
					// One failed attempt on a loaded machine is noise (seen
					// once in three runs for TURN/UDP); a connection where
					// rtcprobe says blocked never is, so only this retries.
					if again := l.runChromium(t, peer, script, etc, s, string(path), servers[string(path)]); again.Connected {
						t.Logf("%s: Chromium connected on the second try (first: %s)", path, res.Error)
						res = again
					}
				}
				row := truthRow{scenario: name, path: string(path), rtcprobe: string(rp.Status), res: res, agrees: "-"}
				switch {
				case !rp.Counts:
					row.rtcprobe += " (not counted)"
					row.agrees = yesNo(!res.Connected)
				case rp.Status == result.PathOK:
					row.agrees = yesNo(res.Connected)
				case rp.Status == result.PathBlocked:
					row.agrees = yesNo(!res.Connected)
				}
				if row.agrees == "no" {
					t.Errorf("%s: rtcprobe says %s (%s), Chromium got connected=%v %s", path, row.rtcprobe, rp.Detail, res.Connected, res.Error)
				}
				rows = append(rows, row)
			}
		})
	}
	if b, err := os.ReadDir("/etc/chromium/policies"); err == nil && len(b) > 0 {
		t.Errorf("a policy was left in the real /etc/chromium/policies")
	}
	t.Log("\n" + truthTable(rows))
}

// chromiumEtc builds the directory mounted over /etc/chromium: the real
// one's files, plus the scenario's policies/ (from its etc/chromium/...
// entries).
func chromiumEtc(t *testing.T, s Scenario) string {
	t.Helper()
	root := t.TempDir()
	if err := s.WritePolicies(root); err != nil {
		t.Fatal(err)
	}
	etc := filepath.Join(root, "etc", "chromium")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir("/etc/chromium")
	for _, e := range ents {
		if e.Type().IsRegular() {
			if b, err := os.ReadFile(filepath.Join("/etc/chromium", e.Name())); err == nil {
				_ = os.WriteFile(filepath.Join(etc, e.Name()), b, 0o644)
			}
		}
	}
	return etc
}

// runChromium starts the answerer in the cloud and one Chromium offer in
// the laptop, with etc mounted over /etc/chromium for that Chromium only.
func (l *Lab) runChromium(t *testing.T, peer, script, etc string, s Scenario, path, turn string) webrtc.Result {
	t.Helper()
	if result.PathName(path) != result.PathDirectUDP && turn == "" {
		return webrtc.Result{Path: result.PathName(path), Error: "no TURN server in the scenario"}
	}
	dir, err := os.MkdirTemp(l.Dir, "sig-")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := l.StartProcess(Cloud, "chromium-peer-"+s.Name+"-"+path, nil, peer, "answer", "--dir", dir, "--ip", PeerAddr, "--port", peerMediaPort)
	if err != nil {
		t.Fatal(err)
	}
	defer ans.Stop()
	args := []string{"netns", "exec", l.NS(Laptop), "unshare", "--mount", "--propagation", "private",
		"sh", "-c", `mount --bind "$0" /etc/chromium && exec "$@"`, etc,
		"node", script, "--dir", dir, "--path", path}
	if turn != "" {
		args = append(args, "--turn", turn)
	}
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Dir = filepath.Dir(script)
	home := l.chromiumHome(t)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"RTCPEER_TURN_USER=" + TURNUser, "RTCPEER_TURN_PASSWORD=" + l.TURNPassword()}
	out, err := cmd.Output()
	if strings.Contains(string(out), l.TURNPassword()) {
		t.Errorf("offer.mjs printed the TURN password")
	}
	var res webrtc.Result
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("chromium offer %s: %v (%v)\noutput: %s\nanswer log:\n%s", path, err, jerr, out, ans.LogTail())
	}
	return res
}

// chromiumHome is a fresh HOME whose NSS database trusts the lab root,
// which stands for the public web PKI (rtcprobe gets it as a system root
// through SSL_CERT_FILE): Chromium verifies TURN/TLS certificates.
func (l *Lab) chromiumHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	db := "sql:" + filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(filepath.Join(home, ".pki", "nssdb"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-N", "-d", db, "--empty-password"}, {"-A", "-d", db, "-n", "rtcprobe-lab", "-t", "C,,", "-i", l.CAFile}} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %s: %v\n%s", args[0], err, out)
		}
	}
	return home
}
