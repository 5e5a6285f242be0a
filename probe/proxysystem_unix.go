package probe

import (
	"net"
	"strconv"
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// The macOS and GNOME parsers live outside their platform files so that
// their tests run everywhere (on fixtures of the commands' output).

const scutilSource = "scutil --proxy"

// parseScutilProxy reads `scutil --proxy` as Chromium's
// proxy_config_service_mac does: auto-discovery (WPAD), the auto-config
// URL, the HTTPS proxy (used for https:// and wss://), the exceptions and
// "exclude simple host names".
func parseScutilProxy(out string) SystemProxy {
	s := SystemProxy{Source: scutilSource}
	kv := map[string]string{}
	var exceptions []string
	// Only the top-level dictionary is the configuration in force: the
	// per-interface copies under __SCOPED__ (a VPN's utun can carry its
	// own proxy) repeat the same keys and must not override it.
	depth, inExceptions := 0, false
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		if t == "}" {
			depth--
			if depth < 2 {
				inExceptions = false
			}
			continue
		}
		if k, v, ok := strings.Cut(t, " : "); ok {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case depth == 1 && k == "ExceptionsList" && strings.HasPrefix(v, "<array>"):
				inExceptions = true
			case depth == 1 && !strings.HasSuffix(v, "{"):
				kv[k] = v
			case depth == 2 && inExceptions:
				exceptions = append(exceptions, v)
			}
		}
		if strings.HasSuffix(t, "{") {
			depth++
		}
	}
	add := func(name string) {
		if v, ok := kv[name]; ok {
			s.Settings = append(s.Settings, result.ProxySetting{Name: name, Value: v, Source: scutilSource})
		}
	}
	for _, k := range []string{"ProxyAutoDiscoveryEnable", "ProxyAutoConfigEnable", "ProxyAutoConfigURLString",
		"HTTPSEnable", "HTTPSProxy", "HTTPSPort", "ExcludeSimpleHostnames"} {
		add(k)
	}
	if len(exceptions) > 0 {
		s.Settings = append(s.Settings, result.ProxySetting{Name: "ExceptionsList", Value: strings.Join(exceptions, ", "), Source: scutilSource})
	}
	s.AutoDetect = kv["ProxyAutoDiscoveryEnable"] == "1"
	if kv["ProxyAutoConfigEnable"] == "1" {
		s.PACURL = kv["ProxyAutoConfigURLString"]
	}
	if kv["HTTPSEnable"] == "1" && kv["HTTPSProxy"] != "" {
		port := kv["HTTPSPort"]
		if port == "" {
			port = "80"
		}
		s.Server = "https=" + net.JoinHostPort(kv["HTTPSProxy"], port)
	}
	s.Bypass = exceptions
	if kv["ExcludeSimpleHostnames"] == "1" {
		s.Bypass = append(s.Bypass, "<local>")
	}
	return s
}

const gsettingsSource = "gsettings org.gnome.system.proxy"

// gnomeProxyKeys are the gsettings keys read, schema and key.
var gnomeProxyKeys = [][2]string{
	{"org.gnome.system.proxy", "mode"},
	{"org.gnome.system.proxy", "autoconfig-url"},
	{"org.gnome.system.proxy", "ignore-hosts"},
	{"org.gnome.system.proxy.https", "host"},
	{"org.gnome.system.proxy.https", "port"},
}

// gnomeProxy turns the gsettings answers (key "schema key" -> printed
// GVariant) into a SystemProxy as Chromium's GNOME reader does: mode
// "auto" is the PAC URL, or WPAD when the URL is empty; "manual" is the
// HTTPS host and port; ignore-hosts are the bypass list.
func gnomeProxy(vals map[string]string) SystemProxy {
	s := SystemProxy{Source: gsettingsSource}
	get := func(schema, key string) string { return vals[schema+" "+key] }
	for _, k := range gnomeProxyKeys {
		if v, ok := vals[k[0]+" "+k[1]]; ok {
			s.Settings = append(s.Settings, result.ProxySetting{Name: k[0] + " " + k[1], Value: v, Source: gsettingsSource})
		}
	}
	switch gvariantString(get("org.gnome.system.proxy", "mode")) {
	case "auto":
		if u := gvariantString(get("org.gnome.system.proxy", "autoconfig-url")); u != "" {
			s.PACURL = u
		} else {
			s.AutoDetect = true
		}
	case "manual":
		host := gvariantString(get("org.gnome.system.proxy.https", "host"))
		port := strings.TrimPrefix(strings.TrimSpace(get("org.gnome.system.proxy.https", "port")), "int32 ")
		if n, err := strconv.Atoi(port); host != "" && err == nil && n > 0 {
			s.Server = "https=" + net.JoinHostPort(host, port)
		}
		s.Bypass = gvariantStrings(get("org.gnome.system.proxy", "ignore-hosts"))
	}
	return s
}

// gvariantString reads a printed GVariant string: 'text' (with \'
// escapes) or "text"; anything else is returned trimmed.
func gvariantString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		inner := v[1 : len(v)-1]
		return strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`).Replace(inner)
	}
	return v
}

// gvariantStrings reads a printed array of strings: ['a', 'b'] or @as [].
func gvariantStrings(v string) []string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil
	}
	var out []string
	for _, part := range strings.Split(v[1:len(v)-1], ",") {
		if s := gvariantString(part); s != "" {
			out = append(out, s)
		}
	}
	return out
}
