//go:build linux

package lab

import (
	"os"
	"path/filepath"
	"strconv"
)

// The corporate proxy auto-config: nginx on the firewall host serves the
// scenario's PAC script as http://wpad.corp.lab.test/proxy.pac and, for
// WPAD, /wpad.dat; the corporate resolver answers wpad.corp.lab.test and
// the laptop's search domain is eng.corp.lab.test, so auto-detect walks
// wpad.eng.corp.lab.test (no answer), then wpad.corp.lab.test.
const (
	// wpadName is the WPAD host the corporate resolver answers.
	wpadName = "wpad.corp.lab.test"
	// searchDomain is the laptop's DNS search domain.
	searchDomain = "eng.corp.lab.test"
	// pacPort serves the PAC (WPAD is always port 80).
	pacPort = 80
	// deadProxyPort is a port on the firewall where nothing listens: a
	// proxy that is down (connections are refused).
	deadProxyPort = 3999
	// defaultPAC is served until a scenario sets its own.
	defaultPAC = "function FindProxyForURL(url, host) { return \"DIRECT\"; }\n"
)

// pacDir is where nginx-pac serves from.
func (l *Lab) pacDir() string { return filepath.Join(l.Dir, "pac") }

// startPACServer runs nginx-pac on the firewall's LAN address.
func (l *Lab) startPACServer() ([]listener, error) {
	if err := os.MkdirAll(l.pacDir(), 0o755); err != nil {
		return nil, err
	}
	if err := l.SetPAC(defaultPAC); err != nil {
		return nil, err
	}
	data := map[string]string{"Dir": l.Dir, "Base": "nginx-pac", "Name": wpadName, "IP": FirewallLAN,
		"Port": strconv.Itoa(pacPort), "Root": l.pacDir()}
	path, err := l.render("nginx-pac.conf.tmpl", "nginx-pac.conf", data)
	if err != nil {
		return nil, err
	}
	p, err := l.StartProcess(Firewall, "nginx-pac", nil, "nginx", "-c", path, "-e", filepath.Join(l.Dir, "nginx-pac-error.log"))
	if err != nil {
		return nil, err
	}
	return []listener{{Firewall, "tcp", FirewallLAN + ":" + strconv.Itoa(pacPort), p}}, nil
}

// SetPAC serves script (placeholders expanded, see Expand) as
// /proxy.pac and /wpad.dat.
func (l *Lab) SetPAC(script string) error {
	body := []byte(l.Expand(script))
	for _, name := range []string{"proxy.pac", "wpad.dat"} {
		if err := os.WriteFile(filepath.Join(l.pacDir(), name), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
