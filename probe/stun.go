package probe

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/internal/wire"
	"github.com/rtcprobe/rtcprobe/result"
)

// maxDatagram is the largest answer accepted: the UDP payload of a
// 1500-byte packet plus headroom. Anything larger is a hostile or broken
// server and is ignored.
const maxDatagram = 1500

// errGarbage: only unusable answers came back.
var errGarbage = errors.New("probe: only unusable answers")

// mediaState is shared by the media probes of one run. Protected by the
// sync.Once fields.
type mediaState struct {
	resolveOnce sync.Once
	addr        netip.Addr
	resolveErr  error

	tokenOnce sync.Once
	token     [wire.TokenLen]byte

	// lossy is set once any UDP exchange of the run was answered only
	// after a retransmission: the path loses (or delays) datagrams, so
	// silent exchanges are given Timers.LossySendAt before being called blocked.
	lossy atomic.Bool
}

// udpWait is when an exchange sends and how long it waits for an answer:
// schedule and giveUp, extended to lossySchedule and lossyGiveUp when
// patient says so at giveUp.
type udpWait struct {
	schedule      []time.Duration
	giveUp        time.Duration
	patient       func() bool
	lossySchedule []time.Duration
	lossyGiveUp   time.Duration
}

// udpWait is a wait of this run on schedule until giveUp, extended to the
// run's lossy schedule once the run has seen loss.
func (r *run) udpWait(schedule []time.Duration, giveUp time.Duration) udpWait {
	t := r.plan.Timing()
	return udpWait{schedule: schedule, giveUp: giveUp, patient: r.media.lossy.Load,
		lossySchedule: t.LossySendAt, lossyGiveUp: t.LossyGiveUp}
}

// stunWait is the wait of a STUN (or same-size echo) probe of this run.
func (r *run) stunWait() udpWait {
	t := r.plan.Timing()
	return r.udpWait(t.STUNSendAt, t.STUNGiveUp)
}

// noteLoss records that an exchange needed a retransmission.
func (r *run) noteLoss(res exchangeResult) {
	// An answer after busy notices came late because the reflector was
	// limiting us, not because the path lost datagrams.
	if res.answered > 0 && res.ignored[busyKind] == 0 {
		r.media.lossy.Store(true)
	}
}

// reflectorAddr resolves the reflector host once per run and records
// reflector/dns when it is a name; every media port shares the answer.
func (r *run) reflectorAddr(ctx context.Context, host string) (netip.Addr, error) {
	m := &r.media
	m.resolveOnce.Do(func() {
		if a, err := netip.ParseAddr(host); err == nil {
			m.addr = a.Unmap()
			return
		}
		p := result.Probe{ID: result.ReflectorDNSID, Kind: result.KindDNS, Role: "media", Target: host}
		start := r.begin(p)
		ctx, cancel := context.WithTimeout(ctx, r.plan.Timing().ReflectorDNS)
		defer cancel()
		addrs, err := r.env.resolver().LookupNetIP(ctx, "ip", host)
		p.RTTMs = result.RTT(r.env.now().Sub(start))
		m.addr, m.resolveErr = pickIPv4(addrs, err)
		if m.resolveErr != nil {
			p.Status, p.Reason, p.Error = dnsFailure(m.resolveErr)
			r.finish(p)
			return
		}
		p.Status, p.Address = result.StatusOK, m.addr.String()
		p.Details = map[result.DetailKey]string{result.DetailAddresses: m.addr.String()}
		r.finish(p)
	})
	return m.addr, m.resolveErr
}

// pickIPv4 returns the first IPv4 address, else the first address.
func pickIPv4(addrs []netip.Addr, err error) (netip.Addr, error) {
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, ErrTimeout
	}
	return addrs[0], nil
}

// dnsFailure classifies a system resolver error for reflector/dns.
func dnsFailure(err error) (status result.Status, reason result.Reason, msg string) {
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		return result.StatusFailed, result.ReasonNXDomain, err.Error()
	case errors.As(err, &de) && de.IsTimeout, errors.Is(err, context.DeadlineExceeded):
		return result.StatusBlocked, result.ReasonTimeout, err.Error()
	}
	return result.StatusFailed, result.ReasonServFail, err.Error()
}

// echoToken is the run's random echo token, made once.
func (r *run) echoToken() [wire.TokenLen]byte {
	r.media.tokenOnce.Do(func() { _, _ = rand.Read(r.media.token[:]) })
	return r.media.token
}

