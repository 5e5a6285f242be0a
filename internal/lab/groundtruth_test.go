//go:build linux

package lab

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/lab/webrtc"
	"github.com/rtcprobe/rtcprobe/result"
)

// The ground truth: for the media paths, rtcprobe's verdict is checked
// against a real WebRTC client (internal/lab/webrtc's rtcpeer, pion) in the laptop
// namespace, configured like the browser under the TRTC SDK, connecting to
// a peer in the cloud namespace. Where rtcprobe says a path is ok, the
// client must get a data-channel round trip over it; where it says blocked,
// the client must not.

var groundTruthReadme = flag.Bool("groundtruth-readme", false, "write the ground-truth table into internal/lab/webrtc/README.md")

// groundTruthScenarios are the scenarios checked against the real client:
// the client uses the scenario's TURN servers (DefaultProxy unless the
// scenario sets its own).
var groundTruthScenarios = []string{
	"open", "udp-dropped", "udp-rejected", "tcp443-only", "udp-turn-only", "turn-relay-blocked",
	"proxy-only", "proxy-connect-turn", "replies-dropped", "nothing-out", "relay-policy",
	"turn-port-843",
}

// peerTimeout bounds one rtcpeer offer run: its own ConnectTimeout plus
// process start-up on a loaded machine.
const peerTimeout = webrtc.ConnectTimeout + 10*time.Second

// peerMediaPort is the UDP port the cloud peer listens on: one of the SDK's
// media ports, which the scenarios open or close like the reflector's.
const peerMediaPort = "8000"

// turnServers returns the TURN server (host:port) per turn path from the
// scenario's proxy option: the first turn: URL serves UDP and TCP, the
// first turns: URL TLS.
func turnServers(s Scenario) (map[string]string, error) {
	raw := string(s.Proxy)
	if raw == "" {
		raw = DefaultProxy
	}
	var px struct {
		TURNServer json.RawMessage `json:"turnServer"`
	}
	if err := json.Unmarshal([]byte(raw), &px); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(px.TURNServer) == 0 || string(px.TURNServer) == "null" {
		return out, nil // no TURN server: only direct UDP
	}
	var list []struct{ URL string }
	if err := json.Unmarshal(px.TURNServer, &list); err != nil {
		var one struct{ URL string }
		if err := json.Unmarshal(px.TURNServer, &one); err != nil {
			return nil, err
		}
		list = append(list, one)
	}
	for _, ts := range list {
		scheme, hostport, ok := strings.Cut(ts.URL, ":")
		if !ok {
			continue
		}
		hostport, _, _ = strings.Cut(hostport, "?")
		switch {
		case scheme == "turn" && out[string(result.PathTURNUDP)] == "":
			out[string(result.PathTURNUDP)], out[string(result.PathTURNTCP)] = hostport, hostport
		case scheme == "turns" && out[string(result.PathTURNTLS)] == "":
			out[string(result.PathTURNTLS)] = hostport
		}
	}
	return out, nil
}

// truthRow is one scenario x path cell of the table.
type truthRow struct {
	scenario, path, rtcprobe string
	res                      webrtc.Result
	agrees                   string // "yes", "no" or "-" (status neither ok nor blocked)
}

