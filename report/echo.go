package report

import (
	"strconv"

	"github.com/rtcprobe/rtcprobe/result"
)

// echoProbe is an `echo/<port>/<size>` probe split into its parts.
type echoProbe struct {
	p          *result.Probe
	port, size int
}

// echoProbes returns the echo probes, and whether the reflector echoed at
// least once (only then does a silent echo mean anything).
func echoProbes(r *result.Report) ([]echoProbe, bool) {
	var out []echoProbe
	capable := false
	for i := range r.Probes {
		p := &r.Probes[i]
		pid := p.ID.Parse()
		if pid.Family != result.FamilyEcho || p.Kind != result.KindUDP {
			continue
		}
		port, size := strconv.Itoa(pid.Port), strconv.Itoa(pid.Size)
		pn, err1 := strconv.Atoi(port)
		sn, err2 := strconv.Atoi(size)
		if err1 != nil || err2 != nil {
			continue
		}
		if p.Status == result.StatusSkipped || p.Status == result.StatusRunning || p.Status == result.StatusUntested {
			continue // stopped (a plain STUN server), unfinished or the reflector busy: no evidence
		}
		out = append(out, echoProbe{p, pn, sn})
		capable = capable || p.Status == result.StatusOK
	}
	return out, capable
}

// echoFindings compares, per media port, STUN with a non-STUN datagram and
// small with large datagrams (needs a reflector in echo mode).
func echoFindings(fs *findingSet, r *result.Report) {
	echoes, capable := echoProbes(r)
	if !capable {
		return
	}
	stun := map[int]*result.Probe{}
	for i := range r.Probes {
		if p := &r.Probes[i]; isSTUN(p) {
			stun[p.Port] = p
		}
	}
	small := map[int]*result.Probe{}
	for _, e := range echoes {
		if e.size <= 1200 {
			small[e.port] = e.p
		}
	}
	for _, e := range echoes {
		s := stun[e.port]
		switch {
		case e.size <= 1200 && s != nil && (s.Status == result.StatusOK) != (e.p.Status == result.StatusOK):
			passes, dropped := "STUN", "other UDP"
			if e.p.Status == result.StatusOK {
				passes, dropped = "other UDP", "STUN"
			}
			fs.add(result.Finding{Code: "payload-filtering", Severity: result.SeverityCritical, Evidence: []result.ID{s.ID, e.p.ID},
				Title:  "The firewall filters UDP by content, not by port",
				Detail: "On UDP " + strconv.Itoa(e.port) + " " + passes + " passes but " + dropped + " of the same size does not: an application-aware firewall inspects the payload. ICE and TURN are STUN, media is not: allow the TRTC media by port, not by application signature."})
		case e.size > 1200 && e.p.Status != result.StatusOK && small[e.port] != nil && small[e.port].Status == result.StatusOK:
			fs.add(result.Finding{Code: "large-datagram-drop", Severity: result.SeverityWarning, Evidence: []result.ID{small[e.port].ID, e.p.ID},
				Title:  "Large UDP datagrams are dropped",
				Detail: "On UDP " + strconv.Itoa(e.port) + " a 1200-byte datagram passes but a " + strconv.Itoa(e.size) + "-byte one does not: a smaller MTU or a fragment filter on the path. Video packets near the MTU will be lost; check the path MTU (VPN, tunnels)."})
		}
	}
}
