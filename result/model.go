package result

import "time"

// SchemaID names the report format. It changes only when a field is removed
// or changes meaning; new fields are added without a version bump.
const SchemaID = "rtcprobe/report/v1"

// Report is one diagnosis. Field names are a contract (see schema.json).
type Report struct {
	Schema     string    `json:"schema"`
	Tool       Tool      `json:"tool"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMs float64   `json:"durationMs"`
	// Complete is false when the run was interrupted (ctrl-c, SIGTERM) and
	// the report holds only what was gathered until then.
	Complete bool `json:"complete"`
	// Redacted is true when the machine and user names, private and mapped
	// addresses, the resolver and the proxy were removed (--redact).
	// Credentials are removed always.
	Redacted bool `json:"redacted"`
	// Host describes the machine the probe ran on. Empty fields mean unknown
	// or redacted.
	Host        Host      `json:"host"`
	Config      Config    `json:"config"`
	Verdict     Verdict   `json:"verdict"`
	Paths       Paths     `json:"paths"`
	Probes      []Probe   `json:"probes"`
	Findings    []Finding `json:"findings"`
	Remediation []Rule    `json:"remediation"`
	// Quality is the quality stage (check --quality); nil when it did not
	// run, and then absent from the JSON.
	Quality *Quality `json:"quality,omitempty"`
}

// Tool identifies the rtcprobe build that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"date,omitempty"`
}

