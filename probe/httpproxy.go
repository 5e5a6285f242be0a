package probe

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// proxyProbeURL stands for the TRTC hosts when asking which proxy applies:
// every signalling host is an https:// or wss:// URL on 443.
const proxyProbeURL = "https://schedule.rtc.tencentcloud.com/"

// SystemHTTPProxy returns the HTTP proxy the browser would use for an
// https:// URL to the TRTC hosts, from HTTPS_PROXY/HTTP_PROXY/NO_PROXY and,
// when none is set, on Windows (registry) and macOS (scutil --proxy) the
// system settings. Nil means direct. A PAC file is not evaluated: see
// SystemPACURL.
//
// Deprecated: DiscoverProxy reads every source (policy, PAC, WPAD, bypass
// lists) and the command uses it; this stays for callers of the old API.
func SystemHTTPProxy() (*url.URL, error) {
	if u, err := envProxy(httpproxy.FromEnvironment()); u != nil || err != nil {
		return u, err
	}
	s, err := systemProxySettings()
	if err != nil || s.proxy == "" {
		return nil, err
	}
	return parseProxy(s.proxy)
}

// SystemPACURL returns the proxy auto-config URL set in the system
// settings (Windows, macOS), or "".
//
// Deprecated: DiscoverProxy finds the PAC (and rtcprobe runs it).
func SystemPACURL() string {
	s, err := systemProxySettings()
	if err != nil {
		return ""
	}
	return s.pac
}

// proxySettings is what the OS says about proxies.
type proxySettings struct {
	proxy string // host:port or URL of the HTTPS proxy, "" for none
	pac   string // auto-config URL, "" for none
}

// envProxy applies the environment variables' rules to proxyProbeURL.
func envProxy(cfg *httpproxy.Config) (*url.URL, error) {
	u, _ := url.Parse(proxyProbeURL)
	px, err := cfg.ProxyFunc()(u)
	if err != nil {
		return nil, fmt.Errorf("%w: HTTPS_PROXY/HTTP_PROXY: %v", ErrConfig, err)
	}
	return px, nil
}

// parseProxy reads a proxy given as host:port or URL; http:// by default.
func parseProxy(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: proxy %q: want host:port or http://host:port", ErrConfig, s)
	}
	return u, nil
}
