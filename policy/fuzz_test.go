package policy

import "testing"

// FuzzPolicyJSON: any bytes as a Chromium policy file or Firefox
// policies.json: an error or a result, never a panic.
func FuzzPolicyJSON(f *testing.F) {
	f.Add([]byte(`{"WebRtcIPHandling": "disable_non_proxied_udp", "WebRtcUdpPortRange": "10000-10100"}`))
	f.Add([]byte(`{"policies": {"Preferences": {"media.peerconnection.enabled": {"Value": false}}, "Proxy": {"Mode": "manual"}}}`))
	f.Add([]byte(`{"ProxySettings": "{\"ProxyMode\": 1}", "WebRtcLocalIpsAllowedUrls": {"1": 2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseJSON(b)
		if err != nil {
			return
		}
		var probs []Problem
		var br Browser
		applyChromium(&br, "f", m, &probs)
		if pol, err := asMap(m["policies"]); err == nil {
			applyFirefox(&br, "f", pol, &probs)
		}
	})
}

// FuzzPolicyPlist: any bytes as a managed preferences plist.
func FuzzPolicyPlist(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>WebRtcUdpPortRange</key><string>1-2</string></dict></plist>`))
	f.Add([]byte("bplist00\xd1\x01\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parsePlist(b)
		if err != nil {
			return
		}
		var probs []Problem
		var br Browser
		applyChromium(&br, "f", m, &probs)
		applyFirefox(&br, "f", m, &probs)
	})
}

// FuzzPortRange: WebRtcUdpPortRange values.
func FuzzPortRange(f *testing.F) {
	f.Add("10000-10100")
	f.Add("-")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParsePortRange(s)
		if err == nil && (r.Min < 1 || r.Max > 65535 || r.Min > r.Max) {
			t.Fatalf("accepted %q as %+v", s, r)
		}
	})
}
