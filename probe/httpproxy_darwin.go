//go:build darwin

package probe

import (
	"context"
	"os/exec"
)

// systemProxySettings runs `scutil --proxy` (bounded by scutilTimeout) and
// reads the HTTPS proxy and the auto-config URL.
func systemProxySettings() (proxySettings, error) {
	ctx, cancel := context.WithTimeout(context.Background(), scutilTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "scutil", "--proxy").Output()
	if err != nil {
		return proxySettings{}, nil // no scutil: treat as no settings
	}
	return parseScutil(string(out)), nil
}
