package report

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/catalog"
	"github.com/rtcprobe/rtcprobe/result"
)

// This file builds, by hand, the probe results each lab scenario of issue 3
// produces (the probe contract in the README of internal/lab/), and checks that the
// verdict says what the scenario expects.

const labServer = "203.0.113.10" // where every TRTC host resolves in the lab

// labNet describes the network a scenario's probes come from.
type labNet struct {
	regions   []string
	httpProxy bool     // every TCP probe went through an HTTP proxy (CONNECT)
	sdkProxy  bool     // websocketProxy, loggerProxy, scheduleProxy on proxy.lab.test
	reflector bool     // STUN reflector on the six media ports
	turn      []string // TURN URLs; "turn:" gives udp+tcp, "turns:" tls
	policy    string   // iceTransportPolicy
	browser   string   // the browser judged (Config.Browser)
	policies  []result.BrowserPolicy
	portRange string // Config.UDPPortRange
}

// defaultNet is the lab's default: both regions, a reflector and the lab's
// TURN server over UDP, TCP and TLS.
func defaultNet() labNet {
	return labNet{regions: []string{"mainland", "international"}, reflector: true,
		turn: []string{"turn:turn.lab.test:3478", "turns:turn.lab.test:443"}}
}

func okProbe(id, kind, role, region, target string, port int, transport string) result.Probe {
	rtt := 12.5
	return result.Probe{ID: result.ID(id), Kind: result.Kind(kind), Role: role, Region: region, Target: target, Address: labServer,
		Port: port, Transport: transport, Status: result.StatusOK, RTTMs: &rtt, Details: map[result.DetailKey]string{}}
}

// webTarget returns the dns -> tcp -> tls -> https/ws probes of one target.
func (n labNet) webTarget(id, role, region, rawURL string) []result.Probe {
	u, _ := url.Parse(rawURL)
	host := u.Hostname()
	port := 443
	if u.Port() != "" {
		port, _ = strconv.Atoi(u.Port())
	}
	last, kind := id+"/https", result.KindHTTPS
	if u.Scheme == "wss" {
		last, kind = id+"/ws", result.KindWebSocket
	}
	tcp := okProbe(id+"/tcp/"+labServer, string(result.KindTCP), role, region, host, port, "tcp")
	ps := []result.Probe{okProbe(id+"/dns", string(result.KindDNS), role, region, host, 0, "udp"), tcp,
		okProbe(id+"/tls", string(result.KindTLS), role, region, host, port, "tcp"),
		okProbe(last, string(kind), role, region, rawURL, port, "tcp")}
	ps[0].Details["addresses"] = labServer
	ps[2].Details["issuer"] = "Lab " + region + " CA"
	ps[2].Details["issuerPublic"] = "true"
	if n.httpProxy {
		ps[1].ID, ps[1].Target, ps[1].Port = result.ID(id+"/tcp/proxy"), "proxy.corp.test", 3128
		for i := 1; i < 4; i++ {
			ps[i].Details["via"] = "http-proxy"
		}
	}
	return ps
}

// probes returns every probe of a healthy run on this network.
func (n labNet) probes(t testing.TB) []result.Probe {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ps []result.Probe
	if n.sdkProxy {
		ps = append(ps, n.webTarget("schedule-proxy", "schedule", "", "https://proxy.lab.test/schedule/")...)
		ps = append(ps, n.webTarget("signaling-proxy", "signaling", "", "wss://proxy.lab.test/ws/")...)
		ps = append(ps, n.webTarget("logger-proxy", "logger", "", "https://proxy.lab.test/logger/")...)
	}
	for _, region := range n.regions {
		for _, ep := range cat.Regions[region].Endpoints {
			if n.sdkProxy && ep.Role != "legacy" {
				continue
			}
			ps = append(ps, n.webTarget(fmt.Sprintf("%s-%s-%s", region[:4], ep.Role, hostOf(ep.URL)), ep.Role, region, ep.URL)...)
		}
	}
	if n.reflector {
		for _, port := range cat.MediaPorts {
			p := okProbe(fmt.Sprintf("stun/%d", port), string(result.KindSTUN), "media", "", "reflector.lab.test", port, "udp")
			p.Details["mappedAddress"] = "198.51.100.1:40000"
			ps = append(ps, p)
		}
		if n.portRange != "" {
			// The same STUN exchange from any port (probe.stunAnyPort).
			ps = append(ps, okProbe("stun-anyport/8000", string(result.KindSTUN), "media", "", "reflector.lab.test", 8000, "udp"))
		}
	}
	for i, u := range n.turn {
		ps = append(ps, turnProbes(i+1, u)...)
	}
	return ps
}

func hostOf(s string) string { u, _ := url.Parse(s); return u.Hostname() }

func turnProbes(n int, rawURL string) []result.Probe {
	transports := []string{"udp", "tcp"}
	if strings.HasPrefix(rawURL, "turns:") {
		transports = []string{"tls"}
	}
	hostPort := rawURL[strings.IndexByte(rawURL, ':')+1:]
	_, portStr, _ := strings.Cut(hostPort, ":")
	port, _ := strconv.Atoi(portStr)
	var ps []result.Probe
	for _, tr := range transports {
		p := okProbe(fmt.Sprintf("turn%d-%s", n, tr), string(result.KindTURN), "turn", "", rawURL, port, tr)
		p.Address = "203.0.113.20"
		p.Details["relayedAddress"] = "203.0.113.20:49160"
		p.Details["serverAddress"] = "203.0.113.20:" + portStr
		ps = append(ps, p)
	}
	return ps
}

