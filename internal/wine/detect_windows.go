//go:build windows

package wine

import (
	"sync"
	"syscall"
)

// Detected reports whether this Windows process runs under Wine: Wine's
// ntdll.dll exports wine_get_version, which no Windows ntdll has (the check
// WineHQ's FAQ suggests for programs that must tell the two apart).
var Detected = sync.OnceValue(func() bool {
	return syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})
