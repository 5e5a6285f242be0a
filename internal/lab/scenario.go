//go:build linux

package lab

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

//go:embed scenarios/*.json
var scenarioFiles embed.FS

// Scenario is one firewall policy of the lab and what the SDK would do
// behind it (the expected verdict). Files: internal/lab/scenarios/*.json.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Firewall is the forward chain of the corporate firewall.
	Firewall Policy `json:"firewall"`
	// Cloud are rules on the cloud's own input/output ("input ...",
	// "output ..."), e.g. to close the TURN relay ports on the TURN host.
	Cloud []string `json:"cloud"`
	// DNS are extra dnsmasq lines for the corporate resolver (tampering).
	DNS []string `json:"dns"`
	// Env is the laptop's environment for rtcprobe (HTTPS_PROXY...).
	Env map[string]string `json:"env"`
	// Proxy is the SDK's enterRoom({proxy}) object written to a file and
	// given with --proxy; absent means DefaultProxy, null means none.
	// ${TURN_PASSWORD} is replaced by the lab's TURN password.
	Proxy json.RawMessage `json:"proxy"`
	// Args are extra flags for rtcprobe check.
	Args []string `json:"args"`
	// Reflector is the --reflector host; "" means ReflectorName, "none"
	// means no reflector.
	Reflector string `json:"reflector"`
	// ExtraCA names roots given with --ca-file (added locally, like a
	// company's inspection CA): "mitmproxy". The lab root is always trusted
	// as a system root (SSL_CERT_FILE).
	ExtraCA []string `json:"extraCA"`
	// Needs names an optional tool the scenario needs ("mitmdump"); the
	// scenario is skipped, saying so, when it is missing.
	Needs string `json:"needs"`
	// Policies are managed browser policy files in the laptop's view,
	// by path below the filesystem root ("etc/chromium/policies/managed/
	// webrtc.json", "etc/firefox/policies/policies.json") with their JSON
	// content. rtcprobe reads them through RTCPROBE_POLICY_ROOT (the lab
	// never writes the real /etc); Chromium's ground truth gets them by a
	// bind mount in its own mount namespace.
	Policies map[string]json.RawMessage `json:"policies"`
	// CompareServe: run again with rtcprobe serve as the reflector and
	// expect the same verdict (issue 5).
	CompareServe bool `json:"compareServe"`
	// PAC is the corporate proxy auto-config script the scenario serves
	// as http://wpad.corp.lab.test/proxy.pac and /wpad.dat (placeholders
	// as in Expand); "" serves one that answers DIRECT. The scenario's
	// env (auto_proxy) or args (--pac) make rtcprobe use it.
	PAC string `json:"pac"`
	// Kinit: the laptop user has a Kerberos ticket (kinit) for the
	// Negotiate proxy; otherwise the lab's ticket cache is empty.
	Kinit  bool   `json:"kinit"`
	Expect Expect `json:"expect"`
}

// Expect is what the SDK/browser would do behind the scenario's firewall.
// Values may list alternatives separated by "|" where the product has not
// fixed a choice (say why in the scenario's description).
type Expect struct {
	Signaling         string            `json:"signaling"`
	Media             string            `json:"media"`
	FirewallError5501 bool              `json:"firewallError5501"`
	Outcome           string            `json:"outcome"`
	Paths             map[string]string `json:"paths"`
	// Uncounted are the paths the SDK would not use even if they work
	// (Path.Counts false); every other path must count.
	Uncounted []string `json:"uncounted"`
	// Remediation is the exact set of "protocol/port" the rules must cover.
	Remediation []string `json:"remediation"`
	// Findings are finding codes that must be present.
	Findings []string `json:"findings"`
	// NotFindings are finding codes that must be absent (false alarms the
	// scenario could provoke, such as payload filtering under loss).
	NotFindings []string `json:"notFindings"`
	// Policy, when set, must appear in verdict.policy (the managed browser
	// policy that decided).
	Policy string `json:"policy"`
	// Probes maps a probe ID pattern (path.Match) to "status" or
	// "status/reason"; every matching probe must agree, and at least one
	// must match.
	Probes map[string]string `json:"probes"`
}

// DefaultProxy is the proxy object of most scenarios: the lab TURN server
// over UDP and TCP on 3478 and over TLS on 443.
const DefaultProxy = `{"turnServer": [
  {"url": "turn:turn.lab.test:3478", "username": "lab", "credential": "${TURN_PASSWORD}"},
  {"url": "turns:turn.lab.test:443", "username": "lab", "credential": "${TURN_PASSWORD}"}]}`

