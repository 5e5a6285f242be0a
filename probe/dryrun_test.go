package probe

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDescribeCoversThePlan(t *testing.T) {
	p, err := NewPlan(mustCatalog(t), Options{
		Reflector: "reflector.example.com", TURN: []string{"turn:turn.example.com:3478", "turns:turn.example.com"},
		Budget: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	sends := p.Describe()
	probes := map[string]PlannedSend{}
	for _, s := range sends {
		// TLS and the request ride on the TCP probe's connection: no new one.
		reuses := s.Kind == "tls" || s.Kind == "https" || s.Kind == "websocket"
		if (s.Count < 1 && !reuses) || (reuses && s.Count != 0) || s.Port < 1 || (s.Protocol != "udp" && s.Protocol != "tcp") || s.Destination == "" {
			t.Errorf("implausible planned send %+v", s)
		}
		probes[s.Probe] = s
	}
	for _, w := range p.Web {
		for _, suffix := range []string{"/dns", "/dns@", "/tcp", "/tls"} {
			if _, ok := probes[w.ID+suffix]; !ok {
				t.Errorf("no planned send for %s%s", w.ID, suffix)
			}
		}
	}
	for _, port := range p.Reflector.Ports {
		for _, id := range []string{"stun/" + itoa(port), "echo/" + itoa(port) + "/" + itoa(stunRequestSize()), "echo/" + itoa(port) + "/*"} {
			s, ok := probes[id]
			if !ok || s.Protocol != "udp" || s.Destination != "reflector.example.com" {
				t.Errorf("%s: %+v", id, s)
			}
		}
	}
	if _, ok := probes["reflector/dns"]; !ok {
		t.Error("the reflector is a name but its DNS lookup is not listed")
	}
	for _, tt := range []struct {
		id, proto string
	}{{"turn1-udp", "udp"}, {"turn1-udp/audit/*", "udp"}, {"turn1-tcp", "tcp"}, {"turn2-tls", "tcp"}, {"turn2-tls/audit/*", "tcp"}} {
		if s := probes[tt.id]; s.Protocol != tt.proto || s.Port == 0 {
			t.Errorf("%s: got %+v, want protocol %s", tt.id, s, tt.proto)
		}
	}
	// Audits run once per server (turnaudit.go): on its UDP target.
	if _, ok := probes["turn1-tcp/audit/*"]; ok {
		t.Error("audits planned twice for one server")
	}
}

// The STUN schedule is the default Timers.LossySendAt cut at the budget,
// each port starting UDPPacing after the previous one.
func TestDescribeSTUNSchedule(t *testing.T) {
	p := &Plan{Budget: 4 * time.Second, Reflector: &ReflectorTarget{Host: "192.0.2.1", Ports: []int{8000, 8080}}}
	var sends []PlannedSend
	for _, s := range p.Describe() {
		if s.Kind == "dns" {
			t.Errorf("DNS planned for an address: %+v", s)
		}
		if s.Kind == "stun" {
			sends = append(sends, s)
		}
	}
	if len(sends) != 2 {
		t.Fatalf("got %d STUN sends, want 2: %+v", len(sends), sends)
	}
	want := [][]float64{{0, 250, 750, 1750, 3750}, {20, 270, 770, 1770, 3770}}
	for i, s := range sends {
		if !reflect.DeepEqual(s.AtMs, want[i]) || s.Count != len(want[i]) {
			t.Errorf("%s: AtMs %v count %d, want %v", s.Probe, s.AtMs, s.Count, want[i])
		}
	}
}

// TestDescribeFollowsTimers: the dry run derives every schedule and
// pacing figure from the plan's Timers, so a changed value changes its
// output in step (it cannot drift from what the probes do).
func TestDescribeFollowsTimers(t *testing.T) {
	describe := func(tm *Timers) map[string]PlannedSend {
		p := &Plan{Timers: tm, Budget: time.Minute, Reflector: &ReflectorTarget{Host: "192.0.2.1", Ports: []int{8000, 8080}},
			Web:  []WebTarget{{ID: "sig", URL: "wss://signal.example.com/ws"}},
			TURN: []TURNTarget{{ID: "tu", Host: "192.0.2.2", Port: 3478, Transport: "udp"}}}
		out := map[string]PlannedSend{}
		for _, s := range p.Describe() {
			out[s.Probe] = s
		}
		return out
	}
	def := describe(nil) // nil Timers: the defaults
	half := describe(DefaultTimers().Scaled(0.5))
	for _, id := range []string{"stun/8000", "stun/8080", "echo/8000/" + itoa(stunRequestSize()), "echo/8080/" + itoa(stunRequestSize()), "tu"} {
		d, h := def[id], half[id]
		if len(d.AtMs) < 4 || len(h.AtMs) != len(d.AtMs) || h.Count != d.Count {
			t.Errorf("%s: defaults plan %v (count %d), halved timers %v (count %d)", id, d.AtMs, d.Count, h.AtMs, h.Count)
			continue
		}
		for i := range d.AtMs {
			if h.AtMs[i] != d.AtMs[i]/2 {
				t.Errorf("%s: send %d at %v ms with halved timers, %v ms with the defaults", id, i, h.AtMs[i], d.AtMs[i])
			}
		}
	}
	if d, h := def["stun/8000"].Note, half["stun/8000"].Note; !strings.Contains(d, "after 3.75 s") || !strings.Contains(h, "after 1.875 s") {
		t.Errorf("STUN notes %q and %q do not name the last send of each schedule", d, h)
	}
	if d, h := def["sig/tcp"].Note, half["sig/tcp"].Note; !strings.Contains(d, "20 ms apart") || !strings.Contains(h, "10 ms apart") {
		t.Errorf("TCP notes %q and %q do not follow UDPPacing", d, h)
	}
	// One send more on the lossy schedule is one planned datagram more.
	more := DefaultTimers()
	more.LossySendAt = append(more.LossySendAt, 8*time.Second)
	if got, want := describe(more)["stun/8000"].Count, def["stun/8000"].Count+1; got != want {
		t.Errorf("one lossy send more: %d STUN sends planned, want %d", got, want)
	}
}

func TestDescribeThroughHTTPProxy(t *testing.T) {
	px, _ := url.Parse("http://proxy.corp:3128")
	p := &Plan{HTTPProxy: px, Web: []WebTarget{{ID: "sig", Role: "signaling", URL: "wss://signal.example.com/ws"}}}
	var tcpDests []string
	for _, s := range p.Describe() {
		if s.Protocol == "tcp" {
			tcpDests = append(tcpDests, s.Destination+":"+itoa(s.Port))
		}
	}
	if got := strings.Join(tcpDests, " "); got != "proxy.corp:3128 proxy.corp:3128 proxy.corp:3128" {
		t.Errorf("TCP through a proxy goes to %q, want only the proxy", got)
	}
}

// The pacing claim in numbers: with the default media ports and a TURN
// server on the reflector host, no 10 ms window holds more than two UDP
// datagrams to one host (a STUN probe and a TURN probe starting together),
// and no more than one datagram per STUN port.
func TestDescribeNeverBursts(t *testing.T) {
	p, err := NewPlan(mustCatalog(t), Options{Reflector: "192.0.2.1", TURN: []string{"turn:192.0.2.1:3478?transport=udp"}})
	if err != nil {
		t.Fatal(err)
	}
	dest, n := MaxBurst(p.Describe(), 10*time.Millisecond)
	if n > 2 {
		t.Errorf("%d datagrams to %s within 10 ms, want at most 2", n, dest)
	}
	p.TURN = nil
	if dest, n := MaxBurst(p.Describe(), 10*time.Millisecond); n != 1 {
		t.Errorf("STUN only: %d datagrams to %s within 10 ms, want 1", n, dest)
	}
}

func TestMaxBurst(t *testing.T) {
	sends := []PlannedSend{
		{Destination: "a", AtMs: []float64{0, 5, 9, 30}},
		{Destination: "a", AtMs: []float64{9.5}},
		{Destination: "b", AtMs: []float64{0, 1}},
	}
	if dest, n := MaxBurst(sends, 10*time.Millisecond); dest != "a" || n != 4 {
		t.Errorf("MaxBurst = %s %d, want a 4", dest, n)
	}
	if _, n := MaxBurst(nil, 10*time.Millisecond); n != 0 {
		t.Errorf("MaxBurst(nil) = %d", n)
	}
}

func TestDescribeTURNThroughHTTPProxy(t *testing.T) {
	px, _ := url.Parse("http://proxy.corp")
	p := &Plan{HTTPProxy: px, TURN: []TURNTarget{
		{ID: "turn1-udp", Host: "t.example.com", Port: 3478, Transport: "udp"},
		{ID: "turn1-tcp", Host: "t.example.com", Port: 3478, Transport: "tcp"},
	}}
	for _, s := range p.Describe() {
		want := "t.example.com:3478"
		if s.Protocol == "tcp" {
			want = "proxy.corp:80"
		}
		if got := s.Destination + ":" + itoa(s.Port); got != want {
			t.Errorf("%s over %s goes to %s, want %s", s.Probe, s.Protocol, got, want)
		}
	}
}
