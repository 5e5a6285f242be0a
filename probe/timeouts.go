package probe

import "time"

// DefaultBudget bounds a whole run (--timeout). Tailscale's netcheck bounds
// its report at 5 s; we allow twice that because a run here chains DNS,
// TCP, TLS and an HTTP exchange per host and TURN needs three round trips
// plus a relay round trip.
const DefaultBudget = 10 * time.Second

// Timers are every wait and send schedule of a run, each cut short by the
// overall budget. A Plan carries them (Plan.Timers): the live probes, the
// TURN client and the dry run (Describe) read the same value, so what the
// dry run prints is what a run does. DefaultTimers are the real ones;
// tests run the same code on Scaled copies. TestTimeoutOrder checks the
// relations the comments state, on the defaults and on scaled copies.
type Timers struct {
	// UDPPacing spaces the first datagram of each UDP probe so that a run
	// never sends a burst to many ports at once (looks like a port scan).
	UDPPacing time.Duration

	// Media (UDP) timers. RFC 8489 §6.2.1 retransmits from 500 ms doubling
	// and gives up after 39.5 s; libwebrtc calls a pair unwritable after 5
	// unanswered pings over 5 s, and tailscale's netcheck bounds STUN at
	// 3 s with a few retries (docs/facts.md, "Timers"). We keep the
	// doubling shape, compressed.

	// STUNSendAt is when a STUN probe sends, from its start: five sends
	// whose gaps double from 250 ms, so 20-30 % loss each way still gets
	// an answer, ending shortly before STUNGiveUp, well inside
	// DefaultBudget with room for the echo probes that follow.
	STUNSendAt []time.Duration
	// STUNGiveUp is when a silent port is called blocked: 750 ms after the
	// last send, three times a slow intercontinental RTT.
	STUNGiveUp time.Duration
	// LossySendAt continues STUNSendAt, one send a second, for a run that
	// has seen loss (an answer to a retransmission, on any port): under
	// 20-30 % loss each way a round trip fails about 45 % of the time, so
	// five sends leave a 2 % chance per port of calling a working port
	// blocked, nine leave 0.06 %. Runs without loss never use it, so a
	// fully dropped network still gets its verdict at STUNGiveUp.
	LossySendAt []time.Duration
	// LossyGiveUp ends a lossy run's patience, 750 ms after the last send
	// of LossySendAt and inside DefaultBudget.
	LossyGiveUp time.Duration
	// EchoAlongsideDelay is when the same-size echo datagram joins a STUN
	// probe that has no answer yet: the first retransmission, half a
	// pacing step after it (so the two never leave together).
	EchoAlongsideDelay time.Duration
	// EchoAlongsideSendAt is that echo's schedule from then: STUNSendAt's
	// later offsets, so both end together at STUNGiveUp.
	EchoAlongsideSendAt []time.Duration
	// EchoGiveUp bounds the echo probes, which run only where STUN already
	// answered, so the path is known to carry datagrams: a shorter
	// schedule (the first three sends) is enough to tell a payload filter.
	EchoGiveUp time.Duration
	// ReflectorDNS bounds resolving the reflector's name once (and a TURN
	// server's, and a route target's).
	ReflectorDNS time.Duration

	// TURNRTO is the TURN client's first retransmission timer. pion's
	// default (200 ms doubling, capped at 1.6 s, 7 requests) gives up
	// after about 7.8 s per transaction, longer than a whole run.
	TURNRTO time.Duration
	// TURNAllocate bounds Allocate (two transactions: the 401 challenge
	// and the authenticated request). With TURNRTO doubling, the first
	// request goes at 0, 0.2, 0.6, 1.4 and 3.0 s: a silent server is
	// called blocked one retransmission window later, as the STUN probe.
	TURNAllocate time.Duration
	// TURNLossyAllocate is TURNAllocate for TURN over UDP in a run that
	// has seen loss: pion's retransmissions at 0, 0.2, 0.6, 1.4, 3.0 and
	// 4.6 s give each of Allocate's two transactions six tries instead of
	// four or five.
	TURNLossyAllocate time.Duration
	// TURNStep bounds one TURN transaction (binding, permission): three
	// retransmissions of TURNRTO doubling.
	TURNStep time.Duration
	// TURNLossyStep is TURNStep over UDP in a lossy run: five tries (0,
	// 0.2, 0.6, 1.4, 3.0 s) instead of four.
	TURNLossyStep time.Duration
	// TURNConnect bounds the TCP connect or TLS handshake to a TURN
	// server over TCP/TLS.
	TURNConnect time.Duration
	// TURNRelay bounds the relay round trip after a successful
	// allocation: a working relay answers within a few RTTs.
	TURNRelay time.Duration
	// PortRangeWait is how long a probe waits for a port of the browser's
	// UDP port range to free up (rtcprobe's own probes share it too)
	// before it gives up.
	PortRangeWait time.Duration
	// AbandonGrace is how long Run waits, once the budget is spent or the
	// run is interrupted, for probes still running to record their
	// outcome. Every probe watches ctx, but a system call that ignores
	// cancellation (a connect or a chain verification under Wine, a
	// stalled resolver) must not hold the report back: after the grace the
	// run answers with what it has.
	AbandonGrace time.Duration

	// Signalling-side timers (web.go). The SDK gives up a signalling
	// attempt after about 2 s and moves on (docs/facts.md, "The TRTC Web
	// SDK"): a step that has not answered by then plus a margin for one
	// TCP retransmission is blocked for the browser too, so waiting
	// longer would only delay the verdict.

	// DNS bounds one lookup (system resolver or one direct query): glibc's
	// default is 5 s per server, but a browser showing a call page has
	// moved on well before; 2.5 s covers one UDP retry at 1 s.
	DNS time.Duration
	// TCPConnect bounds one TCP connect (or the connect to the HTTP
	// proxy): the first SYN retransmission is at 1 s, the second at 3 s.
	TCPConnect time.Duration
	// TLSHandshake bounds the TLS handshake, including the CONNECT
	// exchange with an HTTP proxy: a server that stalls is blocked.
	TLSHandshake time.Duration
	// HTTPAnswer bounds the HTTPS request or WebSocket upgrade.
	HTTPAnswer time.Duration

	// Quality stage (check --quality, qualityflow.go).

	// FlowHelloGap spaces the flow's hellos (four, then the reflector is
	// called silent): four tries in 1.2 s ride out a lossy path; a flow
	// that gets no cookie never sends data.
	FlowHelloGap time.Duration
	// FlowDrain is how long replies are awaited after the flow's last send.
	FlowDrain time.Duration
	// FlowSilence is the least silence at a flow's end that calls it cut
	// (with at least silencePackets datagrams unanswered): two seconds is
	// 100 audio datagrams, and no loss burst of a working path lasts that
	// long.
	FlowSilence time.Duration
	// QualitySetup bounds the quality stage's TURN allocation and
	// permission before its flow: the same work the check's own TURN
	// probes did, done again, with room for a lossy path.
	QualitySetup time.Duration

	// Proxy auto-config (pacload.go, wpad.go). Chromium gives a PAC fetch
	// minutes; a diagnosis cannot, so a slower fetch is reported failed
	// (and, as in Chromium, the browser then falls back).

	// PACFetch bounds downloading the PAC script.
	PACFetch time.Duration
	// PACEval bounds one FindProxyForURL call, the helpers' DNS included.
	PACEval time.Duration
	// WPADLookup bounds each wpad.<domain> lookup.
	WPADLookup time.Duration
}

