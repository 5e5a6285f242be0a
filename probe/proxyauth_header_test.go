package probe

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseProxyAuthenticate(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		want  []authChallenge
	}{
		{"one per line", []string{"Negotiate", "NTLM", `Basic realm="Squid proxy"`},
			[]authChallenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}, {Scheme: "Basic", Params: map[string]string{"realm": "Squid proxy"}}}},
		{"several on one line, comma in a realm", []string{`Basic realm="a, b", charset="UTF-8", NTLM, Digest realm="x", nonce="n"`},
			[]authChallenge{{Scheme: "Basic", Params: map[string]string{"realm": "a, b", "charset": "UTF-8"}}, {Scheme: "NTLM"},
				{Scheme: "Digest", Params: map[string]string{"realm": "x", "nonce": "n"}}}},
		{"token68 with padding", []string{"NTLM TlRMTVNTUAACAAAAAAAAAA=="},
			[]authChallenge{{Scheme: "NTLM", Token: "TlRMTVNTUAACAAAAAAAAAA=="}}},
		{"token68 with slash", []string{"Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg/+"},
			[]authChallenge{{Scheme: "Negotiate", Token: "oRQwEqADCgEAoQsGCSqGSIb3EgECAg/+"}}},
		{"escaped quote", []string{`Basic realm="say \"hi\""`},
			[]authChallenge{{Scheme: "Basic", Params: map[string]string{"realm": `say "hi"`}}}},
		{"garbage skipped", []string{`, ,"x", =y, Basic`}, []authChallenge{{Scheme: "Basic"}}},
		{"empty", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseProxyAuthenticate(tc.lines); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestChallengeToken(t *testing.T) {
	cs := parseProxyAuthenticate([]string{"NTLM aGVsbG8=", "Negotiate", "Basic realm=x"})
	if tok, ok := challengeToken(cs, "ntlm"); !ok || string(tok) != "hello" {
		t.Errorf("NTLM token = %q, %v", tok, ok)
	}
	if tok, ok := challengeToken(cs, "Negotiate"); !ok || tok != nil {
		t.Errorf("bare Negotiate = %q, %v", tok, ok)
	}
	if _, ok := challengeToken(cs, "Digest"); ok {
		t.Error("Digest reported offered")
	}
}

// FuzzParseProxyAuthenticate: any header from a hostile proxy parses
// without panic into a bounded list whose scheme names are printable
// tokens (they go into reports and onto the screen).
func FuzzParseProxyAuthenticate(f *testing.F) {
	f.Add("Negotiate\nNTLM\nBasic realm=\"Squid proxy-caching web server\"")
	f.Add(`Basic realm="a, b", NTLM TlRMTVNTUAACAAAA==, Digest realm="x", nonce="n", qop="auth"`)
	f.Add("Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg==")
	f.Add("\"\\\x00,=,\x1b[31m evil")
	f.Fuzz(func(t *testing.T, s string) {
		cs := parseProxyAuthenticate(strings.Split(s, "\n"))
		if len(cs) > maxChallenges {
			t.Fatalf("%d challenges, bound %d", len(cs), maxChallenges)
		}
		for _, c := range cs {
			for i := 0; i < len(c.Scheme); i++ {
				if !isTokenChar(c.Scheme[i]) {
					t.Fatalf("scheme %q holds %q", c.Scheme, c.Scheme[i])
				}
			}
			if c.Token != "" && !isToken68(c.Token) {
				t.Fatalf("token %q is not a token68", c.Token)
			}
			if len(c.Params) > maxChallenges {
				t.Fatalf("%d params", len(c.Params))
			}
		}
		_ = schemeNames(cs)
	})
}

// FuzzNTLMChallenge: a hostile proxy's NTLM CHALLENGE gives an
// AUTHENTICATE or an error, never a panic, and the error never holds the
// password.
func FuzzNTLMChallenge(f *testing.F) {
	f.Add(ntlmChallengeMessage())
	sloppy := ntlmChallengeMessage()
	sloppy[12], sloppy[16], sloppy[17] = 100, 0xe8, 0x03
	f.Add(sloppy)
	f.Add([]byte("NTLMSSP\x00\x02\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, challenge []byte) {
		s := newNTLMSession(`CORP\alice`, "fuzz-Secret-9", sourceEnv)
		if _, err := s.step(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.step(t.Context(), challenge); err != nil && strings.Contains(err.Error(), "fuzz-Secret-9") {
			t.Fatalf("error holds the password: %v", err)
		}
	})
}
