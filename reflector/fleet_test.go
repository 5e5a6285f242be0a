package reflector_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/report"
	"github.com/rtcprobe/rtcprobe/result"
)

// serveOnLoopback runs a reflector with six UDP ports on 127.0.0.1 (every
// check there is one source, as a fleet behind one NAT is).
func serveOnLoopback(t *testing.T, cfg reflector.Config) []int {
	t.Helper()
	cfg.Listen, cfg.UDPPorts = "127.0.0.1", []int{0, 0, 0, 0, 0, 0}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := reflector.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	var ports []int
	for _, a := range srv.UDPAddrs() {
		ports = append(ports, a.(*net.UDPAddr).Port)
	}
	return ports
}

// fleet runs n media checks at once against the reflector and returns
// their reports.
func fleet(t *testing.T, n int, ports []int) []*result.Report {
	t.Helper()
	out := make([]*result.Report, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			plan := &probe.Plan{Budget: 10 * time.Second, Reflector: &probe.ReflectorTarget{Host: "127.0.0.1", Ports: ports}}
			start := time.Now()
			probes := probe.Run(context.Background(), &probe.Env{}, plan, nil)
			cfg := result.Config{Reflector: "127.0.0.1", MediaPorts: ports, ICETransportPolicy: "all"}
			out[i] = report.Build(result.Tool{Name: "rtcprobe"}, result.Host{}, cfg, probes, start, time.Since(start), true)
		})
	}
	wg.Wait()
	return out
}

// TestFleetBehindOneNAT: 30 checks at once from one address against a
// reflector with default limits all find direct UDP open (before the
// defaults were sized from what a check sends, 11-15 of 30 said partial or
// blocked on an open network).
func TestFleetBehindOneNAT(t *testing.T) {
	if testing.Short() {
		t.Skip("30 concurrent checks")
	}
	ports := serveOnLoopback(t, reflector.Config{})
	bad := 0
	for i, r := range fleet(t, 30, ports) {
		if r.Paths.DirectUDP.Status != result.PathOK {
			bad++
			t.Errorf("check %d: directUdp %s: %s", i, r.Paths.DirectUDP.Status, r.Paths.DirectUDP.Detail)
			continue
		}
		for _, p := range r.Probes {
			if p.Status != result.StatusOK && p.Kind == result.KindUDP {
				t.Errorf("check %d: %s %s/%s", i, p.ID, p.Status, p.Reason)
			}
		}
	}
	t.Logf("%d of 30 checks wrong", bad)
}

// TestLimitedReflectorIsNotAFirewall: when the reflector's limit is too
// small for the fleet, the checks it limits say so (untested,
// reflector-busy), and none blames the firewall.
func TestLimitedReflectorIsNotAFirewall(t *testing.T) {
	if testing.Short() {
		t.Skip("10 concurrent checks")
	}
	ports := serveOnLoopback(t, reflector.Config{Rate: 5, Burst: 30})
	busy := 0
	for i, r := range fleet(t, 10, ports) {
		for _, p := range r.Probes {
			switch {
			case p.Status == result.StatusBlocked || p.Status == result.StatusRejected || p.Status == result.StatusFailed:
				t.Errorf("check %d: %s %s/%s: the reflector's limit was taken for the firewall", i, p.ID, p.Status, p.Reason)
			case p.Status == result.StatusUntested:
				busy++
				if p.Reason != "reflector-busy" {
					t.Errorf("check %d: %s untested/%s, want reason reflector-busy", i, p.ID, p.Reason)
				}
			}
		}
		if s := r.Paths.DirectUDP.Status; s == result.PathBlocked || s == result.PathPartial {
			t.Errorf("check %d: directUdp %s: %s", i, s, r.Paths.DirectUDP.Detail)
		}
		if r.Verdict.Outcome != result.OutcomeInconclusive && r.Verdict.Outcome != result.OutcomeWorks {
			t.Errorf("check %d: outcome %s (%s)", i, r.Verdict.Outcome, r.Verdict.Headline)
		}
	}
	if busy == 0 {
		t.Error("no probe was limited: the test did not exercise the limit")
	}
	t.Logf("%d probes untested (reflector-busy) across 10 checks: %s", busy, strconv.Itoa(busy))
}

// TestMeasureFleet measures how many checks at once from one address get
// every port answered against the default limits (README "Security
// teams"): RTCPROBE_FLEET=100,200,400 go test -run TestMeasureFleet -v.
func TestMeasureFleet(t *testing.T) {
	sizes := os.Getenv("RTCPROBE_FLEET")
	if sizes == "" {
		t.Skip("a measurement: set RTCPROBE_FLEET=100,200,400")
	}
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			t.Fatalf("RTCPROBE_FLEET: %q is not a count", f)
		}
		ports := serveOnLoopback(t, reflector.Config{})
		start := time.Now()
		count := map[string]int{}
		for _, r := range fleet(t, n, ports) {
			count[string(r.Paths.DirectUDP.Status)]++
		}
		t.Logf("%d checks at once from one address: directUdp %v (%v)", n, count, time.Since(start).Round(10*time.Millisecond))
	}
}
