//go:build linux

package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Corporate proxies that demand a login, one scheme each on its own port
// of the firewall's LAN address (separate squid instances: squid offers
// every configured scheme on every port). Real helpers: basic_ncsa_auth
// with an htpasswd file, ntlm_fake_auth (accepts any NTLM identity, so it
// proves the handshake, not a password), negotiate_kerberos_auth with the
// realm's keytab for HTTP/proxyInName.
const (
	squidBasicPort     = 3131 // Basic, basic_ncsa_auth
	squidNTLMPort      = 3132 // NTLM, ntlm_fake_auth
	squidNegotiatePort = 3133 // Negotiate, negotiate_kerberos_auth
)

// squidHelpers is where Debian installs squid's auth helpers.
const squidHelpers = "/usr/lib/squid"

// ProxyPassword is authUser's password on the Basic proxy. It holds the
// TURN password, so the lab's check that no report contains the TURN
// password also catches this one.
func (l *Lab) ProxyPassword() string { return "px-" + l.secret }

// authProxy is one login-demanding squid.
type authProxy struct {
	scheme string
	port   int
	params func() (string, error)
}

func (l *Lab) authProxies() []authProxy {
	ps := []authProxy{
		{"basic", squidBasicPort, l.basicParams},
		{"ntlm", squidNTLMPort, func() (string, error) {
			return "auth_param ntlm program " + squidHelpers + "/ntlm_fake_auth\nauth_param ntlm children 2 startup=1\nauth_param ntlm keep_alive on", nil
		}},
	}
	if HasKDC() {
		ps = append(ps, authProxy{"negotiate", squidNegotiatePort, func() (string, error) {
			return "auth_param negotiate program " + squidHelpers + "/negotiate_kerberos_auth -k " + l.httpKeytab() +
				" -s HTTP/" + proxyInName + "@" + Realm + "\nauth_param negotiate children 2 startup=1\nauth_param negotiate keep_alive on", nil
		}})
	}
	return ps
}

// basicParams writes the htpasswd file (apr1 MD5, which basic_ncsa_auth
// reads) and returns the Basic auth_param lines.
func (l *Lab) basicParams() (string, error) {
	file := filepath.Join(l.Dir, "squid-basic", "htpasswd")
	if err := runStdin(l.ProxyPassword()+"\n", "htpasswd", "-i", "-c", "-m", file, authUser); err != nil {
		return "", err
	}
	if err := os.Chmod(file, 0o644); err != nil {
		return "", err
	}
	return "auth_param basic program " + squidHelpers + "/basic_ncsa_auth " + file +
		"\nauth_param basic children 2 startup=1\nauth_param basic realm rtcprobe lab proxy", nil
}

// startAuthProxies runs the realm (when krb5-kdc is installed) and the
// login-demanding squids.
func (l *Lab) startAuthProxies() ([]listener, error) {
	var out []listener
	if HasKDC() {
		ls, err := l.startKDC()
		out = append(out, ls...)
		if err != nil {
			return out, fmt.Errorf("kdc: %w", err)
		}
	}
	for _, ap := range l.authProxies() {
		ls, err := l.startAuthSquid(ap)
		out = append(out, ls...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (l *Lab) startAuthSquid(ap authProxy) ([]listener, error) {
	name := "squid-" + ap.scheme
	dir := filepath.Join(l.Dir, name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o777); err != nil { // squid writes here as user proxy
		return nil, err
	}
	params, err := ap.params()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data := map[string]any{"Dir": dir, "Listen": FirewallLAN, "Port": ap.port, "DNS": FirewallLAN,
		"AuthParams": params, "Scheme": ap.scheme, "Name": proxyInName}
	path, err := l.render("squid-auth.conf.tmpl", name+".conf", data)
	if err != nil {
		return nil, err
	}
	// -n: a service name of its own, so instances do not share squid's
	// default IPC names.
	p, err := l.StartProcess(Firewall, name, l.krbEnv(), "squid", "-N", "-n", "rtcprobe"+ap.scheme, "-f", path)
	return []listener{{Firewall, "tcp", FirewallLAN + ":" + strconv.Itoa(ap.port), p}}, err
}

// applyAuth sets the laptop's Kerberos state for a scenario: a ticket
// from kinit, or none.
func (l *Lab) applyAuth(s Scenario) error {
	if !HasKDC() {
		return nil
	}
	if s.Kinit {
		return l.Kinit()
	}
	return l.Kdestroy()
}

// authExpand resolves the lab's auth placeholders: ${SQUID_BASIC},
// ${SQUID_NTLM}, ${SQUID_NEGOTIATE} (by name: the SPN is HTTP/<name>),
// ${PROXY_USER}, ${PROXY_PASSWORD}, ${KRB5_CONFIG}, ${KRB5CCNAME}.
func (l *Lab) authExpand(k string) (string, bool) {
	byName := func(port int) string { return "http://" + proxyInName + ":" + strconv.Itoa(port) }
	switch k {
	case "SQUID_BASIC":
		return byName(squidBasicPort), true
	case "SQUID_NTLM":
		return byName(squidNTLMPort), true
	case "SQUID_NEGOTIATE":
		return byName(squidNegotiatePort), true
	case "PROXY_USER":
		return authUser, true
	case "PROXY_PASSWORD":
		return l.ProxyPassword(), true
	case "KRB5_CONFIG":
		return l.Krb5Conf(), true
	case "KRB5CCNAME":
		return l.Krb5CCache(), true
	}
	return "", false
}

// runStdin runs a local tool (bounded) with stdin.
func runStdin(stdin, name string, args ...string) error {
	cmd := commandTimeout(name, args...)
	defer cmd.cancel()
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}
