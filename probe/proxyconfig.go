package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ProxyConfig is the object an app passes as enterRoom({proxy}) (trtc-sdk-v5
// ProxyServer), read from --proxy FILE. Credentials stay in memory only.
type ProxyConfig struct {
	WebsocketProxy     string
	LoggerProxy        string
	ScheduleProxy      string
	UnifiedProxy       string
	WebtransportProxy  string
	TURNServers        []TURNServer
	ICETransportPolicy string // "all" or "relay"; "" means all
}

// TURNServer is one entry of proxy.turnServer.
type TURNServer struct {
	URL            string
	Username       string
	Credential     Secret
	CredentialType string
}

// Environment variables that supply TURN credentials so they need not sit in
// the proxy file (and never on the command line, where ps shows them).
const (
	EnvTURNUsername   = "RTCPROBE_TURN_USERNAME"
	EnvTURNCredential = "RTCPROBE_TURN_CREDENTIAL"
)

var proxyFields = []string{"websocketProxy", "loggerProxy", "scheduleProxy", "unifiedProxy",
	"webtransportProxy", "turnServer", "iceTransportPolicy"}

// ParseProxyConfig parses the SDK proxy option: a JSON object with the
// ProxyServer fields, or a JSON string (a wss:// URL is the WebSocket proxy,
// an https:// URL the WebTransport proxy). name is used in errors, which
// carry the line number and say what to fix.
func ParseProxyConfig(name string, data []byte) (*ProxyConfig, error) {
	bad := func(off int64, format string, args ...any) error {
		return fmt.Errorf("%w: %s:%d: %s", ErrConfig, name, lineOf(data, off), fmt.Sprintf(format, args...))
	}
	if !utf8.Valid(data) {
		return nil, bad(int64(firstInvalidUTF8(data)), "not UTF-8 text (save the file as UTF-8)")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, bad(0, "file is empty; expected the enterRoom proxy object, e.g. {\"websocketProxy\": \"wss://proxy.example.com/ws/\"}")
	}
	if trimmed[0] == '"' {
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return nil, bad(0, "not a valid JSON string: %v", err)
		}
		return proxyFromString(name, s)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, bad(jsonErrOffset(err, dec), "not a JSON object: %v", cleanJSONErr(err))
	}
	if dec.More() {
		return nil, bad(dec.InputOffset(), "extra data after the proxy object")
	}
	if raw == nil {
		return nil, bad(int64(len(data)-len(bytes.TrimLeft(data, " \t\r\n"))), "null is not a proxy object; expected e.g. {\"websocketProxy\": \"wss://proxy.example.com/ws/\"}")
	}
	cfg := &ProxyConfig{}
	for k, v := range raw {
		off := int64(bytes.Index(data, []byte(strconv.Quote(k))))
		if !slices.Contains(proxyFields, k) {
			return nil, bad(off, "unknown field %q; known fields are %s", RedactURL(k), strings.Join(proxyFields, ", "))
		}
		var err error
		switch k {
		case "turnServer":
			cfg.TURNServers, err = parseTURNServers(v)
		case "iceTransportPolicy":
			err = json.Unmarshal(v, &cfg.ICETransportPolicy)
			if err == nil && cfg.ICETransportPolicy != "all" && cfg.ICETransportPolicy != "relay" {
				err = fmt.Errorf("must be \"all\" or \"relay\", not %q", RedactURL(cfg.ICETransportPolicy))
			}
		default:
			var s string
			if err = json.Unmarshal(v, &s); err == nil {
				err = setURLField(cfg, k, s)
			} else {
				err = errors.New("must be a string URL")
			}
		}
		if err != nil {
			return nil, bad(off, "%s: %v", k, cleanJSONErr(err))
		}
	}
	return cfg, nil
}

func proxyFromString(name, s string) (*ProxyConfig, error) {
	u, err := url.Parse(s)
	switch {
	case err == nil && u.Scheme == "wss" && u.Host != "":
		return &ProxyConfig{WebsocketProxy: s}, nil
	case err == nil && u.Scheme == "https" && u.Host != "":
		return &ProxyConfig{WebtransportProxy: s}, nil
	}
	return nil, fmt.Errorf("%w: %s:1: proxy string %q must be a wss:// (WebSocket proxy) or https:// (WebTransport proxy) URL", ErrConfig, name, RedactURL(s))
}

