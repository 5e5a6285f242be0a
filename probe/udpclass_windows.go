//go:build windows

package probe

import "syscall"

// platformICMPErrnos: Windows reports an ICMP port unreachable on a UDP
// socket as WSAECONNRESET on the next receive.
var platformICMPErrnos = []error{syscall.WSAECONNRESET, syscall.Errno(10051), syscall.Errno(10065)}
