//go:build darwin

package probe

import (
	"context"
	"os/exec"
)

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