// stun sends STUN binding requests to host:port over UDP on the compressed
// retransmission schedule (Timers.STUNSendAt). When STUN has no answer by
// its first retransmission, an echo datagram of the same size goes alongside
// (echo.go): a port where it passes and STUN does not is filtered by
// content. A port that answers or rejects at once gets no such datagram,
// which keeps a rejecting firewall's ICMP (rate-limited by every OS) for
// the probes that need it. When the STUN answer comes from rtcprobe serve
// (its SOFTWARE), the echo probes follow; from any other reflector (coturn)
// nothing would answer them, so none is sent and a running one is stopped.
func (r *run) stun(ctx context.Context, host string, port int) {
	p, to, start, ok := r.beginSTUN(ctx, result.STUNID(port), host, port)
	if !ok {
		return
	}

	echoCtx, stopEcho := context.WithCancel(ctx)
	defer stopEcho()
	var noEcho atomic.Bool // set before stopEcho when the reflector does not echo
	var wg sync.WaitGroup
	defer wg.Wait()
	// The goroutine gets its own copy of the probe as it is now: this
	// goroutine goes on to fill p (res.fill) while the echo runs.
	alongside := p
	wg.Go(func() {
		tm := r.plan.Timing()
		if sleepCtx(echoCtx, tm.EchoAlongsideDelay) {
			w := r.udpWait(tm.EchoAlongsideSendAt, tm.STUNGiveUp-tm.EchoAlongsideDelay)
			r.echoOne(echoCtx, to, alongside, stunRequestSize(), w, &noEcho)
		}
	})

	build, match := bindingExchange(len(r.plan.Timing().LossySendAt))
	res := r.exchange(ctx, to, r.stunWait(), build, match)
	r.noteLoss(res)
	res.fill(&p, r.env.now().Sub(start))
	r.markRange(&p, res.localPort)
	software := ""
	if res.answered >= 0 {
		var xa stun.XORMappedAddress
		m := &stun.Message{Raw: res.answer}
		if m.Decode() == nil {
			if xa.GetFrom(m) == nil {
				p.Details[result.DetailMappedAddress] = xa.String()
			}
			var sw stun.Software
			if sw.GetFrom(m) == nil {
				software = printable(sw.String(), 64)
				p.Details[result.DetailSoftware] = software
			}
		}
	}
	echoes := software == wire.ReflectorSoftware
	if p.Status != result.StatusBlocked {
		// Answered or rejected: the datagram alongside has nothing left
		// to tell (an answered port gets the echo probes below).
		if p.Status == result.StatusOK && !echoes {
			p.Details[result.DetailEcho] = "not tested: the reflector is a plain STUN server, only rtcprobe serve answers echo datagrams"
		}
		noEcho.Store(true)
		stopEcho()
	}
	r.finish(p)
	wg.Wait()
	if p.Status == result.StatusOK && echoes {
		r.echo(ctx, to, p)
	}
}

