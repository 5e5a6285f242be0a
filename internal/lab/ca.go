//go:build linux

package lab

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"

	"github.com/rtcprobe/rtcprobe/internal/testpki"
)

// LabCAOrg is the organisation of the lab's CAs, which stand for the public
// web PKI (RTCPROBE_PUBLIC_CA_ORGS tells rtcprobe so).
const LabCAOrg = "rtcprobe lab"

// ca is one of the lab's certificate authorities (internal/testpki), made
// fresh for every run so no key outlives the test.
type ca struct{ *testpki.CA }

func newCA() (*ca, error) {
	c, err := testpki.NewCA("rtcprobe lab root CA", LabCAOrg)
	return &ca{c}, err
}

// newSubCA makes an intermediate CA. The lab signs each family of hosts
// with its own intermediate, as the real web PKI does, so one issuer for
// unrelated hosts stays a sign of TLS inspection.
func newSubCA(parent *ca, name string) (*ca, error) {
	c, err := parent.Sub(name, LabCAOrg)
	return &ca{c}, err
}

// write writes the CA certificate as PEM.
func (c *ca) write(path string) error { return os.WriteFile(path, c.PEM(), 0o644) }

// issue signs a server certificate for names and IPs and writes
// <dir>/<base>.crt (the chain a server sends: leaf and intermediates) and
// .key (PEM), returning their paths.
func (c *ca) issue(dir, base string, names []string, ips []string) (certPath, keyPath string, err error) {
	var addrs []net.IP
	for _, ip := range ips {
		addrs = append(addrs, net.ParseIP(ip))
	}
	cert, err := c.Issue(names, addrs...)
	if err != nil {
		return "", "", err
	}
	chain, key, err := testpki.PEM(cert)
	if err != nil {
		return "", "", err
	}
	certPath, keyPath = filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
	if err := os.WriteFile(certPath, chain, 0o644); err != nil {
		return "", "", err
	}
	// Readable by the servers' unprivileged users (coturn, squid drop root);
	// the directory is the test's private temp dir and the key dies with it.
	if err := os.WriteFile(keyPath, key, 0o644); err != nil {
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
