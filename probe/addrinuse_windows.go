//go:build windows

package probe

import "syscall"

// errWSAAddrInUse is WSAEADDRINUSE (10048): Windows' bind to a port in use.
var errWSAAddrInUse = syscall.Errno(10048)
