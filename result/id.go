package result

import (
	"strconv"
	"strings"
)

// ID names one probe in a report (Probe.ID, Probe.After, evidence lists).
// Its text is part of the JSON contract; this file is the only place that
// builds or takes it apart, so the probes, the dry run and the verdict
// cannot disagree on the format.
//
// The formats:
//
//	<target>/<step>          a web target's probe (step dns, tcp, tls, https, ws, pac)
//	<target>/dns@<server>    the same name asked of one resolver
//	<target>/tcp/<address>   TCP to one of the target's resolved addresses
//	<target>/tcp/proxy[-N]   TCP to the Nth HTTP proxy the target's route tries
//	reflector/dns            the --reflector name
//	stun/<port>              STUN from the browser's port range
//	stun-anyport/<port>      STUN from any port (WebRtcUdpPortRange set)
//	echo/<port>/<size>       a non-STUN datagram of size bytes
//	turn<N>-<transport>      the Nth TURN server over udp, tcp or tls
//	turn<N>-<tr>/audit/<x>   an audit of that server (a Solution-2 check)
//	turn<N>-<tr>/pac         the PAC script's answer for that server (ID.Sub)
//	route/<host>             the local route to host
//	pac/fetch                the PAC script's download
//	policy/<browser>         a browser's managed policies
//
// The dry run also lists <target>/tcp, <target>/dns@ and echo/<port>/*
// (EchoAnySizeID): one line for what a run splits per address, resolver
// or size.
type ID string

// Fixed probe IDs.
const (
	// ReflectorDNSID resolves the --reflector name (recorded once per run
	// when the reflector is a name).
	ReflectorDNSID ID = "reflector/dns"
	// PACFetchID is the PAC script's download (or WPAD's search).
	PACFetchID ID = "pac/fetch"
	// PolicyUnreadableID records policy files or keys that could not be read.
	PolicyUnreadableID ID = "policy/unreadable"
)

// WebStep is the step of a web target a probe checks.
type WebStep string

// Web target steps, in the order a browser takes them (StepPAC is the
// PAC script's answer for the target's URL).
const (
	StepDNS   WebStep = "dns"
	StepTCP   WebStep = "tcp"
	StepTLS   WebStep = "tls"
	StepHTTPS WebStep = "https"
	StepWS    WebStep = "ws"
	StepPAC   WebStep = "pac"
)

// Family is what kind of ID an ID is (ParsedID.Family).
type Family string

// ID families.
const (
	FamilyWeb         Family = "web"
	FamilyReflector   Family = "reflector"
	FamilySTUN        Family = "stun"
	FamilySTUNAnyPort Family = "stun-anyport"
	FamilyEcho        Family = "echo"
	FamilyTURN        Family = "turn"
	FamilyTURNAudit   Family = "turn-audit"
	FamilyRoute       Family = "route"
	FamilyPAC         Family = "pac"
	FamilyPolicy      Family = "policy"
)

// ID prefixes and separators.
const (
	stunPrefix    = "stun/"
	anyPortPrefix = "stun-anyport/"
	echoPrefix    = "echo/"
	routePrefix   = "route/"
	policyPrefix  = "policy/"
	pacPrefix     = "pac/"
	auditSep      = "/audit/"
	proxyTCPSep   = "/tcp/proxy"
	resolverSep   = "/dns@"
)

// AuditName names a TURN audit (ID.Audit).
type AuditName string

// TURN audits.
const (
	// AuditDefaultCredentials: the server takes the vendor's example
	// credentials.
	AuditDefaultCredentials AuditName = "default-credentials"
	// AuditRelayLoopback, AuditRelayPrivate: the relay reaches the TURN
	// host's loopback, or private addresses.
	AuditRelayLoopback AuditName = "relay-loopback"
	AuditRelayPrivate  AuditName = "relay-private"
)

