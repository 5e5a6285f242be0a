//go:build !windows

package probe

import "net"

// reportPortUnreachable: Linux and macOS report an ICMP port unreachable on
// a connected UDP socket (ECONNREFUSED) without being asked.
func reportPortUnreachable(net.Conn) {}
