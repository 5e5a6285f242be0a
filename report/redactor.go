package report

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// redactor holds what Redact removes from free text besides the private
// addresses it recognises by their range.
type redactor struct {
	// addrs are exact values (addresses, host names of the resolver and the
	// proxy) removed wherever they occur between non-name characters.
	addrs []string
	// names are the machine and user names, matched case-insensitively and
	// only as whole names (so "bob" stays in "bobcat").
	names []string
}

var (
	// ipv4Like and ipv6Like find address candidates in free text; each is
	// parsed before anything is removed.
	// ipv4Like is a whole dotted run of digits: an address only when it
	// has exactly four parts ("10.0.0.1.5" is a version, not an address),
	// whatever letters touch it ("192.168.0.1A" still shows the address).
	ipv4Like = regexp.MustCompile(`\d+(?:\.\d+)+`)
	ipv6Like = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z_.\-]+)?`)
	// homeDir finds the user name in home directory paths (a PAC file, a
	// CA file, a proxy file named in an error).
	homeDir = regexp.MustCompile(`(?i)(/home/|/Users/|\\Users\\|[A-Z]:/Users/)([^/\\\s"':]+)`)
	// sharedAddressSpace is 100.64.0.0/10 (RFC 6598, carrier-grade NAT),
	// which netip does not count as private.
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
	// redactKey keys the labels: the same value gets the same label within
	// one process (the progress events and the report agree), and a label
	// cannot be turned back into an address by hashing all 2^32 of them.
	redactKey = func() []byte {
		k := make([]byte, 32)
		rand.Read(k) //nolint:errcheck // crypto/rand.Read never fails (Go 1.24+)
		return k
	}()
)

// commonNames are words of rtcprobe's own vocabulary and placeholders:
// a user or host so named identifies nobody, and removing the word would
// wreck the report ("turn" is the vendor's example TURN user).
var commonNames = map[string]bool{
	"turn": true, "turns": true, "stun": true, "udp": true, "tcp": true, "tls": true, "dns": true,
	"http": true, "https": true, "proxy": true, "media": true, "user": true, "test": true, "guest": true,
	"none": true, "host": true, "localhost": true, "root": true, "rtcprobe": true, "corp": true,
	"mainland": true, "international": true, "schedule": true, "signaling": true, "logger": true,
	"legacy": true, "relay": true, "all": true, "linux": true, "windows": true, "darwin": true,
	"public": true, "shared": true, "default": true, "redacted": true,
}

// sensitiveAddr reports addresses that belong to a private network: RFC
// 1918, shared (CGNAT), ULA (fc00::/7) and link-local (fe80::/10,
// 169.254/16). Loopback names no network and stays.
func sensitiveAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLinkLocalUnicast() || sharedAddressSpace.Contains(a)
}

// newRedactor gathers the values to remove from r and private.
func newRedactor(r *result.Report, private []string) *redactor {
	rd := &redactor{}
	servers := serverAddrs(r)
	for _, p := range r.Probes {
		for k, v := range p.Details {
			switch {
			case k.Local():
				if h := hostPart(v); !servers[h] {
					rd.addAddr(h)
				}
			case k == result.DetailResolver || k == result.DetailProxy:
				rd.addAddr(hostPart(v))
			}
		}
		if hop, ok := p.ID.IsProxyTCP(); ok && hop == 1 {
			rd.addAddr(p.Address)
			rd.addAddr(hostPart(p.Target))
		}
		if ns := p.ID.Parse().Resolver; ns != "" {
			rd.addAddr(hostPart(ns))
		}
	}
	for _, raw := range []string{r.Config.HTTPProxy, r.Config.PACURL} {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			rd.addAddr(u.Hostname())
		}
	}
	// A short machine name ("pc") would cut ordinary words; only longer
	// names are searched for in free text. The Hostname field always goes.
	if h := r.Host.Hostname; len(h) >= 4 {
		rd.addName(h)
		if short, _, ok := strings.Cut(h, "."); ok {
			rd.addName(short)
		}
	}
	for _, n := range private {
		rd.addName(n)
	}
	// A user name seen in a home directory path is removed everywhere.
	rewriteStrings(reflect.ValueOf(r).Elem(), func(s string) string {
		for _, m := range homeDir.FindAllStringSubmatch(s, -1) {
			rd.addName(m[2])
		}
		return s
	})
	// Longest first, so "alice-laptop" goes before "alice".
	sort.Slice(rd.names, func(i, j int) bool { return len(rd.names[i]) > len(rd.names[j]) })
	sort.Slice(rd.addrs, func(i, j int) bool { return len(rd.addrs[i]) > len(rd.addrs[j]) })
	return rd
}