// Scenarios returns every scenario file, sorted by name.
func Scenarios() ([]Scenario, error) {
	entries, err := scenarioFiles.ReadDir("scenarios")
	if err != nil {
		return nil, err
	}
	var out []Scenario
	for _, e := range entries {
		b, err := scenarioFiles.ReadFile(path.Join("scenarios", e.Name()))
		if err != nil {
			return nil, err
		}
		var s Scenario
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("scenarios/%s: %w", e.Name(), err)
		}
		if s.Name+".json" != e.Name() {
			return nil, fmt.Errorf("scenarios/%s: name %q does not match the file name", e.Name(), s.Name)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Apply sets the lab up for the scenario: firewall, cloud rules, DNS.
func (l *Lab) Apply(s Scenario) error {
	if err := l.ApplyFirewall(s.Firewall); err != nil {
		return err
	}
	if err := l.ApplyCloudFirewall(s.Cloud); err != nil {
		return err
	}
	pac := s.PAC
	if pac == "" {
		pac = defaultPAC
	}
	if err := l.SetPAC(pac); err != nil {
		return err
	}
	if err := l.applyAuth(s); err != nil {
		return err
	}
	return l.SetCorporateDNS(s.DNS)
}

// Expand replaces the lab's placeholders in a scenario string:
// ${TURN_PASSWORD}, ${SQUID}, ${SQUID_OPEN}, ${SQUID_DENY}, ${MITM}; for
// PAC scripts ${SQUID_HP}, ${SQUID_DENY_HP}, ${DEAD_PROXY_HP} (host:port)
// and ${PAC_URL}.
func (l *Lab) Expand(s string) string {
	proxy := func(port int) string { return "http://" + FirewallLAN + ":" + strconv.Itoa(port) }
	return os.Expand(s, func(k string) string {
		switch k {
		case "TURN_PASSWORD":
			return l.secret
		case "SQUID":
			return proxy(squidPort)
		case "SQUID_OPEN":
			return proxy(squidOpenPort)
		case "SQUID_DENY":
			return proxy(squidDenyPort)
		case "MITM":
			return proxy(mitmproxyPort)
		case "SQUID_HP", "SQUID_DENY_HP", "DEAD_PROXY_HP":
			// host:port as a PAC script writes a proxy.
			port := map[string]int{"SQUID_HP": squidPort, "SQUID_DENY_HP": squidDenyPort, "DEAD_PROXY_HP": deadProxyPort}[k]
			return FirewallLAN + ":" + strconv.Itoa(port)
		case "PAC_URL":
			return "http://" + wpadName + "/proxy.pac"
		}
		if v, ok := l.authExpand(k); ok {
			return v
		}
		return "${" + k + "}"
	})
}

// WritePolicies writes the scenario's policy files below root. Every run
// gets a root, empty when the scenario has no policy: the laptop then has
// none, whatever the machine running the lab has in /etc.
func (s Scenario) WritePolicies(root string) error {
	for rel, content := range s.Policies {
		clean := path.Clean(rel)
		if path.IsAbs(clean) || strings.HasPrefix(clean, "..") {
			return fmt.Errorf("policy path %q must be relative to the root", rel)
		}
		p := filepath.Join(root, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// PortRangePolicy reports whether a policy of the scenario sets
// WebRtcUdpPortRange (the probes then send from those ports only).
func (s Scenario) PortRangePolicy() bool {
	for _, c := range s.Policies {
		if strings.Contains(string(c), "WebRtcUdpPortRange") {
			return true
		}
	}
	return false
}

// RandomLoss reports whether the scenario's firewall drops datagrams at
// random (an nftables numgen rule): its outcome is then a matter of
// chance, however small.
func (s Scenario) RandomLoss() bool {
	for _, r := range s.Firewall.Rules {
		if strings.Contains(r, "numgen random") {
			return true
		}
	}
	return false
}

// PolicyProxy returns the ProxyServer of a Chromium policy file of the
// scenario with ProxyMode fixed_servers, "" when none: the proxy the
// browser uses, for the oracle's curl.
func (s Scenario) PolicyProxy() string {
	for _, c := range s.Policies {
		var p struct{ ProxyMode, ProxyServer string }
		if json.Unmarshal(c, &p) == nil && p.ProxyMode == "fixed_servers" && p.ProxyServer != "" {
			return p.ProxyServer
		}
	}
	return ""
}