func setURLField(cfg *ProxyConfig, k, s string) error {
	want := "https"
	if k == "websocketProxy" {
		want = "wss"
	}
	if k == "scheduleProxy" || k == "unifiedProxy" {
		// The SDK takes a bare host name here too.
		if !strings.Contains(s, "://") {
			s = "https://" + s
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != want && !(want == "wss" && u.Scheme == "ws") && !(want == "https" && u.Scheme == "http")) {
		return fmt.Errorf("%q is not a %s:// URL", RedactURL(s), want)
	}
	if err := CheckHost(u.Hostname()); err != nil {
		return fmt.Errorf("%q: %v", RedactURL(s), err)
	}
	if p := u.Port(); p != "" {
		if _, err := parsePort(p); err != nil {
			return fmt.Errorf("%q: %v", RedactURL(s), err)
		}
	}
	switch k {
	case "websocketProxy":
		cfg.WebsocketProxy = s
	case "loggerProxy":
		cfg.LoggerProxy = s
	case "scheduleProxy":
		cfg.ScheduleProxy = s
	case "unifiedProxy":
		cfg.UnifiedProxy = s
	case "webtransportProxy":
		cfg.WebtransportProxy = s
	}
	return nil
}

func parseTURNServers(v json.RawMessage) ([]TURNServer, error) {
	type wire struct {
		URL            string `json:"url"`
		Username       string `json:"username"`
		Credential     string `json:"credential"`
		CredentialType string `json:"credentialType"`
	}
	var list []wire
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '{' {
		var one wire
		if err := json.Unmarshal(v, &one); err != nil {
			return nil, err
		}
		list = []wire{one}
	} else if err := json.Unmarshal(v, &list); err != nil {
		return nil, errors.New("must be an object {url, username, credential} or an array of them")
	}
	out := make([]TURNServer, 0, len(list))
	for i, w := range list {
		if w.URL == "" {
			return nil, fmt.Errorf("entry %d has no url", i)
		}
		if _, err := ParseTURNURL(w.URL); err != nil {
			return nil, fmt.Errorf("entry %d: %v", i, err)
		}
		if w.CredentialType != "" && w.CredentialType != "password" {
			return nil, fmt.Errorf("entry %d: credentialType %q is not supported (only \"password\")", i, RedactURL(w.CredentialType))
		}
		out = append(out, TURNServer{URL: w.URL, Username: w.Username, Credential: Secret(w.Credential), CredentialType: w.CredentialType})
	}
	return out, nil
}

// turnURL is a parsed TURN URL (RFC 7065), as the SDK reads it: a URL with
// no scheme gets "turn:" in front.
type turnURL struct {
	Secure bool   // turns:
	Host   string // without brackets
	Port   int
	// Transports the browser may use: "udp" and "tcp" for plain turn:
	// (unless ?transport= narrows it), "tls" for turns:.
	Transports []string
}

// ParseTURNURL parses "turn:host[:port][?transport=udp|tcp]",
// "turns:host[:port]" or "host[:port]".
func ParseTURNURL(s string) (turnURL, error) {
	var u turnURL
	// Errors quote the url without user info or query values: a
	// credential may be there by mistake (after '@' or after '?').
	shown := RedactURL(s)
	rest := s
	switch {
	case strings.HasPrefix(rest, "turns:"):
		u.Secure, rest = true, rest[len("turns:"):]
	case strings.HasPrefix(rest, "turn:"):
		rest = rest[len("turn:"):]
	case strings.Contains(rest, "://") || strings.HasPrefix(rest, "stun:") || strings.HasPrefix(rest, "stuns:"):
		//lint:ignore ST1005 the message ends with a scheme, "turns:", not with punctuation
		return u, fmt.Errorf("TURN url %q: scheme must be turn: or turns:", shown)
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	if strings.Contains(rest, "@") {
		return u, fmt.Errorf("TURN url %q: put credentials in username/credential, not in the url", shown)
	}
	host, port, err := turnHostPort(rest, u.Secure)
	if err != nil {
		return u, fmt.Errorf("TURN url %q: %v", shown, err)
	}
	u.Host, u.Port = host, port
	u.Transports = []string{"udp", "tcp"}
	if u.Secure {
		u.Transports = []string{"tls"}
	}
	if !hasQuery {
		return u, nil
	}
	// Like the browser, only "transport=udp" or "transport=tcp" may follow
	// '?' (Chromium rejects the url otherwise).
	k, t, _ := strings.Cut(query, "=")
	if k != "transport" {
		return u, fmt.Errorf("TURN url %q: bad query: only ?transport=udp or ?transport=tcp may follow the host", shown)
	}
	switch t {
	case "udp", "tcp":
		if u.Secure {
			if t == "udp" {
				return u, fmt.Errorf("TURN url %q: turns: with transport=udp (DTLS) is not supported by browsers", shown)
			}
		} else {
			u.Transports = []string{t}
		}
	default:
		return u, fmt.Errorf("TURN url %q: transport must be udp or tcp", shown)
	}
	return u, nil
}

// turnHostPort reads "host", "host:port", "[v6]" or "[v6]:port", with the
// scheme's default port.
func turnHostPort(s string, secure bool) (string, int, error) {
	port := 3478
	if secure {
		port = 5349
	}
	if s == "" {
		return "", 0, errors.New("missing or invalid host")
	}
	if !strings.HasPrefix(s, "[") && strings.Count(s, ":") != 1 {
		if strings.Contains(s, ":") {
			return "", 0, errors.New("missing or invalid host (an IPv6 address goes in brackets: turn:[2001:db8::1]:3478)")
		}
		if err := CheckHost(s); err != nil {
			return "", 0, fmt.Errorf("missing or invalid host: %v", err)
		}
		return s, port, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s += ":" + strconv.Itoa(port)
	}
	host, p, err := ParseHostPort(s)
	if err != nil {
		if strings.HasPrefix(err.Error(), "port") {
			return "", 0, errors.New("port must be 1-65535")
		}
		return "", 0, fmt.Errorf("missing or invalid host: %v", err)
	}
	return host, p, nil
}

// maxProxyFileBytes bounds --proxy FILE: the SDK's proxy object is a few
// hundred bytes, and a wrong file (a log, a disk image) must be rejected
// before it costs memory.
const maxProxyFileBytes = 1 << 20

// ReadProxyFile reads and parses --proxy FILE, reading at most
// maxProxyFileBytes (plus one byte, to tell a larger file).
func ReadProxyFile(path string) (*ProxyConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --proxy: %v", ErrConfig, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxProxyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: --proxy %s: %v", ErrConfig, path, err)
	}
	if len(data) > maxProxyFileBytes {
		return nil, fmt.Errorf("%w: --proxy %s: larger than 1 MiB: not an enterRoom proxy object", ErrConfig, path)
	}
	return ParseProxyConfig(path, data)
}

func lineOf(data []byte, off int64) int {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func jsonErrOffset(err error, dec *json.Decoder) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Offset
	}
	return dec.InputOffset()
}

func cleanJSONErr(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// firstInvalidUTF8 returns the offset of the first byte that is not valid
// UTF-8, for the line number of the error.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
