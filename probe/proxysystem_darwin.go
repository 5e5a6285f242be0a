//go:build darwin

package probe

import (
	"context"
	"os/exec"
	"time"
)

// scutilTimeout bounds reading the macOS proxy settings. It lives here, not
// in timeouts.go, because only the darwin build reads it (staticcheck's
// U1000 flags it on every other platform).
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
