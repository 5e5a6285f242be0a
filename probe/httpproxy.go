package probe

import (
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// proxyProbeURL stands for the TRTC hosts when asking which proxy applies:
// every signalling host is an https:// or wss:// URL on 443.
const proxyProbeURL = "https://schedule.rtc.tencentcloud.com/"

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
		if _, err := parsePort(p); err != nil {
			return nil, err
		}
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("a proxy is http://host:port, without a path or query")
	}
	return u, nil
}
