package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// echo returns an echo probe (rtcprobe serve in echo mode).
func echo(id string, port int, status string) result.Probe {
	p := okProbe(id, string(result.KindUDP), "media", "", "reflector.lab.test", port, "udp")
	p.Details["payload"] = "echo"
	p.Status = result.Status(status)
	return p
}

func TestFindings(t *testing.T) {
	audit := func(name string) []result.Probe {
		return []result.Probe{okProbe("turn1-udp/audit/"+name, string(result.KindTURN), "turn", "", "turn:turn.lab.test:3478", 3478, "udp")}
	}
	tests := []struct {
		name     string
		mods     []mod
		extra    []result.Probe
		want     []string // codes that must be present
		notWant  []string // codes that must be absent
		wantRule string   // a protocol/port/destination that must be in the rules
	}{
		{name: "healthy", notWant: []string{"tls-inspection", "payload-filtering", "large-datagram-drop", "turn-external-ip-mismatch", "logger-blocked"}},
		{name: "relay to loopback", extra: audit("relay-loopback"), want: []string{"turn-relays-loopback"}},
		{name: "relay to private", extra: audit("relay-private"), want: []string{"turn-relays-private"}},
		{name: "audit that failed is no finding", extra: func() []result.Probe {
			p := audit("default-credentials")
			p[0].Status, p[0].Reason = result.StatusFailed, "unauthorized"
			return p
		}(), notWant: []string{"turn-default-credentials"}},
		{name: "configured with the example credentials",
			mods: []mod{{pat: "turn1-udp", details: map[result.DetailKey]string{"exampleCredentials": "true"}}},
			want: []string{"turn-default-credentials"}},
		{name: "relay silent with private relayed address",
			mods: []mod{{pat: "turn1-tcp", status: result.StatusFailed, reason: "relay-silent", details: map[result.DetailKey]string{"relayedAddress": "10.0.0.5:50000"}}},
			want: []string{"turn-relay-silent", "turn-external-ip-mismatch"}},
		{name: "STUN dropped, other UDP passes", mods: []mod{dropped("stun/8000")},
			extra: []result.Probe{echo("echo/8000/200", 8000, string(result.StatusOK))}, want: []string{"payload-filtering"}},
		{name: "STUN passes, other UDP dropped",
			extra: []result.Probe{echo("echo/8000/200", 8000, string(result.StatusBlocked)), echo("echo/8080/200", 8080, string(result.StatusOK))}, want: []string{"payload-filtering"}},
		{name: "echo never answered: not echo-capable",
			extra: []result.Probe{echo("echo/8000/200", 8000, string(result.StatusBlocked))}, notWant: []string{"payload-filtering"}},
		{name: "large datagrams dropped",
			extra: []result.Probe{echo("echo/8000/1200", 8000, string(result.StatusOK)), echo("echo/8000/1472", 8000, string(result.StatusBlocked))}, want: []string{"large-datagram-drop"}, notWant: []string{"payload-filtering"}},
		{name: "one private issuer for both regions without issuerPublic",
			mods: []mod{{pat: "*/tls", details: map[result.DetailKey]string{"issuer": "Corp Inspection CA", "issuerPublic": ""}}}, want: []string{"tls-inspection"}},
		{name: "public issuer shared is normal",
			mods: []mod{{pat: "*/tls", details: map[result.DetailKey]string{"issuer": "Big Public CA", "issuerPublic": "true"}}}, notWant: []string{"tls-inspection"}},
		{name: "proxy wants authentication",
			mods: mods([]mod{{pat: "main-logger-*/tcp/*", status: result.StatusFailed, reason: "connect-refused-by-proxy", details: map[result.DetailKey]string{"proxyStatus": "407"}}},
				gone("main-logger-*")),
			want: []string{"proxy-refused", "logger-blocked"}, wantRule: "tcp/443/yun.tim.qq.com"},
		{name: "resolver times out",
			mods: mods([]mod{dropped("main-schedule-*/dns")}, []mod{{pat: "main-schedule-*/tcp/*", status: "-"}}, gone("main-schedule-*")),
			want: []string{"dns-failed"}},
		{name: "certificate does not verify",
			mods: mods([]mod{{pat: "main-schedule-*/tls", status: result.StatusFailed, reason: "tls-verify", details: map[result.DetailKey]string{"issuer": "Corp CA"}}, {pat: "main-schedule-*/https", status: "-"}}),
			want: []string{"tls-verify-failed"}},
		{name: "logger firewalled while calls work",
			mods: mods([]mod{dropped("main-logger-*/tcp/*")}, gone("main-logger-*")),
			want: []string{"logger-blocked"}, wantRule: "tcp/443/yun.tim.qq.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scenario{net: defaultNet(), mods: tt.mods}
			r := s.report(t)
			r.Probes = append(r.Probes, tt.extra...)
			Judge(r)
			var codes []string
			for _, f := range r.Findings {
				codes = append(codes, f.Code)
				if len(f.Evidence) == 0 || f.Title == "" || f.Detail == "" {
					t.Errorf("finding %s lacks evidence, title or detail: %+v", f.Code, f)
				}
			}
			for _, w := range tt.want {
				if !slices.Contains(codes, w) {
					t.Errorf("finding %q missing (have %v)", w, codes)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(codes, w) {
					t.Errorf("finding %q present, want it absent", w)
				}
			}
			if tt.wantRule != "" && !slices.ContainsFunc(r.Remediation, func(ru result.Rule) bool {
				return ru.Protocol+"/"+ru.Port+"/"+ru.Destination == tt.wantRule
			}) {
				t.Errorf("rule %s missing:\n%s", tt.wantRule, rulesText(r.Remediation))
			}
			validate(t, r)
		})
	}
}

