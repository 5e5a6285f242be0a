package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxQuoted bounds how much of a user's value an error message quotes: an
// error is one line, whatever was pasted into a flag.
const maxQuoted = 160

// RedactURL returns s, a URL-like string the user gave (a TURN url, a proxy
// url, host:port), fit to quote in an error message: user info (everything
// up to the last '@') becomes "***", and so do the values of query
// parameters other than transport and any fragment. It works on malformed
// input, since that is when errors quote it, and so never calls url.Parse
// (whose own errors quote the whole input, credentials included).
func RedactURL(s string) string {
	prefix, rest := splitScheme(s)
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		if strings.ContainsAny(rest[:i], "?#") {
			// The '@' may sit in a query or fragment (or a password holds
			// '?'): nothing after the scheme is safe to show.
			return capQuoted(prefix + "***")
		}
		rest = "***" + rest[i:]
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i] + "#***"
	}
	// A parameter typed without its '?' (";credential=", "&credential=";
	// a port that is not a number is caught below) is as secret as one after it.
	if i, q := strings.IndexAny(rest, ";&"), strings.IndexByte(rest, '?'); i >= 0 && (q < 0 || i < q) {
		rest = rest[:i+1] + "***"
	}
	rest = redactPort(rest, strings.HasSuffix(prefix, "//"))
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i+1] + redactQuery(rest[i+1:])
	}
	return capQuoted(prefix + rest)
}

// redactPort hides a port that is not a number ("turn:user:password"
// typed without "@host", "turn:h:3478/credential=..."): it is not a port,
// and it may be a secret. A URL with "//" keeps its path apart; an
// unbracketed IPv6 address (more than one ':') has no port to judge.
func redactPort(rest string, hasPath bool) string {
	stop := "?#;&"
	if hasPath {
		stop += "/"
	}
	end := len(rest)
	if i := strings.IndexAny(rest, stop); i >= 0 {
		end = i
	}
	host := rest[:end]
	from := strings.LastIndexByte(host, ']') + 1
	if strings.Count(host[from:], ":") != 1 {
		return rest
	}
	c := from + strings.IndexByte(host[from:], ':')
	port := host[c+1:]
	for _, r := range port {
		if r < '0' || r > '9' {
			return rest[:c+1] + "***" + rest[end:]
		}
	}
	return rest
}

// capQuoted cuts s to maxQuoted bytes.
func capQuoted(s string) string {
	if len(s) > maxQuoted {
		return s[:maxQuoted] + "..."
	}
	return s
}

// splitScheme splits "scheme://" or a TURN/STUN "scheme:" off s. A bare
// "user:password@host" has no scheme: "user" is not taken for one.
func splitScheme(s string) (prefix, rest string) {
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], "@/?#;&") {
		return s[:i+3], s[i+3:]
	}
	for _, sch := range []string{"turn:", "turns:", "stun:", "stuns:"} {
		if len(s) >= len(sch) && strings.EqualFold(s[:len(sch)], sch) {
			return s[:len(sch)], s[len(sch):]
		}
	}
	return "", s
}

// redactQuery keeps parameter names and the transport value, and hides
// every other value (and any bare token, which may be a pasted secret).
func redactQuery(q string) string {
	parts := strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' })
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		switch {
		case !ok:
			parts[i] = "***"
		case strings.EqualFold(k, "transport") && shortWord(v):
			// kept: "transport=tpc" is what the user must see to fix it
		default:
			parts[i] = k + "=***"
		}
	}
	return strings.Join(parts, "&")
}

// shortWord reports whether v could be a transport name (udp, tcp, a
// typo of one) rather than something pasted there.
func shortWord(v string) bool {
	if len(v) > 5 {
		return false
	}
	for _, c := range v {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// CheckHost reports whether h is a usable host: an IP address (an IPv6
// zone is allowed) or a DNS name of letters, digits, '-', '_' and '.'
// (labels of 1-63 characters, at most 253 in all). The error says what is
// wrong without quoting h, so callers quote it redacted.
func CheckHost(h string) error {
	if h == "" {
		return errors.New("no host")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	name := strings.TrimSuffix(h, ".")
	if len(name) > 253 || name == "" {
		return errors.New("not a host name (too long or empty)")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("not a host name (empty or over-long label)")
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return fmt.Errorf("not a host name or IP address (%s is not allowed)", describeRune(c))
			}
		}
	}
	return nil
}

// describeRune names a character for an error without echoing control
// characters raw.
func describeRune(c rune) string {
	switch c {
	case ' ':
		return "a space"
	case ':':
		return "':'"
	case '/':
		return "'/'"
	}
	return strconv.QuoteRune(c)
}

// ParseHostPort splits "host:port" or "[v6]:port" and checks both parts,
// with errors that do not quote the input (callers quote it redacted).
func ParseHostPort(s string) (host string, port int, err error) {
	var portStr string
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, errors.New("missing ']' after the IPv6 address")
		}
		host, portStr = s[1:end], s[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return "", 0, errors.New("only an IPv6 address goes in brackets")
		}
		if !strings.HasPrefix(portStr, ":") {
			return "", 0, errors.New("want [IPv6]:PORT")
		}
		portStr = portStr[1:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			return "", 0, errors.New("no port")
		}
		host, portStr = s[:i], s[i+1:]
		if strings.Contains(host, ":") {
			return "", 0, errors.New("an IPv6 address goes in brackets: [2001:db8::1]:PORT")
		}
		if err := CheckHost(host); err != nil {
			return "", 0, err
		}
	}
	port, err = parsePort(portStr)
	return host, port, err
}

// parsePort parses a decimal port 1-65535.
func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 || s[0] == '+' {
		return 0, errors.New("port must be a number 1-65535")
	}
	return n, nil
}
