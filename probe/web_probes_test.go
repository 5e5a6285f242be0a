package probe

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

func TestWebOpenPath(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(dnsServer(t), pki)
	ns := env.Nameservers[0]
	got := runWeb(t, env, nil,
		webTarget("sched", "https://ok.test:"+strconv.Itoa(port)+"/ok"),
		webTarget("sig", "wss://ok.test:"+strconv.Itoa(port)+"/ws"),
		webTarget("deny", "wss://ok.test:"+strconv.Itoa(port)+"/deny"),
	)
	checkWant(t, got, "sched/dns", want{result.KindDNS, result.StatusOK, "", ""})
	checkWant(t, got, "sched/dns@"+ns, want{result.KindDNS, result.StatusOK, "", ""})
	checkWant(t, got, "sched/tcp/127.0.0.1", want{result.KindTCP, result.StatusOK, "", ""})
	checkWant(t, got, "sched/tls", want{result.KindTLS, result.StatusOK, "", ""})
	checkWant(t, got, "sched/https", want{result.KindHTTPS, result.StatusOK, "", ""})
	checkWant(t, got, "sig/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkWant(t, got, "deny/ws", want{result.KindWebSocket, result.StatusFailed, "http-403", "upgrade"})
	if a := got["sched/dns"].Details["addresses"]; a != "127.0.0.1" {
		t.Errorf("addresses = %q, want 127.0.0.1", a)
	}
	d := got["sched/tls"].Details
	if d["verified"] != "true" || d["issuer"] != "Corp Inspect CA" || d["issuerOrg"] != "Corp" || d["issuerPublic"] != "false" || d["issuerChain"] == "" {
		t.Errorf("tls details = %v", d)
	}
	if s := got["sched/https"].Details["httpStatus"]; s != "200" {
		t.Errorf("httpStatus = %q, want 200", s)
	}
	if d := got["deny/ws"].Details; d["httpStatus"] != "403" || d["server"] != "corp-gw" {
		t.Errorf("deny details = %v", d)
	}
}

func TestWebDNS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	env := testEnv(dnsServer(t), pki)
	ns := env.Nameservers[0]
	tests := []struct {
		host           string
		system, direct want
	}{
		{"nx.test", want{result.KindDNS, result.StatusFailed, "nxdomain", "resolve"}, want{result.KindDNS, result.StatusFailed, "nxdomain", "resolve"}},
		{"fail.test", want{result.KindDNS, result.StatusFailed, "servfail", "resolve"}, want{result.KindDNS, result.StatusFailed, "servfail", "resolve"}},
		{"refused.test", want{result.KindDNS, result.StatusFailed, "servfail", "resolve"}, want{result.KindDNS, result.StatusFailed, "refused", "resolve"}},
		{"sink.test", want{result.KindDNS, result.StatusFailed, "sinkholed", "resolve"}, want{result.KindDNS, result.StatusFailed, "sinkholed", "resolve"}},
		{"silent.test", want{result.KindDNS, result.StatusBlocked, "timeout", "resolve"}, want{result.KindDNS, result.StatusBlocked, "timeout", "resolve"}},
	}
	var targets []WebTarget
	for _, tt := range tests {
		targets = append(targets, webTarget(tt.host, "https://"+tt.host+"/"))
	}
	got := runWeb(t, env, nil, targets...)
	for _, tt := range tests {
		checkWant(t, got, tt.host+"/dns", tt.system)
		checkWant(t, got, tt.host+"/dns@"+ns, tt.direct)
		checkAbsent(t, got, tt.host+"/tls", tt.host+"/https")
	}
}

// TestDirectDNSPartialAnswer: a resolver that answers A and refuses AAAA
// still resolves the name (the browser gets its IPv4 address); the refusal
// is kept as a detail, not reported as a DNS failure.
func TestDirectDNSPartialAnswer(t *testing.T) {
	t.Parallel()
	ns := dnsServer(t)
	o := queryNameserver(context.Background(), ns, "v4only.test", true, fastTimers().DNS)
	if o.status != result.StatusOK || len(o.addrs) != 1 || o.addrs[0].String() != "127.0.0.1" {
		t.Fatalf("got %s %s %v (%v), want ok 127.0.0.1", o.status, o.reason, o.addrs, o.err)
	}
	if !strings.Contains(o.note, "AAAA") || !strings.Contains(o.note, "REFUSED") {
		t.Errorf("note = %q, want the AAAA refusal", o.note)
	}
	// Both types refused is still a refusal.
	if o := queryNameserver(context.Background(), ns, "refused.test", true, fastTimers().DNS); o.status != result.StatusFailed || o.reason != "refused" {
		t.Errorf("refused.test: got %s %s, want failed refused", o.status, o.reason)
	}
}

func TestDirectDNSHostile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		truncate bool
		reason   result.Reason
	}{{"garbage", false, "malformed"}, {"truncated", true, "truncated"}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := garbageDNS(t, tt.truncate)
			o := queryNameserver(context.Background(), ns, "ok.test", true, fastTimers().DNS)
			if o.status != result.StatusError || o.reason != tt.reason {
				t.Errorf("got %s %s (%v), want error %s", o.status, o.reason, o.err, tt.reason)
			}
		})
	}
}

