// Package catalog is the embedded description of what the TRTC Web SDK
// needs from the network: hosts per region, media ports, the domains the
// vendor tells firewalls to allow, and the TURN ports browsers accept. It is
// data (catalog.json), so a new SDK release is a data change, not a code
// change. Facts and their sources: docs/facts.md.
package catalog

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ErrCatalog: the embedded catalog is invalid (a build problem).
var ErrCatalog = errors.New("catalog: invalid")

//go:embed catalog.json
var catalogJSON []byte

// Catalog is the embedded description of the TRTC Web SDK's network needs.
// A new SDK release is a change of catalog.json, not of code.
type Catalog struct {
	Source            string              `json:"source"`
	SDKVersion        string              `json:"sdkVersion"`
	MainlandAppIDFrom int64               `json:"mainlandAppIdFrom"`
	MediaPorts        []int               `json:"mediaPorts"`
	Regions           map[string]Region   `json:"regions"`
	AllowDomains      map[string][]string `json:"allowDomains"`
	BrowserTURNPorts  struct {
		Allowed     []int `json:"allowed"`
		AllowedFrom int   `json:"allowedFrom"`
	} `json:"browserTURNPorts"`
}

// Region lists the endpoints the SDK uses for one kind of app.
type Region struct {
	Endpoints []Endpoint `json:"endpoints"`
}

// Endpoint is one HTTPS or WebSocket endpoint of the SDK.
type Endpoint struct {
	// Role is "schedule", "signaling", "logger" or "legacy".
	Role string `json:"role"`
	URL  string `json:"url"`
}

// Region names.
const (
	RegionMainland      = "mainland"
	RegionInternational = "international"
)

// Load returns the embedded catalog.
func Load() (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(catalogJSON, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalog, err)
	}
	return &c, nil
}

// RegionsFor returns the regions the SDK would use for an SDKAppID; 0 means
// unknown, so both.
func (c *Catalog) RegionsFor(sdkAppID int64) []string {
	switch {
	case sdkAppID <= 0:
		return []string{RegionMainland, RegionInternational}
	case sdkAppID >= c.MainlandAppIDFrom:
		return []string{RegionMainland}
	default:
		return []string{RegionInternational}
	}
}

// BrowserUsesTURNPort reports whether libwebrtc accepts a TURN server on
// this port (TurnPort::AllowedTurnPort: 53, 80, 443 and >= 1024).
func (c *Catalog) BrowserUsesTURNPort(port int) bool {
	return port >= c.BrowserTURNPorts.AllowedFrom || slices.Contains(c.BrowserTURNPorts.Allowed, port)
}
