package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

// secret stands for a credential in every test input below: no error may
// contain it.
const secret = "S3CRETPW"

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"turn:h:3478?transport=tpc&credential=" + secret, "turn:h:3478?transport=tpc&credential=***"},
		{"turn:u:" + secret + "@h", "turn:***@h"},
		{"http://user:" + secret + "@[::1", "http://***@[::1"},
		{"ftp://user:" + secret + "@p:3128/x", "ftp://***@p:3128/x"},
		{"user:" + secret + "@proxy:8080", "***@proxy:8080"},
		{"http://p:3128/#" + secret, "http://p:3128/#***"},
		{"turn:h?" + secret, "turn:h?***"},
		{"http://u:pa?ss@" + secret + "@h", "http://***"},
		{"http://h/?x=a@" + secret, "http://***"},
		{"https://proxy.corp:3128", "https://proxy.corp:3128"},
		{"turn:[2001:db8::1]:3478?transport=udp", "turn:[2001:db8::1]:3478?transport=udp"},
		{"turn:h:3478;credential=" + secret, "turn:h:3478;***"},
		{"turn:h:3478&credential=" + secret, "turn:h:3478&***"},
		{"turn:h:3478 credential=" + secret + "?transport=udp", "turn:h:***?transport=udp"},
		{"a b", "a b"},
		{"turn:h:3478/credential=" + secret, "turn:h:***"},
		{"turn:user:" + secret, "turn:user:***"},
		{"http://u:" + secret + "@h:x" + secret + "/p", "http://***@h:***/p"},
		{"turn:h:99999?transport=udp", "turn:h:99999?transport=udp"},
		{"turn:2001:db8::1", "turn:2001:db8::1"},
	} {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := RedactURL(strings.Repeat("a", 10000)); len(got) > maxQuoted+3 {
		t.Errorf("RedactURL of 10000 bytes gives %d bytes", len(got))
	}
}

// Every way a TURN url can be wrong, with a credential in it: the error
// says what is wrong and never shows the credential.
func TestParseTURNURLHidesSecrets(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"turn:h:3478?transport=tpc&credential=" + secret, "transport must be udp or tcp"},
		{"turn:h?transport=tpc", "transport must be udp or tcp"},
		{"turn:h:99999?credential=" + secret, "port must be 1-65535"},
		{"stun:h?credential=" + secret, "scheme must be turn: or turns:"},
		{"turns:h?transport=udp&credential=" + secret, "transport must be udp or tcp"},
		{"turn:h?credential=" + secret, "bad query"},
		{"turns:h?transport=udp", "DTLS"},
		{"turn:user:" + secret + "@h?transport=udp", "credentials"},
		{"turn:[::1", "missing ']'"},
		{"turn:::1", "brackets"},
		{"turn:[h]:3478", "IPv6"},
		{"turn:h:", "port"},
		{"turn:h\x1b[2J", "not a host name"},
		{"turn:h?transport=udp&transport=tcp", "transport must be udp or tcp"},
	} {
		_, err := ParseTURNURL(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTURNURL(%q) = %v, want an error with %q", tt.in, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseTURNURL(%q) error shows the credential: %v", tt.in, err)
		}
	}
	for _, ok := range []string{"turn:[::1]", "turn:[fe80::1%eth0]:3478", "turns:t.example.com:443?transport=tcp"} {
		if _, err := ParseTURNURL(ok); err != nil {
			t.Errorf("ParseTURNURL(%q): %v", ok, err)
		}
	}
}

// A broken proxy from the system settings or the environment is reported
// without its password (url.Parse and x/net's errors quote it whole).
func TestProxyErrorsHideSecrets(t *testing.T) {
	for _, in := range []string{"http://user:" + secret + "@[::1", "http://user:" + secret + "@p:99999", "socks5://p:1080"} {
		_, err := envProxy(&httpproxy.Config{HTTPSProxy: in})
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "HTTPS_PROXY") {
			t.Errorf("envProxy with HTTPS_PROXY=%q: %v, want a redacted error", in, err)
		}
	}
}

// Proxy files that were accepted, or read whole, before: each is rejected
// with the file and the line.
func TestParseProxyConfigRejects(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"null", "\n null \n", "x.json:2: null is not a proxy object"},
		{"invalid utf-8", "{\n\"websocketProxy\": \"wss://p\xff/\"}", "x.json:2: not UTF-8"},
		{"turn unclosed bracket", `{"turnServer": {"url": "turn:[::1"}}`, "x.json:1: turnServer: entry 0"},
		{"ws bad port", `{"websocketProxy": "wss://p:99999/"}`, "port must be"},
		{"ws secret", `{"websocketProxy": "wss://u:` + secret + `@[::1/"}`, "websocketProxy"},
		{"string secret", `"ftp://u:` + secret + `@p"`, "x.json:1: proxy string"},
		{"turn query secret", `{"turnServer": {"url": "turn:h?transport=x&credential=` + secret + `"}}`, "entry 0"},
	} {
		_, err := ParseProxyConfig("x.json", []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: %v, want an error with %q and no credential", tt.name, err, tt.want)
		}
	}
}

// A --proxy file over 1 MiB is rejected after reading at most 1 MiB + 1
// byte (the 50 MB file of the issue cost 230 MB before).
func TestReadProxyFileBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.json")
	big := append([]byte(`{"websocketProxy": "wss://p/", "x": "`), bytes.Repeat([]byte("a"), 4<<20)...)
	if err := os.WriteFile(p, append(big, `"}`...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadProxyFile(p)
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") || !strings.Contains(err.Error(), p) {
		t.Errorf("ReadProxyFile(4 MiB) = %v, want a size error naming the file", err)
	}
	// 50 MB (sparse: zeros) costs what the bound allows, not the file's
	// size: bytes allocated, not time, so the check is deterministic.
	huge := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(huge)
	if err == nil {
		err = f.Truncate(50 << 20)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ReadProxyFile(huge)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("a 50 MB proxy file was accepted")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("rejecting a 50 MB proxy file allocated %d MiB", got>>20)
	} else {
		t.Logf("rejecting a 50 MB proxy file allocated %.1f MiB", float64(got)/(1<<20))
	}
}

// A system PAC URL that does not parse reaches the report redacted.
func TestPlanPACURLRedacted(t *testing.T) {
	p, err := NewPlan(mustCatalog(t), Options{PACURL: "http://u:" + secret + "@[::1/proxy.pac"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Config.PACURL, secret) || p.Config.PACURL == "" {
		t.Errorf("config pacUrl %q", p.Config.PACURL)
	}
}
