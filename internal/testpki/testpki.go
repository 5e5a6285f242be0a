// Package testpki issues throwaway certificates for the tests and the lab: a
// root CA, intermediates under it, and server certificates for names and
// IP addresses. Keys are P-256, made fresh each time, and never written
// anywhere the caller does not choose, so none outlives its test. The
// reflector's self-signed fallback for `serve` is production code and stays
// in reflector.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Validity: an hour back for clock skew between namespaces and processes,
// a day forward to cover any run.
const (
	backdate = time.Hour
	validity = 24 * time.Hour
)

// CA is a certificate authority: a root (NewCA) or an intermediate (Sub).
type CA struct {
	// Cert is the CA's certificate.
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// parent signed Cert; nil for a root.
	parent *CA
}

// NewCA makes a root CA whose subject is name and, when given, the
// organisation org (what rtcprobe reads to tell a public issuer from an
// inspecting proxy's).
func NewCA(name string, org ...string) (*CA, error) { return newCA(nil, name, org) }

// Sub makes an intermediate CA signed by c.
func (c *CA) Sub(name string, org ...string) (*CA, error) { return newCA(c, name, org) }

func newCA(parent *CA, name string, org []string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := template(pkix.Name{CommonName: name, Organization: org})
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.Cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: CA %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, key: key, parent: parent}, nil
}

// template is what every certificate here shares: a random serial and the
// validity window.
func template(subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	now := time.Now()
	return &x509.Certificate{SerialNumber: serial, Subject: subject,
		NotBefore: now.Add(-backdate), NotAfter: now.Add(validity)}
}

// Issue signs a server certificate for names (DNS names, wildcards allowed)
// and ips. The subject is the first name, or the first IP without names.
// The chain is what a server sends: the leaf and c's intermediates, not the
// root.
func (c *CA) Issue(names []string, ips ...net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	var cn string
	switch {
	case len(names) > 0:
		cn = names[0]
	case len(ips) > 0:
		cn = ips[0].String()
	default:
		return tls.Certificate{}, fmt.Errorf("testpki: a certificate needs a name or an IP")
	}
	tmpl := template(pkix.Name{CommonName: cn})
	tmpl.DNSNames, tmpl.IPAddresses = names, ips
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, &key.PublicKey, c.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testpki: certificate for %q: %w", cn, err)
	}
	chain := [][]byte{der}
	for p := c; p.parent != nil; p = p.parent {
		chain = append(chain, p.Cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key}, nil
}

// Pool is a certificate pool that trusts c (give it the root).
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Cert)
	return p
}

// PEM is c's certificate in PEM, for a CA file (SSL_CERT_FILE, --ca-file).
func (c *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// PEM encodes cert's chain and its private key (PKCS #8) for servers that
// read files (nginx, squid, coturn).
func PEM(cert tls.Certificate) (chain, key []byte, err error) {
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	return chain, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}
