//go:build darwin

package probe

import (
	"context"
	"os/exec"
	"time"
)

// scutilTimeout bounds reading the macOS proxy settings. It is not one of
// the Timers: the settings are read before a plan exists.
const scutilTimeout = 2 * time.Second

// readSystemProxy runs `scutil --proxy` (bounded by scutilTimeout).
func readSystemProxy() (SystemProxy, error) {
	ctx, cancel := context.WithTimeout(context.Background(), scutilTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "scutil", "--proxy").Output()
	if err != nil {
		return SystemProxy{Source: scutilSource}, nil // no scutil: no settings
	}
	return parseScutilProxy(string(out)), nil
}
