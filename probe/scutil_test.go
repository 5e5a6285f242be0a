package probe

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
		file       string
		server     string
		pac        string
		autoDetect bool
		bypass     string
	}{
		{file: "default.txt", bypass: "*.local,169.254/16"},
		{file: "manual.txt", server: "https=proxy.corp.example:8443", bypass: "*.local,169.254/16,*.corp.example,<local>"},
		{file: "pac-only.txt", pac: "http://wpad.corp.example/wpad.dat"},
		// The scoped utun entry is not the configuration in force.
		{file: "vpn-scoped.txt", bypass: "*.local,169.254/16"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "scutil", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			s := parseScutilProxy(string(b))
			if s.Server != tt.server || s.PACURL != tt.pac || s.AutoDetect != tt.autoDetect || strings.Join(s.Bypass, ",") != tt.bypass {
				t.Errorf("parseScutilProxy = server %q pac %q auto %v bypass %q, want %q %q %v %q",
					s.Server, s.PACURL, s.AutoDetect, strings.Join(s.Bypass, ","), tt.server, tt.pac, tt.autoDetect, tt.bypass)
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
		if a, b := parseScutilProxy(out), parseScutilProxy(out); !reflect.DeepEqual(a, b) {
			t.Errorf("parseScutilProxy is not deterministic: %+v, %+v", a, b)
		}
	})
}
