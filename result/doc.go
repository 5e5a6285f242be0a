// Package result is the data model the probes produce and the verdict
// reads: a report's probes, steps, the configuration they ran with, the
// quality stage's measurements, and the report around them (the JSON API
// other tools read, see report/schema.json). Data flows one way, plan ->
// probes -> results -> verdict -> renderers; probe fills these types,
// report judges and renders them, and neither imports the other.
//
// The package imports only the standard library. Named types (Status,
// Kind, Reason, PathName, Outcome, Severity, Via, DetailKey, ID) carry
// every value the verdict decides on, so a renamed reason or detail key
// is a compile error, not a silently changed verdict.
package result
