package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/miekg/dns"

	"github.com/rtcprobe/rtcprobe/internal/testpki"
	"github.com/rtcprobe/rtcprobe/result"
)

// testPKI is a private CA ("Corp Inspect CA", like an inspecting proxy's)
// and a leaf for *.test, localhost and 127.0.0.1.
type testPKI struct {
	pool *x509.CertPool
	leaf tls.Certificate
}

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	ca, err := testpki.NewCA("Corp Inspect CA", "Corp")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"ok.test", "*.test"}, net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{pool: ca.Pool(), leaf: leaf}
}

// webServer serves /ok (200), /ws (WebSocket), /deny (403 to the upgrade)
// and /hang (never answers until the client goes away).
func webServer(t testing.TB, pki testPKI) int {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err == nil {
			c.CloseNow()
		}
	})
	mux.HandleFunc("/deny", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "corp-gw")
		http.Error(w, "forbidden", http.StatusForbidden)
	})
	mux.HandleFunc("/hang", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

// dnsServer answers like a corporate resolver: ok.test and *.ok names
// resolve to 127.0.0.1, nx.test does not exist, fail.test SERVFAILs,
// refused.test is REFUSED, v4only.test answers A and refuses AAAA, sink.test is sinkholed to 0.0.0.0 and
// silent.test gets no answer at all.
func dnsServer(t testing.TB) string {
	t.Helper()
	return serveDNS(t, dns.HandlerFunc(answerDNS))
}

// serveDNS runs a DNS server with h on a loopback UDP port until the test
// ends and returns its address; its start is awaited for at most 10 s.
func serveDNS(t testing.TB, h dns.Handler) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: h}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan struct{})
	go func() { defer close(done); srv.ActivateAndServe() }()
	select {
	case <-started:
	case <-done:
		t.Fatal("the test DNS server stopped before it started")
	case <-time.After(10 * time.Second):
		pc.Close()
		t.Fatal("the test DNS server did not start within 10 s")
	}
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return pc.LocalAddr().String()
}

func answerDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	switch q.Name {
	case "ok.test.":
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
		}
	case "sink.test.":
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4zero})
		}
	case "two.test.": // two addresses, the first one not served
		if q.Qtype == dns.TypeA {
			for _, ip := range []net.IP{net.IPv4(127, 0, 0, 2), net.IPv4(127, 0, 0, 1)} {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip})
			}
		}
	case "v4only.test.": // a forwarder that refuses AAAA but answers A
		if q.Qtype != dns.TypeA {
			m.Rcode = dns.RcodeRefused
			break
		}
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
	case "fail.test.":
		m.Rcode = dns.RcodeServerFailure
	case "refused.test.":
		m.Rcode = dns.RcodeRefused
	case "silent.test.":
		return
	default:
		m.Rcode = dns.RcodeNameError
	}
	w.WriteMsg(m)
}

// garbageDNS answers every query with bytes that are not a DNS message
// (or, with truncate, a header claiming an answer that is not there).
func garbageDNS(t *testing.T, truncate bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			out := []byte("\xde\xad garbage")
			if truncate && n >= 12 {
				// Same ID, QR and TC set, no records: the client must
				// retry over TCP, where nothing listens.
				out = append([]byte{buf[0], buf[1], 0x83, 0x80, 0, 1, 0, 1, 0, 0, 0, 0}, buf[12:n]...)
			}
			pc.WriteTo(out, from)
		}
	})
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	return pc.LocalAddr().String()
}

// testEnv resolves through the test DNS server, system and direct alike.
func testEnv(ns string, pki testPKI) *Env {
	return &Env{
		Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			// The Go resolver reads until its own 5 s timer even after
			// the lookup is cancelled; closing on cancel keeps goleak
			// quiet (the real resolver's leftover is bounded the same way).
			var d net.Dialer
			c, err := d.DialContext(ctx, "udp", ns)
			if err == nil {
				context.AfterFunc(ctx, func() { c.Close() })
			}
			return c, err
		}},
		Nameservers:     []string{ns},
		RootCAs:         pki.pool,
		LoopbackAnswers: true,
	}
}

func runWeb(t *testing.T, env *Env, proxy *url.URL, targets ...WebTarget) map[string]result.Probe {
	t.Helper()
	plan := &Plan{Timers: fastTimers(), Budget: 8 * time.Second, Web: targets, HTTPProxy: proxy}
	got := map[string]result.Probe{}
	for _, p := range Run(context.Background(), env, plan, nil) {
		if _, dup := got[string(p.ID)]; dup {
			t.Errorf("probe %s reported twice", p.ID)
		}
		got[string(p.ID)] = p
	}
	return got
}

// want is the expected outcome of one probe.
type want struct {
	kind   result.Kind
	status result.Status
	reason result.Reason
	step   string
}

func checkWant(t *testing.T, got map[string]result.Probe, id string, w want) {
	t.Helper()
	p, ok := got[id]
	if !ok {
		ids := make([]string, 0, len(got))
		for k := range got {
			ids = append(ids, k)
		}
		t.Errorf("no probe %s; have %v", id, ids)
		return
	}
	if p.Kind != w.kind || p.Status != w.status || p.Reason != w.reason || p.Step != w.step {
		t.Errorf("%s = {%s %s %s %s} (error %q), want {%s %s %s %s}", id, p.Kind, p.Status, p.Reason, p.Step, p.Error, w.kind, w.status, w.reason, w.step)
	}
}

func checkAbsent(t *testing.T, got map[string]result.Probe, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, ok := got[id]; ok {
			t.Errorf("probe %s emitted after its step failed", id)
		}
	}
}

func webTarget(id, u string) WebTarget {
	return WebTarget{ID: id, Role: "signaling", Region: "mainland", URL: u}
}

// connectProxyStatus is a CONNECT proxy that answers status (200 opens a
// tunnel to 127.0.0.1 on the requested port, whatever the name).
func connectProxyStatus(t *testing.T, status int) *url.URL {
	return startConnectProxy(t, func(target string) (int, string) {
		_, port, _ := net.SplitHostPort(target)
		return status, "127.0.0.1:" + port
	})
}

// startConnectProxy is a tiny HTTP proxy: route says, for a CONNECT
// target, the status to answer and (for 200) where to tunnel to.
func startConnectProxy(t testing.TB, route func(target string) (status int, upstream string)) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveCONNECT(c, route) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

func serveCONNECT(c net.Conn, route func(string) (int, string)) {
	defer c.Close()
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil || req.Method != http.MethodConnect {
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return
	}
	status, upstream := route(req.Host)
	if status != http.StatusOK {
		_, _ = io.WriteString(c, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+"\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := net.Dial("tcp4", upstream)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
}
