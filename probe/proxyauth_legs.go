package probe

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
)

// schemePreference is Chromium's order (HttpAuthHandlerFactory scores):
// the strongest offered scheme that can start wins.
var schemePreference = []string{"Negotiate", "NTLM", "Basic"}

// nextLeg answers a 407: the first one picks a scheme and starts its
// session, later ones feed the proxy's token to the running session. It
// returns the next Proxy-Authorization value.
func (c *authConn) nextLeg(ctx context.Context, resp *http.Response) (string, error) {
	chs := parseProxyAuthenticate(resp.Header.Values("Proxy-Authenticate"))
	if c.info.Offered == nil {
		c.info.Offered = schemeNames(chs)
	}
	if c.session != nil {
		return c.continueSession(ctx, resp, chs)
	}
	if len(chs) == 0 {
		// Nothing to answer: the browser fails the tunnel as well.
		return "", fmt.Errorf("%w: %s (no Proxy-Authenticate)", ErrProxyRefused, c.safeStatus(resp))
	}
	if err := c.startSession(chs); err != nil {
		return "", err
	}
	if !keepsAlive(resp) {
		if err := c.reconnect(ctx); err != nil {
			return "", err
		}
	}
	return c.sessionStep(ctx, nil)
}

// continueSession feeds the proxy's token to the running handshake. A
// 407 without a token for the running scheme means the proxy refused it.
func (c *authConn) continueSession(ctx context.Context, resp *http.Response, chs []authChallenge) (string, error) {
	name := c.session.scheme()
	tok, _ := challengeToken(chs, name)
	if tok == nil || name == "Basic" {
		return "", c.rejected("it refused the " + name + " login (" + c.session.source() + ")")
	}
	if !keepsAlive(resp) {
		return "", c.rejected("it closed the connection in the middle of the " + name + " handshake")
	}
	return c.sessionStep(ctx, tok)
}

func (c *authConn) sessionStep(ctx context.Context, in []byte) (string, error) {
	out, err := c.session.step(ctx, in)
	if errors.Is(err, errNTLMMalformed) {
		e := &ProxyAuthError{Broken: true, Info: c.info, Why: err.Error()}
		e.Info.Fix = "fix the proxy's NTLM (its CHALLENGE is malformed), or let it offer Negotiate or Basic"
		c.info = e.Info
		return "", e
	}
	if err != nil {
		return "", c.rejected(c.session.scheme() + " failed here: " + err.Error())
	}
	return c.session.scheme() + " " + base64.StdEncoding.EncodeToString(out), nil
}

// startSession picks the strongest offered scheme that can start.
func (c *authConn) startSession(chs []authChallenge) error {
	for _, name := range schemePreference {
		if _, offered := challengeToken(chs, name); !offered {
			continue
		}
		if name == "Basic" && c.triedBasic {
			c.triedBasic = false
			return c.rejectedTyped("it refused the Basic login of the proxy URL", "correct the user and password in the proxy URL")
		}
		s, un := startScheme(c.env, c.proxy, name)
		if un != nil {
			c.skipped = append(c.skipped, *un)
			continue
		}
		c.session = s
		return nil
	}
	return c.unavailable()
}

// reconnect replaces a connection the proxy closed after its first 407.
func (c *authConn) reconnect(ctx context.Context) error {
	if c.redial == nil {
		return c.rejected("it closed the connection after the 407 and no new one could be opened here")
	}
	c.stopWatch()
	c.conn.Close()
	conn, err := c.redial(ctx)
	if err != nil {
		c.conn = nil
		return fmt.Errorf("reconnecting to the proxy for authentication: %w", ctxOr(ctx, err))
	}
	c.set(conn)
	c.watch(ctx)
	return nil
}

