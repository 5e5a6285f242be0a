package result

import "strconv"

// DetailKey names one of Probe.Details. The keys are a contract of the
// report (readers look them up), so each is a constant here; policy
// probes also key by the policy's own name (PolicyKey).
type DetailKey string

// Detail keys.
const (
	// DetailAddresses: the addresses a name resolved to.
	DetailAddresses DetailKey = "addresses"
	// DetailAgent: the VPN or SASE agent owning the route's interface.
	DetailAgent DetailKey = "agent"
	// DetailAgentsRunning: VPN or SASE agents running on the machine.
	DetailAgentsRunning DetailKey = "agentsRunning"
	// DetailAnsweredSend: which send of the STUN schedule was answered.
	DetailAnsweredSend DetailKey = "answeredSend"
	// DetailBytes: the PAC script's size.
	DetailBytes DetailKey = "bytes"
	// DetailEcho: why the echo datagram was not tested.
	DetailEcho DetailKey = "echo"
	// DetailEchoCapable: the reflector answers echo datagrams (rtcprobe serve).
	DetailEchoCapable DetailKey = "echoCapable"
	// DetailExampleCredentials: the TURN credentials are the documentation's examples.
	DetailExampleCredentials DetailKey = "exampleCredentials"
	// DetailExposure: the TURN relay reaches a peer it should not.
	DetailExposure DetailKey = "exposure"
	// DetailFor: what a route probe's destination is for (media, signaling...).
	DetailFor DetailKey = "for"
	// DetailGateway: the route's next hop.
	DetailGateway DetailKey = "gateway"
	// DetailHttpStatus: the HTTP status code answered.
	DetailHttpStatus DetailKey = "httpStatus"
	// DetailIgnored: datagrams ignored while waiting for the STUN answer.
	DetailIgnored DetailKey = "ignored"
	// DetailInterface: the local interface carrying the route.
	DetailInterface DetailKey = "interface"
	// DetailIssuer: the certificate's issuer.
	DetailIssuer DetailKey = "issuer"
	// DetailIssuerChain: the certificate chain's issuers.
	DetailIssuerChain DetailKey = "issuerChain"
	// DetailIssuerOrg: the issuer's organisation.
	DetailIssuerOrg DetailKey = "issuerOrg"
	// DetailIssuerPublic: whether the issuer chains to a public CA ("true"/"false").
	DetailIssuerPublic DetailKey = "issuerPublic"
	// DetailLocalAddress: the local address of the route.
	DetailLocalAddress DetailKey = "localAddress"
	// DetailMappedAddress: the address the STUN or TURN server saw.
	DetailMappedAddress DetailKey = "mappedAddress"
	// DetailNote: a remark on the probe.
	DetailNote DetailKey = "note"
	// DetailPacResult: what the PAC script returned.
	DetailPacResult DetailKey = "pacResult"
	// DetailPacSkipped: PAC entries rtcprobe skipped.
	DetailPacSkipped DetailKey = "pacSkipped"
	// DetailPeerUnresolved: the relay's peer name that did not resolve
	// (the relay was tested against a second allocation instead).
	DetailPeerUnresolved DetailKey = "peerUnresolved"
	// DetailVerified: whether the certificate verified ("true"/"false").
	DetailVerified DetailKey = "verified"
	// DetailPartialAnswer: DNS answered only part of the question.
	DetailPartialAnswer DetailKey = "partialAnswer"
	// DetailPayload: what the datagram carried.
	DetailPayload DetailKey = "payload"
	// DetailPeer: the TURN relay's peer.
	DetailPeer DetailKey = "peer"
	// DetailProxy: the HTTP proxy's address (host:port).
	DetailProxy DetailKey = "proxy"
	// DetailProxyAuth: the authentication scheme that logged in to the HTTP proxy.
	DetailProxyAuth DetailKey = "proxyAuth"
	// DetailProxyAuthFix: how to make proxy authentication work.
	DetailProxyAuthFix DetailKey = "proxyAuthFix"
	// DetailProxyAuthOffered: the authentication schemes the HTTP proxy offered.
	DetailProxyAuthOffered DetailKey = "proxyAuthOffered"
	// DetailProxyAuthSource: where the proxy credentials came from.
	DetailProxyAuthSource DetailKey = "proxyAuthSource"
	// DetailProxyStatus: the HTTP proxy's answer to CONNECT.
	DetailProxyStatus DetailKey = "proxyStatus"
	// DetailRelayedAddress: the TURN relay's address.
	DetailRelayedAddress DetailKey = "relayedAddress"
	// DetailResolver: the resolver asked.
	DetailResolver DetailKey = "resolver"
	// DetailRoute: the route the probe took (PAC or proxy hops).
	DetailRoute DetailKey = "route"
	// DetailRouteTried: the proxies a route tried before the one used.
	DetailRouteTried DetailKey = "routeTried"
	// DetailRouteBy: what decided the route ("pac ...", "fixed", ...).
	DetailRouteBy DetailKey = "routeBy"
	// DetailRouteFallback: the route fell back to the next hop.
	DetailRouteFallback DetailKey = "routeFallback"
	// DetailSends: how many STUN requests were sent.
	DetailSends DetailKey = "sends"
	// DetailServer: the HTTP Server header.
	DetailServer DetailKey = "server"
	// DetailServerAddress: the TURN server's address.
	DetailServerAddress DetailKey = "serverAddress"
	// DetailSize: the datagram's size.
	DetailSize DetailKey = "size"
	// DetailSoftware: the STUN SOFTWARE attribute.
	DetailSoftware DetailKey = "software"
	// DetailSourcePort: the local UDP port sent from.
	DetailSourcePort DetailKey = "sourcePort"
	// DetailSourcePortRange: the local UDP port range sent from.
	DetailSourcePortRange DetailKey = "sourcePortRange"
	// DetailSubject: the certificate's subject.
	DetailSubject DetailKey = "subject"
	// DetailVia: "http-proxy" when the probe went through the browser's HTTP proxy (Probe.Via is the typed form).
	DetailVia DetailKey = "via"
	// DetailWpadTried: the WPAD URLs tried.
	DetailWpadTried DetailKey = "wpadTried"
)

// IgnoredKey is the detail counting ignored datagrams of one kind
// ("ignored.garbage").
func IgnoredKey(kind string) DetailKey { return DetailKey(string(DetailIgnored) + "." + kind) }

// PolicyKey is the detail holding a policy's value on a policy probe,
// PolicySourceKey the one holding where it was set.
func PolicyKey(name string) DetailKey { return DetailKey(name) }

// PolicySourceKey is the detail naming where a policy was set.
func PolicySourceKey(name string) DetailKey { return DetailKey(name + ".source") }

// ViaHTTPProxyDetail is the value of DetailVia for a probe through the
// browser's HTTP proxy (kept for readers of the JSON; Probe.Via is the
// typed form).
const ViaHTTPProxyDetail = "http-proxy"

// ProblemKey is the detail holding the nth (from 1) problem of the
// policy/unreadable probe.
func ProblemKey(n int) DetailKey { return DetailKey(strconv.Itoa(n)) }

// Local reports whether the detail describes this machine or its public
// (NAT-mapped) address rather than a server: redaction removes those.
// Besides the keys the probes write it covers the names other tools use,
// since a report to redact may come from anywhere.
func (k DetailKey) Local() bool {
	switch k {
	case DetailMappedAddress, DetailLocalAddress, "xorMappedAddress",
		"local", "laddr", "sourceAddress", "clientAddress", "relayMappedAddress":
		return true
	}
	return false
}
