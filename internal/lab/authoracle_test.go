//go:build linux

package lab

import (
	"strings"

	"github.com/rtcprobe/rtcprobe/result"
)

// The oracle's part for login-demanding proxies: curl logs in with the
// scenario's identity (--proxy-anyauth with RTCPROBE_PROXY_USERNAME, or
// --proxy-negotiate with the Kerberos cache), as the browser would; where
// the scenario expects signalling untested, curl without a login must get
// 407 from the proxy (it demands a login, nothing else stops it) and with
// the lab user's login must get through.

// curlProxyAuthArgs are curl's login flags for the scenario's identity.
func (l *Lab) curlProxyAuthArgs(env map[string]string) []string {
	if u := env["RTCPROBE_PROXY_USERNAME"]; u != "" {
		return []string{"--proxy-anyauth", "--proxy-user", l.Expand(u) + ":" + l.Expand(env["RTCPROBE_PROXY_PASSWORD"])}
	}
	if env["KRB5CCNAME"] != "" {
		return []string{"--proxy-negotiate", "--proxy-user", ":"}
	}
	return nil
}

// authOracle checks a scenario expecting signalling untested behind a
// proxy login.
func (l *Lab) authOracle(s Scenario) []string {
	if s.Expect.Signaling != string(result.SignalingUntested) || s.Env["HTTPS_PROXY"] == "" {
		return nil
	}
	var errs []string
	out := l.curlUpgradeOut(s)
	if !strings.Contains(out, "connect=407;") {
		errs = append(errs, "oracle: curl without a login got "+out+" from the proxy, but the scenario expects it to demand one (407)")
	}
	// With the lab user's login (a ticket for the Negotiate proxy) the
	// way through is open: the untested verdict hides a working path.
	withLogin := s
	withLogin.Env = map[string]string{"HTTPS_PROXY": s.Env["HTTPS_PROXY"]}
	if strings.Contains(s.Env["HTTPS_PROXY"], "NEGOTIATE") {
		if err := l.Kinit(); err != nil {
			return append(errs, "oracle: kinit: "+err.Error())
		}
		defer l.Kdestroy()
		withLogin.Env["KRB5CCNAME"], withLogin.Env["KRB5_CONFIG"] = "${KRB5CCNAME}", "${KRB5_CONFIG}"
	} else {
		withLogin.Env["RTCPROBE_PROXY_USERNAME"], withLogin.Env["RTCPROBE_PROXY_PASSWORD"] = "${PROXY_USER}", "${PROXY_PASSWORD}"
	}
	if !l.tryOracle(true, func() bool { return l.curlUpgrade(withLogin) }) {
		errs = append(errs, "oracle: curl with the lab user's login did not get through the proxy")
	}
	return errs
}
