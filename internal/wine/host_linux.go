//go:build linux

package wine

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
)

// Loader is Debian's Wine 8 loader for 64-bit Windows programs.
const Loader = "/usr/lib/wine/wine64"

// PrefixEnv names the variable through which .ci/wine hands a set-up Wine
// prefix (one that can start Go's Windows binaries) to the Linux-side
// tests that run the Windows binary: the end-to-end run and the lab.
const PrefixEnv = "RTCPROBE_WINEPREFIX"

// ExeEnv and BinEnv name prebuilt rtcprobe binaries (windows/amd64 and the
// host's) that .ci/wine hands to the tests so each does not link its own.
const (
	ExeEnv = "RTCPROBE_WINE_EXE"
	BinEnv = "RTCPROBE_WINE_BIN"
)

// Prefix returns the set-up prefix, or an error saying in one line why
// there is none, for the test's skip message.
func Prefix() (string, error) {
	p := os.Getenv(PrefixEnv)
	if p == "" {
		return "", errors.New(PrefixEnv + " is not set (.ci/wine sets it after setting Wine up)")
	}
	if _, err := os.Stat(Loader); err != nil {
		return "", errors.New("no Wine loader at " + Loader)
	}
	dll := filepath.Join(p, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if _, err := os.Stat(dll); err != nil {
		return "", errors.New("the Wine prefix " + p + " lacks the bcryptprimitives.dll shim Go's binaries need")
	}
	return p, nil
}

// Clone copies prefix to dir, so that a process in another network
// namespace gets its own wineserver: a prefix's wineserver is shared by
// every process using the prefix, and it holds their sockets.
func Clone(ctx context.Context, prefix, dir string) error {
	out, err := exec.CommandContext(ctx, "cp", "-a", prefix, dir).CombinedOutput()
	if err != nil {
		return errors.New("copying the Wine prefix: " + string(out))
	}
	return nil
}

// Command runs exe under Wine with prefix: stdout, stderr and the exit
// code are the program's.
func Command(ctx context.Context, prefix, exe string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, Loader, append([]string{exe}, args...)...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all")
	return cmd
}

// WindowsPath is path as the Windows program sees it (Wine maps Z:\ to /).
func WindowsPath(path string) string {
	b := []byte("Z:" + path)
	for i, c := range b {
		if c == '/' {
			b[i] = '\\'
		}
	}
	return string(b)
}

// Stop ends prefix's wineserver (and so any program left in that prefix);
// for clones made with Clone, after their last program.
func Stop(prefix string) {
	cmd := exec.Command("/usr/lib/wine/wineserver", "-k")
	cmd.Env = append(os.Environ(), "WINEPREFIX="+prefix)
	_ = cmd.Run()
}
