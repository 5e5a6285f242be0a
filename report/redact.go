package report

import (
	"net"
	"regexp"
	"strings"
)

// redactedMark replaces whatever was removed, so a reader sees that
// something was there.
const redactedMark = "[redacted]"

var (
	// schemeUserinfo matches "scheme://user:pass@" in URLs.
	schemeUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s"']*@`)
	// turnUserinfo matches "turn:user:pass@" and "turns:user@" (RFC 7065 has
	// no "//", so schemeUserinfo misses it).
	turnUserinfo = regexp.MustCompile(`(?i)\b(turns?:)[^/@\s"'?]*@`)
	// secretParam matches credential-looking query or key=value pairs.
	secretParam = regexp.MustCompile(`(?i)\b(credential|password|passwd|pass|secret|token|auth|key)=([^&\s"']*)`)
	// localEndpoint matches the local side of Go's network errors:
	// "read udp 192.0.2.7:54321->198.51.100.1:8000: i/o timeout".
	localEndpoint = regexp.MustCompile(`(\b(?:udp|udp4|udp6|tcp|tcp4|tcp6) )(\[[0-9A-Fa-f:.%\w]+\]:\d+|[0-9.]+:\d+)(->)`)
)

// localDetailKeys are Details entries that describe this machine or its
// public (NAT-mapped) address rather than a server.
var localDetailKeys = map[string]bool{
	"mappedAddress": true, "xorMappedAddress": true, "localAddress": true,
	"local": true, "laddr": true, "sourceAddress": true, "clientAddress": true,
	"relayMappedAddress": true,
}

// Sanitize removes what must never be in a report whatever the flags:
// credentials. Probes never record them; this is the second line of defence
// for URLs with user info (https://user:pass@proxy, turn:user:pass@host) and
// credential=... pairs, wherever they appear: configuration, targets,
// errors, details, findings.
func Sanitize(r *Report) {
	if r == nil {
		return
	}
	walkStrings(r, scrubCredentials)
}

// Redact removes, on top of Sanitize, what identifies the machine and its
// network (--redact): the host name, local addresses and the public mapped
// addresses a STUN or TURN server saw. Server addresses are kept: they are
// what the network team needs to open the firewall.
func Redact(r *Report) {
	if r == nil {
		return
	}
	Sanitize(r)
	hidden := hiddenValues(r)
	for i := range r.Probes {
		for k := range r.Probes[i].Details {
			if localDetailKeys[k] {
				r.Probes[i].Details[k] = redactedMark
			}
		}
	}
	r.Host.Hostname = ""
	walkStrings(r, func(s string) string { return scrubLocal(s, hidden) })
	r.Redacted = true
}

// hiddenValues lists the strings to remove everywhere: the machine name and
// the IPs of the local and mapped addresses, minus any address that is also
// a server's (a reflector on the same host as the probe must stay visible).
func hiddenValues(r *Report) []string {
	servers := map[string]bool{}
	for _, p := range r.Probes {
		servers[p.Address] = true
		for k, v := range p.Details {
			if !localDetailKeys[k] {
				for _, part := range strings.Split(v, ",") {
					servers[hostPart(strings.TrimSpace(part))] = true
				}
			}
		}
	}
	servers[hostPart(r.Config.Reflector)] = true
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && s != redactedMark && !servers[s] && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range r.Probes {
		for k, v := range p.Details {
			if localDetailKeys[k] {
				add(hostPart(v))
			}
		}
	}
	// A short host name ("pc") would cut ordinary words; only longer names
	// are searched for in free text. The Hostname field itself always goes.
	if h := r.Host.Hostname; len(h) >= 4 {
		add(h)
	}
	return out
}

// hostPart returns the host of "host:port", "[v6]:port" or a bare host.
func hostPart(s string) string {
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return strings.Trim(s, "[]")
}

func scrubCredentials(s string) string {
	if !strings.ContainsAny(s, "@=") {
		return s
	}
	s = schemeUserinfo.ReplaceAllString(s, "${1}")
	s = turnUserinfo.ReplaceAllString(s, "${1}")
	return secretParam.ReplaceAllString(s, "${1}="+redactedMark)
}

func scrubLocal(s string, hidden []string) string {
	s = localEndpoint.ReplaceAllString(s, "${1}"+redactedMark+"${3}")
	for _, h := range hidden {
		if strings.Contains(s, h) {
			s = strings.ReplaceAll(s, h, redactedMark)
		}
	}
	return s
}

// walkStrings applies f to every free-text or address string of the report.
func walkStrings(r *Report, f func(string) string) {
	c := &r.Config
	c.Reflector, c.HTTPProxy = f(c.Reflector), f(c.HTTPProxy)
	mapSlice(c.TURNServers, f)
	if p := c.Proxy; p != nil {
		p.WebsocketProxy, p.LoggerProxy = f(p.WebsocketProxy), f(p.LoggerProxy)
		p.ScheduleProxy, p.UnifiedProxy = f(p.ScheduleProxy), f(p.UnifiedProxy)
		mapSlice(p.TURNServers, f)
	}
	for i := range c.Policies {
		for j := range c.Policies[i].Settings {
			ps := &c.Policies[i].Settings[j]
			ps.Value, ps.Source = f(ps.Value), f(ps.Source)
		}
	}
	v := &r.Verdict
	v.Headline, v.Summary, v.Policy = f(v.Headline), f(v.Summary), f(v.Policy)
	for i := range v.Browsers {
		v.Browsers[i].Headline, v.Browsers[i].Policy = f(v.Browsers[i].Headline), f(v.Browsers[i].Policy)
	}
	for _, name := range PathOrder {
		p := r.Paths.Get(name)
		p.Detail = f(p.Detail)
	}
	for i := range r.Probes {
		walkProbe(&r.Probes[i], f)
	}
	for i := range r.Findings {
		fd := &r.Findings[i]
		fd.Title, fd.Detail = f(fd.Title), f(fd.Detail)
	}
	for i := range r.Remediation {
		rr := &r.Remediation[i]
		rr.Destination, rr.Reason = f(rr.Destination), f(rr.Reason)
	}
}

func walkProbe(p *Probe, f func(string) string) {
	p.Target, p.Address, p.Error = f(p.Target), f(p.Address), f(p.Error)
	for k, v := range p.Details {
		p.Details[k] = f(v)
	}
	for j := range p.Steps {
		p.Steps[j].Detail = f(p.Steps[j].Detail)
	}
}

func mapSlice(s []string, f func(string) string) {
	for i := range s {
		s[i] = f(s[i])
	}
}

// SanitizeProbe returns a copy of p as Sanitize would leave it, for the
// progress events a screen shows before the report exists.
func SanitizeProbe(p Probe) Probe {
	r := &Report{Probes: []Probe{cloneProbe(p)}}
	Sanitize(r)
	return r.Probes[0]
}

// RedactProbe returns a copy of p as Redact would leave it (for progress
// events under --redact). Only what p itself reveals is known, so a mapped
// address is removed from p's details and from p's own texts.
func RedactProbe(p Probe) Probe {
	r := &Report{Probes: []Probe{cloneProbe(p)}}
	Redact(r)
	return r.Probes[0]
}

// cloneProbe copies the parts redaction writes to, so the recorder's copy of
// a probe is never changed under it.
func cloneProbe(p Probe) Probe {
	if p.Details != nil {
		d := make(map[string]string, len(p.Details))
		for k, v := range p.Details {
			d[k] = v
		}
		p.Details = d
	}
	p.Steps = append([]Step(nil), p.Steps...)
	return p
}