// TestFindingPAC: a proxy auto-config URL that the run could not follow is
// a warning naming the script; with an explicit proxy it is not.
func TestFindingPAC(t *testing.T) {
	r := scenario{name: "pac", net: defaultNet()}.report(t)
	r.Config.PACURL = "http://wpad.corp.example/proxy.pac"
	Judge(r)
	var found *result.Finding
	for i := range r.Findings {
		if r.Findings[i].Code == "proxy-auto-config" {
			found = &r.Findings[i]
		}
	}
	if found == nil || !strings.Contains(found.Detail, "wpad.corp.example/proxy.pac") {
		t.Fatalf("findings %v: want proxy-auto-config naming the script", r.Findings)
	}
	r.Config.HTTPProxy = "http://proxy.corp.example:3128"
	Judge(r)
	for _, f := range r.Findings {
		if f.Code == "proxy-auto-config" {
			t.Error("proxy-auto-config reported although an HTTP proxy was used")
		}
	}
	validate(t, r)
}

// TestTLSVerifyFindingNamesTheCause: a TRTC host that does not verify is
// most likely inspection; an SDK proxy that does not verify has the wrong
// certificate, and the finding says so.
func TestTLSVerifyFindingNamesTheCause(t *testing.T) {
	for _, tt := range []struct {
		region, want string
	}{
		{"mainland", "inspection"},
		{"", "certificate must be valid for proxy.example.com"},
	} {
		fs := &findingSet{}
		tlsVerifyFinding(fs, &result.Probe{ID: "x/tls", Kind: result.KindTLS, Region: tt.region, SDKProxy: tt.region == "", Target: "wss://proxy.example.com/ws/",
			Status: result.StatusFailed, Reason: "tls-verify", Error: "x509: certificate is valid for other.example.com"})
		if len(fs.list) != 1 || !strings.Contains(fs.list[0].Detail, tt.want) {
			t.Errorf("region %q: findings %+v, want a detail saying %q", tt.region, fs.list, tt.want)
		}
	}
}

