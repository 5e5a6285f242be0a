//go:build linux

package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// LabCAOrg is the organisation of the lab's CAs, which stand for the public
// web PKI (RTCPROBE_PUBLIC_CA_ORGS tells rtcprobe so).
const LabCAOrg = "rtcprobe lab"

// ca is the lab's certificate authority, made fresh for every run so no key
// outlives the test.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// parent is the signer of an intermediate, nil for the root.
	parent *ca
}

// certValidity covers any test run with margin for clock skew.
const certValidity = 24 * time.Hour

func newCA() (*ca, error) { return newSubCA(nil, "rtcprobe lab root CA") }

// newSubCA makes a root (parent nil) or an intermediate CA. The lab signs
// each family of hosts with its own intermediate, as the real web PKI
// does, so one issuer for unrelated hosts stays a sign of TLS inspection.
func newSubCA(parent *ca, name string) (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{LabCAOrg}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(certValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &ca{cert: cert, key: key, parent: parent}, err
}

// writeCA writes the CA certificate as PEM.
func (c *ca) write(path string) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}), 0o644)
}

// issue signs a server certificate for names and IPs and writes
// <dir>/<base>.crt and .key (PEM), returning their paths.
func (c *ca) issue(dir, base string, names []string, ips []string) (certPath, keyPath string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0], Organization: []string{LabCAOrg}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(certValidity),
		DNSNames:     names,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return "", "", err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certPath, keyPath = filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
	// The chain a server sends: leaf and intermediates, not the root.
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for p := c; p.parent != nil; p = p.parent {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})...)
	}
	if err := os.WriteFile(certPath, chain, 0o644); err != nil {
		return "", "", err
	}
	// Readable by the servers' unprivileged users (coturn, squid drop root);
	// the directory is the test's private temp dir and the key dies with it.
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o644); err != nil {
		return "", "", err
	}
	return certPath, keyPath, nil
}

// randomToken is a per-run secret (the lab TURN password).
func randomToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