// DefaultTimers returns the timers of a real run (a new value each call,
// so a caller may change its copy).
func DefaultTimers() *Timers {
	stun := []time.Duration{0, 250 * time.Millisecond, 750 * time.Millisecond, 1750 * time.Millisecond, 3750 * time.Millisecond}
	const pacing = 20 * time.Millisecond
	return &Timers{
		UDPPacing:           pacing,
		STUNSendAt:          stun,
		STUNGiveUp:          4500 * time.Millisecond,
		LossySendAt:         append(append([]time.Duration(nil), stun...), 4750*time.Millisecond, 5750*time.Millisecond, 6750*time.Millisecond, 7750*time.Millisecond),
		LossyGiveUp:         8500 * time.Millisecond,
		EchoAlongsideDelay:  stun[1] + pacing/2,
		EchoAlongsideSendAt: []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond},
		EchoGiveUp:          2 * time.Second,
		ReflectorDNS:        2 * time.Second,
		TURNRTO:             200 * time.Millisecond,
		TURNAllocate:        4 * time.Second,
		TURNLossyAllocate:   6500 * time.Millisecond,
		TURNStep:            2 * time.Second,
		TURNLossyStep:       3500 * time.Millisecond,
		TURNConnect:         3 * time.Second,
		TURNRelay:           2 * time.Second,
		PortRangeWait:       2 * time.Second,
		AbandonGrace:        2 * time.Second,
		DNS:                 2500 * time.Millisecond,
		TCPConnect:          3 * time.Second,
		TLSHandshake:        3 * time.Second,
		HTTPAnswer:          3 * time.Second,
		FlowHelloGap:        300 * time.Millisecond,
		FlowDrain:           time.Second,
		FlowSilence:         2 * time.Second,
		QualitySetup:        10 * time.Second,
		PACFetch:            3 * time.Second,
		PACEval:             2 * time.Second,
		WPADLookup:          time.Second,
	}
}

