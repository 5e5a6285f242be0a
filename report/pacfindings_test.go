package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// pacReport is the default lab report with the signalling WebSocket sent
// by a PAC to a proxy that refuses CONNECT.
func pacReport(t *testing.T) *result.Report {
	t.Helper()
	r := scenario{name: "pac", net: defaultNet()}.report(t)
	r.Config.PACURL, r.Config.ProxyMode, r.Config.ProxyBy = "http://wpad.corp/wpad.dat", "auto-detect", "system"
	by := "pac http://wpad.corp/wpad.dat"
	probes := []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Target: "http://wpad.corp/wpad.dat", Status: result.StatusOK,
		Details: map[result.DetailKey]string{"bytes": "512"}}}
	for _, p := range r.Probes {
		if p.Kind == result.KindWebSocket && p.Role == "signaling" {
			id, _, _ := strings.Cut(string(p.ID), "/")
			rtt := 12.0
			probes = append(probes, result.Probe{ID: result.ID(id + "/pac"), Kind: result.KindPAC, Role: p.Role, Region: p.Region,
				Target: "wss://" + hostOfURL(p.Target) + "/", Port: 443, Status: result.StatusOK, RTTMs: &rtt,
				Details: map[result.DetailKey]string{"route": "PROXY proxy.corp:8080", "routeBy": by, "pacResult": "PROXY proxy.corp:8080"}})
			p.ID, p.Kind, p.Status, p.Reason, p.Step = result.ID(id+"/tls"), result.KindTLS, result.StatusFailed, "connect-refused-by-proxy", "connect"
			p.Details = map[result.DetailKey]string{"via": "http-proxy", "proxyStatus": "403", "route": "PROXY proxy.corp:8080", "routeBy": by}
		}
		probes = append(probes, p)
	}
	r.Probes = probes
	return r
}

func TestPACRouteInVerdict(t *testing.T) {
	r := pacReport(t)
	Judge(r)
	if r.Verdict.Signaling != result.SignalingBlocked {
		t.Fatalf("signaling = %s", r.Verdict.Signaling)
	}
	if !strings.Contains(r.Verdict.Summary, "the PAC sends wss://") || !strings.Contains(r.Verdict.Summary, "to proxy.corp:8080, which refuses CONNECT (403)") {
		t.Errorf("summary does not give the route: %s", r.Verdict.Summary)
	}
	codes := map[string]result.Finding{}
	for _, f := range r.Findings {
		codes[f.Code] = f
	}
	f, ok := codes["pac-proxy-refuses"]
	if !ok || f.Severity != result.SeverityCritical || !strings.Contains(f.Detail, "Return DIRECT for the TRTC domains in the PAC, or allow CONNECT 443") {
		t.Errorf("pac-proxy-refuses = %+v (findings %v)", f, r.Findings)
	}
	if _, dup := codes["proxy-refused"]; dup {
		t.Error("the generic proxy-refused finding doubles the PAC one")
	}
	if f := codes["proxy-auto-config"]; f.Severity != result.SeverityInfo || !strings.Contains(f.Detail, `"PROXY proxy.corp:8080" for wss://trtc.rtc.qq.com/`) {
		t.Errorf("proxy-auto-config = %+v", f)
	}
	validate(t, r)
}

