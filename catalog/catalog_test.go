package catalog

import (
	"net/url"
	"slices"
	"testing"
)

func TestLoadMatchesFacts(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// docs/facts.md: UDP 8000, 8080, 8800, 843, 443, 16285.
	if want := []int{8000, 8080, 8800, 843, 443, 16285}; !slices.Equal(c.MediaPorts, want) {
		t.Errorf("MediaPorts = %v, want %v", c.MediaPorts, want)
	}
	for _, region := range []string{RegionMainland, RegionInternational} {
		r, ok := c.Regions[region]
		if !ok {
			t.Fatalf("region %s missing", region)
		}
		roles := map[string]int{}
		for _, ep := range r.Endpoints {
			u, err := url.Parse(ep.URL)
			if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "wss") {
				t.Errorf("%s: endpoint %q is not an https/wss URL", region, ep.URL)
			}
			roles[ep.Role]++
		}
		for _, role := range []string{"schedule", "signaling", "logger"} {
			if roles[role] == 0 {
				t.Errorf("%s: no %s endpoint", region, role)
			}
		}
		if len(c.AllowDomains[region]) == 0 {
			t.Errorf("%s: no allow domains", region)
		}
	}
}

func TestRegionsFor(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id   int64
		want []string
	}{
		{0, []string{RegionMainland, RegionInternational}},
		{1400000000, []string{RegionMainland}},
		{1400188366, []string{RegionMainland}},
		{1399999999, []string{RegionInternational}},
		{20000001, []string{RegionInternational}},
	}
	for _, tt := range tests {
		if got := c.RegionsFor(tt.id); !slices.Equal(got, tt.want) {
			t.Errorf("RegionsFor(%d) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestBrowserUsesTURNPort(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// libwebrtc TurnPort::AllowedTurnPort: 53, 80, 443 and >= 1024.
	for port, want := range map[int]bool{53: true, 80: true, 443: true, 843: false, 1023: false, 1024: true, 3478: true, 5349: true, 22: false} {
		if got := c.BrowserUsesTURNPort(port); got != want {
			t.Errorf("BrowserUsesTURNPort(%d) = %v, want %v", port, got, want)
		}
	}
}