// Host is the machine the probe ran on.
type Host struct {
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

// Config is what the run was asked to check, without secrets. The verdict is
// computed from Config and Probes alone, so a saved report can be re-judged.
type Config struct {
	// SDKAppID is the app's SDKAppID, 0 when not given (both regions checked).
	SDKAppID int64 `json:"sdkAppId"`
	// Regions checked: "mainland" and/or "international".
	Regions   []string `json:"regions"`
	BudgetMs  int64    `json:"budgetMs"`
	Reflector string   `json:"reflector,omitempty"`
	// MediaPorts are the UDP ports probed on the reflector.
	MediaPorts []int `json:"mediaPorts"`
	// ICETransportPolicy is "all" (default) or "relay" (TURN only).
	ICETransportPolicy string `json:"iceTransportPolicy"`
	// Proxy is the SDK proxy option in use (URLs only, no credentials).
	Proxy *ProxySummary `json:"proxy,omitempty"`
	// HTTPProxy is the HTTP proxy the browser would use for TCP, if any
	// (user info removed).
	HTTPProxy string `json:"httpProxy,omitempty"`
	// PACURL is the proxy auto-config script the browser runs (from a
	// flag, a policy, the system settings, or found by WPAD). rtcprobe runs
	// it for every URL (the pac/ probes) and routes each probe by it.
	PACURL string `json:"pacUrl,omitempty"`
	// ProxyMode is how the browser picks a proxy: "direct", "fixed",
	// "pac" or "auto-detect" (WPAD).
	ProxyMode string `json:"proxyMode,omitempty"`
	// ProxyBy names what decided the proxy configuration: "--http-proxy",
	// "--pac", "policy", "environment", "system" or "none".
	ProxyBy string `json:"proxyBy,omitempty"`
	// PACMandatory is ProxyPacMandatory: a failing PAC blocks requests
	// instead of going DIRECT.
	PACMandatory bool `json:"pacMandatory,omitempty"`
	// ProxySettings are the proxy settings read, each with its source.
	ProxySettings []ProxySetting `json:"proxySettings,omitempty"`
	// TURNServers are the TURN servers checked (URLs without credentials).
	TURNServers []string `json:"turnServers"`
	// Browser is the browser the verdict is for: "chrome", "edge",
	// "chromium" or "firefox" (--browser, else the one with a managed
	// policy). Empty in reports written before browsers were told apart;
	// they are judged as a browser without policies, as they were.
	Browser string `json:"browser,omitempty"`
	// Policies are the managed browser policies that change WebRTC or its
	// routes, per browser that has any. The verdict applies the judged
	// browser's; the others get a line when their verdict differs.
	Policies []BrowserPolicy `json:"policies,omitempty"`
	// UDPPortRange is the local port range every UDP probe was sent from
	// (the judged browser's WebRtcUdpPortRange), "" for any port.
	UDPPortRange string `json:"udpPortRange,omitempty"`
}

// BrowserPolicy is one browser's managed policies, as read.
type BrowserPolicy struct {
	// Browser is "chrome", "edge", "chromium" or "firefox".
	Browser  string          `json:"browser"`
	Settings []PolicySetting `json:"settings"`
}

// Setting returns the named setting, or nil (also on a nil policy: a
// browser without managed policies has no settings).
func (b *BrowserPolicy) Setting(name string) *PolicySetting {
	if b == nil {
		return nil
	}
	for i := range b.Settings {
		if b.Settings[i].Name == name {
			return &b.Settings[i]
		}
	}
	return nil
}

// PolicySetting is one policy or preference and where it was set.
type PolicySetting struct {
	// Name is the policy's name ("WebRtcIPHandling", "ProxyMode") or the
	// Firefox preference ("media.peerconnection.ice.relay_only").
	Name  string `json:"name"`
	Value string `json:"value"`
	// Source is the file path or registry key that set it.
	Source string `json:"source"`
}

// ProxySummary is the enterRoom({proxy}) object without credentials.
type ProxySummary struct {
	WebsocketProxy string   `json:"websocketProxy,omitempty"`
	LoggerProxy    string   `json:"loggerProxy,omitempty"`
	ScheduleProxy  string   `json:"scheduleProxy,omitempty"`
	UnifiedProxy   string   `json:"unifiedProxy,omitempty"`
	TURNServers    []string `json:"turnServers,omitempty"`
}

// Signaling is the signalling verdict (Verdict.Signaling) and a region's
// (RegionVerdict.Status).
type Signaling string

// Signaling values.
const (
	SignalingOK       Signaling = "ok"
	SignalingViaProxy Signaling = "via-proxy"
	SignalingBlocked  Signaling = "blocked"
	// SignalingUntested is used only for reports of runs interrupted before
	// any signalling probe finished.
	SignalingUntested Signaling = "untested"
)

// Media values for Verdict.Media besides the path names.
const (
	MediaNone PathName = "none"
	// MediaUntested means no media path could be tested (no reflector and no
	// TURN server): the verdict cannot say whether media will flow.
	MediaUntested PathName = "untested"
)

// Verdict is the answer: will calls work, and how.
type Verdict struct {
	Signaling Signaling `json:"signaling"`
	// Media is the first working path in the SDK's order (a path name such as
	// "turn-tcp"), MediaNone or MediaUntested.
	Media PathName `json:"media"`
	// FirewallError5501 is true when the SDK would raise OPERATION_FAILED
	// with extraCode 5501: signalling blocked or no media path.
	FirewallError5501 bool `json:"firewallError5501"`
	// Outcome is the one-word answer: "works", "works-degraded", "fails" or
	// "inconclusive". Exit codes follow it.
	Outcome Outcome `json:"outcome"`
	// Headline is the short line shown on screens ("Calls will work: direct UDP").
	Headline string `json:"headline"`
	// Summary is one plain sentence for a ticket.
	Summary string `json:"summary"`
	// Regions is the signalling verdict per checked region (Signaling is
	// the worst of them). Region "" stands for an SDK proxy that serves
	// every region.
	Regions []RegionVerdict `json:"regions,omitempty"`
	// Browser is the browser this verdict is for (Config.Browser), when
	// known.
	Browser string `json:"browser,omitempty"`
	// Policy names the managed browser policy that decided the verdict
	// (made a working path not count, or turned WebRTC off), with its
	// source; "" when no policy changed it.
	Policy string `json:"policy,omitempty"`
	// Browsers are the other managed browsers whose verdict differs.
	Browsers []BrowserVerdict `json:"browsers,omitempty"`
}

// BrowserVerdict is a short verdict for another managed browser.
type BrowserVerdict struct {
	Browser  string   `json:"browser"`
	Outcome  Outcome  `json:"outcome"`
	Media    PathName `json:"media"`
	Headline string   `json:"headline"`
	// Policy names the policy that decided it, as Verdict.Policy.
	Policy string `json:"policy,omitempty"`
}

// RegionVerdict is whether an app of one region can join.
type RegionVerdict struct {
	Region string    `json:"region"`
	Status Signaling `json:"status"`
	// Detail says how it joins or why it cannot.
	Detail string `json:"detail"`
	// Evidence lists the probes that decided it.
	Evidence []ID `json:"evidence"`
}

// Outcome is the verdict's one-word answer; exit codes follow it.
type Outcome string

// Outcome values.
const (
	OutcomeWorks         Outcome = "works"
	OutcomeWorksDegraded Outcome = "works-degraded"
	OutcomeFails         Outcome = "fails"
	OutcomeInconclusive  Outcome = "inconclusive"
)

// PathName names a media path.
type PathName string

// Path names, in the SDK's order of preference.
const (
	PathDirectUDP PathName = "direct-udp"
	PathTURNUDP   PathName = "turn-udp"
	PathTURNTCP   PathName = "turn-tcp"
	PathTURNTLS   PathName = "turn-tls"
)

// PathOrder is the order in which the SDK tries media paths.
var PathOrder = []PathName{PathDirectUDP, PathTURNUDP, PathTURNTCP, PathTURNTLS}

// PathStatus is how a media path fared.
type PathStatus string

// Path status values.
const (
	PathOK       PathStatus = "ok"
	PathPartial  PathStatus = "partial"
	PathBlocked  PathStatus = "blocked"
	PathUntested PathStatus = "untested"
	PathError    PathStatus = "error"
)

// Paths holds one entry per media path.
type Paths struct {
	DirectUDP Path `json:"direct-udp"`
	TURNUDP   Path `json:"turn-udp"`
	TURNTCP   Path `json:"turn-tcp"`
	TURNTLS   Path `json:"turn-tls"`
}

// Get returns the path with the given name, or nil.
func (p *Paths) Get(name PathName) *Path {
	switch name {
	case PathDirectUDP:
		return &p.DirectUDP
	case PathTURNUDP:
		return &p.TURNUDP
	case PathTURNTCP:
		return &p.TURNTCP
	case PathTURNTLS:
		return &p.TURNTLS
	}
	return nil
}

// Path is the status of one media path and why.
type Path struct {
	Status PathStatus `json:"status"`
	// Evidence lists the IDs of the probes that decided the status.
	Evidence []ID `json:"evidence"`
	// Detail explains the status in a sentence.
	Detail string `json:"detail"`
	// Counts is false when the SDK would not use this path even if it works
	// (iceTransportPolicy "relay" for direct-udp).
	Counts bool `json:"counts"`
}

// Kind is what a probe checks.
type Kind string

// Probe kinds.
const (
	KindDNS       Kind = "dns"
	KindTCP       Kind = "tcp"
	KindTLS       Kind = "tls"
	KindHTTPS     Kind = "https"
	KindWebSocket Kind = "websocket"
	KindSTUN      Kind = "stun"
	KindTURN      Kind = "turn"
	// KindUDP is a non-STUN datagram (echo mode of rtcprobe serve).
	KindUDP Kind = "udp"
	// KindPAC is the proxy auto-config script: its fetch (pac/fetch) and
	// its answer for each target's URL (<target>/pac).
	KindPAC Kind = "pac"
	// KindPolicy records a browser's managed policies (ID "policy/NAME");
	// it sends nothing and is the evidence for what a policy decided.
	KindPolicy Kind = "policy"
	// KindRoute records the local interface and route that carry traffic
	// to a destination, and the VPN or SASE agent owning it, if any.
	KindRoute Kind = "route"
)

// Status is a probe's outcome.
type Status string

// Probe status values.
const (
	// StatusRunning appears only in progress events, never in a finished report
	// unless the run was interrupted.
	StatusRunning Status = "running"
	StatusOK      Status = "ok"
	// StatusBlocked: no answer at all within the wait (silently dropped).
	StatusBlocked Status = "blocked"
	// StatusRejected: an explicit refusal (TCP RST, ICMP unreachable).
	StatusRejected Status = "rejected"
	// StatusFailed: the peer answered, but not as needed (NXDOMAIN, TLS
	// verification, HTTP 403, TURN 401 with the given credentials, relay
	// silent). Reason says which.
	StatusFailed Status = "failed"
	// StatusError: a local or protocol error that says nothing about the
	// firewall (garbage answer, bad URL).
	StatusError Status = "error"
	// StatusSkipped: not run because a step it depends on failed, or the run
	// ended first.
	StatusSkipped Status = "skipped"
	// StatusUntested: the probe ran but its answer says nothing about the
	// network: the reflector got the datagrams and answered that it is
	// rate-limiting this address (Reason "reflector-busy"). Never a sign of
	// a firewall.
	StatusUntested Status = "untested"
)

// Probe is one check of one target, with its outcome.
type Probe struct {
	ID   ID   `json:"id"`
	Kind Kind `json:"kind"`
	// Role is what the target is for: "schedule", "signaling", "logger",
	// "legacy", "media", "turn", "proxy".
	Role string `json:"role"`
	// Region is "mainland", "international" or "" when not region-specific.
	Region string `json:"region,omitempty"`
	// Target is the host name, URL or server the probe is about.
	Target  string `json:"target"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	// Transport is "udp", "tcp" or "tls".
	Transport string `json:"transport"`
	Status    Status `json:"status"`
	// Reason is a short machine-readable cause (the Reason constants, and
	// HTTPReason for "http-403"). Empty when Status is ok.
	Reason Reason `json:"reason,omitempty"`
	// RTTMs is the round-trip or handshake time; nil when not measured.
	RTTMs *float64 `json:"rttMs"`
	// Error is the human-readable failure, "" when none.
	Error string `json:"error"`
	// Step names the step that failed ("resolve", "connect", "handshake",
	// "verify", "request", "upgrade", "allocate", "permission", "relay").
	Step string `json:"step,omitempty"`
	// After is the ID of the probe this one depended on.
	After ID `json:"after,omitempty"`
	// Steps is the trace behind the result.
	Steps []Step `json:"steps,omitempty"`
	// Details are extra facts, keyed by the DetailKey constants (policy
	// probes also use the policy's own name as a key).
	Details map[DetailKey]string `json:"details,omitempty"`
	StartMs float64              `json:"startMs"`
	// Via is the route the probe's traffic took: straight out, through
	// the browser's HTTP proxy, or through the SDK proxy (Solution 2).
	// Empty for probes that send nothing (policy, pac) or where the route
	// does not apply; Normalize fills it for reports written before it
	// existed.
	Via Via `json:"via,omitempty"`
	// SDKProxy is true when the target is an SDK proxy the app configured
	// (enterRoom's proxy option): it serves every region, so Region is
	// empty, and its failures are the proxy's, not TRTC's.
	SDKProxy bool `json:"sdkProxy,omitempty"`
}

// Step is one step inside a probe.
type Step struct {
	Name   string  `json:"name"`
	Status string  `json:"status"`
	Ms     float64 `json:"ms"`
	Detail string  `json:"detail,omitempty"`
}

// Finding is an observation beyond the path matrix: an audit result for a
// Solution-2 deployment, TLS inspection, a DNS sinkhole, a TURN port the
// browser will not use.
type Finding struct {
	// Code is stable and machine-readable, e.g. "turn-default-credentials".
	Code string `json:"code"`
	// Severity is "info", "warning" or "critical".
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
	Evidence []ID     `json:"evidence"`
}

// Rule is one firewall change that would fix something broken.
type Rule struct {
	// Protocol is "tcp" or "udp".
	Protocol string `json:"protocol"`
	// Port is a single port, or a range "20000-65535".
	Port string `json:"port"`
	// Destination is a domain (wildcards as the SDK docs use them) where the
	// SDK uses domains, an address where only an address is known.
	Destination string `json:"destination"`
	Reason      string `json:"reason"`
}

// MS converts a duration to float milliseconds with 0.1 ms precision.
func MS(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}

// RTT returns a pointer suitable for Probe.RTTMs.
func RTT(d time.Duration) *float64 {
	v := MS(d)
	return &v
}

// ProxySetting is one proxy setting rtcprobe read, and where from: a flag,
// a browser policy, an environment variable, a registry value, scutil or
// gsettings. Credentials in values are removed.
type ProxySetting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// IsTURN reports whether the path is relayed by a TURN server.
func (n PathName) IsTURN() bool {
	return n == PathTURNUDP || n == PathTURNTCP || n == PathTURNTLS
}
