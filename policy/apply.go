package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// applyChromium sets b's fields from one source's policies (a JSON file, a
// plist or a registry key, decoded to map values). Later calls override
// earlier ones policy by policy, which is how the readers express
// precedence. Unknown policies are ignored.
func applyChromium(b *Browser, src string, m map[string]any, probs *[]Problem) {
	used := false
	if v, ok := m["WebRtcIPHandling"]; ok {
		if s, ok := asString(v); ok {
			b.WebRtcIPHandling, used = String{Value: s, Source: src}, true
		} else {
			*probs = append(*probs, Problem{src, "WebRtcIPHandling is not a string"})
		}
	}
	if v, ok := m["WebRtcUdpPortRange"]; ok {
		s, _ := asString(v)
		if r, err := ParsePortRange(s); err != nil {
			*probs = append(*probs, Problem{src, err.Error() + " (ignored, as the browser does)"})
		} else {
			r.Source = src
			b.WebRtcUdpPortRange, used = r, true
		}
	}
	if v, ok := m["WebRtcLocalIpsAllowedUrls"]; ok {
		if l, ok := asStrings(v); ok {
			b.WebRtcLocalIpsAllowedUrls, used = List{Values: l, Source: src}, true
		} else {
			*probs = append(*probs, Problem{src, "WebRtcLocalIpsAllowedUrls is not a list of strings"})
		}
	}
	// ProxySettings is the dictionary form; it takes precedence over the
	// single policies in Chromium, so it is applied last.
	px := proxyFrom(m, src, probs)
	if v, ok := m["ProxySettings"]; ok {
		d, err := asMap(v)
		if err != nil {
			*probs = append(*probs, Problem{src, "ProxySettings: " + err.Error()})
		} else if p := proxyFrom(d, src, probs); p != nil {
			px = p
		}
	}
	if px != nil {
		b.Proxy, used = px, true
	}
	if used {
		b.Sources = appendUniq(b.Sources, src)
	}
}

// proxyFrom reads Chromium's proxy policies from m; nil when none is set.
func proxyFrom(m map[string]any, src string, probs *[]Problem) *Proxy {
	p := &Proxy{Source: src}
	set := false
	for _, f := range []struct {
		name string
		dst  *string
	}{{"ProxyMode", &p.ProxyMode}, {"ProxyServer", &p.ProxyServer}, {"ProxyPacUrl", &p.ProxyPacUrl}, {"ProxyBypassList", &p.ProxyBypassList}} {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		s, ok := asString(v)
		if !ok {
			*probs = append(*probs, Problem{src, f.name + " is not a string"})
			continue
		}
		*f.dst, set = s, true
	}
	if v, ok := m["ProxyPacMandatory"]; ok {
		if bv, ok := asBool(v); ok {
			p.ProxyPacMandatory, set = bv, true
		} else {
			*probs = append(*probs, Problem{src, "ProxyPacMandatory is not a boolean"})
		}
	}
	if !set {
		return nil
	}
	return p
}

// Firefox preference names this package reads.
const (
	PrefProxyOnly          = "media.peerconnection.ice.proxy_only"
	PrefRelayOnly          = "media.peerconnection.ice.relay_only"
	PrefDefaultAddressOnly = "media.peerconnection.ice.default_address_only"
	PrefEnabled            = "media.peerconnection.enabled"
)

// applyFirefox sets b's fields from one Firefox policies object (the
// "policies" member of policies.json, the plist's dictionary, or the
// registry key's values).
func applyFirefox(b *Browser, src string, m map[string]any, probs *[]Problem) {
	used := false
	if v, ok := m["Preferences"]; ok {
		prefs, err := asMap(v)
		if err != nil {
			*probs = append(*probs, Problem{src, "Preferences: " + err.Error()})
		}
		for name, dst := range map[string]*Bool{PrefProxyOnly: &b.ICEProxyOnly, PrefRelayOnly: &b.ICERelayOnly,
			PrefDefaultAddressOnly: &b.ICEDefaultAddressOnly, PrefEnabled: &b.PeerConnectionEnabled} {
			pv, ok := prefs[name]
			if !ok {
				continue
			}
			// {"Value": true, "Status": "locked"} or the older bare value.
			if pm, err := asMap(pv); err == nil {
				pv = pm["Value"]
			}
			bv, ok := asBool(pv)
			if !ok {
				*probs = append(*probs, Problem{src, "Preferences " + name + " is not a boolean"})
				continue
			}
			*dst, used = Bool{Value: bv, Source: src}, true
		}
	}
	if v, ok := m["Proxy"]; ok {
		d, err := asMap(v)
		if err != nil {
			*probs = append(*probs, Problem{src, "Proxy: " + err.Error()})
		} else if p := firefoxProxy(d, src); p != nil {
			b.Proxy, used = p, true
		}
	}
	if used {
		b.Sources = appendUniq(b.Sources, src)
	}
}

// firefoxModes maps Firefox's Proxy.Mode to Chromium's ProxyMode.
var firefoxModes = map[string]string{"none": "direct", "system": "system", "manual": "fixed_servers",
	"autoDetect": "auto_detect", "autoConfig": "pac_script"}

func firefoxProxy(d map[string]any, src string) *Proxy {
	p := &Proxy{Source: src}
	if s, ok := asString(d["Mode"]); ok {
		p.ProxyMode = firefoxModes[s]
		if p.ProxyMode == "" {
			p.ProxyMode = s
		}
	}
	if s, ok := asString(d["SSLProxy"]); ok && s != "" {
		p.ProxyServer = s
	}
	if s, ok := asString(d["HTTPProxy"]); ok && s != "" {
		p.ProxyServer = s
	}
	p.ProxyPacUrl, _ = asString(d["AutoConfigURL"])
	p.ProxyBypassList, _ = asString(d["Passthrough"])
	if *p == (Proxy{Source: src}) {
		return nil
	}
	return p
}

// asString accepts a string (JSON, plist, REG_SZ).
func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// asBool accepts a boolean, or a number 0/1 (REG_DWORD, plist integers),
// or "true"/"false".
func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case uint64:
		return x != 0, x <= 1
	case int64:
		return x != 0, x == 0 || x == 1
	case float64:
		return x != 0, x == 0 || x == 1
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}

// asStrings accepts a list of strings (JSON array, plist array,
// REG_MULTI_SZ, or a registry list subkey read as a map "1", "2", ...).
func asStrings(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return numLess(keys[i], keys[j]) })
		out := make([]string, 0, len(keys))
		for _, k := range keys {
			s, ok := x[k].(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func numLess(a, b string) bool {
	x, e1 := strconv.Atoi(a)
	y, e2 := strconv.Atoi(b)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return a < b
}

// asMap accepts a dictionary, or a string holding a JSON object (how the
// Windows registry stores dictionary policies).
func asMap(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []string:
		return asMap(strings.Join(x, "\n"))
	case string:
		var m map[string]any
		if err := json.Unmarshal([]byte(x), &m); err != nil {
			return nil, fmt.Errorf("not a JSON object")
		}
		return m, nil
	}
	return nil, fmt.Errorf("not a dictionary")
}

func appendUniq(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