// mod changes the probes whose ID matches pat (path.Match, as the lab's
// scenario files do). Status "-" removes them (a step not reached).
type mod struct {
	pat     string
	status  result.Status
	reason  result.Reason
	details map[result.DetailKey]string
}

func apply(ps []result.Probe, mods []mod) []result.Probe {
	for _, m := range mods {
		var out []result.Probe
		for _, p := range ps {
			if ok, _ := path.Match(m.pat, string(p.ID)); !ok {
				out = append(out, p)
				continue
			}
			if m.status == "-" {
				continue
			}
			if m.status != "" {
				p.Status, p.Reason, p.RTTMs = m.status, m.reason, nil
				if m.status == result.StatusOK {
					p.RTTMs = okProbe("", "", "", "", "", 0, "").RTTMs
				}
			}
			d := map[result.DetailKey]string{}
			for k, v := range p.Details {
				d[k] = v
			}
			for k, v := range m.details {
				d[k] = v
			}
			p.Details = d
			out = append(out, p)
		}
		ps = out
	}
	return ps
}

// tcpGone removes what comes after a TCP connect that did not work.
var tcpGone = []mod{{pat: "*/tls", status: "-"}, {pat: "*/https", status: "-"}, {pat: "*/ws", status: "-"}}

func dropped(pat string) mod { return mod{pat: pat, status: result.StatusBlocked, reason: "timeout"} }
func rejected(pat string) mod {
	return mod{pat: pat, status: result.StatusRejected, reason: "icmp-unreachable"}
}
func failed(pat, reason string) mod {
	return mod{pat: pat, status: result.StatusFailed, reason: result.Reason(reason)}
}

var sixUDP = []string{"udp/8000", "udp/8080", "udp/8800", "udp/843", "udp/443", "udp/16285"}

// scenario is one lab policy with what the verdict must say.
type scenario struct {
	name      string
	net       labNet
	mods      []mod
	signaling result.Signaling
	media     result.PathName
	fw5501    bool
	outcome   result.Outcome
	paths     [4]result.PathStatus // in PathOrder
	uncounted []result.PathName
	rules     []string // exact set of protocol/port
	findings  []string // codes that must be present
}

func (s scenario) report(t testing.TB) *result.Report {
	cfg := result.Config{Regions: s.net.regions, ICETransportPolicy: "all", TURNServers: s.net.turn, MediaPorts: []int{}}
	if s.net.policy != "" {
		cfg.ICETransportPolicy = s.net.policy
	}
	if s.net.httpProxy {
		cfg.HTTPProxy = "http://proxy.corp.test:3128"
	}
	cfg.Browser, cfg.Policies, cfg.UDPPortRange = s.net.browser, s.net.policies, s.net.portRange
	if s.net.reflector {
		cfg.Reflector, cfg.MediaPorts = "reflector.lab.test", []int{8000, 8080, 8800, 843, 443, 16285}
	}
	if s.net.sdkProxy {
		cfg.Proxy = &result.ProxySummary{WebsocketProxy: "wss://proxy.lab.test/ws/", LoggerProxy: "https://proxy.lab.test/logger/",
			ScheduleProxy: "https://proxy.lab.test/schedule/", TURNServers: s.net.turn}
	}
	r := &result.Report{Schema: result.SchemaID, Tool: result.Tool{Name: "rtcprobe", Version: "test"}, Complete: true,
		Host: result.Host{OS: "linux", Arch: "amd64"}, Config: cfg, Probes: apply(s.net.probes(t), s.mods)}
	Judge(r)
	return r
}

func (s scenario) check(t *testing.T, r *result.Report) {
	t.Helper()
	v := r.Verdict
	if v.Signaling != s.signaling || v.Media != s.media || v.FirewallError5501 != s.fw5501 || v.Outcome != s.outcome {
		t.Errorf("verdict = signaling %s, media %s, 5501 %v, outcome %s; want %s, %s, %v, %s",
			v.Signaling, v.Media, v.FirewallError5501, v.Outcome, s.signaling, s.media, s.fw5501, s.outcome)
	}
	for i, name := range result.PathOrder {
		p := r.Paths.Get(name)
		if p.Status != s.paths[i] {
			t.Errorf("paths.%s = %s (%s), want %s", name, p.Status, p.Detail, s.paths[i])
		}
		if want := !slices.Contains(s.uncounted, name); p.Counts != want {
			t.Errorf("paths.%s.counts = %v, want %v", name, p.Counts, want)
		}
	}
	var got []string
	for _, ru := range r.Remediation {
		got = uniq(got, ru.Protocol+"/"+ru.Port)
	}
	want := append([]string(nil), s.rules...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("remediation covers %v, want %v\n%s", got, want, rulesText(r.Remediation))
	}
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
	}
	for _, w := range s.findings {
		if !slices.Contains(codes, w) {
			t.Errorf("finding %q missing (have %v)", w, codes)
		}
	}
	if v.Headline == "" || v.Summary == "" || strings.Contains(v.Summary, "\n") {
		t.Errorf("headline %q, summary %q: want both, one line", v.Headline, v.Summary)
	}
}

func rulesText(rules []result.Rule) string {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString("  " + ruleText(r) + "\n")
	}
	return b.String()
}