// WebID is the probe of step for the web target named target.
func WebID(target string, step WebStep) ID { return ID(target + "/" + string(step)) }

// ResolverDNSID is target's name asked of the resolver server.
func ResolverDNSID(target, server string) ID { return ID(target + resolverSep + server) }

// ProxyTCPID is TCP to the nth (from 1) HTTP proxy target's route tries.
func ProxyTCPID(target string, n int) ID {
	if n <= 1 {
		return ID(target + proxyTCPSep)
	}
	return ID(target + proxyTCPSep + "-" + strconv.Itoa(n))
}

// AddrTCPID is TCP to one of target's resolved addresses.
func AddrTCPID(target, addr string) ID { return ID(target + "/tcp/" + addr) }

// Wildcard ends an ID pattern of the dry run ("echo/8000/*": every size).
const Wildcard = "*"

// EchoAnySizeID is the dry run's pattern for the echo datagrams of every
// size to a reflector port.
func EchoAnySizeID(port int) string { return echoPrefix + strconv.Itoa(port) + "/" + Wildcard }

// STUNID is the STUN probe of a reflector port.
func STUNID(port int) ID { return ID(stunPrefix + strconv.Itoa(port)) }

// AnyPortSTUNID is the STUN probe of a reflector port sent from any local port.
func AnyPortSTUNID(port int) ID { return ID(anyPortPrefix + strconv.Itoa(port)) }

// EchoID is the echo datagram of size bytes to a reflector port.
func EchoID(port, size int) ID {
	return ID(echoPrefix + strconv.Itoa(port) + "/" + strconv.Itoa(size))
}

// TURNID is the nth (from 1) TURN server over transport.
func TURNID(n int, transport string) ID {
	return ID("turn" + strconv.Itoa(n) + "-" + transport)
}

// Audit is the audit named name of the TURN probe id.
func (id ID) Audit(name AuditName) ID { return id + auditSep + ID(name) }

// Sub is the probe of step for id taken as a target (a TURN server's
// PAC answer: turn1-tcp/pac).
func (id ID) Sub(step WebStep) ID { return WebID(string(id), step) }

// RouteID is the local route to host.
func RouteID(host string) ID { return ID(routePrefix + host) }

// PolicyID is the managed policies of browser.
func PolicyID(browser string) ID { return ID(policyPrefix + browser) }

// String returns the ID's text.
func (id ID) String() string { return string(id) }

// ParsedID is an ID taken apart. Fields that do not apply are zero.
type ParsedID struct {
	Family Family
	// Target is the web target or the TURN server's ID (FamilyWeb,
	// FamilyTURN, FamilyTURNAudit), the host (FamilyRoute), the browser
	// (FamilyPolicy), what follows "pac/" (FamilyPAC).
	Target string
	// Step is a web target's step; Resolver the resolver of a /dns@ ID.
	Step     WebStep
	Resolver string
	// Address is the resolved address of a <target>/tcp/<address> ID.
	Address string
	// ProxyHop is N of a <target>/tcp/proxy[-N] ID (1 for the first).
	ProxyHop int
	// Port and Size of the reflector probes (stun, stun-anyport, echo).
	Port, Size int
	// Audit names a TURN audit.
	Audit AuditName
}

// Parse takes the ID apart. An ID of no known form is a web target's
// whole name (FamilyWeb with no Step): parsing never fails, since a
// report from a newer rtcprobe may hold forms this one does not know.
func (id ID) Parse() ParsedID {
	s := string(id)
	if p, ok := parsePrefixed(s); ok {
		return p
	}
	if t, a, ok := strings.Cut(s, auditSep); ok {
		return ParsedID{Family: FamilyTURNAudit, Target: t, Audit: AuditName(a)}
	}
	if isTURNName(s) {
		return ParsedID{Family: FamilyTURN, Target: s}
	}
	return parseWeb(s)
}