// serverAddrs are the addresses servers were reached on: a mapped address
// equal to one (a reflector on the probing machine itself, in a lab) is a
// server's and stays, unless its range makes it private.
func serverAddrs(r *result.Report) map[string]bool {
	servers := map[string]bool{hostPart(r.Config.Reflector): true}
	for _, p := range r.Probes {
		servers[p.Address] = true
		for k, v := range p.Details {
			if !k.Local() && k != result.DetailResolver && k != result.DetailProxy {
				for _, part := range strings.Split(v, ",") {
					servers[hostPart(strings.TrimSpace(part))] = true
				}
			}
		}
	}
	return servers
}

// addAddr adds a server the report must not name (a resolver, the proxy).
// Loopback (a local stub resolver such as 127.0.0.53) names no network, and
// a one-word host that is also a common word ("proxy") cannot be told from
// the word, so both stay.
func (rd *redactor) addAddr(s string) {
	if s == "" || strings.HasPrefix(s, "[redacted") {
		return
	}
	if a, err := netip.ParseAddr(s); err == nil && a.IsLoopback() {
		return
	}
	if !strings.ContainsAny(s, ".:") && (len(s) < 3 || commonNames[strings.ToLower(s)]) {
		return
	}
	rd.addrs = append(rd.addrs, s)
}

func (rd *redactor) addName(s string) {
	s = strings.TrimSpace(s)
	if _, user, ok := strings.Cut(s, `\`); ok { // DOMAIN\user
		s = user
	}
	if len(s) >= 3 && !commonNames[strings.ToLower(s)] {
		rd.names = append(rd.names, s)
	}
}

// hostPart returns the host of "host:port", "[v6]:port" or a bare host.
func hostPart(s string) string {
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return strings.Trim(s, "[]")
}

// label is the replacement of one removed value.
func label(v string) string {
	m := hmac.New(sha256.New, redactKey)
	m.Write([]byte(strings.ToLower(v)))
	return "[redacted-" + hex.EncodeToString(m.Sum(nil)[:3]) + "]"
}

// scrub removes from s everything rd knows of and every private address.
func (rd *redactor) scrub(s string) string {
	if s == "" || s == redactedMark {
		return s
	}
	s = localEndpoint.ReplaceAllString(s, "${1}"+redactedMark+"${3}")
	for _, n := range rd.names {
		s = replaceWhole(s, n, true)
	}
	for _, a := range rd.addrs {
		s = replaceWhole(s, a, true) // host names ignore case
	}
	s = homeDir.ReplaceAllStringFunc(s, func(m string) string {
		sub := homeDir.FindStringSubmatch(m)
		if commonNames[strings.ToLower(sub[2])] || strings.HasPrefix(sub[2], "[redacted") {
			return m
		}
		return sub[1] + label(sub[2])
	})
	s = ipv6Like.ReplaceAllStringFunc(s, replaceAddr)
	return ipv4Like.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Count(m, ".") != 3 {
			return m
		}
		return replaceAddr(m)
	})
}

// replaceAddr labels m, an address candidate, when it is a private one.
// An IPv6 candidate may have swallowed a ":" or a ":port" that follows it
// in text ("dial tcp fd00::1:3128: i/o timeout"); shorter prefixes are
// tried, the longest that parses wins, and the rest is kept.
func replaceAddr(m string) string {
	for end := len(m); end > 0; end = strings.LastIndexByte(m[:end], ':') {
		cand := m[:end]
		if a, err := netip.ParseAddr(cand); err == nil {
			if sensitiveAddr(a) {
				return label(cand) + m[end:]
			}
			return m
		}
	}
	return m
}

// nameChar reports characters that continue a name or an address, so that
// a match inside a longer one ("10.0.0.1" in "10.0.0.15") is left alone.
func nameChar(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// replaceWhole replaces the occurrences of v in s that stand alone (no
// name character right before or after) by v's label; fold matches
// regardless of case.
func replaceWhole(s, v string, fold bool) string {
	hay, needle := s, v
	if fold {
		hay, needle = strings.ToLower(s), strings.ToLower(v)
	}
	if len(hay) != len(s) || !strings.Contains(hay, needle) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+len(needle) <= len(hay); {
		j := strings.Index(hay[i:], needle)
		if j < 0 {
			break
		}
		at, end := i+j, i+j+len(needle)
		if (at > 0 && nameChar(hay[at-1])) || (end < len(hay) && nameChar(hay[end])) {
			i = at + 1
			continue
		}
		b.WriteString(s[last:at])
		b.WriteString(label(v))
		last, i = end, end
	}
	b.WriteString(s[last:])
	return b.String()
}

// rewriteStrings applies f, in place, to every string reachable from v:
// struct fields, slice elements, map keys and values. Reflection rather
// than a list of fields, so that a field added to the report later is
// covered without anyone remembering to.
func rewriteStrings(v reflect.Value, f func(string) string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(f(v.String()))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				rewriteStrings(v.Field(i), f)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			rewriteStrings(v.Elem(), f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			rewriteStrings(v.Index(i), f)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.Set(it.Key())
			e.Set(it.Value())
			rewriteStrings(k, f)
			rewriteStrings(e, f)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}