// unavailable is the error when no offered scheme could start.
func (c *authConn) unavailable() error {
	e := &ProxyAuthError{Unavailable: true, Info: c.info}
	var whys, fixes []string
	for _, s := range c.skipped {
		whys = append(whys, s.why)
		if s.fix != "" && !slices.Contains(fixes, s.fix) {
			fixes = append(fixes, s.fix)
		}
	}
	// Each fix alone is enough (the strongest scheme's first).
	e.Info.Fix = strings.Join(fixes, ", or ")
	if len(whys) == 0 {
		whys = append(whys, "rtcprobe does not do "+orNone(c.info.Offered)+" authentication")
		e.Info.Fix = "let the proxy accept Negotiate, NTLM or Basic, or exempt this host from authentication"
	}
	e.Why = strings.Join(whys, "; ")
	c.info = e.Info
	return e
}

// rejected is the error when the proxy refused what was sent.
func (c *authConn) rejected(why string) error {
	e := &ProxyAuthError{Info: c.info, Why: why}
	if c.session != nil {
		e.Typed = typedSource(c.session.source())
		if e.Typed {
			e.Info.Fix = "check " + EnvProxyUsername + " and " + EnvProxyPassword + " (the proxy refused them)"
		}
	}
	c.info = e.Info
	return e
}

func (c *authConn) rejectedTyped(why, fix string) error {
	e := &ProxyAuthError{Info: c.info, Why: why, Typed: true}
	e.Info.Fix = fix
	c.info = e.Info
	return e
}

// typedSource reports whether an identity was typed by someone rather
// than the logged-in user's.
func typedSource(src string) bool {
	return src == sourceEnv || src == sourcePrompt || src == sourceProxyURL
}

// Where an identity comes from (ProxyAuthInfo.Source).
const (
	sourceEnv         = "environment"
	sourcePrompt      = "prompt"
	sourceLoggedIn    = "logged-in user"
	sourceTicketCache = "ticket cache"
	sourceProxyURL    = "proxy URL"
)

// startScheme starts name's session, or says why it cannot start here.
func startScheme(env *Env, proxy *url.URL, name string) (authSession, *authUnavailable) {
	switch name {
	case "Negotiate":
		return startNegotiate(proxy.Hostname())
	case "NTLM":
		if s := startDefaultNTLM(); s != nil {
			return s, nil
		}
		user, pass, src := typedIdentity(env, proxy)
		if user == "" {
			return nil, &authUnavailable{why: "NTLM needs the Windows login, which only rtcprobe on Windows has, or a typed identity (none set)", fix: fixSetCredentials}
		}
		return newNTLMSession(user, pass, src), nil
	case "Basic":
		user, pass, src := typedIdentity(env, proxy)
		if user == "" {
			return nil, &authUnavailable{why: "Basic needs a user and password (none set)", fix: fixSetCredentials}
		}
		return &basicSession{user: user, pass: pass, src: src}, nil
	}
	return nil, &authUnavailable{why: "rtcprobe does not do " + name}
}

// typedIdentity is the identity for Basic and NTLM: the proxy URL's user
// info (the most explicit), else Env's (from the prompt), else the
// environment variables.
func typedIdentity(env *Env, proxy *url.URL) (user string, pass Secret, source string) {
	if proxy != nil && proxy.User != nil && proxy.User.Username() != "" {
		pw, _ := proxy.User.Password()
		return proxy.User.Username(), Secret(pw), sourceProxyURL
	}
	if env != nil && env.ProxyUsername != "" {
		return env.ProxyUsername, env.ProxyPassword, sourcePrompt
	}
	if u := os.Getenv(EnvProxyUsername); u != "" {
		return u, Secret(os.Getenv(EnvProxyPassword)), sourceEnv
	}
	return "", "", ""
}

// basicSession is RFC 7617: one leg, user:password.
type basicSession struct {
	user string
	pass Secret
	src  string
	sent bool
}

func (s *basicSession) scheme() string { return "Basic" }
func (s *basicSession) source() string { return s.src }
func (s *basicSession) close()         {}
func (s *basicSession) step(_ context.Context, in []byte) ([]byte, error) {
	if s.sent {
		return nil, fmt.Errorf("the proxy refused the Basic login")
	}
	s.sent = true
	return []byte(s.user + ":" + s.pass.Reveal()), nil
}