// TestFindingSomeAddressesBlocked: one host with a working and a dropped
// address is a stale address allow-list; all addresses alike is not.
func TestFindingSomeAddressesBlocked(t *testing.T) {
	tcp := func(addr, status string) result.Probe {
		p := okProbe("sched/tcp/"+addr, string(result.KindTCP), "schedule", "mainland", "https://schedule.cloud-rtc.com/", 443, "tcp")
		p.Address, p.Status = addr, result.Status(status)
		return p
	}
	for _, tt := range []struct {
		name   string
		probes []result.Probe
		want   bool
	}{
		{"mixed", []result.Probe{tcp("192.0.2.1", string(result.StatusOK)), tcp("192.0.2.2", string(result.StatusBlocked))}, true},
		{"all open", []result.Probe{tcp("192.0.2.1", string(result.StatusOK)), tcp("192.0.2.2", string(result.StatusOK))}, false},
		{"all blocked", []result.Probe{tcp("192.0.2.1", string(result.StatusBlocked)), tcp("192.0.2.2", string(result.StatusRejected))}, false},
	} {
		fs := &findingSet{}
		addressFindings(fs, &result.Report{Probes: tt.probes})
		got := len(fs.list) == 1 && fs.list[0].Code == "tcp-some-addresses-blocked" && strings.Contains(fs.list[0].Detail, "192.0.2.2")
		if got != tt.want || (!tt.want && len(fs.list) > 0) {
			t.Errorf("%s: findings %+v, want the finding %v", tt.name, fs.list, tt.want)
		}
	}
}

// TestFindingsGroupedByCause: one cause over many names is one finding per
// code (and per reason, status or issuer), naming every host, with every
// probe as evidence; a single name keeps its own title.
func TestFindingsGroupedByCause(t *testing.T) {
	httpProxy := defaultNet()
	httpProxy.httpProxy = true
	tests := []struct {
		name, code string
		net        labNet
		mods       []mod
	}{
		{"resolver times out", "dns-failed", defaultNet(), append([]mod{dropped("*/dns"), {pat: "*/tcp/*", status: "-"}}, tcpGone...)},
		{"sinkholed", "dns-sinkholed", defaultNet(), []mod{{pat: "*/dns", status: result.StatusFailed, reason: "sinkholed", details: map[result.DetailKey]string{"addresses": "0.0.0.0"}}}},
		{"inspection CA not trusted", "tls-verify-failed", defaultNet(), append([]mod{{pat: "*/tls", status: result.StatusFailed, reason: "tls-verify", details: map[result.DetailKey]string{"issuer": "Corp CA"}}},
			mod{pat: "*/https", status: "-"}, mod{pat: "*/ws", status: "-"})},
		{"proxy forbids", "proxy-refused", httpProxy, []mod{{pat: "*/tls", status: result.StatusFailed, reason: "connect-refused-by-proxy", details: map[result.DetailKey]string{"proxyStatus": "403"}},
			{pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scenario{name: tt.name, net: tt.net, mods: tt.mods}.report(t)
			var hosts, ids []string
			for _, p := range r.Probes {
				if p.Status == result.StatusFailed || p.Status == result.StatusBlocked {
					hosts, ids = uniq(hosts, hostOfURL(p.Target)), append(ids, string(p.ID))
				}
			}
			var got []result.Finding
			for _, f := range r.Findings {
				if f.Code == tt.code {
					got = append(got, f)
				}
			}
			if len(got) != 1 || len(hosts) < 2 {
				t.Fatalf("%d %s findings for %d hosts, want one: %+v", len(got), tt.code, len(hosts), got)
			}
			for _, h := range hosts {
				if !strings.Contains(got[0].Detail, h) {
					t.Errorf("detail does not name %s: %s", h, got[0].Detail)
				}
			}
			for _, id := range ids {
				if !slices.Contains(got[0].Evidence, result.ID(id)) {
					t.Errorf("evidence lacks %s", id)
				}
			}
		})
	}
}
