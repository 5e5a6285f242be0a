package reflector

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

// Limits of the quality flow (rtcprobe check --quality). The reflector is
// on the public internet, so a flow never turns it into an amplifier: it
// answers a hello with a cookie no larger than the hello, and data only
// with a valid cookie (the source proved it receives at its address), then
// never sends a flow more than flowRatio times the bytes it received from
// it, as QUIC bounds a server before address validation (RFC 9000 §8.1).
const (
	// flowRatio bounds a flow's bytes out by its bytes in.
	flowRatio = 3
	// FlowMaxAge ends a flow: Microsoft's Teams network assessment runs
	// flows of up to 300 s per relay; rtcprobe's are shorter.
	FlowMaxAge = 300 * time.Second
	// cookieLifetime is FlowMaxAge plus the time a client may take between
	// the cookie and its first data.
	cookieLifetime = FlowMaxAge + 10*time.Second
	// FlowRateBytes and FlowBurstBytes bound the replies to one source IP:
	// 1.25 MB/s (10 Mbit/s) is five 1080p TRTC streams (2 Mbit/s each,
	// trtc.io/document/59654), enough for a check, little for a flood.
	FlowRateBytes  = 1_250_000
	FlowBurstBytes = 256 << 10
	// maxFlows and maxFlowsPerIP bound the flow table (about 100 bytes an
	// entry); a quality run opens one flow per path, one after another.
	maxFlows      = 4096
	maxFlowsPerIP = 16
)

// flowKey is one flow: a source address and the client's flow id.
type flowKey struct {
	from netip.AddrPort
	id   uint64
}

type flowState struct {
	start    time.Time
	rxCount  uint32
	rxBytes  uint64
	txBytes  uint64
	replySeq uint32
}

// flowCounters count what the flow handler did. All fields are atomic.
type flowCounters struct {
	Cookies    atomic.Uint64 // hellos answered with a cookie
	Replies    atomic.Uint64 // data datagrams answered
	BadCookie  atomic.Uint64 // data with a missing, forged or stale cookie
	OverBudget atomic.Uint64 // data not answered: ratio, rate, age or table limit
	Shortened  atomic.Uint64 // replies cut below the size asked for
}

// flowTable is the reflector's flow state. The zero value is ready: the
// secret and the maps are made on first use.
type flowTable struct {
	once    sync.Once
	secret  [32]byte
	epoch   time.Time
	now     func() time.Time // injected clock for tests; nil means time.Now
	metrics flowCounters

	mu    sync.Mutex // protects flows, perIP and rate
	flows map[flowKey]*flowState
	perIP map[netip.Addr]int
	rate  map[netip.Addr]*byteBucket // reply bytes per source IP
}

// byteBucket is a token bucket of reply bytes for one source IP.
type byteBucket struct {
	tokens float64
	last   time.Time
}

