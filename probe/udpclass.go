package probe

import (
	"errors"
	"net"
	"syscall"
)

// The socket errors below decide verdicts, so each is matched by its POSIX
// errno (Linux, macOS) and by its Windows Sockets code. Go's syscall package
// on Windows returns the raw WSA code (syscall.Errno(10061) for a refused
// connect), and errors.Is(err, syscall.ECONNREFUSED) does not match it:
// there syscall.ECONNREFUSED is an invented number no call returns. The
// Windows codes are plain numbers here so that the classification is one
// table on every platform (and its tests run on Linux too); no Unix call
// returns an errno in the 10000 range.
//
// Source for every code: Microsoft, "Windows Sockets Error Codes",
// https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2
//
// WSAECONNABORTED (10053) and a WSAECONNRESET on an established TCP
// connection get no verdict of their own, as ECONNABORTED and ECONNRESET
// get none on Linux: the probe fails at the step it was in.
const (
	// wsaeMsgSize (10040): "the message was too large to fit into the
	// specified buffer and was truncated" (recv, recvfrom, WSARecvFrom:
	// https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom).
	// Linux truncates silently instead and returns the buffer's length.
	wsaeMsgSize = syscall.Errno(10040)
	// wsaeNetUnreach (10051) and wsaeHostUnreach (10065): an ICMP net or
	// host unreachable, as ENETUNREACH and EHOSTUNREACH.
	wsaeNetUnreach  = syscall.Errno(10051)
	wsaeHostUnreach = syscall.Errno(10065)
	// wsaeConnReset (10054): on TCP an RST after the connection was set up
	// (ECONNRESET); on a UDP socket, per recvfrom's documentation, "a
	// previous send operation resulted in an ICMP Port Unreachable
	// message" (ECONNREFUSED on Linux), reported only while
	// SIO_UDP_CONNRESET is on (udpclass_windows.go).
	// https://learn.microsoft.com/en-us/windows/win32/api/winsock/nf-winsock-recvfrom
	wsaeConnReset = syscall.Errno(10054)
	// wsaeTimedOut (10060): the stack gave up (TCP SYN retries), as
	// ETIMEDOUT. Go's Errno.Timeout() on Windows does not include it.
	wsaeTimedOut = syscall.Errno(10060)
	// wsaeConnRefused (10061): "No connection could be made because the
	// target computer actively refused it": the RST answering a SYN.
	// Wine 8 also returns it from a receive on a connected UDP socket after
	// an ICMP port unreachable (seen here: "wsarecv: Connection refused.",
	// the host's ECONNREFUSED passed through); Windows itself reports that
	// case as wsaeConnReset.
	wsaeConnRefused = syscall.Errno(10061)
)

// udpRejected reports whether err from a connected UDP socket means the
// network answered with an ICMP error: port unreachable shows up as
// ECONNREFUSED on Linux and macOS, as WSAECONNRESET on Windows (WSAECONNREFUSED
// under Wine), host or network unreachable as EHOSTUNREACH and ENETUNREACH
// (WSAEHOSTUNREACH, WSAENETUNREACH). Any of them is a definite "rejected"
// that needs no wait.
func udpRejected(err error) bool {
	return errIsAny(err, icmpErrnos)
}

// icmpErrnos are the errors a socket reports after an ICMP unreachable.
var icmpErrnos = []error{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
	wsaeConnReset, wsaeConnRefused, wsaeNetUnreach, wsaeHostUnreach}

// connRefused reports whether a TCP connect was answered with an RST:
// ECONNREFUSED, or WSAECONNREFUSED on Windows.
func connRefused(err error) bool {
	return errIsAny(err, []error{syscall.ECONNREFUSED, wsaeConnRefused})
}

// datagramTooBig reports whether a UDP read failed only because the
// datagram was larger than the buffer. Windows says so with WSAEMSGSIZE
// and fills the buffer with the datagram's head; Linux and macOS fill the
// buffer without an error, so callers also check n against the buffer.
func datagramTooBig(err error) bool {
	return errors.Is(err, wsaeMsgSize)
}

// isTimeout reports whether err is a deadline expiry, or the stack's own
// give-up (ETIMEDOUT, WSAETIMEDOUT): either way nothing answered.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errIsAny(err, []error{syscall.ETIMEDOUT, wsaeTimedOut})
}

func errIsAny(err error, targets []error) bool {
	if err == nil {
		return false
	}
	for _, e := range targets {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
