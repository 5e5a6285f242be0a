package probe

import (
	"net"
	"strings"
)

// parseScutil reads the output of macOS `scutil --proxy`:
//
//	<dictionary> {
//	  HTTPSEnable : 1
//	  HTTPSPort : 3128
//	  HTTPSProxy : proxy.corp
//	  ProxyAutoConfigEnable : 1
//	  ProxyAutoConfigURLString : http://wpad/wpad.dat
//	}
//
// Only the outer dictionary counts: it is the configuration in force, the
// one SCDynamicStoreCopyProxies returns to browsers. Nested dictionaries
// (__SCOPED__, per interface: a VPN's utun can carry its own proxy) repeat
// the same keys and must not override it.
//
// It lives outside the darwin file so that its test runs everywhere.
func parseScutil(out string) proxySettings {
	kv := map[string]string{}
	depth := 0
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, " : ")
		if ok && depth == 1 {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		switch {
		case strings.HasSuffix(line, "{"):
			depth++
		case line == "}":
			depth--
		}
	}
	var s proxySettings
	if kv["HTTPSEnable"] == "1" && kv["HTTPSProxy"] != "" {
		port := kv["HTTPSPort"]
		if port == "" {
			port = "80"
		}
		s.proxy = net.JoinHostPort(kv["HTTPSProxy"], port)
	}
	if kv["ProxyAutoConfigEnable"] == "1" {
		s.pac = kv["ProxyAutoConfigURLString"]
	}
	return s
}

// parseWinProxyServer reads the Windows ProxyServer value: either
// "host:port" for every scheme or "http=h:p;https=h:p;..." per scheme.
// The HTTPS entry wins, then the plain one.
func parseWinProxyServer(v string) string {
	if !strings.Contains(v, "=") {
		return strings.TrimSpace(v)
	}
	var httpOne string
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "https":
			return val
		case "http":
			httpOne = val
		}
	}
	return httpOne
}