// take spends n reply bytes of ip's bucket, if it holds them. Called with
// mu held; the map is bounded like the flow table (a full map forgets an
// arbitrary source, which then starts again with a full burst: no more
// than one burst per table slot).
func (t *flowTable) take(ip netip.Addr, n float64, now time.Time) bool {
	b := t.rate[ip]
	if b == nil {
		if len(t.rate) >= maxFlows {
			for k := range t.rate {
				delete(t.rate, k)
				break
			}
		}
		b = &byteBucket{tokens: FlowBurstBytes, last: now}
		t.rate[ip] = b
	}
	b.tokens = min(FlowBurstBytes, b.tokens+now.Sub(b.last).Seconds()*FlowRateBytes)
	b.last = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

func (t *flowTable) init() {
	t.once.Do(func() {
		_, _ = rand.Read(t.secret[:])
		if t.now == nil {
			t.now = time.Now
		}
		t.epoch = t.now()
		t.flows = map[flowKey]*flowState{}
		t.perIP = map[netip.Addr]int{}
		t.rate = map[netip.Addr]*byteBucket{}
	})
}

// micros is the reflector's clock for timestamps: µs since the table began.
func (t *flowTable) micros(at time.Time) int64 { return at.Sub(t.epoch).Microseconds() }

// cookie binds a flow id to the address it came from and the time it was
// issued (seconds since epoch, in the cookie's last 4 bytes).
func (t *flowTable) cookie(from netip.AddrPort, id uint64, issued uint32) [wire.CookieLen]byte {
	mac := hmac.New(sha256.New, t.secret[:])
	a := from.Addr().Unmap().As16()
	var b [16 + 2 + 8 + 4]byte
	copy(b[:], a[:])
	binary.BigEndian.PutUint16(b[16:], from.Port())
	binary.BigEndian.PutUint64(b[18:], id)
	binary.BigEndian.PutUint32(b[26:], issued)
	mac.Write(b[:])
	var c [wire.CookieLen]byte
	copy(c[:], mac.Sum(nil)[:wire.CookieLen-4])
	binary.BigEndian.PutUint32(c[wire.CookieLen-4:], issued)
	return c
}

func (t *flowTable) validCookie(from netip.AddrPort, f wire.Flow, now time.Time) bool {
	issued := binary.BigEndian.Uint32(f.Cookie[wire.CookieLen-4:])
	age := now.Sub(t.epoch) - time.Duration(issued)*time.Second
	if age < 0 || age > cookieLifetime {
		return false
	}
	want := t.cookie(from, f.FlowID, issued)
	return hmac.Equal(want[:], f.Cookie[:])
}

// handleFlow answers one flow datagram into out (at least wire.MaxFlow
// bytes). Hellos pass the server's ordinary per-source limit first.
func (s *Server) handleFlow(pkt []byte, from netip.AddrPort, out []byte) ([]byte, bool) {
	t := &s.flows
	t.init()
	f, err := wire.ParseFlow(pkt)
	if err != nil {
		s.metrics.Malformed.Add(1)
		return nil, false
	}
	now := t.now()
	switch f.Kind {
	case wire.FlowHello:
		if !s.limit.Allow(from.Addr().Unmap()) {
			s.metrics.RateLimited.Add(1)
			return nil, false
		}
		issued := uint32(now.Sub(t.epoch) / time.Second)
		reply := wire.Flow{Kind: wire.FlowCookie, FlowID: f.FlowID, Cookie: t.cookie(from, f.FlowID, issued),
			ClientSend: f.ClientSend, ReflRecv: t.micros(now), ReflSend: t.micros(t.now())}
		b, err := wire.AppendFlow(out, reply, wire.FlowHeaderLen) // never larger than the hello
		if err != nil {
			return nil, false
		}
		t.metrics.Cookies.Add(1)
		return b, true
	case wire.FlowData:
		return t.answerData(f, from, now, out)
	}
	s.metrics.Malformed.Add(1)
	return nil, false
}

// answerData answers a data datagram within the flow's byte budget.
func (t *flowTable) answerData(f wire.Flow, from netip.AddrPort, now time.Time, out []byte) ([]byte, bool) {
	if !t.validCookie(from, f, now) {
		t.metrics.BadCookie.Add(1)
		return nil, false
	}
	reply, size, ok := t.account(f, from, now)
	if !ok {
		t.metrics.OverBudget.Add(1)
		return nil, false
	}
	reply.ReflSend = t.micros(t.now())
	b, err := wire.AppendFlow(out, reply, size)
	if err != nil {
		return nil, false
	}
	t.metrics.Replies.Add(1)
	if reply.Flags&wire.FlagShortened != 0 {
		t.metrics.Shortened.Add(1)
	}
	return b, true
}

// account records a received datagram and sizes its reply: the size asked
// for, cut to what the ratio leaves; no reply when not even a header fits,
// the source's byte rate is spent, or the flow is too old.
func (t *flowTable) account(f wire.Flow, from netip.AddrPort, now time.Time) (wire.Flow, int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := flowKey{from, f.FlowID}
	st := t.flows[k]
	if st == nil {
		if st = t.open(k, now); st == nil {
			return wire.Flow{}, 0, false
		}
	}
	if now.Sub(st.start) > FlowMaxAge {
		return wire.Flow{}, 0, false
	}
	st.rxCount++
	st.rxBytes += uint64(f.Size)
	size := max(int(f.Want), wire.FlowHeaderLen)
	var flags byte
	if left := flowRatio*st.rxBytes - st.txBytes; uint64(size) > left {
		size, flags = int(left), wire.FlagShortened
	}
	if size < wire.FlowHeaderLen || !t.take(from.Addr().Unmap(), float64(size), now) {
		return wire.Flow{}, 0, false
	}
	st.txBytes += uint64(size)
	st.replySeq++
	return wire.Flow{Kind: wire.FlowReply, Flags: flags, FlowID: f.FlowID, Seq: f.Seq, ReplySeq: st.replySeq - 1,
		ClientSend: f.ClientSend, ReflRecv: t.micros(now), RecvCount: st.rxCount,
		RecvBytes: uint32(min(st.rxBytes, 1<<32-1))}, size, true
}

// open adds a flow, first dropping expired ones when the table is full.
// It returns nil when the table or the source's share of it is full.
func (t *flowTable) open(k flowKey, now time.Time) *flowState {
	ip := k.from.Addr().Unmap()
	if len(t.flows) >= maxFlows || t.perIP[ip] >= maxFlowsPerIP {
		t.expire(now)
	}
	if len(t.flows) >= maxFlows || t.perIP[ip] >= maxFlowsPerIP {
		return nil
	}
	st := &flowState{start: now}
	t.flows[k] = st
	t.perIP[ip]++
	return st
}

// expire drops flows older than FlowMaxAge (their cookies are stale too).
func (t *flowTable) expire(now time.Time) {
	for k, st := range t.flows {
		if now.Sub(st.start) > FlowMaxAge {
			delete(t.flows, k)
			ip := k.from.Addr().Unmap()
			if t.perIP[ip]--; t.perIP[ip] <= 0 {
				delete(t.perIP, ip)
			}
		}
	}
}

// WritePrometheus writes the flow counters in the Prometheus text format.
func (m *flowCounters) WritePrometheus(w io.Writer) {
	for _, c := range []struct {
		name, help string
		v          uint64
	}{
		{"flow_cookies_total", "Quality-flow hellos answered with a cookie.", m.Cookies.Load()},
		{"flow_replies_total", "Quality-flow datagrams answered.", m.Replies.Load()},
		{"flow_bad_cookie_total", "Quality-flow datagrams dropped for a missing, forged or stale cookie.", m.BadCookie.Load()},
		{"flow_over_budget_total", "Quality-flow datagrams not answered: byte ratio, rate, age or table limit.", m.OverBudget.Load()},
		{"flow_shortened_total", "Quality-flow replies cut below the size asked for.", m.Shortened.Load()},
	} {
		fmt.Fprintf(w, "# HELP rtcprobe_%s %s\n# TYPE rtcprobe_%s counter\nrtcprobe_%s %d\n", c.name, c.help, c.name, c.name, c.v)
	}
}
