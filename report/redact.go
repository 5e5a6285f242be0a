package report

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
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

// Sanitize removes what must never be in a report whatever the flags:
// credentials. Probes never record them; this is the second line of defence
// for URLs with user info (https://user:pass@proxy, turn:user:pass@host) and
// credential=... pairs, wherever they appear: configuration, targets,
// errors, details, findings.
func Sanitize(r *result.Report) {
	if r == nil {
		return
	}
	rewriteStrings(reflect.ValueOf(r).Elem(), scrubCredentials)
}

// Redact removes, on top of Sanitize, what identifies the machine, its
// user and the company network (--redact), everywhere in the report: probe
// IDs, evidence, errors, details (keys too), findings and configuration.
// That is the machine name; the names given in private (the OS user, the
// proxy user, TURN usernames: what the caller knows) and user names in home
// directory paths; every private, shared (100.64/10), ULA and link-local
// address; the public address a STUN or TURN server saw; the resolvers the
// DNS probes asked; and the HTTP proxy and PAC host, by name and address.
// Each removed value becomes a label such as "[redacted-3f09c1]", the same
// for the same value within one process, so probe IDs stay distinct and a
// reader can still tell "the same resolver" from "another one"; the label
// is a keyed hash, so it cannot be reversed by trying every address. Public
// server addresses are kept: they are what the network team needs to open
// the firewall.
func Redact(r *result.Report, private ...string) {
	if r == nil {
		return
	}
	Sanitize(r)
	rd := newRedactor(r, private)
	for i := range r.Probes {
		for k := range r.Probes[i].Details {
			if k.Local() {
				r.Probes[i].Details[k] = redactedMark
			}
		}
	}
	r.Host.Hostname = ""
	rewriteStrings(reflect.ValueOf(r).Elem(), rd.scrub)
	r.Redacted = true
}

func scrubCredentials(s string) string {
	if !strings.ContainsAny(s, "@=") {
		return s
	}
	s = schemeUserinfo.ReplaceAllString(s, "${1}")
	s = turnUserinfo.ReplaceAllString(s, "${1}")
	return secretParam.ReplaceAllString(s, "${1}="+redactedMark)
}

// SanitizeProbe returns a copy of p as Sanitize would leave it, for the
// progress events a screen shows before the report exists.
func SanitizeProbe(p result.Probe) result.Probe {
	r := &result.Report{Probes: []result.Probe{cloneProbe(p)}}
	Sanitize(r)
	return r.Probes[0]
}

// RedactProbe returns a copy of p as Redact would leave it (for progress
// events under --redact). Only what p itself reveals and the private names
// given are known, so a mapped address or a resolver is removed from p's
// details and from p's own texts; labels match the final report's.
func RedactProbe(p result.Probe, private ...string) result.Probe {
	r := &result.Report{Probes: []result.Probe{cloneProbe(p)}}
	Redact(r, private...)
	return r.Probes[0]
}

// cloneProbe copies the parts redaction writes to, so the recorder's copy of
// a probe is never changed under it.
func cloneProbe(p result.Probe) result.Probe {
	if p.Details != nil {
		d := make(map[result.DetailKey]string, len(p.Details))
		for k, v := range p.Details {
			d[k] = v
		}
		p.Details = d
	}
	p.Steps = append([]result.Step(nil), p.Steps...)
	return p
}
