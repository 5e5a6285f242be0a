package probe

import (
	"context"
	"crypto/x509"
	"net"
	"time"
)

// Env is the network, resolver and clock the probes use. The zero value uses
// the real ones; tests inject loopback servers through it.
type Env struct {
	// Dial opens TCP connections. Nil means a net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// ListenPacket opens UDP sockets. Nil means net.ListenConfig.
	ListenPacket func(ctx context.Context, network, address string) (net.PacketConn, error)
	// Resolver is the system resolver, what the browser uses. Nil means
	// net.DefaultResolver.
	Resolver *net.Resolver
	// Nameservers are host:port addresses queried directly (miekg/dns) to tell
	// NXDOMAIN, SERVFAIL and timeouts apart. Nil means the system's configured
	// nameservers (resolv.conf); empty non-nil means none.
	Nameservers []string
	// LoopbackAnswers, when true, accepts DNS answers on loopback as real
	// (tests whose servers listen on 127.0.0.1). Otherwise a public name
	// that resolves only to loopback is reported sinkholed.
	LoopbackAnswers bool
	// RootCAs verifies TLS chains. Nil means the system roots.
	RootCAs *x509.CertPool
	// PublicIssuers are issuer organisations to count as public CAs besides
	// the built-in list (publicCAOrgs): a company CA that legitimately
	// signs a Solution-2 proxy's certificates, or a lab's stand-in for the
	// web PKI. Their certificates are never called TLS inspection.
	PublicIssuers []string
	// SearchDomains are the DNS search domains WPAD walks up. Nil means
	// the system's (resolv.conf; the TCP/IP parameters on Windows).
	SearchDomains []string
	// ProxyUsername and ProxyPassword are a typed identity for Basic and
	// NTLM proxy authentication (from a prompt). Empty means the
	// environment's RTCPROBE_PROXY_USERNAME and RTCPROBE_PROXY_PASSWORD.
	ProxyUsername string
	ProxyPassword Secret
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

func (e *Env) dial(ctx context.Context, network, address string) (net.Conn, error) {
	if e.Dial != nil {
		return e.Dial(ctx, network, address)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

func (e *Env) listenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	if e.ListenPacket != nil {
		return e.ListenPacket(ctx, network, address)
	}
	var lc net.ListenConfig
	return lc.ListenPacket(ctx, network, address)
}

func (e *Env) resolver() *net.Resolver {
	if e.Resolver != nil {
		return e.Resolver
	}
	return net.DefaultResolver
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
