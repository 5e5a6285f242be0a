package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/rtcprobe/rtcprobe/result"
)

// deadPort is a loopback port where nothing listens (connections are
// refused): a proxy that is down.
func deadPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// pacServer serves script at /proxy.pac (and /wpad.dat).
func pacServer(t *testing.T, script string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/proxy.pac" && r.URL.Path != "/wpad.dat" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		fmt.Fprint(w, script)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/proxy.pac"
}

func runRouted(t *testing.T, env *Env, setup *ProxySetup, targets ...WebTarget) map[string]result.Probe {
	t.Helper()
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Web: targets, Proxy: setup}
	got := map[string]result.Probe{}
	for _, p := range Run(context.Background(), env, plan, nil) {
		got[string(p.ID)] = p
	}
	return got
}

func checkDetail(t *testing.T, got map[string]result.Probe, id, key, want string) {
	t.Helper()
	if v := got[id].Details[result.DetailKey(key)]; v != want {
		t.Errorf("%s details[%s] = %q, want %q (details %v)", id, key, v, want, got[id].Details)
	}
}

// TestPACRoutes: the PAC's answer decides each target's route; a dead
// proxy is skipped for the next one, a refusing proxy is not (Chromium's
// fallback rules), and every probe says which route it took and why.
func TestPACRoutes(t *testing.T) {
	t.Parallel()
	port, env, live := pacTestNet(t, dnsServer(t))
	deny := connectProxyStatus(t, http.StatusForbidden).Host
	dead := deadPort(t)
	script := fmt.Sprintf(`function FindProxyForURL(url, host) {
  if (host == "127.0.0.1") return "DIRECT";
  if (url.indexOf("wss://failover.test") == 0) return "PROXY %s; PROXY %s; DIRECT";
  if (url.indexOf("wss://deny.test") == 0) return "PROXY %s; PROXY %s";
  if (host == "v4only.test") throw new Error("no rule\nfor " + host);
  return "PROXY %s";
}`, dead, live, deny, live, live)
	setup := &ProxySetup{By: "--pac", PACURL: pacServer(t, script)}
	ps := strconv.Itoa(port)
	got := runRouted(t, env, setup,
		webTarget("d", "wss://127.0.0.1:"+ps+"/ws"),
		webTarget("f", "wss://failover.test:"+ps+"/ws?path=secret"),
		webTarget("n", "wss://deny.test:"+ps+"/ws"),
		webTarget("x", "wss://v4only.test:"+ps+"/ws"),
		webTarget("p", "wss://ok.test:"+ps+"/ws"))
	checkWant(t, got, "pac/fetch", want{result.KindPAC, result.StatusOK, "", ""})
	// DIRECT.
	checkWant(t, got, "d/pac", want{result.KindPAC, result.StatusOK, "", ""})
	checkWant(t, got, "d/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkDetail(t, got, "d/ws", "route", "DIRECT")
	checkAbsent(t, got, "d/tcp/proxy")
	// The URL the PAC saw has no path or query (Chromium strips them).
	if tg := got["f/pac"].Target; tg != "wss://failover.test:"+ps+"/" {
		t.Errorf("PAC saw %q", tg)
	}
	// Dead proxy, then the live one.
	checkWant(t, got, "f/tcp/proxy", want{result.KindTCP, result.StatusRejected, "rst", "connect"})
	checkDetail(t, got, "f/tcp/proxy", "route", "PROXY "+dead)
	checkDetail(t, got, "f/tcp/proxy", "routeFallback", "PROXY "+live)
	checkWant(t, got, "f/tcp/proxy-2", want{result.KindTCP, result.StatusOK, "", ""})
	checkWant(t, got, "f/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkDetail(t, got, "f/ws", "route", "PROXY "+live)
	checkDetail(t, got, "f/ws", "routeTried", "PROXY "+dead)
	checkDetail(t, got, "f/ws", "routeBy", "pac "+setup.PACURL)
	// A refusal is final: no fallover to the live proxy.
	checkWant(t, got, "n/tls", want{result.KindTLS, result.StatusFailed, "connect-refused-by-proxy", "connect"})
	checkDetail(t, got, "n/tls", "route", "PROXY "+deny)
	checkAbsent(t, got, "n/tcp/proxy-2", "n/ws")
	// A script that throws: the probe says so; the browser goes DIRECT.
	checkWant(t, got, "x/pac", want{result.KindPAC, result.StatusError, "pac-threw", "pac"})
	if e := got["x/pac"].Error; strings.ContainsAny(e, "\n\r") || !strings.Contains(e, "no rule") {
		t.Errorf("x/pac error %q", e)
	}
	checkWant(t, got, "x/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkDetail(t, got, "x/ws", "route", "DIRECT")
	checkDetail(t, got, "x/ws", "routeBy", "pac-failed pac-threw")
	checkWant(t, got, "p/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkDetail(t, got, "p/ws", "pacResult", "PROXY "+live)
}

// TestPACUnavailable: a PAC that cannot be fetched or does not parse
// falls back to the manual proxy, or DIRECT; with ProxyPacMandatory
// nothing is sent.
func TestPACUnavailable(t *testing.T) {
	t.Parallel()
	port, env, live := pacTestNet(t, dnsServer(t))
	target := webTarget("s", "wss://ok.test:"+strconv.Itoa(port)+"/ws")
	bad := filepath.Join(t.TempDir(), "bad.pac")
	os.WriteFile(bad, []byte("function FindProxyForURL(u, h) { return "), 0o600)
	for _, tt := range []struct {
		name             string
		setup            ProxySetup
		fetch            want
		route            string
		mandatoryBlocked bool
	}{
		{"unreachable, direct", ProxySetup{By: "system", PACURL: "http://" + deadPort(t) + "/proxy.pac"},
			want{result.KindPAC, result.StatusFailed, "pac-fetch-failed", "fetch"}, "DIRECT", false},
		{"404, manual fallback", ProxySetup{By: "system", PACURL: pacServer(t, "x") + ".missing", Manual: live},
			want{result.KindPAC, result.StatusFailed, "pac-fetch-failed", "fetch"}, "PROXY " + live, false},
		{"syntax error, direct", ProxySetup{By: "--pac", PACURL: bad},
			want{result.KindPAC, result.StatusError, "pac-syntax-error", "compile"}, "DIRECT", false},
		{"mandatory", ProxySetup{By: "policy", PACURL: bad, PACMandatory: true},
			want{result.KindPAC, result.StatusError, "pac-syntax-error", "compile"}, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			setup := tt.setup
			got := runRouted(t, env, &setup, target)
			checkWant(t, got, "pac/fetch", tt.fetch)
			if tt.mandatoryBlocked {
				checkWant(t, got, "s/pac", want{result.KindPAC, result.StatusFailed, "pac-mandatory-failed", "pac"})
				checkAbsent(t, got, "s/ws", "s/tcp/proxy", "s/tls")
				return
			}
			checkWant(t, got, "s/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
			checkDetail(t, got, "s/ws", "route", tt.route)
			if by := got["s/ws"].Details["routeBy"]; !strings.HasPrefix(by, "pac-failed ") {
				t.Errorf("routeBy = %q", by)
			}
		})
	}
}

// pacTestNet is what the PAC tests share: a web server on loopback (its
// port), an environment resolving through the DNS server at ns only, and
// the address of a proxy that allows every CONNECT.
func pacTestNet(t *testing.T, ns string) (int, *Env, string) {
	t.Helper()
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(ns, pki)
	env.Nameservers = []string{}
	return port, env, connectProxyStatus(t, http.StatusOK).Host
}

// wpadDNS answers 127.0.0.1 for wpad.corp.test only (and ok.test), so
// the walk must go past wpad.eng.corp.test.
func wpadDNS(t *testing.T) string {
	t.Helper()
	return serveDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		if (q.Name == "wpad.corp.test." || q.Name == "ok.test.") && q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
		} else if q.Name != "wpad.corp.test." && q.Name != "ok.test." {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	}))
}

// TestWPAD: auto-detect walks the search domain up to wpad.<domain> and
// runs the script found there.
func TestWPAD(t *testing.T) {
	t.Parallel()
	port, env, live := pacTestNet(t, wpadDNS(t))
	srv := pacServer(t, `function FindProxyForURL(u, h) { return "PROXY `+live+`"; }`)
	_, srvPort, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(srv, "/proxy.pac"), "http://"))
	// WPAD fetches http://wpad.corp.test/wpad.dat on port 80; the test
	// server is elsewhere, so the dialer moves port 80 there.
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "127.0.0.1:80" {
			addr = "127.0.0.1:" + srvPort
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	env.SearchDomains = []string{"eng.corp.test"}
	setup := &ProxySetup{By: "system", AutoDetect: true}
	got := runRouted(t, env, setup, webTarget("s", "wss://ok.test:"+strconv.Itoa(port)+"/ws"))
	checkWant(t, got, "pac/fetch", want{result.KindPAC, result.StatusOK, "", ""})
	checkDetail(t, got, "pac/fetch", "wpadTried", "wpad.eng.corp.test wpad.corp.test")
	if tg := got["pac/fetch"].Target; tg != "http://wpad.corp.test/wpad.dat" {
		t.Errorf("pac/fetch target %q", tg)
	}
	checkWant(t, got, "s/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkDetail(t, got, "s/ws", "route", "PROXY "+live)
	checkDetail(t, got, "s/ws", "routeBy", "pac http://wpad.corp.test/wpad.dat")

	// No wpad server in the domain: DIRECT, and the probe says so.
	env.SearchDomains = []string{"elsewhere.test"}
	got = runRouted(t, env, &ProxySetup{By: "system", AutoDetect: true}, webTarget("s", "wss://ok.test:"+strconv.Itoa(port)+"/ws"))
	checkWant(t, got, "pac/fetch", want{result.KindPAC, result.StatusFailed, "wpad-not-found", "fetch"})
	checkDetail(t, got, "s/ws", "route", "DIRECT")
}

func TestDescribePAC(t *testing.T) {
	p := &Plan{Proxy: &ProxySetup{PACURL: "http://wpad.corp:8080/proxy.pac"}}
	got := p.Describe()
	if len(got) < 2 || got[1].Destination != "wpad.corp" || got[1].Port != 8080 || got[1].Kind != "pac" {
		t.Errorf("Describe with a PAC = %+v", got)
	}
	if got := (&Plan{Proxy: &ProxySetup{PACURL: "/etc/proxy.pac"}}).Describe(); len(got) != 1 || got[0].Port != 0 {
		t.Errorf("Describe with a PAC file = %+v", got)
	}
}

// TestTURNRoutedByPAC: TURN over TCP asks the PAC about
// https://HOST:PORT/ and falls over from a dead proxy to a live one.
func TestTURNRoutedByPAC(t *testing.T) {
	srv := startTURN(t, turnServerOpts{})
	target := turnTarget("t", "tcp", srv.tcpPort, "alice", "s3cret-pass", "")
	addr := "127.0.0.1:" + strconv.Itoa(srv.tcpPort)
	live := connectProxy(t, addr).Host
	dead := deadPort(t)
	script := fmt.Sprintf(`function FindProxyForURL(url, host) {
  if (url == "https://%s/") return "PROXY %s; PROXY %s";
  return "DIRECT";
}`, addr, dead, live)
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, TURN: []TURNTarget{target}, Proxy: &ProxySetup{By: "--pac", PACURL: pacServer(t, script)}}
	got := map[string]result.Probe{}
	for _, p := range Run(context.Background(), &Env{}, plan, nil) {
		got[string(p.ID)] = p
	}
	// The route is the point here: through the live proxy, the Allocate
	// done. The relay round trip after it must work too, except on Windows
	// under Wine, where it fails on loopback for every TURN test.
	if p := got["t"]; p.Status != result.StatusOK && (runtime.GOOS != "windows" || p.Step != "relay") {
		t.Errorf("t = %s/%s at %q (%s): the connection through the proxy or the Allocate failed", p.Status, p.Reason, p.Step, p.Error)
	}
	checkDetail(t, got, "t", "route", "PROXY "+live)
	checkDetail(t, got, "t", "routeTried", "PROXY "+dead)
	checkDetail(t, got, "t/pac", "pacResult", "PROXY "+dead+"; PROXY "+live)
	if got["t"].Details["via"] != "http-proxy" || got["t"].Via != result.ViaHTTPProxy {
		t.Errorf("via = %q, Via = %q", got["t"].Details["via"], got["t"].Via)
	}
}
