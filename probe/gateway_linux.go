//go:build linux

package probe

import (
	"io"
	"net/netip"
	"os"
)

// gatewayFor reads the IPv4 routing table (/proc/net/route, bounded) for
// the most specific route to dst on ifname: its gateway, or "on-link".
func gatewayFor(dst netip.Addr, ifname string) string {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	return routeGateway(string(b), dst, ifname)
}
