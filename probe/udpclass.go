package probe

import (
	"errors"
	"net"
	"syscall"
)

// udpRejected reports whether err from a connected UDP socket means the
// network answered with an ICMP error: port unreachable shows up as
// ECONNREFUSED on Linux and macOS (WSAECONNRESET on Windows, see
// udpclass_windows.go), host or network unreachable as EHOSTUNREACH and
// ENETUNREACH. Any of them is a definite "rejected" that needs no wait.
func udpRejected(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range icmpErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// icmpErrnos are the errors a socket reports after an ICMP unreachable.
var icmpErrnos = append([]error{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH}, platformICMPErrnos...)

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// syscallECONNREFUSED is a TCP RST (connection refused).
var syscallECONNREFUSED = syscall.ECONNREFUSED
