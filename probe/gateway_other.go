//go:build !linux

package probe

import "net/netip"

// gatewayFor: only Linux exposes its routing table as a file; elsewhere
// the interface and source address are reported without the gateway.
func gatewayFor(netip.Addr, string) string { return "" }
