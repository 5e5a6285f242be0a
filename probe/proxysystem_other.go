//go:build !windows && !darwin

package probe

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"
)

// gsettingsTimeout bounds each gsettings call (a hung D-Bus session
// must not hold the run).
const gsettingsTimeout = 2 * time.Second

// readSystemProxy asks GNOME (gsettings) when the desktop is GNOME-like,
// as Chromium's Linux reader does; no gsettings or another desktop means
// no settings (the environment variables were read before).
func readSystemProxy() (SystemProxy, error) {
	desk := strings.ToLower(os.Getenv("XDG_CURRENT_DESKTOP"))
	if !strings.Contains(desk, "gnome") && !strings.Contains(desk, "unity") && !strings.Contains(desk, "cinnamon") &&
		!strings.Contains(desk, "pantheon") && !strings.Contains(desk, "budgie") {
		return SystemProxy{Source: gsettingsSource}, nil
	}
	bin, err := exec.LookPath("gsettings")
	if err != nil {
		return SystemProxy{Source: gsettingsSource}, nil
	}
	vals := map[string]string{}
	for _, k := range gnomeProxyKeys {
		ctx, cancel := context.WithTimeout(context.Background(), gsettingsTimeout)
		out, err := exec.CommandContext(ctx, bin, "get", k[0], k[1]).Output()
		cancel()
		if err != nil {
			if k[1] == "mode" {
				break // schema absent: nothing else to read
			}
			continue
		}
		vals[k[0]+" "+k[1]] = strings.TrimSpace(string(out))
	}
	return gnomeProxy(vals), nil
}
