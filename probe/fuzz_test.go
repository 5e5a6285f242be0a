package probe

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseProxyConfig feeds the --proxy parser arbitrary files: it must
// return a config or a one-line ErrConfig naming the file and line, never
// panic, and never echo a credential it parsed.
func FuzzParseProxyConfig(f *testing.F) {
	for _, s := range []string{
		`{"websocketProxy": "wss://p.example.com/ws/"}`,
		`{"turnServer": {"url": "turn:t:3478", "username": "u", "credential": "SECRETVALUE"}, "iceTransportPolicy": "relay"}`,
		`{"turnServer": [{"url": "turns:t"}, {"url": "t?transport=tcp"}]}`,
		`"wss://x/"`, "{\n\"a\":\n", `{"scheduleProxy": "host"}`, "",
		`{"websocketProxy": "wss://u:SECRETVALUE@[::1/"}`, `"ftp://u:SECRETVALUE@p"`, "null", "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseProxyConfig("p.json", data)
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrConfig) || !strings.Contains(msg, "p.json:") {
				t.Fatalf("error does not wrap ErrConfig or name the file: %q", msg)
			}
			if strings.ContainsAny(msg, "\n\r") && !strings.ContainsAny(string(data), "\n\r") {
				t.Fatalf("multi-line error: %q", msg)
			}
			if strings.Contains(string(data), "SECRETVALUE@") && strings.Contains(msg, "SECRETVALUE") {
				t.Fatalf("error shows user info: %q", msg)
			}
			return
		}
		for _, s := range cfg.TURNServers {
			if _, err := ParseTURNURL(s.URL); err != nil {
				t.Fatalf("accepted TURN url %q that ParseTURNURL rejects: %v", s.URL, err)
			}
		}
		if p := cfg.ICETransportPolicy; p != "" && p != "all" && p != "relay" {
			t.Fatalf("accepted iceTransportPolicy %q", p)
		}
	})
}

// FuzzParseTURNURL: any accepted URL has a host, a valid port and at least
// one transport; no error repeats user info.
func FuzzParseTURNURL(f *testing.F) {
	for _, s := range []string{"turn:t.example.com", "turns:t:443?transport=tcp", "turn:[::1]:3478?transport=udp",
		"t:80", "turn:u:SECRETVALUE@t", "stun:x", "turn:t?transport=%zz", "turn:t:99999?transport=tpc&credential=SECRETVALUE",
		"turns:t?transport=udp&credential=SECRETVALUE", "turn:[::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseTURNURL(s)
		if err != nil {
			// A credential before an '@' or after a '?' must not show.
			if i := strings.Index(s, "SECRETVALUE"); i >= 0 && strings.Contains(err.Error(), "SECRETVALUE") &&
				(strings.Contains(s[i:], "@") || strings.Contains(s[:i], "?")) {
				t.Fatalf("error shows the credential: %v", err)
			}
			return
		}
		if u.Host == "" || u.Port < 1 || u.Port > 65535 || len(u.Transports) == 0 {
			t.Fatalf("ParseTURNURL(%q) accepted %+v", s, u)
		}
	})
}

// FuzzParseHostPort: an accepted HOST:PORT has a valid host and port, and
// an error never quotes the input.
func FuzzParseHostPort(f *testing.F) {
	for _, s := range []string{"h:3478", "[::1]:80", "x", "h:99999", "[::1", "a b:1", "::1:80", "SECRETVALUE@h:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, p, err := ParseHostPort(s)
		if err != nil {
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		if CheckHost(h) != nil || p < 1 || p > 65535 {
			t.Fatalf("ParseHostPort(%q) accepted %q %d", s, h, p)
		}
	})
}

// FuzzRedactURL: a marker in user info (before an '@') or after a '?',
// '#', ';' or '&' never survives RedactURL, and the result stays short.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"http://u:SECRETVALUE@h", "turn:h?transport=SECRETVALUE", "SECRETVALUE@h:1",
		"wss://h/#SECRETVALUE", "turn:h?a=b&SECRETVALUE", "http://h/?x=a@SECRETVALUE",
		"turn:h:3478;credential=SECRETVALUE", "x;SECRETVALUE://h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactURL(s)
		if len(out) > maxQuoted+len("...") {
			t.Fatalf("RedactURL gave %d bytes", len(out))
		}
		i := strings.Index(s, "SECRETVALUE")
		if i < 0 || !strings.Contains(out, "SECRETVALUE") {
			return
		}
		// ';' and '&' count after the user info only (a password may hold them).
		afterUser := s[strings.LastIndex(s[:i], "@")+1 : i]
		if strings.Contains(s[i:], "@") || strings.ContainsAny(s[:i], "?#") || strings.ContainsAny(afterUser, ";&") {
			t.Fatalf("RedactURL(%q) = %q shows the marker", s, out)
		}
	})
}
