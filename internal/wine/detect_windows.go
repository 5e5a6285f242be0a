//go:build windows

package wine

import (
	"sync"
	"syscall"
)

// Detected reports whether this Windows process runs under Wine: Wine's
// ntdll.dll exports wine_get_version, which no Windows ntdll has (the check
// given on wine-devel for programs that must tell the two apart,
// https://www.winehq.org/pipermail/wine-devel/2008-September/069387.html).
// Nothing in rtcprobe itself asks: only tests, to name a Wine limitation.
var Detected = sync.OnceValue(func() bool {
	return syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})
