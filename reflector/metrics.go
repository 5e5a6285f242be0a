package reflector

import (
	"fmt"
	"io"
	"sync/atomic"
)

// counters are the reflector's counters. All fields are atomic; the zero
// value is ready to use.
type counters struct {
	STUNAnswered      atomic.Uint64 // UDP/TCP Binding requests answered
	EchoAnswered      atomic.Uint64 // echo datagrams answered
	Malformed         atomic.Uint64 // datagrams that are neither STUN nor echo, or broken STUN
	NotBinding        atomic.Uint64 // well-formed STUN that is not a Binding request
	RateLimited       atomic.Uint64 // over the per-source token bucket (answered busy or dropped)
	BusyAnswered      atomic.Uint64 // busy notices sent instead of an answer (rate limit)
	UnknownAttr       atomic.Uint64 // Binding requests answered 420 Unknown Attribute
	TCPConns          atomic.Uint64 // accepted TCP connections
	TCPRejected       atomic.Uint64 // TCP connections refused over the connection limit
	TLSConns          atomic.Uint64 // TCP connections that started TLS
	TURNAuthFail      atomic.Uint64 // TURN requests with bad credentials
	TURNUnauthLimited atomic.Uint64 // unauthenticated TURN requests dropped by the per-source limit
	TURNAllocs        atomic.Int64  // live TURN allocations
	TURNPeerDeny      atomic.Uint64 // CreatePermission refused by the peer deny-list
	TURNQuotaDeny     atomic.Uint64 // allocations refused by a quota
}

// WritePrometheus writes the counters in the Prometheus text format.
func (m *counters) WritePrometheus(w io.Writer) {
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP rtcprobe_%s %s\n# TYPE rtcprobe_%s counter\nrtcprobe_%s %d\n", name, help, name, name, v)
	}
	counter("stun_answered_total", "STUN Binding requests answered.", m.STUNAnswered.Load())
	counter("echo_answered_total", "Echo datagrams answered.", m.EchoAnswered.Load())
	counter("malformed_total", "Datagrams dropped as malformed or unknown.", m.Malformed.Load())
	counter("stun_not_binding_total", "STUN messages dropped because they are not Binding requests.", m.NotBinding.Load())
	counter("rate_limited_total", "Packets over the per-source rate limit (answered busy or dropped).", m.RateLimited.Load())
	counter("busy_answered_total", "Busy notices sent instead of an answer over the rate limit.", m.BusyAnswered.Load())
	counter("stun_unknown_attribute_total", "Binding requests answered 420 Unknown Attribute.", m.UnknownAttr.Load())
	counter("tcp_connections_total", "TCP connections accepted.", m.TCPConns.Load())
	counter("tcp_rejected_total", "TCP connections refused over the limit.", m.TCPRejected.Load())
	counter("tls_connections_total", "TCP connections that started TLS.", m.TLSConns.Load())
	counter("turn_auth_failures_total", "TURN requests with bad credentials.", m.TURNAuthFail.Load())
	counter("turn_unauth_limited_total", "Unauthenticated TURN requests dropped by the per-source limit.", m.TURNUnauthLimited.Load())
	counter("turn_peer_denied_total", "TURN permissions refused by the peer deny-list.", m.TURNPeerDeny.Load())
	counter("turn_quota_denied_total", "TURN allocations refused by a quota.", m.TURNQuotaDeny.Load())
	fmt.Fprintf(w, "# HELP rtcprobe_turn_allocations Live TURN allocations.\n# TYPE rtcprobe_turn_allocations gauge\nrtcprobe_turn_allocations %d\n", m.TURNAllocs.Load())
}
