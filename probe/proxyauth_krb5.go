//go:build !windows

package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Negotiate off Windows is Kerberos from the user's ticket cache, as
// Chromium's GSSAPI handler does: the cache named by KRB5CCNAME (a FILE:
// cache; the default /tmp/krb5cc_<uid>), krb5.conf from KRB5_CONFIG or
// /etc/krb5.conf, and a service ticket for HTTP/<proxy host> from the KDC.
// Caches kept by a daemon (KCM:, API: on macOS, KEYRING:) cannot be read
// here; the fix line says so.

// startDefaultNTLM: only Windows has the logged-in user's NTLM identity.
func startDefaultNTLM() authSession { return nil }

// startNegotiate prepares a Kerberos SPNEGO session for the proxy.
func startNegotiate(proxyHost string) (authSession, *authUnavailable) {
	path, un := ccachePath()
	if un != nil {
		return nil, un
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &authUnavailable{why: "no Kerberos ticket cache at " + path, fix: kinitFix("")}
	}
	cc, err := parseCCache(b)
	if err != nil {
		return nil, &authUnavailable{why: "the Kerberos ticket cache " + path + " cannot be read: " + err.Error(), fix: kinitFix("")}
	}
	cl := cc.GetClientCredentials()
	realm := cc.GetClientRealm()
	if e, ok := cc.GetEntry(krbtgt(realm)); !ok || e.EndTime.Before(time.Now()) {
		return nil, &authUnavailable{why: "the Kerberos ticket in " + path + " has expired", fix: kinitFix(cl.UserName() + "@" + realm)}
	}
	conf, err := krbConfig()
	if err != nil {
		return nil, &authUnavailable{why: "krb5.conf cannot be read: " + err.Error(), fix: "set KRB5_CONFIG to the krb5.conf of the realm " + realm}
	}
	return &krbSession{cc: cc, conf: conf, spn: "HTTP/" + strings.TrimSuffix(proxyHost, "."), key: path + "|" + cacheStamp(path)}, nil
}

// cacheStamp changes when kinit rewrites the cache, so a new ticket is
// used at once.
func cacheStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fi.ModTime().String()
}

// krbClients keeps one Kerberos client per ticket cache for the process,
// so the service ticket for the proxy is asked of the KDC once, as GSSAPI
// keeps it in the cache, not once per CONNECT. Each CONNECT still gets its
// own authenticator.
var krbClients sync.Map // cache key -> *krbClient

type krbClient struct {
	mu sync.Mutex // one token at a time: the first fetches the ticket
	cl *client.Client
}

// maxCCache bounds the ticket cache read (a few KB in practice).
const maxCCache = 1 << 20

// parseCCache reads a ticket cache. gokrb5's parser indexes without
// bounds checks and allocates by the file's counts, so the file is walked
// with checks first (checkCCache); a panic left over becomes an error.
func parseCCache(b []byte) (cc *credentials.CCache, err error) {
	if len(b) > maxCCache {
		return nil, errors.New("larger than 1 MiB")
	}
	if err := checkCCache(b); err != nil {
		return nil, err
	}
	defer func() {
		if recover() != nil {
			cc, err = nil, errors.New("truncated or corrupt")
		}
	}()
	cc = new(credentials.CCache)
	if err := cc.Unmarshal(b); err != nil {
		return nil, err
	}
	return cc, nil
}

// ccachePath finds the user's FILE: ticket cache.
func ccachePath() (string, *authUnavailable) {
	name := os.Getenv("KRB5CCNAME")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = "/tmp/krb5cc_" + u.Uid
		}
	}
	kind, rest, hasKind := strings.Cut(name, ":")
	switch {
	case !hasKind:
		return name, nil
	case strings.EqualFold(kind, "FILE"):
		return rest, nil
	}
	return "", &authUnavailable{
		why: "the Kerberos cache " + kind + ": is kept by a daemon rtcprobe cannot read",
		fix: "run KRB5CCNAME=FILE:/tmp/krb5cc_rtcprobe kinit, then rtcprobe with that KRB5CCNAME"}
}

// krbtgt is the realm's ticket-granting principal.
func krbtgt(realm string) types.PrincipalName {
	return types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", realm}}
}

// kinitFix is the line that gets a ticket: the login name at the
// default realm of krb5.conf when both are known.
func kinitFix(principal string) string {
	if principal == "" {
		principal = "user@REALM"
		if c, err := krbConfig(); err == nil && c.LibDefaults.DefaultRealm != "" {
			name := "user"
			if u, err := user.Current(); err == nil && u.Username != "" && !strings.ContainsAny(u.Username, " \\") {
				name = u.Username
			}
			principal = name + "@" + c.LibDefaults.DefaultRealm
		}
	}
	return "run kinit " + principal
}

func krbConfig() (*config.Config, error) {
	path := os.Getenv("KRB5_CONFIG")
	if path == "" {
		path = "/etc/krb5.conf"
	}
	if i := strings.IndexByte(path, ':'); i >= 0 {
		path = path[:i]
	}
	c, err := config.Load(path)
	if err != nil {
		// gokrb5 returns the parsed config with an error for directives
		// it does not know (includedir...); that is usable.
		var uerr config.UnsupportedDirective
		if c != nil && errors.As(err, &uerr) {
			return c, nil
		}
		return nil, err
	}
	return c, nil
}

// krbSession builds the SPNEGO token for the proxy's service principal.
type krbSession struct {
	cc   *credentials.CCache
	conf *config.Config
	spn  string
	key  string
	done bool
}

func (s *krbSession) scheme() string { return "Negotiate" }
func (s *krbSession) source() string { return sourceTicketCache }
func (s *krbSession) close()         {}

// step asks the KDC for the service ticket (gokrb5 bounds its own KDC
// exchanges; the wait here is bounded by ctx as well, and a late answer
// is dropped).
func (s *krbSession) step(ctx context.Context, in []byte) ([]byte, error) {
	if s.done {
		// gokrb5's initiator has no continuation: a second challenge is
		// the proxy refusing the ticket.
		return nil, errors.New("the proxy did not accept the Kerberos ticket")
	}
	s.done = true
	type result struct {
		tok []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			// A corrupt ticket in the cache must not take the run down.
			if recover() != nil {
				ch <- result{nil, errors.New("the ticket cache holds a corrupt ticket")}
			}
		}()
		tok, err := s.token()
		ch <- result{tok, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("no service ticket for %s in time: %w", s.spn, ctx.Err())
	}
}

func (s *krbSession) token() ([]byte, error) {
	v, _ := krbClients.LoadOrStore(s.key, &krbClient{})
	kc := v.(*krbClient)
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.cl == nil {
		cl, err := client.NewFromCCache(s.cc, s.conf, client.DisablePAFXFAST(true))
		if err != nil {
			return nil, fmt.Errorf("the ticket cache cannot be used: %v", err)
		}
		kc.cl = cl
	}
	sp := spnego.SPNEGOClient(kc.cl, s.spn)
	if err := sp.AcquireCred(); err != nil {
		return nil, fmt.Errorf("no Kerberos credential: %v", err)
	}
	st, err := sp.InitSecContext()
	if err != nil {
		return nil, fmt.Errorf("no service ticket for %s: %v", s.spn, err)
	}
	return st.Marshal()
}
