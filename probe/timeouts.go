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
