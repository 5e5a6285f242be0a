package probe

import (
	"errors"
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
	if err == nil && px != nil {
		// The library takes almost anything ("http://user:pw@[::1" gives
		// the host "http:"): check what it made of the variable.
		_, err = checkProxyURL(px)
	}
	if err != nil {
		// The library's own error quotes the variable whole, password
		// included: quote the value redacted instead.
		return nil, fmt.Errorf("%w: HTTPS_PROXY %q: want http://host:port (or --http-proxy none)", ErrConfig, RedactURL(cfg.HTTPSProxy))
	}
	return px, nil
}

// parseProxy reads a proxy given as host:port or URL; http:// by default.
// Errors quote it redacted: the system settings may hold user:password@.
func parseProxy(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := ParseHTTPProxy(s)
	if err != nil {
		return nil, fmt.Errorf("%w: proxy %q: %v", ErrConfig, RedactURL(s), err)
	}
	return u, nil
}

// ParseHTTPProxy parses an HTTP proxy URL, http:// or https://, with a
// valid host and, if given, a port 1-65535. Its errors never quote s (the
// caller quotes it through RedactURL): url.Parse's own error would show
// the password.
func ParseHTTPProxy(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL; want http://host:port")
	}
	return checkProxyURL(u)
}

func checkProxyURL(u *url.URL) (*url.URL, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("scheme must be http:// or https://; want http://host:port")
	}
	if err := CheckHost(u.Hostname()); err != nil {
		return nil, fmt.Errorf("want http://host:port: %v", err)
	}
	if p := u.Port(); p != "" {
		if _, err := ParsePort(p); err != nil {
			return nil, err
		}
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("a proxy is http://host:port, without a path or query")
	}
	return u, nil
}
