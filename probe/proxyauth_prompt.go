package probe

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// ProxyLogin is what one unauthenticated CONNECT learned about the
// proxy's login, so the command can ask for one before the run (as the
// browser asks its user) rather than report everything behind the proxy
// untested.
type ProxyLogin struct {
	// Offered are the schemes of the 407, nil when the proxy let the
	// CONNECT through (or answered something else).
	Offered []string
	// NeedTyped: no scheme can use the user's own credentials here
	// (Negotiate ticket, Windows logon), and NTLM or Basic is offered: a
	// typed login would let rtcprobe through.
	NeedTyped bool
}

// CheckProxyLogin sends one CONNECT to target through proxy without a
// login and says whether a typed one is needed. The caller bounds ctx.
func CheckProxyLogin(ctx context.Context, env *Env, proxy *url.URL, target string) (ProxyLogin, error) {
	conn, err := dialProxy(ctx, env, proxy)
	if err != nil {
		return ProxyLogin{}, err
	}
	c := &authConn{env: env, proxy: proxy, target: target}
	c.set(conn)
	defer c.conn.Close()
	c.watch(ctx)
	defer c.stopWatch()
	resp, err := c.roundTrip(ctx, "")
	if err != nil || resp.StatusCode != http.StatusProxyAuthRequired {
		return ProxyLogin{}, err
	}
	chs := parseProxyAuthenticate(resp.Header.Values("Proxy-Authenticate"))
	login := ProxyLogin{Offered: schemeNames(chs)}
	typedHelps := false
	for _, name := range schemePreference {
		if _, offered := challengeToken(chs, name); !offered {
			continue
		}
		if name == "Negotiate" || name == "NTLM" {
			if s := ownCredentials(proxy, name); s != nil {
				s.close()
				return login, nil
			}
		}
		typedHelps = typedHelps || name != "Negotiate"
	}
	login.NeedTyped = typedHelps
	return login, nil
}

// ownCredentials starts name with the user's own credentials, nil when
// there are none here.
func ownCredentials(proxy *url.URL, name string) authSession {
	if strings.EqualFold(name, "NTLM") {
		return startDefaultNTLM()
	}
	s, un := startNegotiate(proxy.Hostname())
	if un != nil {
		return nil
	}
	return s
}
