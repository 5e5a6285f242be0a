package probe

import (
	"encoding/base64"
	"strings"
)

// authChallenge is one challenge of a Proxy-Authenticate header (RFC 9110
// §11.6.1): a scheme with either a token68 (NTLM and Negotiate carry their
// handshake tokens so) or auth-params (realm="..." for Basic).
type authChallenge struct {
	// Scheme as the proxy spelled it; compare with strings.EqualFold.
	Scheme string
	// Token is the token68, "" when none was sent.
	Token string
	// Params are the auth-params, keys lower-cased, quotes removed.
	Params map[string]string
}

// maxChallenges bounds what one answer may offer: a hostile proxy cannot
// make the parser allocate without end.
const maxChallenges = 16

// parseProxyAuthenticate reads every challenge of the Proxy-Authenticate
// header lines, in order. Several challenges may share one line, separated
// by commas that also separate auth-params, so a piece is a new challenge
// when it starts with a token that is not followed by '='. Garbage is
// skipped, never an error: the caller only needs the schemes it knows.
func parseProxyAuthenticate(lines []string) []authChallenge {
	var out []authChallenge
	for _, line := range lines {
		for _, piece := range splitOutsideQuotes(line) {
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			name, rest, isParam := cutAuthToken(piece)
			switch {
			case name == "":
				continue
			case isParam:
				if len(out) > 0 {
					c := &out[len(out)-1]
					if c.Params == nil {
						c.Params = map[string]string{}
					}
					if len(c.Params) < maxChallenges {
						c.Params[strings.ToLower(name)] = unquote(rest)
					}
				}
				continue
			}
			if len(out) == maxChallenges {
				return out
			}
			c := authChallenge{Scheme: name}
			if rest = strings.TrimSpace(rest); rest != "" {
				// A token68 first: base64 padding looks like "name=".
				if isToken68(rest) {
					c.Token = rest
				} else if k, v, isParam := cutAuthToken(rest); isParam {
					c.Params = map[string]string{strings.ToLower(k): unquote(v)}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// splitOutsideQuotes splits s at commas that are not inside a quoted
// string (a realm may hold a comma).
func splitOutsideQuotes(s string) []string {
	var parts []string
	inQuote, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case c == '\\' && inQuote:
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// cutAuthToken reads the leading token of a piece. isParam is true for
// "name=value" (the value is returned in rest); otherwise rest is what
// follows the token and its spaces. A piece that does not start with a
// token gives name "".
func cutAuthToken(piece string) (name, rest string, isParam bool) {
	i := 0
	for i < len(piece) && isTokenChar(piece[i]) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	name, rest = piece[:i], piece[i:]
	trimmed := strings.TrimLeft(rest, " \t")
	if strings.HasPrefix(trimmed, "=") {
		// "realm=x" is a parameter; "abc==" (a token68 ending in padding
		// right after the name) cannot be told from it, but a scheme name
		// never ends in '=' so this only misreads a bare token68.
		return name, strings.TrimSpace(trimmed[1:]), true
	}
	return name, trimmed, false
}

// isTokenChar is RFC 9110's tchar.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68 is RFC 9110's token68: base64-ish characters, then '=' padding.
func isToken68(s string) bool {
	i := 0
	for i < len(s) && (isAlnum(s[i]) || strings.IndexByte("-._~+/", s[i]) >= 0) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	return i == len(s)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// unquote removes the quotes and backslash escapes of a quoted-string;
// a bare token is returned as it is.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// schemeNames lists the distinct schemes offered, as the proxy spelled
// them, for the report ("Negotiate, NTLM, Basic"). Names are tokens, so
// they are safe to print.
func schemeNames(cs []authChallenge) []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range cs {
		k := strings.ToLower(c.Scheme)
		if !seen[k] {
			seen[k] = true
			names = append(names, c.Scheme)
		}
	}
	return names
}

// challengeToken returns the decoded token the proxy sent with scheme, nil
// when it sent the scheme bare (or a token that is not base64).
func challengeToken(cs []authChallenge, scheme string) (tok []byte, offered bool) {
	for _, c := range cs {
		if !strings.EqualFold(c.Scheme, scheme) {
			continue
		}
		if c.Token == "" {
			return nil, true
		}
		b, err := base64.StdEncoding.DecodeString(c.Token)
		if err != nil {
			return nil, true
		}
		return b, true
	}
	return nil, false
}