func TestGroundTruth(t *testing.T) {
	byName := scenariosByName(t)
	l := Start(t)
	bin := buildRTCProbe(t, l.Dir)
	peer := buildRTCPeer(t, l.Dir)
	var rows []truthRow
	for _, name := range groundTruthScenarios {
		s, ok := byName[name]
		if !ok {
			t.Errorf("ground-truth scenario %q has no file in internal/lab/scenarios", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			if err := l.Apply(s); err != nil {
				t.Fatalf("apply scenario: %v", err)
			}
			servers, err := turnServers(s)
			if err != nil {
				t.Fatalf("scenario proxy option: %v", err)
			}
			r, _ := l.check(t, bin, s, "")
			for _, path := range result.PathOrder {
				if path != result.PathDirectUDP && servers[string(path)] == "" {
					continue // the scenario gives the browser no server for it
				}
				res := l.runPeers(t, peer, s, string(path), servers[string(path)])
				rp := r.Paths.Get(path)
				row := truthRow{scenario: name, path: string(path), rtcprobe: string(rp.Status), res: res, agrees: "-"}
				switch {
				case path != result.PathDirectUDP && !rp.Counts:
					// rtcprobe says the browser would not use this TURN
					// server (port 843): the client must not connect.
					row.rtcprobe += " (not counted)"
					row.agrees = yesNo(!res.Connected)
				case rp.Status == result.PathOK:
					row.agrees = yesNo(res.Connected)
				case rp.Status == result.PathBlocked:
					row.agrees = yesNo(!res.Connected)
				}
				if row.agrees == "no" {
					t.Errorf("%s: rtcprobe says %s (%s), the real WebRTC client got connected=%v %s",
						path, row.rtcprobe, r.Paths.Get(path).Detail, res.Connected, res.Error)
				}
				rows = append(rows, row)
			}
		})
	}
	table := truthTable(rows)
	t.Log("\n" + table)
	if *groundTruthReadme {
		if err := writeTruthReadme(table); err != nil {
			t.Error(err)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// buildRTCPeer compiles internal/lab/webrtc/cmd/rtcpeer once per lab.
func buildRTCPeer(t *testing.T, dir string) string {
	t.Helper()
	return goBuild(t, filepath.Join(dir, "rtcpeer"), "github.com/rtcprobe/rtcprobe/internal/lab/webrtc/cmd/rtcpeer")
}

// runPeers starts the answerer in the cloud and runs one offer in the
// laptop for the path, as the browser would behind the scenario.
func (l *Lab) runPeers(t *testing.T, bin string, s Scenario, path, turn string) webrtc.Result {
	t.Helper()
	dir, err := os.MkdirTemp(l.Dir, "sig-")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := l.StartProcess(Cloud, "rtcpeer-"+s.Name+"-"+path, nil,
		bin, "answer", "--dir", dir, "--ip", PeerAddr, "--port", peerMediaPort)
	if err != nil {
		t.Fatal(err)
	}
	defer ans.Stop()
	args := []string{"netns", "exec", l.NS(Laptop), bin, "offer", "--dir", dir, "--path", path}
	if turn != "" {
		args = append(args, "--turn", turn)
	}
	if proxy := l.Expand(s.Env["HTTPS_PROXY"]); proxy != "" {
		args = append(args, "--http-proxy", proxy)
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	// Credentials by environment only: never on a command line.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SSL_CERT_FILE=" + l.CAFile,
		"RTCPEER_TURN_USER=" + TURNUser, "RTCPEER_TURN_PASSWORD=" + l.TURNPassword()}
	out, err := cmd.Output()
	if strings.Contains(string(out), l.TURNPassword()) {
		t.Errorf("rtcpeer printed the TURN password")
	}
	var res webrtc.Result
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("rtcpeer offer %s: %v (%v)\noutput: %s\nanswer log:\n%s", path, err, jerr, out, ans.LogTail())
	}
	return res
}

// truthTable renders the rows as a Markdown table.
func truthTable(rows []truthRow) string {
	var b strings.Builder
	b.WriteString("| scenario | path | rtcprobe | real client | selected pair | ms | agrees |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		client, pair := "no connection", "-"
		if r.res.Connected {
			client, pair = "connected", r.res.Local+" -> "+r.res.Remote
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.0f | %s |\n", r.scenario, r.path, r.rtcprobe, client, pair, r.res.Ms, r.agrees)
	}
	return b.String()
}

// writeTruthReadme replaces the table between the markers in
// internal/lab/webrtc/README.md.
func writeTruthReadme(table string) error {
	const file, begin, end = "webrtc/README.md", "<!-- groundtruth:begin -->", "<!-- groundtruth:end -->"
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	before, rest, ok1 := strings.Cut(string(b), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s: markers %s / %s not found", file, begin, end)
	}
	return os.WriteFile(file, []byte(before+begin+"\n"+table+end+after), 0o644)
}

// TestTURNServers checks the TURN servers the ground truth gives the
// client per scenario (no root needed).
func TestTURNServers(t *testing.T) {
	tests := []struct {
		proxy string
		want  map[string]string
	}{
		{"", map[string]string{string(result.PathTURNUDP): "turn.lab.test:3478", string(result.PathTURNTCP): "turn.lab.test:3478", string(result.PathTURNTLS): "turn.lab.test:443"}},
		{`{"turnServer": {"url": "turn:turn843.lab.test:843", "username": "lab", "credential": "x"}}`,
			map[string]string{string(result.PathTURNUDP): "turn843.lab.test:843", string(result.PathTURNTCP): "turn843.lab.test:843"}},
		{`null`, map[string]string{}},
		{`{"turnServer": [{"url": "turns:a.test:5349?transport=tcp"}, {"url": "turns:b.test:443"}]}`,
			map[string]string{string(result.PathTURNTLS): "a.test:5349"}},
	}
	for _, tt := range tests {
		got, err := turnServers(Scenario{Proxy: json.RawMessage(tt.proxy)})
		if err != nil {
			t.Fatalf("%s: %v", tt.proxy, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.proxy, got, tt.want)
		}
	}
}
