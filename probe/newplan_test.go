package probe

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/catalog"
)

func mustCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func webIDs(p *Plan) []string {
	var out []string
	for _, w := range p.Web {
		out = append(out, w.ID+" "+w.Role+" "+w.URL)
	}
	return out
}

func TestNewPlanRegions(t *testing.T) {
	cat := mustCatalog(t)
	tests := []struct {
		name      string
		appID     int64
		wantHosts []string
		notHosts  []string
	}{
		{"both", 0, []string{"schedule.cloud-rtc.com", "schedule.rtc-web.com", "trtc.rtc.qq.com", "apisgp.my-imcloud.com"}, nil},
		{"mainland", 1400000001, []string{"schedule.cloud-rtc.com", "schedule.cloud-rtc.net", "yun.tim.qq.com"}, []string{"schedule.rtc-web.com"}},
		{"international", 20000001, []string{"schedule.rtc-web.com", "schedule.rtc-web.io", "intl-schedule.cloud-rtc.com"}, []string{"yun.tim.qq.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(cat, Options{SDKAppID: tt.appID})
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(webIDs(p), "\n")
			for _, h := range tt.wantHosts {
				if !strings.Contains(all, h) {
					t.Errorf("plan lacks %s:\n%s", h, all)
				}
			}
			for _, h := range tt.notHosts {
				if strings.Contains(all, h) {
					t.Errorf("plan has %s but should not:\n%s", h, all)
				}
			}
			if p.Reflector != nil || len(p.TURN) != 0 {
				t.Errorf("no reflector/TURN asked, got %+v %+v", p.Reflector, p.TURN)
			}
			seen := map[string]bool{}
			for _, w := range p.Web {
				if seen[w.ID] {
					t.Errorf("duplicate target ID %s", w.ID)
				}
				seen[w.ID] = true
			}
		})
	}
}

func TestNewPlanProxyReplacesDefaults(t *testing.T) {
	cat := mustCatalog(t)
	px, err := ParseProxyConfig("p.json", []byte(`{
  "websocketProxy": "wss://proxy.example.com/ws/",
  "loggerProxy": "https://proxy.example.com/logger/",
  "turnServer": [{"url": "14.3.3.3:3478", "username": "alice", "credential": "s3cret-value"},
                 {"url": "turns:turn.example.com:443"}],
  "iceTransportPolicy": "relay"
}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(cat, Options{SDKAppID: 1400000001, Proxy: px, Reflector: "refl.example.com",
		TURNUsername: "envuser", TURNCredential: "env-secret"})
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, w := range p.Web {
		roles = append(roles, fmt.Sprintf("%s:%s", w.Role, w.Via))
		if w.Role == "signaling" && w.URL != "wss://proxy.example.com/ws/" {
			t.Errorf("signalling target %s, want the websocketProxy", w.URL)
		}
		if w.Role == "logger" && w.Via != "loggerProxy" {
			t.Errorf("logger target %s not replaced by loggerProxy", w.URL)
		}
	}
	if !slices.Contains(roles, "schedule:") {
		t.Errorf("schedule should stay the default host (no scheduleProxy), roles %v", roles)
	}
	var got []string
	for _, tt := range p.TURN {
		got = append(got, fmt.Sprintf("%s %s:%d %s %s %s", tt.ID, tt.Host, tt.Port, tt.Transport, tt.Username, tt.Credential.Reveal()))
		if tt.Peer != "refl.example.com:8000" {
			t.Errorf("%s: peer %q, want the reflector's first media port", tt.ID, tt.Peer)
		}
	}
	want := []string{
		"turn1-udp 14.3.3.3:3478 udp alice s3cret-value",
		"turn1-tcp 14.3.3.3:3478 tcp alice s3cret-value",
		"turn2-tls turn.example.com:443 tls envuser env-secret",
	}
	if !slices.Equal(got, want) {
		t.Errorf("TURN targets\n got %q\nwant %q", got, want)
	}
	if p.Config.ICETransportPolicy != "relay" {
		t.Errorf("ICETransportPolicy = %q", p.Config.ICETransportPolicy)
	}
	// Nothing the report carries may hold a credential.
	b, _ := json.Marshal(p.Config)
	b2, _ := json.Marshal(p.TURN)
	for _, secret := range []string{"s3cret-value", "env-secret"} {
		if strings.Contains(string(b), secret) || strings.Contains(string(b2), secret) ||
			strings.Contains(fmt.Sprintf("%v %+v %#v", p.TURN, p.TURN, p.TURN), secret) {
			t.Errorf("credential %q leaked into config/targets", secret)
		}
	}
}

func TestNewPlanScheduleProxy(t *testing.T) {
	cat := mustCatalog(t)
	for _, field := range []string{"scheduleProxy", "unifiedProxy"} {
		px, err := ParseProxyConfig("p.json", []byte(`{"`+field+`": "sched.example.com"}`))
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewPlan(cat, Options{Proxy: px})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range p.Web {
			if w.Role == "schedule" {
				n++
				if w.URL != "https://sched.example.com" || w.Via != field {
					t.Errorf("%s: schedule target %s via %q", field, w.URL, w.Via)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d schedule targets, want only the proxy", field, n)
		}
	}
}

func TestNewPlanBadTURNFlag(t *testing.T) {
	_, err := NewPlan(mustCatalog(t), Options{TURN: []string{"stun:x.example.com"}})
	if err == nil || !strings.Contains(err.Error(), "--turn") {
		t.Fatalf("err = %v, want a --turn error", err)
	}
}

func TestWebTargetHelpers(t *testing.T) {
	tests := []struct {
		url  string
		host string
		port int
		ws   bool
	}{
		{"https://schedule.rtc-web.com/api/v1/", "schedule.rtc-web.com", 443, false},
		{"wss://proxy.example.com:8443/ws/", "proxy.example.com", 8443, true},
		{"wss://[2001:db8::1]/", "2001:db8::1", 443, true},
	}
	for _, tt := range tests {
		w := WebTarget{URL: tt.url}
		if w.Host() != tt.host || w.Port() != tt.port || w.IsWebSocket() != tt.ws {
			t.Errorf("%s: got %s %d %v", tt.url, w.Host(), w.Port(), w.IsWebSocket())
		}
	}
}
