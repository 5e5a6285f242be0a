package probe

import (
	"net/url"
	"strconv"

	"github.com/rtcprobe/rtcprobe/result"
)

// describePAC lists what finding and fetching the PAC sends before any
// probe: the wpad.<domain> lookups and GETs (auto-detect), then the GET
// of the PAC URL. The script is not run in a dry run (it could resolve
// names), so the connections after it are listed as the plan has them.
func (p *Plan) describePAC() []PlannedSend {
	s := p.Proxy
	if s == nil || (!s.AutoDetect && s.PACURL == "") {
		return nil
	}
	var out []PlannedSend
	const note = "; the script then picks each connection's route (not run in a dry run: the connections below may go through the proxies it names)"
	if s.AutoDetect {
		for _, name := range wpadCandidates(searchDomains()) {
			out = append(out, dryDNSSend("pac/fetch", name),
				PlannedSend{Probe: result.PACFetchID.String(), Kind: "pac", Destination: name, Port: 80, Protocol: "tcp", Count: 1,
					Note: "only if " + name + " resolves: GET http://" + name + "/wpad.dat (WPAD)" + note})
		}
	}
	if s.PACURL != "" {
		u, err := url.Parse(s.PACURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return append(out, PlannedSend{Probe: result.PACFetchID.String(), Kind: "pac", Destination: "local file", Protocol: "tcp",
				Note: "reads the PAC file " + redactURL(s.PACURL) + " (no network)" + note})
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		n, _ := strconv.Atoi(port)
		out = append(out, dryDNSSend("pac/fetch", u.Hostname()),
			PlannedSend{Probe: result.PACFetchID.String(), Kind: "pac", Destination: u.Hostname(), Port: n, Protocol: "tcp", Count: 1,
				Note: "GET " + redactURL(s.PACURL) + " directly (never through a proxy, as Chromium fetches it)" + note})
	}
	return out
}
