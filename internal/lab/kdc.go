//go:build linux

package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The lab's Kerberos realm: a real MIT KDC (Debian krb5-kdc) on the
// firewall's LAN address, as a company's domain controller sits inside
// the network. The laptop user authUser gets a ticket with kinit (from a
// keytab, so no password is typed); the Negotiate proxy holds a keytab
// for HTTP/proxyInName.
const (
	// Realm is the lab's Kerberos realm.
	Realm = "LAB.TEST"
	// authUser is the laptop user, on every login-demanding proxy.
	authUser = "alice"
)

// kdcTools are what the realm needs; without them the KDC and the
// Negotiate proxy are not started and the scenarios needing them skip.
var kdcTools = []string{"krb5kdc", "kdb5_util", "kadmin.local", "kinit"}

// HasKDC reports whether the realm can be built here.
func HasKDC() bool {
	for _, t := range kdcTools {
		if _, err := exec.LookPath(t); err != nil {
			return false
		}
	}
	return true
}

// krbDir holds the realm's database, keytabs, krb5.conf and caches.
func (l *Lab) krbDir() string { return filepath.Join(l.Dir, "krb5") }

// Krb5Conf is the realm's krb5.conf (KRB5_CONFIG for the laptop).
func (l *Lab) Krb5Conf() string { return filepath.Join(l.krbDir(), "krb5.conf") }

// Krb5CCache is the laptop user's ticket cache (KRB5CCNAME), filled by
// Kinit and emptied by Kdestroy.
func (l *Lab) Krb5CCache() string { return "FILE:" + filepath.Join(l.krbDir(), "krb5cc_laptop") }

// httpKeytab is the Negotiate proxy's keytab.
func (l *Lab) httpKeytab() string { return filepath.Join(l.krbDir(), "http.keytab") }

// startKDC creates the realm and runs krb5kdc on the firewall.
func (l *Lab) startKDC() ([]listener, error) {
	dir := l.krbDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	data := map[string]string{"Realm": Realm, "Dir": dir, "KDC": FirewallLAN}
	for _, f := range [][2]string{{"krb5.conf.tmpl", "krb5/krb5.conf"}, {"kdc.conf.tmpl", "krb5/kdc.conf"}} {
		if _, err := l.render(f[0], f[1], data); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "kadm5.acl"), nil, 0o644); err != nil {
		return nil, err
	}
	env := l.krbEnv()
	if err := runEnv(env, "kdb5_util", "create", "-s", "-r", Realm, "-P", randomToken()); err != nil {
		return nil, err
	}
	spn := "HTTP/" + proxyInName + "@" + Realm
	for _, q := range []string{
		"addprinc -randkey " + authUser + "@" + Realm,
		"addprinc -randkey " + spn,
		"ktadd -k " + l.httpKeytab() + " " + spn,
		"ktadd -k " + filepath.Join(dir, "user.keytab") + " " + authUser + "@" + Realm,
	} {
		if err := runEnv(env, "kadmin.local", "-r", Realm, "-q", q); err != nil {
			return nil, err
		}
	}
	// squid's helper reads the keytab as user proxy (a lab, not a server).
	if err := os.Chmod(l.httpKeytab(), 0o644); err != nil {
		return nil, err
	}
	p, err := l.StartProcess(Firewall, "krb5kdc", env, "krb5kdc", "-n", "-r", Realm, "-P", filepath.Join(dir, "kdc.pid"))
	return []listener{{Firewall, "udp", FirewallLAN + ":88", p}, {Firewall, "tcp", FirewallLAN + ":88", p}}, err
}

// krbEnv points the Kerberos tools at the realm's files.
func (l *Lab) krbEnv() []string {
	return []string{"KRB5_CONFIG=" + l.Krb5Conf(), "KRB5_KDC_PROFILE=" + filepath.Join(l.krbDir(), "kdc.conf")}
}

// Kinit gets authUser a ticket in Krb5CCache, in the laptop namespace
// (through the lab network to the KDC), as a domain logon does.
func (l *Lab) Kinit() error {
	args := append([]string{"env"}, l.krbEnv()...)
	args = append(args, "KRB5CCNAME="+l.Krb5CCache(), "kinit", "-k", "-t", filepath.Join(l.krbDir(), "user.keytab"), authUser+"@"+Realm)
	_, err := l.Exec(Laptop, args...)
	return err
}

// Kdestroy empties the laptop's ticket cache.
func (l *Lab) Kdestroy() error {
	err := os.Remove(strings.TrimPrefix(l.Krb5CCache(), "FILE:"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// runEnv runs a local tool (bounded) with extra environment.
func runEnv(env []string, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// boundedCmd is an exec.Cmd whose context the caller cancels.
type boundedCmd struct {
	*exec.Cmd
	cancel context.CancelFunc
}

func commandTimeout(name string, args ...string) boundedCmd {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	return boundedCmd{exec.CommandContext(ctx, name, args...), cancel}
}
