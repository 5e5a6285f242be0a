package result

// Probe reasons for an HTTP proxy that demands a login (probe/proxyauth.go
// writes them): the probe is skipped when rtcprobe could not log in as the
// browser would, failed when the logged-in user's own credentials were
// refused (what the browser meets too).
const (
	ReasonProxyAuthUnavailable = "proxy-auth-unavailable"
	ReasonProxyAuthRejected    = "proxy-auth-rejected"
	// ReasonProxyAuthBroken: the proxy's handshake is malformed in a way
	// the browser refuses too (failed).
	ReasonProxyAuthBroken = "proxy-auth-broken"
)
