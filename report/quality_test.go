package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestRToMOS checks G.107 Annex B's mapping at the points its Table B.1
// and the literature quote (R 93.2 is the default's best, 4.41).
func TestRToMOS(t *testing.T) {
	for _, tc := range []struct{ r, mos float64 }{
		{-5, 1}, {0, 1}, {50, 2.58}, {60, 3.10}, {70, 3.60}, {80, 4.02}, {90, 4.34}, {93.2, 4.41}, {100, 4.5}, {120, 4.5},
	} {
		if got := rToMOS(tc.r); math.Abs(got-tc.mos) > 0.01 {
			t.Errorf("rToMOS(%v) = %.3f, want %.2f", tc.r, got, tc.mos)
		}
	}
}

func TestEModelR(t *testing.T) {
	clean := eModelR(20, 1, 0)
	for _, tc := range []struct {
		name              string
		rtt, jitter, loss float64
		min, max          float64
	}{
		{"clean LAN", 2, 0, 0, 92, 93.2},
		{"1% loss costs about 3.6 points", 20, 1, 1, clean - 4, clean - 3},
		{"10% loss: R about 65", 20, 1, 10, 62, 68},
		{"600 ms RTT: past G.114's 400 ms one way", 600, 5, 0, 60, 70},
		{"1200 ms RTT: delay dominates", 1200, 5, 0, 15, 35},
		{"all lost", 20, 0, 100, -10, 20},
	} {
		if got := eModelR(tc.rtt, tc.jitter, tc.loss); got < tc.min || got > tc.max {
			t.Errorf("%s: R = %.1f, want %.0f..%.0f", tc.name, got, tc.min, tc.max)
		}
	}
	if eModelR(20, 30, 0) >= eModelR(20, 0, 0) {
		t.Error("jitter must lower R (the jitter buffer adds delay)")
	}
}

func stage(name string, kbps float64, upSent, upLost, downSent, downLost int, rtt float64) result.QualityStage {
	return result.QualityStage{Name: name, Kbps: kbps, UpSent: upSent, UpLost: upLost, DownSent: downSent, DownLost: downLost, RTTMedianMs: &rtt}
}

func TestJudgeQualityResolution(t *testing.T) {
	ramp := func(loss720up, loss1080up, loss1080down int, rtt1080 float64) []result.QualityStage {
		return []result.QualityStage{
			stage(result.StageAudio, 64, 100, 0, 100, 0, 30),
			stage(result.Stage360p, 864, 200, 0, 200, 0, 30),
			stage(result.Stage720p, 1564, 300, loss720up, 300, 0, 31),
			stage(result.Stage1080p, 2064, 400, loss1080up, 400, loss1080down, rtt1080),
		}
	}
	rtt := 30.0
	for _, tc := range []struct {
		name                string
		status              string
		stages              []result.QualityStage
		res, resUp, resDown string
	}{
		{"clean", result.QualityOK, ramp(0, 0, 0, 32), result.Stage1080p, result.Stage1080p, result.Stage1080p},
		{"uplink limit under 720p", result.QualityOK, ramp(90, 200, 0, 32), result.Stage360p, result.Stage360p, result.Stage1080p},
		{"downlink loss at 1080p", result.QualityOK, ramp(0, 0, 60, 32), result.Stage720p, result.Stage1080p, result.Stage720p},
		{"queue grows at 1080p", result.QualityOK, ramp(0, 0, 0, 250), result.Stage720p, result.Stage720p, result.Stage720p},
		{"audio too lossy", result.QualityOK, []result.QualityStage{stage(result.StageAudio, 64, 100, 30, 70, 0, 30)}, result.ResolutionNone, result.ResolutionNone, result.ResolutionAudioOnly},
		{"audio only", result.QualityOK, []result.QualityStage{stage(result.StageAudio, 64, 100, 0, 100, 0, 30), stage(result.Stage360p, 864, 200, 50, 150, 0, 30)}, result.ResolutionAudioOnly, result.ResolutionAudioOnly, result.Stage360p},
		{"went silent", result.QualitySilent, ramp(0, 0, 0, 32), result.ResolutionNone, result.ResolutionNone, result.ResolutionNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &result.Quality{Paths: []result.QualityPath{{Path: result.PathDirectUDP, Target: "192.0.2.1:8000", Status: tc.status, Stages: tc.stages,
				RTTMedianMs: &rtt, RTTP95Ms: &rtt, Stopped: &result.QualityStop{AfterMs: 2100, AfterPackets: 105}}}}
			JudgeQuality(q)
			p := q.Paths[0]
			if p.Resolution != tc.res || p.ResolutionUp != tc.resUp || p.ResolutionDown != tc.resDown {
				t.Errorf("resolution %s (up %s, down %s), want %s (%s, %s)", p.Resolution, p.ResolutionUp, p.ResolutionDown, tc.res, tc.resUp, tc.resDown)
			}
			if (p.MOS == nil) != (tc.status != result.QualityOK) {
				t.Errorf("MOS %v for status %s", p.MOS, tc.status)
			}
			if p.Summary == "" || !strings.HasPrefix(p.Summary, "UDP 8000") {
				t.Errorf("summary %q", p.Summary)
			}
		})
	}
}