func TestWebTCP(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	got := runWeb(t, env, nil, webTarget("rst", "https://ok.test:"+strconv.Itoa(closed)+"/"))
	checkWant(t, got, "rst/tcp/127.0.0.1", want{result.KindTCP, result.StatusRejected, "rst", "connect"})
	checkAbsent(t, got, "rst/tls")

	// A firewall that drops SYNs: the connect never completes.
	env.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	got = runWeb(t, env, nil, webTarget("drop", "https://ok.test:443/"))
	checkWant(t, got, "drop/tcp/127.0.0.1", want{result.KindTCP, result.StatusBlocked, "timeout", "connect"})
}

func TestClassifyConnect(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status result.Status
		reason result.Reason
	}{
		{&net.OpError{Op: "dial", Err: errnoErr("ECONNREFUSED")}, result.StatusRejected, "rst"},
		{&net.OpError{Op: "dial", Err: errnoErr("EHOSTUNREACH")}, result.StatusRejected, "icmp-unreachable"},
		{&net.OpError{Op: "dial", Err: errnoErr("ENETUNREACH")}, result.StatusRejected, "icmp-unreachable"},
		{context.DeadlineExceeded, result.StatusBlocked, "timeout"},
		{errors.New("weird"), result.StatusError, "connect-error"},
	} {
		if s, r := classifyConnect(tt.err, nil); s != tt.status || r != tt.reason {
			t.Errorf("classifyConnect(%v) = %s %s, want %s %s", tt.err, s, r, tt.status, tt.reason)
		}
	}
}

func TestWebHostileTLS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	port := webServer(t, pki)
	got := runWeb(t, env, nil,
		webTarget("acc", "https://ok.test:"+strconv.Itoa(stallAfter(t, 0))+"/"),
		webTarget("mid", "https://ok.test:"+strconv.Itoa(stallAfter(t, 1))+"/"),
		webTarget("hang", "wss://ok.test:"+strconv.Itoa(port)+"/hang"),
	)
	checkWant(t, got, "acc/tls", want{result.KindTLS, result.StatusBlocked, "timeout", "handshake"})
	checkWant(t, got, "mid/tls", want{result.KindTLS, result.StatusBlocked, "timeout", "handshake"})
	checkWant(t, got, "hang/ws", want{result.KindWebSocket, result.StatusBlocked, "timeout", "upgrade"})
	checkAbsent(t, got, "acc/https", "mid/https")

	// The same server with a CA we do not trust (no inspection root).
	env.RootCAs = newTestPKI(t).pool
	got = runWeb(t, env, nil, webTarget("untrusted", "https://ok.test:"+strconv.Itoa(port)+"/ok"))
	checkWant(t, got, "untrusted/tls", want{result.KindTLS, result.StatusFailed, "tls-verify", "verify"})
	if d := got["untrusted/tls"].Details; d["verified"] != "false" || d["issuer"] != "Corp Inspect CA" {
		t.Errorf("untrusted details = %v", d)
	}
}

func TestWebThroughHTTPProxy(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	target := webTarget("sig", "wss://ok.test:"+strconv.Itoa(port)+"/ws")
	got := runWeb(t, env, connectProxyStatus(t, http.StatusOK), target)
	checkWant(t, got, "sig/tcp/proxy", want{result.KindTCP, result.StatusOK, "", ""})
	checkWant(t, got, "sig/tls", want{result.KindTLS, result.StatusOK, "", ""})
	checkWant(t, got, "sig/ws", want{result.KindWebSocket, result.StatusOK, "", ""})
	checkAbsent(t, got, "sig/tcp/127.0.0.1")
	if got["sig/ws"].Details["via"] != "http-proxy" || got["sig/tcp/proxy"].Details["via"] != "http-proxy" {
		t.Errorf("via missing: %v %v", got["sig/ws"].Details, got["sig/tcp/proxy"].Details)
	}
	for _, id := range []string{"sig/tcp/proxy", "sig/tls", "sig/ws"} {
		if p := got[id]; p.Via != result.ViaHTTPProxy || p.SDKProxy {
			t.Errorf("%s: via %q sdkProxy %v, want http-proxy false", id, p.Via, p.SDKProxy)
		}
	}
	for _, status := range []int{http.StatusForbidden, http.StatusProxyAuthRequired} {
		got := runWeb(t, env, connectProxyStatus(t, status), target)
		checkWant(t, got, "sig/tls", want{result.KindTLS, result.StatusFailed, "connect-refused-by-proxy", "connect"})
		if s := got["sig/tls"].Details["proxyStatus"]; s != strconv.Itoa(status) {
			t.Errorf("proxyStatus = %q, want %d", s, status)
		}
		checkAbsent(t, got, "sig/ws")
	}
}

