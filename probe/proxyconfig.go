package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
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
	cfg := &ProxyConfig{}
	for k, v := range raw {
		off := int64(bytes.Index(data, []byte(strconv.Quote(k))))
		if !slices.Contains(proxyFields, k) {
			return nil, bad(off, "unknown field %q; known fields are %s", k, strings.Join(proxyFields, ", "))
		}
		var err error
		switch k {
		case "turnServer":
			cfg.TURNServers, err = parseTURNServers(v)
		case "iceTransportPolicy":
			err = json.Unmarshal(v, &cfg.ICETransportPolicy)
			if err == nil && cfg.ICETransportPolicy != "all" && cfg.ICETransportPolicy != "relay" {
				err = fmt.Errorf("must be \"all\" or \"relay\", not %q", cfg.ICETransportPolicy)
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
	return nil, fmt.Errorf("%w: %s:1: proxy string %q must be a wss:// (WebSocket proxy) or https:// (WebTransport proxy) URL", ErrConfig, name, s)
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
		return fmt.Errorf("%q is not a %s:// URL", s, want)
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
			return nil, fmt.Errorf("entry %d: credentialType %q is not supported (only \"password\")", i, w.CredentialType)
		}
		out = append(out, TURNServer{URL: w.URL, Username: w.Username, Credential: Secret(w.Credential), CredentialType: w.CredentialType})
	}
	return out, nil
}

// TURNURL is a parsed TURN URL (RFC 7065), as the SDK reads it: a URL with
// no scheme gets "turn:" in front.
type TURNURL struct {
	Secure bool   // turns:
	Host   string // without brackets
	Port   int
	// Transports the browser may use: "udp" and "tcp" for plain turn:
	// (unless ?transport= narrows it), "tls" for turns:.
	Transports []string
}

// ParseTURNURL parses "turn:host[:port][?transport=udp|tcp]",
// "turns:host[:port]" or "host[:port]".
func ParseTURNURL(s string) (TURNURL, error) {
	var u TURNURL
	// Errors quote the url without anything that may be user info, even
	// where a credential could only be there by mistake (after "?").
	shown := redactUserinfo(s)
	rest := s
	switch {
	case strings.HasPrefix(rest, "turns:"):
		u.Secure, rest = true, rest[len("turns:"):]
	case strings.HasPrefix(rest, "turn:"):
		rest = rest[len("turn:"):]
	case strings.Contains(rest, "://") || strings.HasPrefix(rest, "stun:"):
		return u, fmt.Errorf("TURN url %q: scheme must be turn: or turns:", shown)
	}
	rest, query, _ := strings.Cut(rest, "?")
	if strings.Contains(rest, "@") {
		return u, fmt.Errorf("TURN url %q: put credentials in username/credential, not in the url", shown)
	}
	host, portStr, err := net.SplitHostPort(rest)
	if err != nil {
		host, portStr = strings.Trim(rest, "[]"), ""
	}
	if host == "" || strings.ContainsAny(host, " /") {
		return u, fmt.Errorf("TURN url %q: missing or invalid host", shown)
	}
	u.Host, u.Port = host, 3478
	if u.Secure {
		u.Port = 5349
	}
	if portStr != "" {
		p, err := strconv.Atoi(portStr)
		if err != nil || p < 1 || p > 65535 {
			return u, fmt.Errorf("TURN url %q: port must be 1-65535", shown)
		}
		u.Port = p
	}
	u.Transports = []string{"udp", "tcp"}
	if u.Secure {
		u.Transports = []string{"tls"}
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return u, fmt.Errorf("TURN url %q: bad query: %v", shown, err)
		}
		switch t := q.Get("transport"); t {
		case "":
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
	}
	return u, nil
}

// ReadProxyFile reads and parses --proxy FILE.
func ReadProxyFile(path string) (*ProxyConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --proxy: %v", ErrConfig, err)
	}
	return ParseProxyConfig(path, data)
}

func redactUserinfo(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		j := strings.Index(s, ":")
		if j >= 0 && j < i {
			return s[:j+1] + "***" + s[i:]
		}
		return "***" + s[i:]
	}
	return s
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
