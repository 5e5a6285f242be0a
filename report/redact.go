package report

// Sanitize removes what must never be in a report whatever the flags:
// credentials. Probes never record them; this is the second line of defence
// for URLs with user info.
// STUB: to be replaced.
func Sanitize(r *Report) {}

// Redact removes local addresses, public mapped addresses and the machine
// name (--redact), and sanitizes.
// STUB: to be replaced.
func Redact(r *Report) { Sanitize(r); r.Redacted = true; r.Host.Hostname = "" }
