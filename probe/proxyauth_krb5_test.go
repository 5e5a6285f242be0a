//go:build !windows

package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/rtcprobe/rtcprobe/result"
)

const krbTestRealm = "RTCPROBE.TEST"

// krbFixture is a realm without a KDC: a keytab for the proxy's service
// principal HTTP/127.0.0.1 and a ticket cache holding a TGT and a service
// ticket made with it, as kinit and a first TGS exchange would leave. The
// client side then never needs the KDC; the proxy checks the AP-REQ with
// the keytab (gokrb5's service side), as squid's negotiate_kerberos_auth.
type krbFixture struct {
	kt *keytab.Keytab
}

func newKrbFixture(t *testing.T, expired bool) *krbFixture {
	t.Helper()
	dir := t.TempDir()
	kt := keytab.New()
	now := time.Now()
	for _, p := range []string{"HTTP/127.0.0.1", "krbtgt/" + krbTestRealm} {
		if err := kt.AddEntry(p, krbTestRealm, "pw-"+p, now, 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
			t.Fatal(err)
		}
	}
	end := now.Add(time.Hour)
	if expired {
		end = now.Add(-time.Minute)
	}
	alice := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "alice")
	var cc bytes.Buffer
	cc.Write([]byte{5, 4, 0, 0}) // version 4, no header fields
	writePrincipal(&cc, alice)
	for _, sname := range []types.PrincipalName{
		types.NewPrincipalName(nametype.KRB_NT_SRV_INST, "krbtgt/"+krbTestRealm),
		types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "HTTP/127.0.0.1"),
	} {
		tkt, key, err := messages.NewTicket(alice, krbTestRealm, sname, krbTestRealm, types.NewKrbFlags(), kt,
			etypeID.AES256_CTS_HMAC_SHA1_96, 1, now, now, end, end)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tkt.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		writePrincipal(&cc, alice)
		writePrincipal(&cc, sname)
		binary.Write(&cc, binary.BigEndian, uint16(key.KeyType))
		writeData(&cc, key.KeyValue)
		for _, ts := range []time.Time{now, now, end, end} {
			binary.Write(&cc, binary.BigEndian, uint32(ts.Unix()))
		}
		cc.Write([]byte{0, 0, 0, 0, 0})                // is_skey, ticket flags
		binary.Write(&cc, binary.BigEndian, uint64(0)) // no addresses, no authdata
		writeData(&cc, raw)
		writeData(&cc, nil) // second ticket
	}
	ccPath := filepath.Join(dir, "krb5cc")
	confPath := filepath.Join(dir, "krb5.conf")
	conf := "[libdefaults]\n default_realm = " + krbTestRealm + "\n dns_lookup_kdc = false\n" +
		"[realms]\n " + krbTestRealm + " = {\n  kdc = 127.0.0.1:1\n }\n"
	if err := os.WriteFile(ccPath, cc.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KRB5CCNAME", "FILE:"+ccPath)
	t.Setenv("KRB5_CONFIG", confPath)
	return &krbFixture{kt: kt}
}

func writePrincipal(b *bytes.Buffer, p types.PrincipalName) {
	binary.Write(b, binary.BigEndian, uint32(p.NameType))
	binary.Write(b, binary.BigEndian, uint32(len(p.NameString)))
	writeData(b, []byte(krbTestRealm))
	for _, s := range p.NameString {
		writeData(b, []byte(s))
	}
}

func writeData(b *bytes.Buffer, d []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(d)))
	b.Write(d)
}

// Negotiate from the ticket cache through a proxy that verifies the
// Kerberos AP-REQ with its keytab; NTLM and Basic offered too lose to it,
// as in Chromium.
func TestProxyAuthNegotiateTicketCache(t *testing.T) {
	f := newKrbFixture(t, false)
	t.Setenv(EnvProxyUsername, "")
	p := startAuthProxy(t, &authProxy{offer: []string{"Negotiate", "NTLM", `Basic realm="x"`}, keytab: f.kt})
	info, err := dialAuth(t, &Env{}, p)
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if info.Used != "Negotiate" || info.Source != sourceTicketCache {
		t.Errorf("used %q from %q, want Negotiate from the ticket cache", info.Used, info.Source)
	}
	if got := p.principal.Load(); got == nil || *got != "alice@"+krbTestRealm {
		t.Errorf("the proxy saw %v, want alice@%s", got, krbTestRealm)
	}
}

// An expired ticket is no ticket: the fix names kinit with the principal.
func TestProxyAuthNegotiateExpired(t *testing.T) {
	f := newKrbFixture(t, true)
	p := startAuthProxy(t, &authProxy{offer: []string{"Negotiate"}, keytab: f.kt})
	_, err := dialAuth(t, &Env{}, p)
	var ae *ProxyAuthError
	if !errors.As(err, &ae) || !ae.Unavailable || ae.Info.Fix != "run kinit alice@"+krbTestRealm {
		t.Fatalf("err = %v (%+v), want unavailable with 'run kinit alice@%s'", err, ae, krbTestRealm)
	}
}

// A ticket for another service is refused by the proxy: the logged-in
// user's own ticket refused is what the browser meets too (failed).
func TestProxyAuthNegotiateWrongKey(t *testing.T) {
	newKrbFixture(t, false)
	other := keytab.New()
	other.AddEntry("HTTP/127.0.0.1", krbTestRealm, "another password", time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96)
	p := startAuthProxy(t, &authProxy{offer: []string{"Negotiate"}, keytab: other})
	_, err := dialAuth(t, &Env{}, p)
	if status, reason := proxyAuthOutcome(err); status != "failed" || reason != result.ReasonProxyAuthRejected {
		t.Fatalf("err = %v: %s/%s, want failed/%s", err, status, reason, result.ReasonProxyAuthRejected)
	}
}

// FuzzParseCCache: a corrupt ticket cache is an error, never a panic.
func FuzzParseCCache(f *testing.F) {
	f.Add([]byte{5, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 'R', 'E', 'A', 'L', 0, 0, 0, 5, 'a', 'l', 'i', 'c', 'e'})
	f.Add([]byte{5, 4, 0, 12, 0, 1, 0, 8})
	f.Add([]byte{5, 3, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		cc, err := parseCCache(b)
		if err == nil && cc == nil {
			t.Fatal("no cache and no error")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