// stallAfter accepts TCP and, after reading the ClientHello, writes n
// bytes of a TLS record (0: nothing) and then stalls until closed.
func stallAfter(t testing.TB, n int) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				if n > 0 {
					// A ServerHello record header promising 512 bytes
					// that never come.
					c.Write([]byte{0x16, 0x03, 0x03, 0x02, 0x00, 0x02})
				}
				c.Read(buf) // until the client gives up and closes
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().(*net.TCPAddr).Port
}

func errnoErr(name string) error {
	return map[string]error{"ECONNREFUSED": syscall.ECONNREFUSED, "EHOSTUNREACH": syscall.EHOSTUNREACH, "ENETUNREACH": syscall.ENETUNREACH}[name]
}

// TestPublicIssuers: an issuer outside the built-in list is not public
// unless the environment names its organisation (RTCPROBE_PUBLIC_CA_ORGS).
func TestPublicIssuers(t *testing.T) {
	c := &x509.Certificate{Issuer: pkix.Name{CommonName: "Corp Proxy CA", Organization: []string{"Example Corp"}}}
	if isPublicIssuer(c, nil) {
		t.Error("Example Corp counted as a public CA")
	}
	if !isPublicIssuer(c, []string{"", "example corp"}) {
		t.Error("Example Corp not public although named in PublicIssuers")
	}
	c.Issuer = pkix.Name{CommonName: "DigiCert Global G2 TLS RSA SHA256 2020 CA1", Organization: []string{"DigiCert Inc"}}
	if !isPublicIssuer(c, nil) {
		t.Error("DigiCert not counted as a public CA")
	}
}

// TestWebTCPEveryAddress: every resolved address gets its own TCP probe at
// once; a dropped first address neither hides the working second one nor
// holds the request up for its connect timeout.
func TestWebTCPEveryAddress(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(dnsServer(t), pki)
	env.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		if strings.HasPrefix(address, "127.0.0.2:") { // dropped by a firewall
			<-ctx.Done()
			return nil, ctx.Err()
		}
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	}
	got := runWeb(t, env, nil, WebTarget{ID: "two", Role: "schedule", Region: "mainland", URL: "https://two.test:" + strconv.Itoa(port) + "/ok"})
	checkWant(t, got, "two/tcp/127.0.0.2", want{result.KindTCP, result.StatusBlocked, "timeout", "connect"})
	checkWant(t, got, "two/tcp/127.0.0.1", want{result.KindTCP, result.StatusOK, "", ""})
	checkWant(t, got, "two/https", want{result.KindHTTPS, result.StatusOK, "", ""})
	if p := got["two/https"]; p.StartMs > 1000 {
		t.Errorf("the request began at %.0f ms: it waited for the dropped address", p.StartMs)
	}
}

// TestWebProxyGarbledAnswer: a proxy whose answer to CONNECT is not HTTP
// is a proxy error at once, not "blocked (timeout)" (the context was read
// after its cancel, so every such error looked like a timeout and became a
// firewall rule for TCP 443).
func TestWebProxyGarbledAnswer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 4096))
			c.Write([]byte("HTTP/1.1 200 OK\r\nBad\x1b[2JHeader x\r\n\r\n"))
			c.Close()
		}
	}()
	pki := newTestPKI(t)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	got := runWeb(t, env, &url.URL{Scheme: "http", Host: ln.Addr().String()}, webTarget("sig", "wss://ok.test:443/ws"))
	checkWant(t, got, "sig/tls", want{result.KindTLS, result.StatusError, "proxy-error", "connect"})
}

// TestWebRoute: every probe of a web target records the route it took,
// which the verdict reads instead of guessing from the region: an SDK
// proxy reached directly is sdk-proxy, through the browser's HTTP proxy
// http-proxy (still an SDK proxy target), a TRTC host reached directly
// direct.
func TestWebRoute(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	port := webServer(t, pki)
	env := testEnv(dnsServer(t), pki)
	env.Nameservers = []string{}
	sdk := WebTarget{ID: "sp", Role: "signaling", URL: "wss://ok.test:" + strconv.Itoa(port) + "/ws", Via: "websocketProxy"}
	trtc := webTarget("sig", "wss://ok.test:"+strconv.Itoa(port)+"/ws")
	for _, tt := range []struct {
		name   string
		proxy  *url.URL
		target WebTarget
		via    result.Via
	}{
		{"sdk proxy", nil, sdk, result.ViaSDKProxy},
		{"sdk proxy through the http proxy", connectProxyStatus(t, http.StatusOK), sdk, result.ViaHTTPProxy},
		{"trtc host", nil, trtc, result.ViaDirect},
	} {
		got := runWeb(t, env, tt.proxy, tt.target)
		if len(got) == 0 {
			t.Fatalf("%s: no probes", tt.name)
		}
		for id, p := range got {
			wantVia := tt.via
			if p.Kind == result.KindDNS && tt.via == result.ViaHTTPProxy {
				continue // with a proxy the name is the proxy's to resolve
			}
			if p.Via != wantVia || p.SDKProxy != (tt.target.Via != "") {
				t.Errorf("%s: %s via %q sdkProxy %v, want %q %v", tt.name, id, p.Via, p.SDKProxy, wantVia, tt.target.Via != "")
			}
		}
	}
}
