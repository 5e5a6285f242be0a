package probe

import (
	"errors"
	"net/http"

	"github.com/rtcprobe/rtcprobe/result"
)

// proxyAuthOutcome is a probe's status and reason for a proxy login that
// did not work. Where rtcprobe could not log in as the browser would (no
// ticket, no identity, or a typed identity the proxy refused: the user
// would type the right one) the step is skipped, so the path is untested,
// not blocked. The logged-in user's own credentials refused is what the
// browser meets too: failed.
func proxyAuthOutcome(err error) (status result.Status, reason result.Reason) {
	var ae *ProxyAuthError
	if !errors.As(err, &ae) {
		return result.StatusError, result.ReasonProxyError
	}
	if !ae.Broken && (ae.Unavailable || ae.Typed) {
		return result.StatusSkipped, ae.Reason()
	}
	return result.StatusFailed, ae.Reason()
}

// proxyAuthTURNFailure classifies a TURN connect stopped by a proxy login.
func proxyAuthTURNFailure(err error) *turnFailure {
	status, reason := proxyAuthOutcome(err)
	return &turnFailure{status, reason, "connect", &proxyRefusal{status: http.StatusProxyAuthRequired, err: err}}
}

// noteProxyAuth keeps what a TURN probe's CONNECT learned for its details.
func (r *run) noteProxyAuth(id string, info ProxyAuthInfo) {
	if d := info.details(); d != nil {
		r.proxyAuth.Store(id, d)
	}
}

// takeProxyAuth returns and forgets the details noted for a TURN probe.
func (r *run) takeProxyAuth(id string) map[result.DetailKey]string {
	v, ok := r.proxyAuth.LoadAndDelete(id)
	if !ok {
		return nil
	}
	return v.(map[result.DetailKey]string)
}
