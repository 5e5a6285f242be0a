package result

import (
	"testing"
)

// TestIDFormat pins the text of every ID builder (a JSON contract: old
// reports, scripts and the lab's scenario files name probes by it) and
// that Parse takes each apart again.
func TestIDFormat(t *testing.T) {
	for _, tt := range []struct {
		id   ID
		text string
		want ParsedID
	}{
		{WebID("main-schedule-x.test", StepDNS), "main-schedule-x.test/dns", ParsedID{Family: FamilyWeb, Target: "main-schedule-x.test", Step: StepDNS}},
		{WebID("signaling-proxy", StepWS), "signaling-proxy/ws", ParsedID{Family: FamilyWeb, Target: "signaling-proxy", Step: StepWS}},
		{WebID("turn1-tcp", StepPAC), "turn1-tcp/pac", ParsedID{Family: FamilyWeb, Target: "turn1-tcp", Step: StepPAC}},
		{ResolverDNSID("t", "10.0.0.53:53"), "t/dns@10.0.0.53:53", ParsedID{Family: FamilyWeb, Target: "t", Step: StepDNS, Resolver: "10.0.0.53:53"}},
		{AddrTCPID("t", "203.0.113.10"), "t/tcp/203.0.113.10", ParsedID{Family: FamilyWeb, Target: "t", Step: StepTCP, Address: "203.0.113.10"}},
		{AddrTCPID("t", "2001:db8::1"), "t/tcp/2001:db8::1", ParsedID{Family: FamilyWeb, Target: "t", Step: StepTCP, Address: "2001:db8::1"}},
		{ProxyTCPID("t", 1), "t/tcp/proxy", ParsedID{Family: FamilyWeb, Target: "t", Step: StepTCP, ProxyHop: 1}},
		{ProxyTCPID("t", 3), "t/tcp/proxy-3", ParsedID{Family: FamilyWeb, Target: "t", Step: StepTCP, ProxyHop: 3}},
		{ReflectorDNSID, "reflector/dns", ParsedID{Family: FamilyReflector, Step: StepDNS}},
		{STUNID(8000), "stun/8000", ParsedID{Family: FamilySTUN, Port: 8000}},
		{AnyPortSTUNID(443), "stun-anyport/443", ParsedID{Family: FamilySTUNAnyPort, Port: 443}},
		{EchoID(8000, 1200), "echo/8000/1200", ParsedID{Family: FamilyEcho, Port: 8000, Size: 1200}},
		{TURNID(2, "tls"), "turn2-tls", ParsedID{Family: FamilyTURN, Target: "turn2-tls"}},
		{TURNID(1, "udp").Audit(AuditRelayPrivate), "turn1-udp/audit/relay-private", ParsedID{Family: FamilyTURNAudit, Target: "turn1-udp", Audit: AuditRelayPrivate}},
		{RouteID("schedule.test"), "route/schedule.test", ParsedID{Family: FamilyRoute, Target: "schedule.test"}},
		{PACFetchID, "pac/fetch", ParsedID{Family: FamilyPAC, Target: "fetch"}},
		{PolicyID("chrome"), "policy/chrome", ParsedID{Family: FamilyPolicy, Target: "chrome"}},
		{PolicyUnreadableID, "policy/unreadable", ParsedID{Family: FamilyPolicy, Target: "unreadable"}},
	} {
		if string(tt.id) != tt.text {
			t.Errorf("built %q, want %q", tt.id, tt.text)
		}
		if got := ID(tt.text).Parse(); got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

// TestIDPredicates: the predicates the verdict uses agree with the
// formats (and do not match look-alikes).
func TestIDPredicates(t *testing.T) {
	if !STUNID(1).IsSTUN() || AnyPortSTUNID(1).IsSTUN() || !EchoID(1, 2).IsEcho() {
		t.Error("STUN/echo predicates")
	}
	if !TURNID(1, "udp").Audit(AuditDefaultCredentials).IsAudit() || TURNID(1, "udp").IsAudit() {
		t.Error("audit predicate")
	}
	for id, want := range map[ID]int{ProxyTCPID("t", 1): 1, ProxyTCPID("t", 2): 2, AddrTCPID("t", "10.0.0.1"): 0, "t/tcp/proxyx": 0, WebID("t", StepTCP): 0} {
		hop, ok := id.IsProxyTCP()
		if hop != want || ok != (want > 0) {
			t.Errorf("%s: IsProxyTCP = %d, %v; want %d", id, hop, ok, want)
		}
	}
	if h := ProxyTCPID("main-x", 2).Head(); h != "main-x" {
		t.Errorf("Head = %q", h)
	}
}

// FuzzParseID: IDs come from report files (outside input). Parse never
// fails or panics, and an ID it classifies as built by a builder is
// rebuilt to the same text.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"stun/8000", "echo/8000/1200", "t/tcp/proxy-2", "t/dns@1.2.3.4:53", "turn1-udp/audit/relay-private", "x", "", "stun/", "echo//", "turn0-udp", "a/tcp/proxy-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ID(s).Parse()
		var rebuilt ID
		switch {
		case p.Family == FamilySTUN && p.Port > 0 && string(STUNID(p.Port)) == s:
			rebuilt = STUNID(p.Port)
		case p.Family == FamilyTURNAudit:
			rebuilt = ID(p.Target).Audit(p.Audit)
		case p.Family == FamilyWeb && p.ProxyHop > 1:
			rebuilt = ProxyTCPID(p.Target, p.ProxyHop)
		case p.Family == FamilyWeb && p.Resolver != "":
			rebuilt = ResolverDNSID(p.Target, p.Resolver)
		default:
			return
		}
		if rebuilt != ID(s) {
			t.Errorf("Parse(%q) = %+v, rebuilt %q", s, p, rebuilt)
		}
	})
}

// TestNormalize: a report written before Via and SDKProxy existed gets
// them from what it recorded instead; a probe that has them keeps them.
func TestNormalize(t *testing.T) {
	r := &Report{Probes: []Probe{
		{ID: "signaling-proxy/tcp/10.0.0.1", Kind: KindTCP, Role: "signaling"},
		{ID: "signaling-proxy/tcp/proxy", Kind: KindTCP, Role: "signaling", Details: map[DetailKey]string{DetailVia: ViaHTTPProxyDetail}},
		{ID: "main-signaling-x/ws", Kind: KindWebSocket, Role: "signaling", Region: "mainland"},
		{ID: "main-signaling-x/ws", Kind: KindWebSocket, Role: "signaling", Region: "mainland", Details: map[DetailKey]string{DetailVia: ViaHTTPProxyDetail}},
		{ID: "stun/8000", Kind: KindSTUN, Role: "media"},
		{ID: "turn1-tcp", Kind: KindTURN, Role: "turn", Details: map[DetailKey]string{DetailVia: ViaHTTPProxyDetail}},
		{ID: "x/tls", Kind: KindTLS, Role: "signaling", Region: "mainland", Via: ViaDirect},
	}}
	r.Normalize()
	r.Normalize() // idempotent
	want := []struct {
		via Via
		sdk bool
	}{{ViaSDKProxy, true}, {ViaHTTPProxy, true}, {ViaDirect, false}, {ViaHTTPProxy, false}, {"", false}, {ViaHTTPProxy, false}, {ViaDirect, false}}
	for i, w := range want {
		if p := r.Probes[i]; p.Via != w.via || p.SDKProxy != w.sdk {
			t.Errorf("%s: via %q sdkProxy %v, want %q %v", p.ID, p.Via, p.SDKProxy, w.via, w.sdk)
		}
	}
}
