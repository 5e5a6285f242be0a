package main

import "github.com/rtcprobe/rtcprobe/result"

// Exit codes, in one place. Documented in the README; other tools script
// against them.
const (
	// ExitOK: calls will work (possibly degraded, e.g. relayed over TCP).
	ExitOK = 0
	// ExitFail: calls will fail (the SDK raises 5501, or cannot join).
	ExitFail = 1
	// ExitUsage: bad flags, configuration or input file.
	ExitUsage = 2
	// ExitInconclusive: signalling works but no media path could be tested
	// (no --reflector and no TURN server given).
	ExitInconclusive = 3
	// ExitInterrupted: SIGINT/SIGTERM during a run; the partial report was
	// still written when --json was given.
	ExitInterrupted = 130
)

// exitFor maps a finished report to the exit code.
func exitFor(r *result.Report) int {
	if !r.Complete {
		return ExitInterrupted
	}
	switch r.Verdict.Outcome {
	case result.OutcomeWorks, result.OutcomeWorksDegraded:
		return ExitOK
	case result.OutcomeFails:
		return ExitFail
	default:
		return ExitInconclusive
	}
}
