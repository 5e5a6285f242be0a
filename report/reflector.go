package report

import "github.com/rtcprobe/rtcprobe/result"

// reflectorDNSFailure returns the reflector/dns probe when the reflector's
// name did not resolve, else nil. That is a mistake in the reflector's
// name (or its DNS record), never a DNS filter hiding the TRTC domains:
// its finding, path detail and headline say so.
func reflectorDNSFailure(r *result.Report) *result.Probe {
	for i := range r.Probes {
		p := &r.Probes[i]
		if p.ID == result.ReflectorDNSID && p.Kind == result.KindDNS && p.Status != result.StatusOK && p.Status != result.StatusSkipped {
			return p
		}
	}
	return nil
}

// reflectorFinding is the finding for a reflector name that does not
// resolve, with what the resolver said.
func reflectorFinding(fs *findingSet, p *result.Probe) {
	host := p.Target
	why := "the resolver says the name does not exist (NXDOMAIN)"
	switch p.Reason {
	case result.ReasonTimeout:
		why = "the resolver did not answer in time"
	case result.ReasonServFail, result.ReasonRefused, result.ReasonNoAnswer:
		why = "the resolver failed (" + string(p.Reason) + ")"
	case result.ReasonSinkholed:
		why = "the resolver answers a dead address (" + orDash(p.Details[result.DetailAddresses]) + ")"
	}
	fs.add(result.Finding{Code: "reflector-unresolved", Severity: result.SeverityWarning,
		Title: host + " does not resolve: check the name",
		Detail: "The reflector given with --reflector did not resolve: " + why + ", so the UDP media ports were not tested. " +
			"Check the spelling and that the reflector's DNS record exists, or give its IP address. " +
			"This is about the reflector, not about the TRTC domains.",
		Evidence: []result.ID{p.ID}})
}
