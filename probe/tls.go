package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/rtcprobe/rtcprobe/result"
)

// publicCAOrgs are organisation names of widely trusted public CAs. An
// issuer outside this list is a hint (a heuristic, not proof) that an
// inspecting proxy re-signed the chain; the verdict combines it with "the
// same issuer for unrelated hosts".
var publicCAOrgs = []string{
	"DigiCert", "Let's Encrypt", "GlobalSign", "Sectigo", "Comodo", "GoDaddy",
	"Entrust", "Amazon", "Google Trust Services", "Microsoft", "Baltimore",
	"IdenTrust", "Starfield", "Certum", "Asseco", "Buypass", "SSL.com",
	"TrustAsia", "GeoTrust", "Thawte", "VeriSign", "Symantec", "QuoVadis",
	"WoTrus", "CFCA", "China Financial Certification Authority", "SecureTrust",
	"Internet Security Research Group", "Actalis", "HARICA", "Certigna",
	"Cloudflare", "ZeroSSL", "SHECA", "UniTrust", "Apple",
}

// isPublicIssuer reports whether the issuer's organisation looks like a
// public CA (see publicCAOrgs).
func isPublicIssuer(c *x509.Certificate, extra []string) bool {
	names := append(slices.Clone(c.Issuer.Organization), c.Issuer.CommonName)
	for _, n := range names {
		for _, org := range slices.Concat(publicCAOrgs, extra) {
			if org == "" {
				continue
			}
			if strings.Contains(strings.ToLower(n), strings.ToLower(org)) {
				return true
			}
		}
	}
	return false
}

// tlsFailure is a classified handshake failure.
type tlsFailure struct {
	status result.Status
	reason result.Reason
	step   string
	err    error
}

// tlsHandshake runs the client handshake with SNI host on conn, bounded by
// timeout (Timers.TLSHandshake), verifies the chain against env.RootCAs and
// returns the TLS connection and the chain's facts. On failure conn is
// closed.
func tlsHandshake(ctx context.Context, env *Env, conn net.Conn, host string, timeout time.Duration) (*tls.Conn, map[result.DetailKey]string, *tlsFailure) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Verification is done by hand after the handshake so that an
	// unverified chain still names its issuer (TLS inspection).
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		if ctx.Err() != nil || isTimeout(err) {
			return nil, nil, &tlsFailure{result.StatusBlocked, result.ReasonTimeout, "handshake", ctxOr(ctx, err)}
		}
		return nil, nil, &tlsFailure{result.StatusFailed, result.ReasonTLSHandshake, "handshake", err}
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		tc.Close()
		return nil, nil, &tlsFailure{result.StatusFailed, result.ReasonTLSHandshake, "handshake", errors.New("the server sent no certificate")}
	}
	d := chainDetails(certs, env.PublicIssuers)
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: env.RootCAs, Intermediates: inter})
	d[result.DetailVerified] = boolString(err == nil)
	if err != nil {
		tc.Close()
		return nil, d, &tlsFailure{result.StatusFailed, result.ReasonTLSVerify, "verify", err}
	}
	return tc, d, nil
}

// chainDetails names the leaf's subject and issuer and every issuer of the
// chain as sent.
func chainDetails(certs []*x509.Certificate, publicIssuers []string) map[result.DetailKey]string {
	leaf := certs[0]
	issuers := make([]string, len(certs))
	for i, c := range certs {
		issuers[i] = c.Issuer.String()
	}
	d := map[result.DetailKey]string{
		result.DetailSubject:      leaf.Subject.CommonName,
		result.DetailIssuer:       leaf.Issuer.CommonName,
		result.DetailIssuerOrg:    strings.Join(leaf.Issuer.Organization, ","),
		result.DetailIssuerChain:  strings.Join(issuers, " | "),
		result.DetailIssuerPublic: boolString(isPublicIssuer(leaf, publicIssuers)),
	}
	return d
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