// Scaled returns a copy of t with every timer multiplied by f, so every
// relation between them holds. Tests run the probes on scaled timers (a
// silent port is then called blocked in a fraction of a second); a real
// run never does: the defaults are what the browser's behaviour implies.
func (t *Timers) Scaled(f float64) *Timers {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	all := func(ds []time.Duration) []time.Duration {
		out := make([]time.Duration, len(ds))
		for i, d := range ds {
			out[i] = s(d)
		}
		return out
	}
	return &Timers{
		UDPPacing: s(t.UDPPacing), STUNSendAt: all(t.STUNSendAt), STUNGiveUp: s(t.STUNGiveUp),
		LossySendAt: all(t.LossySendAt), LossyGiveUp: s(t.LossyGiveUp),
		EchoAlongsideDelay: s(t.EchoAlongsideDelay), EchoAlongsideSendAt: all(t.EchoAlongsideSendAt),
		EchoGiveUp: s(t.EchoGiveUp), ReflectorDNS: s(t.ReflectorDNS),
		TURNRTO: s(t.TURNRTO), TURNAllocate: s(t.TURNAllocate), TURNLossyAllocate: s(t.TURNLossyAllocate),
		TURNStep: s(t.TURNStep), TURNLossyStep: s(t.TURNLossyStep), TURNConnect: s(t.TURNConnect),
		TURNRelay: s(t.TURNRelay), PortRangeWait: s(t.PortRangeWait), AbandonGrace: s(t.AbandonGrace),
		DNS: s(t.DNS), TCPConnect: s(t.TCPConnect), TLSHandshake: s(t.TLSHandshake), HTTPAnswer: s(t.HTTPAnswer),
		FlowHelloGap: s(t.FlowHelloGap), FlowDrain: s(t.FlowDrain), FlowSilence: s(t.FlowSilence),
		QualitySetup: s(t.QualitySetup), PACFetch: s(t.PACFetch), PACEval: s(t.PACEval), WPADLookup: s(t.WPADLookup),
	}
}

// Timing returns the timers a run of p uses: p.Timers, or DefaultTimers
// when it has none (a plan built by hand).
func (p *Plan) Timing() *Timers {
	if p == nil || p.Timers == nil {
		return DefaultTimers()
	}
	return p.Timers
}
