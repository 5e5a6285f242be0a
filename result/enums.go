package result

// Severity is how much a Finding matters.
type Severity string

// Finding severities.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Via is the route a probe's traffic took (Probe.Via).
type Via string

// Routes a probe can take. An SDK proxy reached through the browser's
// HTTP proxy is ViaHTTPProxy: the first hop decides what a firewall saw;
// Probe.SDKProxy still says the target is an SDK proxy.
const (
	// ViaDirect: straight from the laptop to the target.
	ViaDirect Via = "direct"
	// ViaHTTPProxy: through the browser's HTTP proxy (fixed or chosen by
	// the PAC script), by CONNECT.
	ViaHTTPProxy Via = "http-proxy"
	// ViaSDKProxy: straight to an SDK proxy the app configured
	// (enterRoom's proxy option, Solution 2), which relays to TRTC.
	ViaSDKProxy Via = "sdk-proxy"
)
