package pac

import (
	"fmt"
	"strings"
)

// Hop is one entry of a PAC answer: DIRECT, or a proxy to try.
type Hop struct {
	// Type is "DIRECT", "PROXY" (HTTP), "HTTPS" (TLS to the proxy),
	// "SOCKS", "SOCKS4" or "SOCKS5".
	Type string
	// Addr is host:port of the proxy ("" for DIRECT).
	Addr string
}

// String is the entry as a PAC script writes it.
func (h Hop) String() string {
	if h.Type == "DIRECT" {
		return "DIRECT"
	}
	return h.Type + " " + h.Addr
}

// IsDirect reports whether h is DIRECT.
func (h Hop) IsDirect() bool { return h.Type == "DIRECT" }

// ParseResult reads a PAC answer such as "PROXY a:8080; PROXY b:8080;
// DIRECT" as Chromium's ProxyList::SetFromPacString does: entries in
// order, unknown or malformed entries skipped, an empty or all-invalid
// answer meaning DIRECT. A PROXY without a port gets 80, HTTPS 443, SOCKS
// 1080. skipped lists what was ignored, for the report.
func ParseResult(s string) (hops []Hop, skipped []string) {
	for _, part := range strings.Split(s, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		typ := strings.ToUpper(f[0])
		if typ == "DIRECT" && len(f) == 1 {
			hops = append(hops, Hop{Type: "DIRECT"})
			continue
		}
		port, ok := map[string]string{"PROXY": "80", "HTTPS": "443", "SOCKS": "1080", "SOCKS4": "1080", "SOCKS5": "1080"}[typ]
		if !ok || len(f) != 2 || !validHostPort(f[1]) {
			skipped = append(skipped, OneLine(strings.TrimSpace(part), 80))
			continue
		}
		addr := f[1]
		if !hasPort(addr) {
			addr = fmt.Sprintf("%s:%s", addr, port)
		}
		hops = append(hops, Hop{Type: typ, Addr: addr})
	}
	if len(hops) == 0 {
		hops = []Hop{{Type: "DIRECT"}}
	}
	return hops, skipped
}

func hasPort(hp string) bool {
	if strings.HasPrefix(hp, "[") {
		return strings.Contains(hp, "]:")
	}
	return strings.Count(hp, ":") == 1
}

// validHostPort accepts host, host:port, [v6] and [v6]:port with a
// plausible host (letters, digits, dots, dashes, underscores).
func validHostPort(hp string) bool {
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		i := strings.Index(hp, "]")
		if i < 0 {
			return false
		}
		host, port = hp[1:i], strings.TrimPrefix(hp[i+1:], ":")
		if hp[i+1:] != "" && !strings.HasPrefix(hp[i+1:], ":") {
			return false
		}
		if strings.Trim(host, "0123456789abcdefABCDEF:.") != "" {
			return false
		}
	} else if h, p, ok := strings.Cut(hp, ":"); ok {
		host, port = h, p
		if strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
			return false
		}
	} else if strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
		return false
	}
	if host == "" || len(host) > 253 {
		return false
	}
	if port == "" {
		return !strings.HasSuffix(hp, ":")
	}
	n := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return false
		}
	}
	return n > 0
}