// printable returns s cut to max bytes with anything but printable ASCII
// replaced: server-chosen text (a SOFTWARE attribute) goes into reports
// and onto terminals.
func printable(s string, max int) string {
	b := []byte(s)
	if len(b) > max {
		b = b[:max]
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

// bindingExchange returns the build and match functions of a STUN binding
// exchange of up to n sends, each with its own transaction ID so the RTT
// is that of the send that was answered.
func bindingExchange(n int) (func(int) ([]byte, error), func([]byte, int) (int, string)) {
	ids := make([][stun.TransactionIDSize]byte, n)
	build := func(i int) ([]byte, error) {
		m, err := newBindingRequest()
		if err != nil {
			return nil, err
		}
		ids[i] = m.TransactionID
		return m.Raw, nil
	}
	return build, func(b []byte, sent int) (int, string) { return matchBinding(b, ids[:sent]) }
}

// newBindingRequest is the binding request every STUN probe sends.
func newBindingRequest() (*stun.Message, error) {
	return stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewSoftware(wire.ClientSoftware), stun.Fingerprint)
}

// matchBinding returns which of ids b answers, or -1 and why b is ignored.
func matchBinding(b []byte, ids [][stun.TransactionIDSize]byte) (int, string) {
	if !stun.IsMessage(b) {
		return -1, "garbage"
	}
	m := &stun.Message{Raw: append([]byte(nil), b...)}
	if err := m.Decode(); err != nil {
		return -1, "truncated"
	}
	idx := -1
	for i, id := range ids {
		if m.TransactionID == id {
			idx = i
		}
	}
	if idx < 0 {
		return -1, "wrong-transaction"
	}
	if isBusy(m) {
		return -1, busyKind
	}
	var xa stun.XORMappedAddress
	if m.Type != stun.BindingSuccess || xa.GetFrom(m) != nil {
		return -1, "garbage"
	}
	return idx, ""
}

// busyKind counts the answers of a reflector that is rate-limiting us.
const busyKind = "busy"

// isBusy reports whether m is rtcprobe serve's answer to a request over
// its per-source rate limit (wire.BusyErrorCode): the request reached the
// reflector, so the port is open; it just was not answered now.
func isBusy(m *stun.Message) bool {
	var ec stun.ErrorCodeAttribute
	return m.Type == stun.BindingError && ec.GetFrom(m) == nil && int(ec.Code) == wire.BusyErrorCode
}

// exchangeResult is what one UDP request/answer exchange saw.
type exchangeResult struct {
	answered  int // index of the answered send, -1 when none
	answer    []byte
	rtt       time.Duration
	sends     int
	localPort int            // the socket's local port, 0 when unknown
	ignored   map[string]int // unusable datagrams by kind
	err       error          // the socket error that ended it, or ErrTimeout
}

// exchange sends build(i) at each offset of schedule (from the probe's
// start) over a fresh UDP socket to "to", until match accepts an answer,
// the socket reports an ICMP rejection, or giveUp passes. Unusable
// datagrams are counted and ignored: a hostile server cannot end the wait
// early nor make it longer.
func (r *run) exchange(ctx context.Context, to netip.AddrPort, w udpWait,
	build func(i int) ([]byte, error), match func(b []byte, sent int) (int, string)) exchangeResult {
	sock, err := r.openUDP(ctx, to)
	if err != nil {
		return exchangeResult{answered: -1, err: err}
	}
	defer sock.Close()
	res := exchangeOn(ctx, sock, w, build, match)
	res.localPort = sock.localPort()
	return res
}

// datagramSock is one conversation with one far end: a UDP socket, or a
// TURN relay bound to a peer (turn.go).
type datagramSock interface {
	send(b []byte) error
	Read(b []byte) (int, error)
	SetReadDeadline(t time.Time) error
}

// exchangeOn is exchange over an open conversation.
func exchangeOn(ctx context.Context, sock datagramSock, w udpWait,
	build func(i int) ([]byte, error), match func(b []byte, sent int) (int, string)) exchangeResult {
	res := exchangeResult{answered: -1, ignored: map[string]int{}}
	start := time.Now()
	schedule := w.schedule
	deadline, hasDeadline := ctx.Deadline()
	endAt := func(giveUp time.Duration) time.Time {
		end := start.Add(giveUp)
		if hasDeadline && deadline.Before(end) {
			end = deadline
		}
		return end
	}
	end := endAt(w.giveUp)
	extended := false
	stop := context.AfterFunc(ctx, func() { _ = sock.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, maxDatagram+1)
	var sentAt []time.Time
	for {
		if res.sends < len(schedule) && !time.Now().Before(start.Add(schedule[res.sends])) {
			b, err := build(res.sends)
			if err == nil {
				err = sock.send(b)
			}
			sentAt = append(sentAt, time.Now())
			res.sends++
			if err != nil && udpRejected(err) {
				res.err = err
				return res
			}
		}
		wake := end
		if res.sends < len(schedule) && start.Add(schedule[res.sends]).Before(wake) {
			wake = start.Add(schedule[res.sends])
		}
		_ = sock.SetReadDeadline(wake)
		n, err := sock.Read(buf)
		switch {
		case err == nil && n > maxDatagram, datagramTooBig(err):
			// Linux fills the buffer (one byte more than a datagram we
			// accept); Windows fills it and says WSAEMSGSIZE.
			res.ignored["oversized"]++
		case err == nil:
			i, why := match(buf[:n], res.sends)
			if i >= 0 {
				res.answered, res.answer, res.rtt = i, append([]byte(nil), buf[:n]...), time.Since(sentAt[i])
				return res
			}
			res.ignored[why]++
		case udpRejected(err):
			res.err = err
			return res
		case ctx.Err() != nil:
			res.err = ctx.Err()
			return res
		case isTimeout(err):
		default:
			res.err = err
			return res
		}
		if !time.Now().Before(end) {
			if !extended && w.patient != nil && w.patient() && endAt(w.lossyGiveUp).After(end) {
				// The run has seen loss: keep sending on the lossy schedule.
				extended, schedule, end = true, w.lossySchedule, endAt(w.lossyGiveUp)
				continue
			}
			res.err = ErrTimeout
			return res
		}
	}
}

// fill turns an exchange into the probe's outcome.
func (x exchangeResult) fill(p *result.Probe, elapsed time.Duration) {
	p.Details = map[result.DetailKey]string{result.DetailSends: strconv.Itoa(x.sends)}
	ignored := 0
	for k, n := range x.ignored {
		p.Details[result.IgnoredKey(k)] = strconv.Itoa(n)
		ignored += n
	}
	if ignored > 0 {
		p.Details[result.DetailIgnored] = strconv.Itoa(ignored)
	}
	switch {
	case x.answered >= 0:
		p.Status, p.RTTMs = result.StatusOK, result.RTT(x.rtt)
		p.Details[result.DetailAnsweredSend] = strconv.Itoa(x.answered + 1)
	case udpRejected(x.err):
		p.Status, p.Reason, p.Error = result.StatusRejected, result.ReasonICMPUnreachable, x.err.Error()
	case errors.Is(x.err, errPortRangeBusy):
		p.Status, p.Reason, p.Error = result.StatusSkipped, result.ReasonPortRangeBusy, x.err.Error()
	case errors.Is(x.err, errPortRangeExhausted):
		p.Status, p.Reason, p.Error = result.StatusError, result.ReasonPortRangeExhausted, x.err.Error()
	case errors.Is(x.err, context.Canceled):
		p.Status, p.Reason, p.Error = result.StatusSkipped, result.ReasonInterrupted, "the run ended before this probe finished"
	case x.ignored[busyKind] > 0:
		// The reflector got our datagrams and said it was limiting us:
		// nothing is known about the firewall, and it is not blocked.
		p.Status, p.Reason = result.StatusUntested, result.ReasonReflectorBusy
		p.Error = "the reflector is rate-limiting this address (" + strconv.Itoa(x.ignored[busyKind]) +
			" busy answers to " + strconv.Itoa(x.sends) + " sends): many checks behind one address at once? Run again later, or raise rtcprobe serve's --rate and --burst"
	case ignored > 0 && (errors.Is(x.err, ErrTimeout) || errors.Is(x.err, context.DeadlineExceeded)):
		p.Status, p.Reason = result.StatusError, result.ReasonGarbage
		if x.ignored["wrong-transaction"] == ignored {
			p.Reason = result.ReasonWrongTransaction
		}
		p.Error = errGarbage.Error() + " (" + strconv.Itoa(ignored) + " datagrams ignored)"
	case errors.Is(x.err, ErrTimeout) || errors.Is(x.err, context.DeadlineExceeded):
		p.Status, p.Reason = result.StatusBlocked, result.ReasonTimeout
		p.Error = "no answer after " + strconv.Itoa(x.sends) + " sends in " + elapsed.Round(time.Millisecond).String()
	default:
		p.Status, p.Reason, p.Error = result.StatusError, result.ReasonSocket, x.err.Error()
	}
}

// udpSock is a UDP socket to one destination: a connected socket (so ICMP
// errors reach us) or, when the environment injects ListenPacket, a packet
// conn that drops datagrams from anyone else.
type udpSock struct {
	c  net.Conn       // connected, or nil
	pc net.PacketConn // injected, or nil
	to net.Addr
	// release, when set, is called once on Close (a port of the
	// browser's range given back, portrange.go).
	release func()
}

func (r *run) openUDP(ctx context.Context, to netip.AddrPort) (*udpSock, error) {
	return r.openUDPFrom(ctx, to, r.plan.UDPPortRange)
}

// openUDPAny opens a UDP socket to "to" from a port the OS picks.
func (r *run) openUDPAny(ctx context.Context, to netip.AddrPort) (*udpSock, error) {
	return r.openUDPPort(ctx, to, 0)
}

func (s *udpSock) send(b []byte) error {
	if s.c != nil {
		_, err := s.c.Write(b)
		return err
	}
	_, err := s.pc.WriteTo(b, s.to)
	return err
}

// Read returns the next datagram from the destination.
func (s *udpSock) Read(b []byte) (int, error) {
	if s.c != nil {
		return s.c.Read(b)
	}
	for {
		n, from, err := s.pc.ReadFrom(b)
		if err != nil || from == nil || from.String() == s.to.String() {
			return n, err
		}
	}
}

func (s *udpSock) SetReadDeadline(t time.Time) error {
	if s.c != nil {
		return s.c.SetReadDeadline(t)
	}
	return s.pc.SetReadDeadline(t)
}

func (s *udpSock) Close() error {
	if s.release != nil {
		s.release()
		s.release = nil
	}
	if s.c != nil {
		return s.c.Close()
	}
	return s.pc.Close()
}

// beginSTUN starts a STUN probe to the reflector's port: it resolves the
// reflector (a name that does not resolve skips the probe, finished here,
// and ok is false) and records the start.
func (r *run) beginSTUN(ctx context.Context, id result.ID, host string, port int) (p result.Probe, to netip.AddrPort, start time.Time, ok bool) {
	p = result.Probe{ID: id, Kind: result.KindSTUN, Role: "media", Target: host, Port: port, Transport: "udp"}
	addr, err := r.reflectorAddr(ctx, host)
	if err != nil {
		p.Status, p.Reason, p.After = result.StatusSkipped, result.ReasonDNS, result.ReflectorDNSID
		p.Error = "the reflector's name did not resolve"
		r.finish(p)
		return p, to, start, false
	}
	to = netip.AddrPortFrom(addr, uint16(port))
	p.Address = addr.String()
	return p, to, r.begin(p), true
}