// parsePrefixed parses the IDs with a fixed first part.
func parsePrefixed(s string) (ParsedID, bool) {
	switch {
	case ID(s) == ReflectorDNSID:
		return ParsedID{Family: FamilyReflector, Step: StepDNS}, true
	case strings.HasPrefix(s, stunPrefix):
		return ParsedID{Family: FamilySTUN, Port: atoi(s[len(stunPrefix):])}, true
	case strings.HasPrefix(s, anyPortPrefix):
		return ParsedID{Family: FamilySTUNAnyPort, Port: atoi(s[len(anyPortPrefix):])}, true
	case strings.HasPrefix(s, echoPrefix):
		port, size, _ := strings.Cut(s[len(echoPrefix):], "/")
		return ParsedID{Family: FamilyEcho, Port: atoi(port), Size: atoi(size)}, true
	case strings.HasPrefix(s, routePrefix):
		return ParsedID{Family: FamilyRoute, Target: s[len(routePrefix):]}, true
	case strings.HasPrefix(s, policyPrefix):
		return ParsedID{Family: FamilyPolicy, Target: s[len(policyPrefix):]}, true
	case strings.HasPrefix(s, pacPrefix):
		return ParsedID{Family: FamilyPAC, Target: s[len(pacPrefix):]}, true
	}
	return ParsedID{}, false
}

// parseWeb parses <target>/<step> and its variants.
func parseWeb(s string) ParsedID {
	if t, hop, ok := strings.Cut(s, proxyTCPSep); ok {
		n := 1
		if rest, ok := strings.CutPrefix(hop, "-"); ok {
			n = atoi(rest)
		} else if hop != "" {
			return ParsedID{Family: FamilyWeb, Target: s}
		}
		return ParsedID{Family: FamilyWeb, Target: t, Step: StepTCP, ProxyHop: n}
	}
	if t, addr, ok := strings.Cut(s, "/tcp/"); ok {
		return ParsedID{Family: FamilyWeb, Target: t, Step: StepTCP, Address: addr}
	}
	if t, ns, ok := strings.Cut(s, resolverSep); ok {
		return ParsedID{Family: FamilyWeb, Target: t, Step: StepDNS, Resolver: ns}
	}
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return ParsedID{Family: FamilyWeb, Target: s}
	}
	return ParsedID{Family: FamilyWeb, Target: s[:i], Step: WebStep(s[i+1:])}
}

// isTURNName reports whether s is turn<N>-<transport>.
func isTURNName(s string) bool {
	rest, ok := strings.CutPrefix(s, "turn")
	if !ok {
		return false
	}
	n, tr, ok := strings.Cut(rest, "-")
	if !ok || atoi(n) <= 0 {
		return false
	}
	return tr == "udp" || tr == "tcp" || tr == "tls"
}

// atoi is strconv.Atoi without the error: a malformed number is 0.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// IsSTUN reports whether id is a STUN probe from the browser's port range.
func (id ID) IsSTUN() bool { return strings.HasPrefix(string(id), stunPrefix) }

// IsEcho reports whether id is an echo datagram.
func (id ID) IsEcho() bool { return strings.HasPrefix(string(id), echoPrefix) }

// IsAudit reports whether id is a TURN audit.
func (id ID) IsAudit() bool { return strings.Contains(string(id), auditSep) }

// IsProxyTCP reports whether id is TCP to an HTTP proxy a route tries,
// and which one (1 for the first).
func (id ID) IsProxyTCP() (int, bool) {
	p := id.Parse()
	return p.ProxyHop, p.Family == FamilyWeb && p.ProxyHop > 0
}

// Head is the ID up to its first "/": the web target or TURN server a
// probe belongs to (the family name for the other IDs).
func (id ID) Head() string {
	h, _, _ := strings.Cut(string(id), "/")
	return h
}

// JoinIDs joins ids with sep, for text.
func JoinIDs(ids []ID, sep string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, sep)
}