func TestPACFailureFindings(t *testing.T) {
	slow := 450.0
	for _, tt := range []struct {
		name      string
		mandatory bool
		probes    []result.Probe
		code      string
		sev       result.Severity
		detail    string
	}{
		{"fetch failed", false, []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Target: "http://wpad.corp/wpad.dat", Status: result.StatusFailed, Reason: "pac-fetch-failed", Error: "HTTP 404 fetching the PAC script"}},
			"pac-fetch-failed", result.SeverityWarning, "falls back to DIRECT"},
		{"fetch failed, mandatory", true, []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Target: "http://wpad.corp/wpad.dat", Status: result.StatusBlocked, Reason: "pac-fetch-failed", Error: "timeout"}},
			"pac-fetch-failed", result.SeverityCritical, "ERR_MANDATORY_PROXY_CONFIGURATION_FAILED"},
		{"no wpad", false, []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Status: result.StatusFailed, Reason: "wpad-not-found", Error: "WPAD found no script"}},
			"wpad-not-found", result.SeverityInfo, "DIRECT"},
		{"throws", false, []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Status: result.StatusOK},
			{ID: "x/pac", Kind: result.KindPAC, Role: "schedule", Target: "https://schedule.example/", Status: result.StatusError, Reason: "pac-threw", Error: "FindProxyForURL threw: boom"}},
			"pac-script-error", result.SeverityWarning, "DIRECT"},
		{"slow", false, []result.Probe{{ID: "pac/fetch", Kind: result.KindPAC, Role: "pac", Status: result.StatusOK},
			{ID: "x/pac", Kind: result.KindPAC, Role: "schedule", Target: "https://schedule.example/", Status: result.StatusOK, RTTMs: &slow, Details: map[result.DetailKey]string{"route": "DIRECT"}}},
			"pac-slow", result.SeverityWarning, "before every new connection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := scenario{name: "pac", net: defaultNet()}.report(t)
			r.Config.PACMandatory = tt.mandatory
			r.Probes = append(r.Probes, tt.probes...)
			Judge(r)
			for _, f := range r.Findings {
				if f.Code == tt.code {
					if f.Severity != result.Severity(tt.sev) || !strings.Contains(f.Detail, tt.detail) {
						t.Errorf("%s = %+v", tt.code, f)
					}
					validate(t, r)
					return
				}
			}
			t.Errorf("no %s finding in %v", tt.code, r.Findings)
		})
	}
}

// TestSanitizeProxySettings: credentials in the proxy settings and the
// PAC URL never stay in a report.
func TestSanitizeProxySettings(t *testing.T) {
	r := pacReport(t)
	r.Config.PACURL = "http://alice:hunter2@wpad.corp/wpad.dat"
	r.Config.ProxySettings = []result.ProxySetting{{Name: "HTTPS_PROXY", Value: "http://alice:hunter2@proxy.corp:3128", Source: "environment"}}
	Sanitize(r)
	if strings.Contains(r.Config.PACURL, "hunter2") || strings.Contains(r.Config.ProxySettings[0].Value, "hunter2") {
		t.Errorf("credential kept: %q %q", r.Config.PACURL, r.Config.ProxySettings[0].Value)
	}
}

// TestProxyBreaksWebSocket: through an inspecting proxy a non-101 answer
// is the proxy's, so signalling is blocked and the finding says so;
// through a plain tunnel the same answer is the host's (the path is open).
func TestProxyBreaksWebSocket(t *testing.T) {
	for _, inspected := range []bool{true, false} {
		r := scenario{name: "ws", net: defaultNet()}.report(t)
		r.Config.HTTPProxy = "http://proxy.corp:8080"
		for i := range r.Probes {
			p := &r.Probes[i]
			if p.Region == "" || (p.Kind != result.KindTLS && p.Kind != result.KindWebSocket && p.Kind != result.KindHTTPS) {
				continue
			}
			if p.Details == nil {
				p.Details = map[result.DetailKey]string{}
			}
			p.Details["via"] = "http-proxy"
			p.Via = result.ViaHTTPProxy
			if p.Kind == result.KindTLS {
				p.Details["issuerPublic"] = strconv.FormatBool(!inspected)
			}
			if p.Kind == result.KindWebSocket {
				p.Status, p.Reason, p.Step = result.StatusFailed, "http-200", "upgrade"
			}
		}
		Judge(r)
		found := false
		for _, f := range r.Findings {
			found = found || f.Code == "proxy-breaks-websocket"
		}
		if found != inspected {
			t.Errorf("inspected=%v: proxy-breaks-websocket found=%v (%v)", inspected, found, r.Findings)
		}
		if blocked := r.Verdict.Signaling == result.SignalingBlocked; blocked != inspected {
			t.Errorf("inspected=%v: signaling %s", inspected, r.Verdict.Signaling)
		}
		validate(t, r)
	}
}