// sampleQuality is a judged quality section with one path of each kind.
func sampleQuality() *result.Quality {
	rtt, p95, hol := 31.5, 48.0, 120.0
	ok := result.QualityPath{Path: result.PathDirectUDP, Target: "reflector.example:8000", Transport: "udp", Status: result.QualityOK,
		RTTMedianMs: &rtt, RTTP95Ms: &p95, Up: result.QualityDirection{Sent: 1000, Received: 998, LossPct: 0.2, JitterMs: 1.5},
		Down: result.QualityDirection{Sent: 998, Received: 998, JitterMs: 0.8},
		Stages: []result.QualityStage{stage(result.StageAudio, 64, 100, 0, 100, 0, 30), stage(result.Stage360p, 864, 200, 1, 199, 0, 31),
			stage(result.Stage720p, 1564, 300, 1, 299, 0, 31), stage(result.Stage1080p, 2064, 400, 80, 320, 0, 35)},
		Timeline: []result.QualitySample{{AtMs: 0, RTTMs: &rtt}, {AtMs: 500, LossPct: 100}}}
	tcp := ok
	tcp.Path, tcp.Target, tcp.Transport, tcp.HOLDelayMs = result.PathTURNTCP, "turn:turn.example:3478?transport=tcp", "tcp", &hol
	silent := result.QualityPath{Path: result.PathTURNUDP, Target: "turn:turn.example:3478", Transport: "udp", Status: result.QualitySilent,
		Stopped: &result.QualityStop{AfterMs: 2100, AfterPackets: 105, SilentMs: 12900}, Stages: []result.QualityStage{}, Timeline: []result.QualitySample{}}
	q := &result.Quality{DurationMs: 46000, FlowMs: 15000, Paths: []result.QualityPath{ok, silent, tcp}, Notes: []string{"turn-tls: not measured, the path does not count"}}
	JudgeQuality(q)
	return q
}

func TestQualityInReport(t *testing.T) {
	r := scenarios()[0].report(t)
	before := jsonOf(t, r)
	if strings.Contains(before, `"quality"`) {
		t.Fatal("a report without the stage must not have a quality key")
	}
	r.Quality = sampleQuality()
	validate(t, r)
	var text bytes.Buffer
	if err := WriteText(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/quality.txt", text.Bytes())

	var m map[string]any
	_ = json.Unmarshal([]byte(jsonOf(t, r)), &m)
	m["quality"].(map[string]any)["paths"].([]any)[0].(map[string]any)["resolution"] = "8k"
	b, _ := json.Marshal(m)
	if validateJSON(t, b) == nil {
		t.Error("a bad resolution validates")
	}
}

func TestTermSafe(t *testing.T) {
	if got := TermSafe("ok\x1b]0;pwned\x07 line\nnext\u009b"); got != "ok]0;pwned linenext" {
		t.Errorf("TermSafe = %q", got)
	}
}

// TestLabQualityReports: the lab's quality reports (testdata/reports)
// judged again give the verdict they carry.
func TestLabQualityReports(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "reports", "quality-*.json"))
	if len(files) == 0 {
		t.Fatal("no quality reports in testdata/reports")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Read(bytes.NewReader(b))
		if err != nil || r.Quality == nil {
			t.Fatalf("%s: %v, quality %v", f, err, r)
		}
		want, _ := json.Marshal(r.Quality)
		JudgeQuality(r.Quality)
		if got, _ := json.Marshal(r.Quality); !bytes.Equal(got, want) {
			t.Errorf("%s: judged again:\n got %s\nwant %s", f, got, want)
		}
	}
}
