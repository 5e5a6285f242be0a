//go:build windows

package probe

import (
	"errors"
	"net"
	"syscall"
	"unsafe"
)

// reportPortUnreachable turns SIO_UDP_CONNRESET back on for a probe's
// connected UDP socket, so that an ICMP port unreachable answering one of
// our datagrams fails the next receive with WSAECONNRESET, as ECONNREFUSED
// does on Linux: a closed or rejected UDP port is then "rejected", not a
// timeout, and the same firewall gets the same verdict on both systems.
//
// Go's net package turns the ioctl off on every UDP socket it creates
// (net/fd_windows.go, "Disable reporting of PORT_UNREACHABLE errors",
// https://go.dev/issue/5834), because an unconnected server socket would
// otherwise fail its reads for ICMP errors caused by any peer. Our sockets
// are connected to one destination, so the error can only be about it.
// Microsoft documents the ioctl in "Winsock IOCTLs" (SIO_UDP_CONNRESET:
// "controls whether UDP PORT_UNREACHABLE messages are reported", TRUE to
// report; https://learn.microsoft.com/en-us/windows/win32/winsock/winsock-ioctls)
// and the behaviour it restores in KB263823 ("WinSock recvfrom() now
// returns WSAECONNRESET instead of blocking or timing out").
//
// Wine 8 accepts the ioctl as a stub (with WINEDEBUG=fixme+all Debian's
// wine 8.0 logs "fixme:winsock:WSAIoctl SIO_UDP_CONNRESET stub"): its
// sockets are the host's, so Linux's ECONNREFUSED comes back as
// WSAECONNREFUSED whatever the setting, or not at all when the error was
// already consumed. udpRejected accepts both codes. Failure to set it is not fatal: the probe then waits
// for its timeout, as before.
func reportPortUnreachable(c net.Conn) {
	_ = setUDPConnReset(c, true)
}

// setUDPConnReset sets SIO_UDP_CONNRESET on c's socket.
func setUDPConnReset(c net.Conn, on bool) error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return errors.New("not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	flag := uint32(0)
	if on {
		flag = 1
	}
	var ioctlErr error
	err = rc.Control(func(fd uintptr) {
		var ret uint32
		ioctlErr = syscall.WSAIoctl(syscall.Handle(fd), syscall.SIO_UDP_CONNRESET,
			(*byte)(unsafe.Pointer(&flag)), uint32(unsafe.Sizeof(flag)), nil, 0, &ret, nil, 0)
	})
	if err != nil {
		return err
	}
	return ioctlErr
}
