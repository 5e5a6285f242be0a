package probe

import (
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Pacing and packet hygiene, by design (TestDescribeNeverBursts checks the
// numbers against the planned schedule). The schedule is the plan's Timers
// (timeouts.go), the same value the probes read; the figures below are the
// defaults:
//   - UDP probes (one per reflector port, then one per TURN target) start
//     UDPPacing (20 ms) apart, and each retransmits on its own timer (STUN:
//     STUNSendAt, gaps doubling from 250 ms; TURN over UDP: TURNRTO, 200 ms
//     doubling, each transaction ended at TURNStep). To one host
//     that is at most one datagram in any 10 ms window from the STUN
//     probes, two when a TURN server shares the reflector's host (the first
//     TURN and the first STUN probe start together). The echo probes
//     (echo.go) start only when a port answered STUN, at a time the plan
//     cannot know; their three sizes start UDPPacing apart, so they add at
//     most one datagram to any 10 ms window.
//   - Web probes start together, as a browser does on page load: DNS
//     queries to the resolver and connections to TCP 443 of about a dozen
//     TRTC hosts (each resolved address, at most maxTCPAddrs, UDPPacing
//     apart); one port each, never a sweep of ports on one host.
//   - No hairpin or LAND-like packet: every socket is bound to the
//     unspecified address with an ephemeral port chosen by the OS, so the
//     source never equals the destination; the default destination ports
//     (443, 843, 3478, 5349, 8000-16285) are below every OS's ephemeral
//     range, and Go's TCP dialer refuses a self-connect. rtcprobe never sends
//     to the mapped address it learns. A reflector or TURN server on the
//     machine itself (loopback, a lab) is allowed: it is a server like any
//     other, and tests and labs rely on it.

// PlannedSend is one stream of traffic a run would send, for `check
// --dry-run`: security teams read it before allowing the tool on their
// network. Count is an upper bound: a probe that gets its answer stops early.
type PlannedSend struct {
	// Probe is the ID (or ID prefix) of the probe that sends it.
	Probe string `json:"probe"`
	Kind  string `json:"kind"`
	// Destination is a host name or address; "system resolver" and
	// "configured nameservers" stand for the machine's DNS servers.
	Destination string `json:"destination"`
	Port        int    `json:"port"`
	// Protocol is "udp" or "tcp".
	Protocol string `json:"protocol"`
	// Size is the payload of one datagram (UDP) or of the first flight the
	// client sends (TCP), in bytes; 0 when it depends on the server.
	Size int `json:"size"`
	// Count is the most datagrams (UDP) or connections (TCP) sent.
	Count int `json:"count"`
	// AtMs are the planned send times of UDP datagrams, in milliseconds
	// from the start of the run, when the schedule is fixed (STUN and TURN
	// retransmissions). Empty for TCP.
	AtMs []float64 `json:"atMs,omitempty"`
	Note string    `json:"note,omitempty"`
}

// Sizes of what the probes send. They are the wire sizes of the messages
// the probes build, so the dry run states what a packet capture would show.
const (
	// dryTURNSize: header, REQUESTED-TRANSPORT, LIFETIME, and on the
	// second try USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (about 120).
	dryTURNSize = 120
	// dryDNSQuestionSize + question: 12-byte header, the name, type and class.
	dryDNSQuestionSize = 12 + 4 + 2
	// dryClientHelloSize is a typical Go ClientHello with SNI.
	dryClientHelloSize = 300
	// dryTURNTransactions is what turn() asks the server: Allocate (twice:
	// the 401 challenge), a Binding for the mapped address, CreatePermission
	// and the closing Refresh.
	dryTURNTransactions = 5
	// dryAllocateTransactions are the two Allocate requests among them.
	dryAllocateTransactions = 2
	// dryRelaySends is the relay round trip: the first three offsets of
	// STUNSendAt (turnrelay.go), sent through the relay to the peer.
	dryRelaySends = relaySends
	// dryAuditTransactions is turnAudits on one target per server: two
	// CreatePermissions (loopback, private) and a turn/turn Allocate (two
	// transactions) with its Refresh.
	dryAuditTransactions = 5
)

// dryTURNMaxRTO and dryTURNRequests are pion/turn's cap on its doubling
// retransmission timer and its request count; the first timer is
// Timers.TURNRTO and a transaction ends at Timers.TURNStep.
const (
	dryTURNMaxRTO   = 1600 * time.Millisecond
	dryTURNRequests = 7
)

// Describe lists every connection and datagram a run of p would send,
// derived from the plan and the probes' schedules. It sends nothing.
func (p *Plan) Describe() []PlannedSend {
	tm := p.Timing()
	var out []PlannedSend
	out = append(out, p.describePAC()...)
	for _, t := range p.Web {
		out = append(out, p.describeWeb(t)...)
	}
	if r := p.Reflector; r != nil {
		if _, err := netip.ParseAddr(r.Host); err != nil {
			out = append(out, dryDNSSend(result.ReflectorDNSID.String(), r.Host))
		}
		for i, port := range r.Ports {
			start := time.Duration(i) * tm.UDPPacing
			at := stunPlan(tm, start, p.budget())
			out = append(out, PlannedSend{Probe: result.STUNID(port).String(), Kind: "stun", Destination: r.Host,
				Port: port, Protocol: "udp", Size: stunRequestSize(), Count: len(at), AtMs: at,
				Note: "STUN binding request, resent until answered (the sends after " + seconds(tm.STUNSendAt[len(tm.STUNSendAt)-1]) + " only on a path that has lost datagrams)"})
			out = append(out, describeEcho(tm, r.Host, port, start, p.budget())...)
		}
		if p.UDPPortRange.Set() && len(r.Ports) > 0 {
			port := r.Ports[0]
			at := stunPlan(tm, time.Duration(len(r.Ports))*tm.UDPPacing, p.budget())
			out = append(out, PlannedSend{Probe: result.AnyPortSTUNID(port).String(), Kind: "stun", Destination: r.Host,
				Port: port, Protocol: "udp", Size: stunRequestSize(), Count: len(at), AtMs: at,
				Note: "the same STUN request from a port the OS picks, to compare with the browser's port range " + p.UDPPortRange.String()})
		}
	}
	for _, t := range p.Routes {
		if _, err := netip.ParseAddr(t.Host); err != nil {
			out = append(out, dryDNSSend("route/"+t.Host, t.Host))
		}
	}
	for i, t := range p.TURN {
		out = append(out, p.describeTURN(i, t)...)
	}
	return out
}

func (p *Plan) budget() time.Duration {
	if p.Budget <= 0 {
		return DefaultBudget
	}
	return p.Budget
}

// describeEcho is the echo probes (echo.go): the same-size datagram that
// joins a STUN probe still unanswered at its first retransmission, and the
// three sizes that follow a STUN answer from rtcprobe serve.
func describeEcho(tm *Timers, host string, port int, start, budget time.Duration) []PlannedSend {
	var at []float64
	base := start + tm.EchoAlongsideDelay
	offsets := slices.Clone(tm.EchoAlongsideSendAt)
	for _, d := range tm.LossySendAt[len(tm.EchoAlongsideSendAt):] {
		offsets = append(offsets, max(d, tm.STUNGiveUp-tm.EchoAlongsideDelay))
	}
	for _, d := range offsets {
		if base+d < budget {
			at = append(at, float64((base + d).Milliseconds()))
		}
	}
	size := stunRequestSize()
	sizes := strconv.Itoa(size) + ", " + strconv.Itoa(echoMediaSize) + " and " + strconv.Itoa(echoFullSize)
	return []PlannedSend{
		{Probe: result.EchoID(port, size).String(), Kind: "udp", Destination: host, Port: port,
			Protocol: "udp", Size: size, Count: len(at), AtMs: at,
			Note: "non-STUN datagram of the STUN request's size, only while stun/" + itoa(port) + " has no answer (a content filter lets one through and not the other)"},
		{Probe: result.EchoAnySizeID(port), Kind: "udp", Destination: host, Port: port,
			Protocol: "udp", Size: echoFullSize, Count: 3 * len(tm.LossySendAt),
			Note: "only if rtcprobe serve answered stun/" + itoa(port) + ": echo datagrams of " + sizes + " bytes"},
	}
}

func dryDNSSend(id, host string) PlannedSend {
	return PlannedSend{Probe: id, Kind: "dns", Destination: "system resolver", Port: 53, Protocol: "udp",
		Size: dryDNSQuestionSize + len(host) + 2, Count: 2, Note: "A and AAAA for " + host}
}

func (p *Plan) describeWeb(t WebTarget) []PlannedSend {
	host, port := t.Host(), t.Port()
	sys := dryDNSSend(result.WebID(t.ID, result.StepDNS).String(), host)
	direct := sys
	direct.Probe, direct.Destination = result.ResolverDNSID(t.ID, "").String(), "configured nameservers"
	direct.Note = "A and AAAA for " + host + " to each nameserver of the system configuration"
	req, kind, step := "HTTPS GET", "https", result.StepHTTPS
	if t.IsWebSocket() {
		req, kind, step = "WebSocket upgrade", "websocket", result.StepWS
	}
	tcp := PlannedSend{Probe: result.WebID(t.ID, result.StepTCP).String(), Kind: "tcp", Destination: host, Port: port, Protocol: "tcp",
		Count: maxTCPAddrs, Note: "TCP connect to each resolved address (IPv4 first, at most " + itoa(maxTCPAddrs) + ", " + strconv.FormatInt(p.Timing().UDPPacing.Milliseconds(), 10) + " ms apart); all but the first to connect are closed at once"}
	tls := PlannedSend{Probe: result.WebID(t.ID, result.StepTLS).String(), Kind: "tls", Destination: host, Port: port, Protocol: "tcp",
		Size: dryClientHelloSize, Count: 0, Note: "TLS handshake with SNI " + host + " on the first connection (no new connection)"}
	reqSend := PlannedSend{Probe: result.WebID(t.ID, step).String(),
		Kind: kind, Destination: host, Port: port, Protocol: "tcp", Count: 0, Note: req + " " + t.URL + " over the same connection"}
	if px := p.HTTPProxy; px != nil {
		proxyPort := proxyPortOf(px)
		tcp = PlannedSend{Probe: result.ProxyTCPID(t.ID, 1).String(), Kind: "tcp", Destination: px.Hostname(), Port: proxyPort,
			Protocol: "tcp", Count: 1, Note: "TCP connect to the HTTP proxy"}
		tls.Destination, tls.Port = px.Hostname(), proxyPort
		tls.Note = "CONNECT " + JoinHostPort(host, port) + ", then TLS with SNI " + host
		reqSend.Destination, reqSend.Port = px.Hostname(), proxyPort
		reqSend.Note += " through the HTTP proxy (CONNECT)"
	}
	return []PlannedSend{sys, direct, tcp, tls, reqSend}
}

func (p *Plan) describeTURN(i int, t TURNTarget) []PlannedSend {
	s := PlannedSend{Probe: t.ID.String(), Kind: "turn", Destination: t.Host, Port: t.Port, Protocol: "udp",
		Size: dryTURNSize, Count: dryTURNTransactions + dryRelaySends,
		Note: "Allocate (401 challenge), Binding, CreatePermission, relay round trip to " + dryPeer(t) + ", Refresh 0"}
	audit := PlannedSend{Probe: t.ID.Audit(result.Wildcard).String(), Kind: "turn", Destination: t.Host, Port: t.Port, Protocol: s.Protocol,
		Size: dryTURNSize, Count: dryAuditTransactions,
		Note: "audits: CreatePermission to 127.0.0.1 and to a private address (no data), Allocate as turn/turn"}
	if t.Transport == "udp" {
		// AtMs is the first request's schedule (later ones wait for an
		// answer); any transaction may be retransmitted as often.
		tm := p.Timing()
		start := time.Duration(i) * tm.UDPPacing
		s.AtMs = drySchedule(start, tm.TURNRTO, dryTURNMaxRTO, dryTURNRequests, min(p.budget(), start+tm.TURNStep))
		// Binding, CreatePermission and Refresh follow an answered
		// Allocate on the same 5-tuple and wait as a lossy run does
		// (turnSession.stepTimeout).
		after := drySchedule(0, tm.TURNRTO, dryTURNMaxRTO, dryTURNRequests, min(p.budget(), tm.TURNLossyStep))
		s.Count = dryAllocateTransactions*len(s.AtMs) + (dryTURNTransactions-dryAllocateTransactions)*len(after) + dryRelaySends
		audit.Count = dryAuditTransactions * len(s.AtMs)
	} else {
		s.Protocol, s.Count, audit.Protocol, audit.Count = "tcp", 1, "tcp", 1
		if px := p.HTTPProxy; px != nil {
			// The browser sends TURN over TCP/TLS through the proxy (CONNECT).
			s.Destination, s.Port = px.Hostname(), proxyPortOf(px)
			audit.Destination, audit.Port = s.Destination, s.Port
			s.Note = "CONNECT " + JoinHostPort(t.Host, t.Port) + " through the HTTP proxy, then " + s.Note
		}
		s.Note = "one " + t.Transport + " connection: " + s.Note
		audit.Note = "one " + t.Transport + " connection per Allocate: " + audit.Note
	}
	out := []PlannedSend{s}
	if (&run{plan: p}).auditTarget(t) {
		out = append(out, audit)
	}
	return out
}

// proxyPortOf is the HTTP proxy's port, by default 80 (443 for https://).
func proxyPortOf(px *url.URL) int {
	if n, err := strconv.Atoi(px.Port()); err == nil {
		return n
	}
	if px.Scheme == "https" {
		return 443
	}
	return 80
}

func dryPeer(t TURNTarget) string {
	if t.Peer != "" {
		return t.Peer
	}
	return "a second allocation"
}

// stunPlan is the STUN probe's schedule (LossySendAt, cut at LossyGiveUp
// and the budget) for a probe started at start.
func stunPlan(tm *Timers, start, budget time.Duration) []float64 {
	var at []float64
	for _, d := range tm.LossySendAt {
		if d < tm.LossyGiveUp && start+d < budget {
			at = append(at, float64((start + d).Milliseconds()))
		}
	}
	return at
}

// seconds is d as the notes write it ("3.75 s").
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// drySchedule returns the send times (ms from run start) of a request first
// sent at start and retransmitted after rto, doubling up to max (0 = no
// cap), at most n times in all, keeping only sends before budget.
func drySchedule(start, rto, max time.Duration, n int, budget time.Duration) []float64 {
	var at []float64
	t := start
	for range n {
		if t >= budget {
			break
		}
		at = append(at, float64(t.Milliseconds()))
		t += rto
		rto *= 2
		if max > 0 && rto > max {
			rto = max
		}
	}
	return at
}

// MaxBurst returns the largest number of planned UDP datagrams to one
// destination inside any window, and that destination. It is the figure
// behind the claim that a run never bursts like a port scan.
func MaxBurst(sends []PlannedSend, window time.Duration) (dest string, n int) {
	byDest := map[string][]float64{}
	for _, s := range sends {
		byDest[s.Destination] = append(byDest[s.Destination], s.AtMs...)
	}
	w := float64(window.Milliseconds())
	dests := make([]string, 0, len(byDest))
	for d := range byDest {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	for _, d := range dests {
		at := byDest[d]
		slices.Sort(at)
		lo := 0
		for hi := range at {
			for at[hi]-at[lo] >= w {
				lo++
			}
			if c := hi - lo + 1; c > n {
				dest, n = d, c
			}
		}
	}
	return dest, n
}
