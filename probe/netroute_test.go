package probe

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// A /proc/net/route as a laptop with a VPN shows it: the default route
// on wlan0, 10/8 and a public /24 into the tunnel.
const procRoute = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
wlan0	00000000	0101A8C0	0003	0	0	600	00000000	0	0	0
wlan0	0001A8C0	00000000	0001	0	0	600	00FFFFFF	0	0	0
cscotun0	0000000A	00000000	0001	0	0	0	000000FF	0	0	0
cscotun0	007100CB	0100000A	0003	0	0	0	00FFFFFF	0	0	0
bad	zz	00000000	0001	0	0	0	00FFFFFF	0	0	0
`

func TestRouteGateway(t *testing.T) {
	for _, tc := range []struct {
		dst, ifname, want string
	}{
		{"8.8.8.8", "wlan0", "192.168.1.1"},
		{"192.168.1.20", "wlan0", "on-link"},
		{"10.1.2.3", "cscotun0", "on-link"},
		{"203.0.113.30", "cscotun0", "10.0.0.1"},
		{"203.0.113.30", "wlan0", "192.168.1.1"},
		{"8.8.8.8", "cscotun0", ""},
		{"2001:db8::1", "wlan0", ""},
	} {
		if got := routeGateway(procRoute, netip.MustParseAddr(tc.dst), tc.ifname); got != tc.want {
			t.Errorf("routeGateway(%s on %s) = %q, want %q", tc.dst, tc.ifname, got, tc.want)
		}
	}
}

func TestAgentTables(t *testing.T) {
	for _, tc := range []struct{ ifname, want string }{
		{"cscotun0", "Cisco Secure Client"}, {"gpd0", "GlobalProtect"}, {"CloudflareWARP", "Cloudflare WARP"},
		{"tailscale0", "Tailscale"}, {"wg0", "WireGuard"}, {"Zscaler Network Adapter", "Zscaler"},
		{"PANGP Virtual Ethernet Adapter", "GlobalProtect"}, {"eth0", ""}, {"utun3", ""},
	} {
		if got := agentForInterface(tc.ifname); got != tc.want {
			t.Errorf("agentForInterface(%q) = %q, want %q", tc.ifname, got, tc.want)
		}
	}
	got := runningAgents([]string{"systemd", "ZSATunnel.exe", "stAgentSvc.exe", "warp-svc", "zsatray", "bash"})
	want := []string{"Zscaler", "Netskope", "Cloudflare WARP"}
	if len(got) != len(want) {
		t.Fatalf("runningAgents = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("runningAgents = %v, want %v", got, want)
		}
	}
}

// The route to loopback goes out of the loopback interface, found by the
// same code that finds a VPN tunnel.
func TestRouteProbeLoopback(t *testing.T) {
	plan := &Plan{Timers: fastTimers(), Budget: 3 * time.Second, Routes: []RouteTarget{{Host: "127.0.0.1", Role: "media"}, {Host: "no-such-host.invalid", Role: "turn"}}}
	got := map[string]result.Probe{}
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		got[string(p.ID)] = p
	}
	p := got["route/127.0.0.1"]
	if p.Status != result.StatusOK || p.Details["localAddress"] != "127.0.0.1" || p.Details["interface"] == "" {
		t.Errorf("route to loopback: %+v", p)
	}
	if runtime.GOOS == "linux" && (p.Details["interface"] != "lo" || p.Details["gateway"] != "") {
		t.Errorf("linux loopback: interface %q gateway %q", p.Details["interface"], p.Details["gateway"])
	}
	if q := got["route/no-such-host.invalid"]; q.Status != result.StatusSkipped || q.Reason != "dns" {
		t.Errorf("unresolvable: %+v", q)
	}
}

func TestRoutePlan(t *testing.T) {
	p := &Plan{
		Web:       []WebTarget{{Role: "signaling", Region: "mainland", URL: "wss://a.example/ws"}, {Role: "signaling", Region: "mainland", URL: "wss://b.example/ws"}, {Role: "schedule", Region: "mainland", URL: "https://s.example"}},
		Reflector: &ReflectorTarget{Host: "r.example"},
		TURN:      []TURNTarget{{Host: "t.example", Transport: "udp"}, {Host: "t.example", Transport: "tcp"}},
	}
	got := routePlan(p)
	want := []RouteTarget{{"a.example", "signaling"}, {"r.example", "media"}, {"t.example", "turn"}}
	if len(got) != len(want) {
		t.Fatalf("routePlan = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("routePlan = %v, want %v", got, want)
		}
	}
}
