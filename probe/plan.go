// Package probe turns what the TRTC Web SDK needs (the embedded catalog plus
// the user's options) into a Plan, runs every probe of the plan concurrently
// under one deadline, and returns the results as result.Probe values. It
// decides nothing: the verdict is report's job, and this package does not
// import report (probe -> result <- report).
package probe

import (
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// Plan is everything one run will probe. Build it with NewPlan, or by hand in
// tests (ports can then point at loopback servers).
type Plan struct {
	// Budget bounds the whole run.
	Budget time.Duration
	// Timers are the run's waits and send schedules; nil means
	// DefaultTimers (tests set scaled ones). Describe reads them too.
	Timers *Timers
	// Config is the secret-free description copied into the report.
	Config result.Config
	// Web are the HTTPS and WebSocket endpoints (schedule, signalling, logs,
	// legacy, proxies), each checked DNS -> TCP -> TLS -> request.
	Web []WebTarget
	// Reflector, when non-nil, is a STUN server answering on the media ports.
	Reflector *ReflectorTarget
	// TURN are the TURN servers, one entry per server and transport.
	TURN []TURNTarget
	// HTTPProxy, when non-nil, is the explicit HTTP proxy the browser would
	// use for TCP connections (WebSocket, HTTPS, TURN over TCP/TLS).
	HTTPProxy *url.URL
	// Proxy, when non-nil, is the browser's whole proxy configuration
	// (discovered by DiscoverProxy): each target is routed by it (a PAC
	// run per URL, WPAD, manual rules with bypass) instead of HTTPProxy.
	Proxy *ProxySetup
	// UDPPortRange, when set, is the browser's WebRtcUdpPortRange: every
	// UDP probe (STUN, echo, TURN over UDP) is sent from a port in it, and
	// one STUN probe more from any port (stun-anyport/PORT) tells the
	// firewall's rule apart.
	UDPPortRange PortRange
	// PolicyProblems are the policy files or keys that could not be read,
	// one line each (recorded as the probe policy/unreadable).
	PolicyProblems []string
	// Routes are the destinations whose local route is reported (which
	// interface, which VPN or SASE agent carries them).
	Routes []RouteTarget
}

// WebTarget is one HTTPS or WebSocket endpoint.
type WebTarget struct {
	// ID prefix for the probes of this target, unique in the plan.
	ID     string
	Role   string // "schedule", "signaling", "logger", "legacy"
	Region string // "" when from a proxy setting (region-independent)
	// URL is https://... or wss://...; the port defaults to 443.
	URL string
	// Via names the SDK proxy setting that replaced the default host
	// ("websocketProxy", "loggerProxy", "scheduleProxy", "unifiedProxy"), or "".
	Via string
}

// route is how the target's probes leave the laptop when no HTTP proxy
// is in the way: to the SDK proxy that replaced the default host, or
// straight to it.
func (w WebTarget) route() result.Via {
	if w.Via != "" {
		return result.ViaSDKProxy
	}
	return result.ViaDirect
}

// Host returns the URL's host name (no port).
func (w WebTarget) Host() string {
	u, err := url.Parse(w.URL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Port returns the URL's port, 443 by default.
func (w WebTarget) Port() int {
	u, err := url.Parse(w.URL)
	if err != nil {
		return 0
	}
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	return 443
}

// IsWebSocket reports whether the target is a WebSocket (wss:// or ws://).
func (w WebTarget) IsWebSocket() bool {
	u, err := url.Parse(w.URL)
	return err == nil && (u.Scheme == "wss" || u.Scheme == "ws")
}

// ReflectorTarget is a STUN server answering on the media ports.
type ReflectorTarget struct {
	Host  string
	Ports []int
}

// TURNTarget is one TURN server over one transport.
type TURNTarget struct {
	// ID is the probe's (result.TURNID), unique in the plan; the audits
	// are below it (ID.Audit).
	ID result.ID
	// URL as given, credentials never included.
	URL  string
	Host string
	Port int
	// Transport is "udp", "tcp" or "tls".
	Transport  string
	Username   string
	Credential Secret // never logged, never reported
	// Peer, when set, is a host:port (UDP) that echoes STUN binding requests,
	// used as the far end of the relay round trip. Empty means a second
	// allocation on the same server is the peer.
	Peer string
}

// JoinHostPort is net.JoinHostPort with an int port.
func JoinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
