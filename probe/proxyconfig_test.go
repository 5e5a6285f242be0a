package probe

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseProxyConfig(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		shouldErr string // substring of the error; "" = no error
		expected  *ProxyConfig
	}{
		{"websocket only", `{"websocketProxy": "wss://p.example.com/ws/"}`, "",
			&ProxyConfig{WebsocketProxy: "wss://p.example.com/ws/"}},
		{"all urls", `{"websocketProxy":"wss://w.x/","loggerProxy":"https://l.x/","scheduleProxy":"s.x","unifiedProxy":"https://u.x","webtransportProxy":"https://t.x"}`, "",
			&ProxyConfig{WebsocketProxy: "wss://w.x/", LoggerProxy: "https://l.x/", ScheduleProxy: "https://s.x",
				UnifiedProxy: "https://u.x", WebtransportProxy: "https://t.x"}},
		{"turn object", `{"turnServer": {"url": "turn.x:3478", "username": "u", "credential": "c"}, "iceTransportPolicy": "relay"}`, "",
			&ProxyConfig{TURNServers: []TURNServer{{URL: "turn.x:3478", Username: "u", Credential: "c"}}, ICETransportPolicy: "relay"}},
		{"turn array", `{"turnServer": [{"url": "turn:a"}, {"url": "turns:b", "credentialType": "password"}]}`, "",
			&ProxyConfig{TURNServers: []TURNServer{{URL: "turn:a"}, {URL: "turns:b", CredentialType: "password"}}}},
		{"string wss", `"wss://p.example.com/ws/"`, "", &ProxyConfig{WebsocketProxy: "wss://p.example.com/ws/"}},
		{"string https", `"https://wt.example.com"`, "", &ProxyConfig{WebtransportProxy: "https://wt.example.com"}},
		{"empty file", "  \n", "x.json:1: file is empty", nil},
		{"string ftp", `"ftp://x"`, "x.json:1: proxy string", nil},
		{"syntax error line 3", "{\n \"websocketProxy\": \"wss://a/\",\n oops\n}", "x.json:3: not a JSON object", nil},
		{"unknown field line 2", "{\n \"websocketproxy\": \"wss://a/\"\n}", `x.json:2: unknown field "websocketproxy"`, nil},
		{"bad scheme", "{\"loggerProxy\": \"wss://l/\"}", `x.json:1: loggerProxy: "wss://l/" is not a https:// URL`, nil},
		{"not a string", `{"websocketProxy": 5}`, "websocketProxy: must be a string URL", nil},
		{"bad policy line 4", "{\n\n\n \"iceTransportPolicy\": \"none\"}", `x.json:4: iceTransportPolicy: must be "all" or "relay"`, nil},
		{"turn without url", `{"turnServer": {"username": "u"}}`, "entry 0 has no url", nil},
		{"turn bad type", `{"turnServer": 7}`, "must be an object", nil},
		{"turn oauth", `{"turnServer": {"url": "turn:a", "credentialType": "oauth"}}`, `credentialType "oauth"`, nil},
		{"trailing data", `{"websocketProxy": "wss://a/"} {}`, "extra data", nil},
		{"array top level", `[1]`, "not a JSON object", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProxyConfig("x.json", []byte(tt.input))
			if tt.shouldErr != "" {
				if err == nil {
					t.Fatalf("no error, want %q; got %+v", tt.shouldErr, got)
				}
				if !strings.Contains(err.Error(), tt.shouldErr) || !errors.Is(err, ErrConfig) {
					t.Fatalf("error %q, want it to contain %q and wrap ErrConfig", err, tt.shouldErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.expected) {
				t.Errorf("got %+v, want %+v", got, tt.expected)
			}
		})
	}
}

func TestParseTURNURL(t *testing.T) {
	tests := []struct {
		input     string
		shouldErr string
		expected  turnURL
	}{
		{"turn:turn.example.com", "", turnURL{Host: "turn.example.com", Port: 3478, Transports: []string{"udp", "tcp"}}},
		{"turn.example.com:80", "", turnURL{Host: "turn.example.com", Port: 80, Transports: []string{"udp", "tcp"}}},
		{"turn:1.2.3.4:3478?transport=tcp", "", turnURL{Host: "1.2.3.4", Port: 3478, Transports: []string{"tcp"}}},
		{"turn:[2001:db8::1]:3479?transport=udp", "", turnURL{Host: "2001:db8::1", Port: 3479, Transports: []string{"udp"}}},
		{"turns:t.example.com", "", turnURL{Secure: true, Host: "t.example.com", Port: 5349, Transports: []string{"tls"}}},
		{"turns:t.example.com:443?transport=tcp", "", turnURL{Secure: true, Host: "t.example.com", Port: 443, Transports: []string{"tls"}}},
		{"stun:s.example.com", "scheme must be turn: or turns:", turnURL{}},
		{"https://t.example.com", "scheme must be turn: or turns:", turnURL{}},
		{"turn:user:pass@t.example.com", "put credentials in username/credential", turnURL{}},
		{"turn:", "missing or invalid host", turnURL{}},
		{"turn:a b", "missing or invalid host", turnURL{}},
		{"turn:t:0", "port must be 1-65535", turnURL{}},
		{"turn:t:99999", "port must be 1-65535", turnURL{}},
		{"turn:t?transport=sctp", "transport must be udp or tcp", turnURL{}},
		{"turns:t?transport=udp", "DTLS", turnURL{}},
		{"turn:t?%zz", "bad query", turnURL{}},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParseTURNURL(tt.input)
			if tt.shouldErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.shouldErr) {
					t.Fatalf("error %v, want %q", err, tt.shouldErr)
				}
				if strings.Contains(err.Error(), "pass@") {
					t.Errorf("error shows the credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.expected) {
				t.Errorf("got %+v, want %+v", got, tt.expected)
			}
		})
	}
}

func TestReadProxyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "proxy.json")
	if err := os.WriteFile(good, []byte(`{"websocketProxy": "wss://p/"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := ReadProxyFile(good); err != nil || cfg.WebsocketProxy != "wss://p/" {
		t.Errorf("ReadProxyFile(good) = %+v, %v", cfg, err)
	}
	_, err := ReadProxyFile(filepath.Join(dir, "missing.json"))
	if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "--proxy") {
		t.Errorf("missing file: %v, want a --proxy ErrConfig", err)
	}
}

// TestExampleProxyFiles: the example proxy files in testdata/proxy (the
// README points users at them) parse and give a plan with what they say.
func TestExampleProxyFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "proxy", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example proxy files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			px, err := ReadProxyFile(f)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := NewPlan(mustCatalog(t), Options{Proxy: px, Reflector: "reflector.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.TURN) == 0 {
				t.Error("no TURN target planned from the file's turnServer")
			}
			for _, tt := range plan.TURN {
				if !strings.HasPrefix(tt.URL, "turn:") && !strings.HasPrefix(tt.URL, "turns:") {
					t.Errorf("%s: url %q has no scheme (the SDK adds turn:)", tt.ID, tt.URL)
				}
			}
			if px.ICETransportPolicy == "relay" && plan.Config.ICETransportPolicy != "relay" {
				t.Errorf("iceTransportPolicy relay lost: %q", plan.Config.ICETransportPolicy)
			}
		})
	}
}
