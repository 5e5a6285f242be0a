package probe

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/rtcprobe/rtcprobe/result"
)

// BrowserProxyPolicy is the proxy part of the browser's managed policies
// (Chrome and Edge ProxyMode, ProxyServer, ProxyPacUrl, ProxyBypassList,
// ProxyPacMandatory). The policy reader fills it; discovery only consumes
// it. Empty fields are unset policies.
type BrowserProxyPolicy struct {
	// Mode is ProxyMode: "direct", "auto_detect", "pac_script",
	// "fixed_servers" or "system" ("" = unset).
	Mode       string
	Server     string
	PacURL     string
	BypassList string
	// PacMandatory is ProxyPacMandatory: a PAC that fails blocks every
	// request instead of going DIRECT.
	PacMandatory bool
	// Source names where the policy was read (a registry key, a plist, a
	// JSON file), for the report.
	Source string
}

// set reports whether the policy decides the proxy at all. Chrome ignores
// the other proxy policies when ProxyMode is "system" or unset with
// neither a server nor a PAC URL.
func (p *BrowserProxyPolicy) set() bool {
	if p == nil {
		return false
	}
	switch p.Mode {
	case "direct", "auto_detect", "pac_script", "fixed_servers":
		return true
	case "":
		return p.PacURL != "" || p.Server != ""
	}
	return false
}

// SystemProxy is what one OS source says about proxies, in Chromium's
// terms: auto-detect (WPAD), a PAC URL and manual servers may all be set;
// the browser tries them in that order.
type SystemProxy struct {
	// Source names the settings read ("HKCU\...\Internet Settings",
	// "scutil --proxy", "gsettings org.gnome.system.proxy").
	Source     string
	AutoDetect bool
	PACURL     string
	// Server is the manual proxy as the settings write it: "host:port"
	// for every scheme, or per scheme "http=a:1;https=b:2".
	Server string
	// Bypass are hosts that go direct: "*.corp", ".corp", "10.0.0.0/8",
	// "<local>" (names without a dot).
	Bypass []string
	// Settings are the raw values read, for the report.
	Settings []result.ProxySetting
}

func (s SystemProxy) empty() bool { return !s.AutoDetect && s.PACURL == "" && s.Server == "" }

// ProxyInput is everything discovery weighs, highest precedence first.
type ProxyInput struct {
	// FlagProxy is --http-proxy ("" unset, "none" for direct).
	FlagProxy string
	// FlagPAC is --pac: a PAC URL (http, https, file) or a file path.
	FlagPAC string
	// Policy is the browser's proxy policy, or nil.
	Policy *BrowserProxyPolicy
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// LookupEnv tells a variable set empty from an unset one (auto_proxy
	// set and empty means auto-detect); nil means os.LookupEnv, or
	// Getenv's non-empty answers when Getenv is given.
	LookupEnv func(string) (string, bool)
	// System reads the OS settings; nil means the platform's reader.
	System func() (SystemProxy, error)
}

// ProxySetup is the browser's proxy configuration as rtcprobe will apply
// it: WPAD if AutoDetect, else the PAC if PACURL, else the manual rules;
// an automatic setting that fails falls back to the manual rules (or
// DIRECT), unless PACMandatory.
type ProxySetup struct {
	// By names what decided: "--http-proxy", "--pac", "policy",
	// "environment", "system", or "none".
	By string
	// Source is where the deciding settings were read.
	Source       string
	AutoDetect   bool
	PACURL       string
	PACMandatory bool
	// Manual is the manual proxy rule ("" none): "host:port", a URL, or
	// per scheme "http=a:1;https=b:2".
	Manual string
	Bypass []string
	// env, when set, routes by the environment variables (NO_PROXY
	// semantics) instead of Manual/Bypass.
	env *httpproxy.Config
	// Settings are every value read on the way, for the report.
	Settings []result.ProxySetting
	// foundPAC is the URL WPAD found, once a run has looked.
	foundPAC string
}

// Mode is "direct", "fixed", "pac" or "auto-detect" (the report's
// config.proxyMode).
func (s *ProxySetup) Mode() string {
	switch {
	case s == nil:
		return "direct"
	case s.AutoDetect:
		return "auto-detect"
	case s.PACURL != "":
		return "pac"
	case s.Manual != "" || s.env != nil:
		return "fixed"
	}
	return "direct"
}

