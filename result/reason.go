package result

import (
	"strconv"
	"strings"
)

// Reason is a probe's short machine-readable cause (Probe.Reason). The
// verdict decides on it, so every value the probes write is a constant
// here: a renamed reason is a compile error, not a changed verdict.
type Reason string

// Reasons for a probe that did not pass. The pac package's error kinds
// (pac.Kind*) are reasons of the pac probes too.
const (
	// ReasonTimeout: no answer within the wait (silently dropped).
	ReasonTimeout Reason = "timeout"
	// ReasonRST: TCP reset.
	ReasonRST Reason = "rst"
	// ReasonICMPUnreachable: an ICMP unreachable came back.
	ReasonICMPUnreachable Reason = "icmp-unreachable"
	// ReasonConnectError: the connection failed for another reason.
	ReasonConnectError Reason = "connect-error"
	// DNS answers (the resolver's rcode, or a dead address).
	ReasonNXDomain  Reason = "nxdomain"
	ReasonServFail  Reason = "servfail"
	ReasonRefused   Reason = "refused"
	ReasonNoAnswer  Reason = "noanswer"
	ReasonSinkholed Reason = "sinkholed"
	// ReasonResolverError: the resolver could not be asked.
	ReasonResolverError Reason = "resolver-error"
	// ReasonDNS: skipped because the name did not resolve.
	ReasonDNS Reason = "dns"
	// ReasonNoRoute: the system has no route to the destination.
	ReasonNoRoute Reason = "no-route"
	// ReasonTLSVerify: the certificate does not verify.
	ReasonTLSVerify Reason = "tls-verify"
	// ReasonTLSHandshake: the TLS handshake failed.
	ReasonTLSHandshake Reason = "tls-handshake"
	// ReasonRequestError: the HTTPS or WebSocket request failed.
	ReasonRequestError Reason = "request-error"
	// ReasonBadURL: the target is not a usable URL.
	ReasonBadURL Reason = "bad-url"
	// ReasonConnectRefusedByProxy, ReasonProxyRefused: the HTTP proxy
	// answered CONNECT with a refusal (web probes, TURN over TCP/TLS).
	ReasonConnectRefusedByProxy Reason = "connect-refused-by-proxy"
	ReasonProxyRefused          Reason = "proxy-refused"
	// ReasonProxyError: the HTTP proxy failed otherwise.
	ReasonProxyError Reason = "proxy-error"
	// ReasonProxyTypeUnsupported: the PAC named a proxy type rtcprobe
	// does not speak (SOCKS).
	ReasonProxyTypeUnsupported Reason = "proxy-type-unsupported"
	// TURN: the server refused the credentials, denied the permission,
	// or the relay carried nothing.
	ReasonUnauthorized     Reason = "unauthorized"
	ReasonPermissionDenied Reason = "permission-denied"
	ReasonRelaySilent      Reason = "relay-silent"
	ReasonAllocateError    Reason = "allocate-error"
	// STUN answers that are not answers.
	ReasonGarbage          Reason = "garbage"
	ReasonWrongTransaction Reason = "wrong-transaction"
	// ReasonClient: the TURN client could not be set up.
	ReasonClient Reason = "client"
	// ReasonConnect: a TURN connection failed for another reason.
	ReasonConnect Reason = "connect"
	// ReasonPermissionError: CreatePermission failed otherwise.
	ReasonPermissionError Reason = "permission-error"
	// ReasonTruncated, ReasonMalformed: a DNS answer cut short or not
	// parseable (or an unexpected rcode).
	ReasonTruncated Reason = "truncated"
	ReasonMalformed Reason = "malformed"
	// ReasonSocket: the local socket failed.
	ReasonSocket Reason = "socket"
	// ReasonReflectorBusy: the reflector is rate-limiting this address
	// (Status untested).
	ReasonReflectorBusy Reason = "reflector-busy"
	// ReasonPortRangeBusy, ReasonPortRangeExhausted: no free local port
	// in the browser's WebRtcUdpPortRange.
	ReasonPortRangeBusy      Reason = "port-range-busy"
	ReasonPortRangeExhausted Reason = "port-range-exhausted"
	// ReasonNoEcho: the echo datagram was not judged (its STUN probe
	// ended first).
	ReasonNoEcho Reason = "no-echo"
	// ReasonInterrupted: the run ended before the probe finished.
	ReasonInterrupted Reason = "interrupted"
	// ReasonUnreadable: a policy file or key could not be read.
	ReasonUnreadable Reason = "unreadable"
	// PAC: a mandatory PAC failed, a PAC using only the *Ex functions,
	// no WPAD script found.
	ReasonPACMandatoryFailed Reason = "pac-mandatory-failed"
	ReasonPACExOnly          Reason = "pac-ex-only"
	ReasonWPADNotFound       Reason = "wpad-not-found"
	// ReasonPACFetchFailed: the PAC script could not be fetched.
	ReasonPACFetchFailed Reason = "pac-fetch-failed"
)

// Probe reasons for an HTTP proxy that demands a login (probe/proxyauth.go
// writes them): the probe is skipped when rtcprobe could not log in as the
// browser would, failed when the logged-in user's own credentials were
// refused (what the browser meets too).
const (
	ReasonProxyAuthUnavailable Reason = "proxy-auth-unavailable"
	ReasonProxyAuthRejected    Reason = "proxy-auth-rejected"
	// ReasonProxyAuthBroken: the proxy's handshake is malformed in a way
	// the browser refuses too (failed).
	ReasonProxyAuthBroken Reason = "proxy-auth-broken"
)

// httpReasonPrefix starts the reason of an HTTP answer that is not the
// one needed ("http-403").
const httpReasonPrefix = "http-"

// HTTPReason is the reason of an unexpected HTTP status code.
func HTTPReason(code int) Reason { return Reason(httpReasonPrefix + strconv.Itoa(code)) }

// HTTPStatus returns the status code of an HTTPReason, and whether r is one.
func (r Reason) HTTPStatus() (int, bool) {
	s, ok := strings.CutPrefix(string(r), httpReasonPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// IsHTTP reports whether r is an HTTPReason.
func (r Reason) IsHTTP() bool { return strings.HasPrefix(string(r), httpReasonPrefix) }

// ProxyRefused reports whether r is an HTTP proxy refusing CONNECT.
func (r Reason) ProxyRefused() bool {
	return r == ReasonConnectRefusedByProxy || r == ReasonProxyRefused
}
