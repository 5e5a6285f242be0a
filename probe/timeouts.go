package probe

import "time"

// Timeouts. Every wait in a run is one of these, cut short by the overall
// budget. TestTimeoutOrder checks the relations the comments state.
const (
	// DefaultBudget bounds a whole run (--timeout). Tailscale's netcheck
	// bounds its report at 5 s; we allow twice that because a run here chains
	// DNS, TCP, TLS and an HTTP exchange per host and TURN needs three round
	// trips plus a relay round trip.
	DefaultBudget = 10 * time.Second

	// udpPacing spaces the first datagram of each UDP probe so that a run
	// never sends a burst to many ports at once (looks like a port scan).
	udpPacing = 20 * time.Millisecond
)

// Media (UDP) timers. RFC 8489 §6.2.1 retransmits from 500 ms doubling and
// gives up after 39.5 s; libwebrtc calls a pair unwritable after 5
// unanswered pings over 5 s, and tailscale's netcheck bounds STUN at 3 s
// with a few retries (trtc-facts.md, "Timers"). We keep the doubling shape,
// compressed: five sends whose gaps double from 250 ms, so 20-30 % loss
// each way still gets an answer, and give up shortly after the last send,
// well inside DefaultBudget with room for the echo probes that follow.
var stunSendAt = []time.Duration{0, 250 * time.Millisecond, 750 * time.Millisecond, 1750 * time.Millisecond, 3750 * time.Millisecond}

// lossySendAt continues stunSendAt, one send a second, for a run that has
// seen loss (an answer to a retransmission, on any port): under 20-30 %
// loss each way a round trip fails about 45 % of the time, so five sends
// leave a 2 % chance per port of calling a working port blocked, nine
// leave 0.06 %. Runs without loss never use it, so a fully dropped
// network still gets its verdict at stunGiveUp.
var lossySendAt = append(append([]time.Duration(nil), stunSendAt...),
	4750*time.Millisecond, 5750*time.Millisecond, 6750*time.Millisecond, 7750*time.Millisecond)

// echoAlongsideDelay is when the same-size echo datagram joins a STUN
// probe that has no answer yet: the first retransmission, half a pacing
// step after it (so the two never leave together), and
// echoAlongsideSendAt its schedule from then, stunSendAt's later offsets,
// so both end together at stunGiveUp.
const echoAlongsideDelay = 250*time.Millisecond + udpPacing/2

var echoAlongsideSendAt = []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond}

const (
	// lossyGiveUp ends a lossy run's patience, 750 ms after the last send
	// of lossySendAt and inside DefaultBudget.
	lossyGiveUp = 8500 * time.Millisecond
	// turnLossyAllocateTimeout is turnAllocateTimeout for TURN over UDP in
	// a run that has seen loss: pion's retransmissions at 0, 0.2, 0.6,
	// 1.4, 3.0 and 4.6 s give each of Allocate's two transactions six
	// tries instead of four or five.
	turnLossyAllocateTimeout = 6500 * time.Millisecond
	// turnLossyStepTimeout is turnStepTimeout over UDP in a lossy run:
	// five tries (0, 0.2, 0.6, 1.4, 3.0 s) instead of four.
	turnLossyStepTimeout = 3500 * time.Millisecond

	// stunGiveUp is when a silent port is called blocked: 750 ms after the
	// last send, three times a slow intercontinental RTT.
	stunGiveUp = 4500 * time.Millisecond
	// echoGiveUp bounds the echo probes, which run only where STUN already
	// answered, so the path is known to carry datagrams: a shorter schedule
	// (the first three sends) is enough to tell a payload filter.
	echoGiveUp = 2 * time.Second
	// reflectorDNSTimeout bounds resolving the reflector's name once.
	reflectorDNSTimeout = 2 * time.Second
	// turnRTO is the TURN client's first retransmission timer. pion's
	// default (200 ms doubling, capped at 1.6 s, 7 requests) gives up after
	// about 7.8 s per transaction, longer than a whole run.
	turnRTO = 200 * time.Millisecond
	// turnAllocateTimeout bounds Allocate (two transactions: the 401
	// challenge and the authenticated request). With turnRTO doubling, the
	// first request goes at 0, 0.2, 0.6, 1.4 and 3.0 s: a silent server is
	// called blocked one retransmission window later, as the STUN probe.
	turnAllocateTimeout = 4 * time.Second
	// turnStepTimeout bounds one TURN transaction (allocate, permission):
	// three retransmissions of turnRTO doubling.
	turnStepTimeout = 2 * time.Second
	// turnConnectTimeout bounds the TCP connect or TLS handshake to a TURN
	// server over TCP/TLS.
	turnConnectTimeout = 3 * time.Second
	// turnRelayTimeout bounds the relay round trip after a successful
	// allocation: a working relay answers within a few RTTs.
	turnRelayTimeout = 2 * time.Second
)

// Signalling-side timers (web.go). The SDK gives up a signalling attempt
// after about 2 s and moves on (trtc-facts.md): a step that has not answered
// by then plus a margin for one TCP retransmission is blocked for the
// browser too, so waiting longer would only delay the verdict.
const (
	// dnsTimeout bounds one lookup (system resolver or one direct query):
	// glibc's default is 5 s per server, but a browser showing a call page
	// has moved on well before; 2.5 s covers one UDP retry at 1 s.
	dnsTimeout = 2500 * time.Millisecond
	// tcpConnectTimeout bounds one TCP connect (or the connect to the HTTP
	// proxy): the first SYN retransmission is at 1 s, the second at 3 s.
	tcpConnectTimeout = 3 * time.Second
	// tlsHandshakeTimeout bounds the TLS handshake, including the CONNECT
	// exchange with an HTTP proxy: a server that stalls is blocked.
	tlsHandshakeTimeout = 3 * time.Second
	// httpAnswerTimeout bounds the HTTPS request or WebSocket upgrade.
	httpAnswerTimeout = 3 * time.Second
)
