package probe

import (
	"os"
	"path/filepath"
	"testing"
)

// TestParseScutilFixtures reads `scutil --proxy` output as macOS prints it:
// the defaults of a new Mac (with the per-interface __SCOPED__ copy), a
// manual proxy from System Settings, an auto-config URL alone (the shape
// posted from a managed Mac in httptoolkit/httptoolkit#151), and a VPN
// whose utun interface carries its own proxy in __SCOPED__ only. macOS
// cannot run here, so these fixtures are what stands for it.
func TestParseScutilFixtures(t *testing.T) {
	for _, tt := range []struct {
		file string
		want proxySettings
	}{
		{"default.txt", proxySettings{}},
		{"manual.txt", proxySettings{proxy: "proxy.corp.example:8443"}},
		{"pac-only.txt", proxySettings{pac: "http://wpad.corp.example/wpad.dat"}},
		// The scoped utun entry is not the configuration in force.
		{"vpn-scoped.txt", proxySettings{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "scutil", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := parseScutil(string(b)); got != tt.want {
				t.Errorf("parseScutil = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzParseScutil: scutil's output is outside input; any of it must parse
// without a panic, and the same way twice.
func FuzzParseScutil(f *testing.F) {
	for _, name := range []string{"default.txt", "manual.txt", "pac-only.txt", "vpn-scoped.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "scutil", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, out string) {
		if a, b := parseScutil(out), parseScutil(out); a != b {
			t.Errorf("parseScutil is not deterministic: %+v, %+v", a, b)
		}
	})
}
