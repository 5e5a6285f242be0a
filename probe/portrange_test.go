package probe

import (
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/result"
)

// testRange picks a 40-port range high above the usual ephemeral ports'
// start, so an OS-chosen port rarely falls inside it.
func testRange() PortRange {
	lo := 20000 + rand.IntN(8000)
	return PortRange{lo, lo + 39}
}

func inRange(t *testing.T, p result.Probe, pr PortRange) {
	t.Helper()
	port, err := strconv.Atoi(p.Details["sourcePort"])
	if err != nil || port < pr.Min || port > pr.Max || p.Details["sourcePortRange"] != pr.String() {
		t.Errorf("%s sent from %q (range %q), want a port in %s", p.ID, p.Details["sourcePort"], p.Details["sourcePortRange"], pr)
	}
}

// A firewall that passes UDP only from the policy's source ports: the
// STUN probes from the range are answered, the one from any port is not.
func TestPortRangeFirewall(t *testing.T) {
	pr := testRange()
	fromRange := func(req []byte, from *net.UDPAddr) [][]byte {
		if from.Port < pr.Min || from.Port > pr.Max {
			return nil
		}
		return bindingAnswer(false)(req, from)
	}
	ports := []int{responder(t, fromRange), responder(t, fromRange)}
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: ports}, UDPPortRange: pr}
	got := map[string]result.Probe{}
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		got[string(p.ID)] = p
	}
	for _, port := range ports {
		p := got["stun/"+itoa(port)]
		if p.Status != result.StatusOK {
			t.Errorf("%s: %s %s %s", p.ID, p.Status, p.Reason, p.Error)
		}
		inRange(t, p, pr)
	}
	any := got["stun-anyport/"+itoa(ports[0])]
	if any.Status != result.StatusBlocked || any.Details["sourcePortRange"] != "any" {
		t.Errorf("stun-anyport: %s %s %v, want blocked from any port", any.Status, any.Reason, any.Details)
	}
	if _, ok := got["stun-anyport/"+itoa(ports[1])]; ok {
		t.Error("the any-port comparison is for the first media port only")
	}
}

// Without a range, nothing changes: no any-port probe, no range details.
func TestNoPortRange(t *testing.T) {
	port := responder(t, bindingAnswer(false))
	got := runReflector(t, &Env{}, port)
	if len(got) != 1 || got["stun/"+itoa(port)].Details["sourcePortRange"] != "" {
		t.Errorf("probes %v", got)
	}
}

// Every port of the range taken for longer than the probe waits: the
// probe says so instead of sending from elsewhere.
func TestPortRangeExhausted(t *testing.T) {
	hold, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	busy := hold.LocalAddr().(*net.UDPAddr).Port
	port := responder(t, bindingAnswer(false))
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: []int{port}}, UDPPortRange: PortRange{busy, busy}}
	start := time.Now()
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		if p.ID == result.STUNID(port) && (p.Status != result.StatusError || p.Reason != "port-range-exhausted") {
			t.Errorf("%s: %s %s %s", p.ID, p.Status, p.Reason, p.Error)
		}
	}
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("took %s: the wait for a port must be bounded", d)
	}
}

// TURN over UDP binds in the range too: the server sees (mappedAddress)
// the port the probe reports.
func TestPortRangeTURN(t *testing.T) {
	pr := testRange()
	srv := startServe(t, &reflector.TURNConfig{Users: map[string]string{"alice": "s3cret-pass"}, AllowPrivatePeers: true})
	_, _, turnAddr := srv.Addrs()
	tt := turnTarget("s", "udp", turnAddr.(*net.UDPAddr).Port, "alice", "s3cret-pass", srv.UDPAddrs()[0].String())
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, TURN: []TURNTarget{tt}, UDPPortRange: pr}
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		if p.ID != "s" {
			continue
		}
		if p.Status != result.StatusOK {
			t.Fatalf("turn: %s %s %s", p.Status, p.Reason, p.Error)
		}
		inRange(t, p, pr)
		if _, mport, _ := net.SplitHostPort(p.Details["mappedAddress"]); mport != p.Details["sourcePort"] {
			t.Errorf("server saw %s, probe says %s", p.Details["mappedAddress"], p.Details["sourcePort"])
		}
	}
}

// The dry run lists the any-port comparison with the range, and the route
// probes' name lookups.
func TestDescribePortRangeAndRoutes(t *testing.T) {
	p := &Plan{Reflector: &ReflectorTarget{Host: "192.0.2.1", Ports: []int{8000, 8080}}, UDPPortRange: PortRange{10000, 10100},
		Routes: []RouteTarget{{Host: "192.0.2.1", Role: "media"}, {Host: "trtc.example", Role: "signaling"}}}
	got := map[string]PlannedSend{}
	for _, s := range p.Describe() {
		got[s.Probe] = s
	}
	if s, ok := got["stun-anyport/8000"]; !ok || s.Count == 0 || s.AtMs[0] != 40 {
		t.Errorf("stun-anyport/8000 planned as %+v", s)
	}
	if _, ok := got["route/trtc.example"]; !ok {
		t.Error("the route probe's DNS lookup is not listed")
	}
	if _, ok := got["route/192.0.2.1"]; ok {
		t.Error("an address needs no lookup")
	}
	p.UDPPortRange = PortRange{}
	for _, s := range p.Describe() {
		if s.Probe == "stun-anyport/8000" {
			t.Error("no range, no any-port probe")
		}
	}
}

// A range narrower than rtcprobe's own concurrent probes: the probes
// that find it full of rtcprobe's sockets are skipped (port-range-busy),
// never reported as exhausted by something else on the laptop.
func TestPortRangeBusyWithOwnProbes(t *testing.T) {
	silent := func([]byte, *net.UDPAddr) [][]byte { return nil }
	var ports []int
	for range 3 {
		ports = append(ports, responder(t, silent))
	}
	pr := testRange()
	pr.Max = pr.Min // one port for three silent probes held 4.5 s each
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Reflector: &ReflectorTarget{Host: "127.0.0.1", Ports: ports}, UDPPortRange: pr}
	busy := 0
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		if p.Reason == "port-range-exhausted" {
			t.Errorf("%s: %s: rtcprobe's own sockets are not exhaustion", p.ID, p.Error)
		}
		if p.Reason == "port-range-busy" {
			busy++
		}
	}
	if busy == 0 {
		t.Error("no probe found the one-port range busy")
	}
}