// DiscoverProxy picks the proxy configuration the browser would use:
// flags, then the browser policy, then the environment variables, then
// the OS settings. The environment comes before the OS settings because
// it is how a user tells a command-line tool which proxy to use (Chrome on
// Linux outside GNOME reads it too); Chrome on Windows and macOS ignores
// it, which the README states.
func DiscoverProxy(in ProxyInput) (*ProxySetup, error) {
	getenv, lookup := in.Getenv, in.LookupEnv
	if getenv == nil {
		getenv = os.Getenv
		if lookup == nil {
			lookup = os.LookupEnv
		}
	}
	if lookup == nil {
		lookup = func(k string) (string, bool) { v := getenv(k); return v, v != "" }
	}
	switch {
	case in.FlagPAC != "":
		return &ProxySetup{By: "--pac", Source: "command line", PACURL: in.FlagPAC,
			Settings: []result.ProxySetting{{Name: "pac", Value: in.FlagPAC, Source: "--pac"}}}, nil
	case in.FlagProxy == "none":
		return &ProxySetup{By: "--http-proxy", Source: "command line",
			Settings: []result.ProxySetting{{Name: "http-proxy", Value: "none", Source: "--http-proxy"}}}, nil
	case in.FlagProxy != "":
		u, err := url.Parse(in.FlagProxy)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("--http-proxy %q: want http://host:port", RedactURL(in.FlagProxy))
		}
		return &ProxySetup{By: "--http-proxy", Source: "command line", Manual: in.FlagProxy,
			Settings: []result.ProxySetting{{Name: "http-proxy", Value: redactURL(in.FlagProxy), Source: "--http-proxy"}}}, nil
	case in.Policy.set():
		return fromPolicy(in.Policy), nil
	}
	if s := envSetup(getenv, lookup); s != nil {
		if s.env != nil {
			// A proxy variable the browser could not use either is
			// said, in one line and without its password, rather than
			// silently turning the run DIRECT.
			if _, err := envProxy(s.env); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	read := in.System
	if read == nil {
		read = readSystemProxy
	}
	sys, err := read()
	if err != nil {
		return nil, err
	}
	if sys.empty() {
		return &ProxySetup{By: "none", Source: sys.Source, Settings: sys.Settings}, nil
	}
	return &ProxySetup{By: "system", Source: sys.Source, AutoDetect: sys.AutoDetect, PACURL: sys.PACURL,
		Manual: sys.Server, Bypass: sys.Bypass, Settings: sys.Settings}, nil
}

// fromPolicy applies Chrome's reading of the proxy policies: ProxyMode
// decides; unset, a PAC URL wins over a server.
func fromPolicy(p *BrowserProxyPolicy) *ProxySetup {
	src := p.Source
	if src == "" {
		src = "browser policy"
	}
	s := &ProxySetup{By: "policy", Source: src}
	add := func(name, v string) {
		if v != "" {
			s.Settings = append(s.Settings, result.ProxySetting{Name: name, Value: v, Source: src})
		}
	}
	add("ProxyMode", p.Mode)
	add("ProxyServer", p.Server)
	add("ProxyPacUrl", p.PacURL)
	add("ProxyBypassList", p.BypassList)
	if p.PacMandatory {
		add("ProxyPacMandatory", "true")
	}
	mode := p.Mode
	if mode == "" {
		mode = "fixed_servers"
		if p.PacURL != "" {
			mode = "pac_script"
		}
	}
	switch mode {
	case "auto_detect":
		s.AutoDetect = true
	case "pac_script":
		s.PACURL, s.PACMandatory = p.PacURL, p.PacMandatory
	case "fixed_servers":
		s.Manual = p.Server
		s.Bypass = splitList(p.BypassList)
	}
	return s
}

// envSetup reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY (and lower case), and
// auto_proxy as Chromium's Linux reader does (proxy_config_service_linux):
// a URL is the PAC, set and empty means auto-detect (WPAD).
func envSetup(getenv func(string) string, lookup func(string) (string, bool)) *ProxySetup {
	if v, ok := lookup("auto_proxy"); ok && v == "" {
		return &ProxySetup{By: "environment", Source: "environment", AutoDetect: true,
			Settings: []result.ProxySetting{{Name: "auto_proxy", Value: "(empty: auto-detect)", Source: "environment"}}}
	}
	first := func(names ...string) (string, string) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return n, v
			}
		}
		return "", ""
	}
	if n, v := first("auto_proxy"); v != "" {
		return &ProxySetup{By: "environment", Source: "environment", PACURL: v,
			Settings: []result.ProxySetting{{Name: n, Value: redactURL(v), Source: "environment"}}}
	}
	hn, hv := first("HTTPS_PROXY", "https_proxy")
	pn, pv := first("HTTP_PROXY", "http_proxy")
	if hv == "" && pv == "" {
		return nil
	}
	nn, nv := first("NO_PROXY", "no_proxy")
	s := &ProxySetup{By: "environment", Source: "environment",
		env: &httpproxy.Config{HTTPSProxy: hv, HTTPProxy: pv, NoProxy: nv}}
	for _, kv := range [][2]string{{hn, hv}, {pn, pv}, {nn, nv}} {
		if kv[1] != "" {
			s.Settings = append(s.Settings, result.ProxySetting{Name: kv[0], Value: redactURL(kv[1]), Source: "environment"})
		}
	}
	return s
}

// redactURL removes user info from a proxy or PAC URL for the report.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(s, "@"); i >= 0 && !strings.Contains(s, "://") {
			return s[i+1:]
		}
		return s
	}
	u.User = nil
	return u.String()
}

// splitList splits a bypass list on ";", "," and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// fixedHTTPSProxy is the proxy the manual rules give the TRTC hosts
// (https:// on 443), or nil: the dry run and the report's
// config.httpProxy show it. Credentials stay in the URL (memory only).
func (s *ProxySetup) fixedHTTPSProxy() *url.URL {
	if s == nil || s.AutoDetect || s.PACURL != "" {
		return nil
	}
	u, _ := url.Parse(proxyProbeURL)
	if s.env != nil {
		px, err := s.env.ProxyFunc()(u)
		if err != nil {
			return nil
		}
		return px
	}
	if s.By == "--http-proxy" && s.Manual != "" {
		px, err := url.Parse(s.Manual)
		if err == nil {
			return px
		}
	}
	rt := s.manualRoute(u)
	if !rt.viaProxy() {
		return nil
	}
	return hopURL(rt.Hops[0])
}

// proxySetupConfig records the discovered configuration in the report.
func proxySetupConfig(c *result.Config, s *ProxySetup) {
	if s == nil {
		return
	}
	c.ProxyMode, c.ProxyBy, c.PACMandatory = s.Mode(), s.By, s.PACMandatory
	c.ProxySettings = s.Settings
	if s.PACURL != "" {
		c.PACURL = redactURL(s.PACURL)
	}
}
