// Package wine tells a test whether it runs under Wine rather than Windows.
//
// CI runs the Windows test binaries under Wine (.ci/wine). Wine runs the
// Windows code paths on the Linux host's network stack, so a few tests meet a
// Wine limitation, not a bug in rtcprobe; those call Skip with the limitation
// in one line. The list of callers is the list of what Wine cannot prove.
package wine

import "testing"

// Skip skips t when it runs under Wine, naming the Wine limitation.
func Skip(t testing.TB, limitation string) {
	t.Helper()
	if Detected() {
		t.Skip("under Wine: " + limitation)
	}
}
