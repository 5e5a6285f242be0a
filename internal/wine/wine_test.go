package wine

import (
	"os"
	"runtime"
	"testing"
)

// TestDetected checks the detection against what CI says it ran: .ci/wine
// sets RTCPROBE_UNDER_WINE=1 (the variable reaches the Windows process
// through Wine's environment), so a detection that never fires, or fires on
// Linux, fails here.
func TestDetected(t *testing.T) {
	want := os.Getenv("RTCPROBE_UNDER_WINE") == "1"
	if runtime.GOOS != "windows" {
		want = false
	}
	if got := Detected(); got != want {
		t.Errorf("Detected() = %v on %s, want %v (RTCPROBE_UNDER_WINE=%q)", got, runtime.GOOS, want, os.Getenv("RTCPROBE_UNDER_WINE"))
	}
}
