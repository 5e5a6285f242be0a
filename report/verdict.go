package report

// Judge fills r.Verdict, r.Paths, r.Findings and r.Remediation from
// r.Config and r.Probes. It is deterministic and reads nothing else, so a
// saved report can be judged again by a newer rtcprobe.
// STUB: to be replaced.
func Judge(r *Report) {
	r.Verdict = Verdict{Signaling: SignalingBlocked, Media: MediaUntested, Outcome: OutcomeInconclusive}
	for _, name := range PathOrder {
		*r.Paths.Get(name) = Path{Status: PathUntested, Evidence: []string{}, Counts: true}
	}
	r.Findings = []Finding{}
	r.Remediation = []Rule{}
}
