package probe

import (
	"net/url"
)

// SystemHTTPProxy returns the HTTP proxy the browser would use for an
// https:// URL to the TRTC hosts, from HTTPS_PROXY/HTTP_PROXY/NO_PROXY and,
// on Windows and macOS, the system settings. Nil means direct.
// STUB: to be replaced.
func SystemHTTPProxy() (*url.URL, error) { return nil, nil }
