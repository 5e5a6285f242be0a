package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
)

// TestIssueVerifies: a leaf under an intermediate verifies against the root
// alone for its names and IPs, and for nothing else; the chain carries the
// intermediate and not the root.
func TestIssueVerifies(t *testing.T) {
	root, err := NewCA("test root", "Test Org")
	if err != nil {
		t.Fatal(err)
	}
	mid, err := root.Sub("test intermediate", "Test Org")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := mid.Issue([]string{"ok.test", "*.wild.test"}, net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificate) != 2 {
		t.Fatalf("chain of %d certificates, want leaf and intermediate", len(cert.Certificate))
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	inter := x509.NewCertPool()
	inter.AddCert(mid.Cert)
	tests := []struct {
		name string
		ok   bool
	}{{"ok.test", true}, {"a.wild.test", true}, {"127.0.0.1", true}, {"other.test", false}, {"127.0.0.2", false}}
	for _, tt := range tests {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: tt.name, Roots: root.Pool(), Intermediates: inter})
		if (err == nil) != tt.ok {
			t.Errorf("verify for %s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if got := leaf.Issuer.Organization; len(got) != 1 || got[0] != "Test Org" {
		t.Errorf("issuer organisation %v, want [Test Org]", got)
	}
}

// TestPEM: the PEM pair loads back as a TLS key pair, and the CA's PEM
// parses into a pool.
func TestPEM(t *testing.T) {
	ca, err := NewCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(nil, net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	chain, key, err := PEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(chain, key); err != nil {
		t.Errorf("PEM pair does not load: %v", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(ca.PEM()) {
		t.Error("CA PEM does not parse")
	}
	if _, err := ca.Issue(nil); err == nil {
		t.Error("a certificate with neither name nor IP was issued")
	}
}
