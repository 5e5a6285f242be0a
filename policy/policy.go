// Package policy reads the managed browser policies that change what WebRTC
// may send and by which route: Chrome, Edge and Chromium's WebRtcIPHandling,
// WebRtcUdpPortRange, WebRtcLocalIpsAllowedUrls and proxy policies, and
// Firefox's media.peerconnection preferences and Proxy policy. A managed
// laptop's browser obeys these before the firewall ever sees a packet, so
// rtcprobe must send as the browser would (probe) and judge by the same
// rules (report).
//
// Policies come from JSON files on Linux, the registry on Windows and
// managed preference plists on macOS. Every root is injectable (Sources) so
// tests and the lab read fixtures; a malformed file or value is a Problem
// naming it, never a panic, and every file read is bounded (maxFileSize).
package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Browser names, as --browser takes them.
const (
	Chrome   = "chrome"
	Edge     = "edge"
	Chromium = "chromium"
	Firefox  = "firefox"
)

// Names lists the browsers in the order they are reported.
var Names = []string{Chrome, Edge, Chromium, Firefox}

// Title is a browser's name as written in sentences ("Edge policy ...").
func Title(name string) string {
	switch name {
	case Chrome:
		return "Chrome"
	case Edge:
		return "Edge"
	case Chromium:
		return "Chromium"
	case Firefox:
		return "Firefox"
	}
	return name
}

// WebRtcIPHandling values (Chromium's policy_templates).
const (
	IPHandlingDefault           = "default"
	IPHandlingPublicAndPrivate  = "default_public_and_private_interfaces"
	IPHandlingPublicOnly        = "default_public_interface_only"
	IPHandlingDisableNonProxied = "disable_non_proxied_udp"
)

// String is a policy holding a string, with where it was set.
type String struct {
	Value string
	// Source is the file path or registry key that set it; "" when unset.
	Source string
}

// Set reports whether the policy was present.
func (s String) Set() bool { return s.Source != "" }

// Bool is a policy or preference holding a boolean.
type Bool struct {
	Value  bool
	Source string
}

// Set reports whether the policy was present.
func (b Bool) Set() bool { return b.Source != "" }

// List is a list policy (WebRtcLocalIpsAllowedUrls).
type List struct {
	Values []string
	Source string
}

// PortRange is WebRtcUdpPortRange parsed: the browser binds every WebRTC
// UDP socket to a port in [Min, Max].
type PortRange struct {
	Min, Max int
	Source   string
}

// Set reports whether a valid range was configured.
func (p PortRange) Set() bool { return p.Source != "" }

// String writes the range as the policy does, "10000-10100".
func (p PortRange) String() string { return strconv.Itoa(p.Min) + "-" + strconv.Itoa(p.Max) }

// Size is the number of ports in the range.
func (p PortRange) Size() int { return p.Max - p.Min + 1 }

// Proxy is the proxy policy of a browser, in Chromium's terms (Firefox's
// Proxy policy is translated: manual -> fixed_servers, autoConfig ->
// pac_script, none -> direct, system -> system, autoDetect -> auto_detect).
// The PAC/proxy discovery consumes it.
type Proxy struct {
	ProxyMode         string
	ProxyServer       string
	ProxyPacUrl       string //nolint:revive // the policy's own name
	ProxyBypassList   string
	ProxyPacMandatory bool
	// Source is the file path or registry key that set the first of them.
	Source string
}

// Browser is what one browser's managed policies say about WebRTC.
type Browser struct {
	// Name is Chrome, Edge, Chromium or Firefox.
	Name string
	// Sources are every file or key that held a policy for this browser.
	Sources []string

	WebRtcIPHandling          String
	WebRtcUdpPortRange        PortRange
	WebRtcLocalIpsAllowedUrls List
	// Proxy is nil when no proxy policy is set.
	Proxy *Proxy

	// Firefox preferences (Preferences policy, or Firefox's own WebRTC
	// policies).
	ICEProxyOnly          Bool // media.peerconnection.ice.proxy_only
	ICERelayOnly          Bool // media.peerconnection.ice.relay_only
	ICEDefaultAddressOnly Bool // media.peerconnection.ice.default_address_only
	PeerConnectionEnabled Bool // media.peerconnection.enabled
}

// Managed reports whether any policy this package reads is set.
func (b *Browser) Managed() bool {
	return b.WebRtcIPHandling.Set() || b.WebRtcUdpPortRange.Set() || b.WebRtcLocalIpsAllowedUrls.Source != "" ||
		b.Proxy != nil || b.ICEProxyOnly.Set() || b.ICERelayOnly.Set() || b.ICEDefaultAddressOnly.Set() ||
		b.PeerConnectionEnabled.Set()
}

// Problem is a policy file or value that could not be used: one line naming
// it. The browser ignores such a value as well (Chromium logs an invalid
// policy and runs without it).
type Problem struct {
	Source string
	Msg    string
}

// Error is the one line: the file or key, then what is wrong with it.
func (p Problem) Error() string { return p.Source + ": " + p.Msg }

// Set is the result of reading every browser's policies.
type Set struct {
	// Browsers holds only browsers with at least one policy read here, in
	// Names order.
	Browsers []Browser
	// Problems are files or values that were skipped.
	Problems []Problem
}

// Get returns the named browser's policies, or nil when it has none.
func (s *Set) Get(name string) *Browser {
	for i := range s.Browsers {
		if s.Browsers[i].Name == name {
			return &s.Browsers[i]
		}
	}
	return nil
}

// Default picks the browser a verdict is for when the user did not say:
// the first managed one (Chrome, Edge, Chromium, Firefox), else Chrome.
func (s *Set) Default() string {
	if len(s.Browsers) > 0 {
		return s.Browsers[0].Name
	}
	return Chrome
}

// ParseBrowser checks a --browser value.
func ParseBrowser(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, n := range Names {
		if v == n {
			return n, nil
		}
	}
	return "", fmt.Errorf("unknown browser %q: use chrome, edge, chromium or firefox", s)
}

// ParsePortRange parses WebRtcUdpPortRange ("min-max"). Chromium ignores
// an empty or invalid range and then uses any port; so does the caller.
func ParsePortRange(s string) (PortRange, error) {
	lo, hi, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return PortRange{}, fmt.Errorf("WebRtcUdpPortRange %q is not min-max", clip(s))
	}
	min, err1 := strconv.Atoi(strings.TrimSpace(lo))
	max, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || min < 1 || max > 65535 || min > max {
		return PortRange{}, fmt.Errorf("WebRtcUdpPortRange %q is not a port range 1-65535", clip(s))
	}
	return PortRange{Min: min, Max: max}, nil
}

// clip quotes at most 40 bytes of a value from a policy file in an error
// line, with control characters replaced: file contents are data.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
