//go:build !windows

package probe

import "syscall"

// errWSAAddrInUse is Windows' WSAEADDRINUSE; elsewhere EADDRINUSE covers it.
var errWSAAddrInUse = syscall.EADDRINUSE
