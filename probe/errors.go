package probe

import "errors"

// Sentinel errors. User-facing messages wrap them with what to fix.
var (
	// ErrConfig: a flag, proxy file or catalog is invalid.
	ErrConfig = errors.New("probe: bad configuration")
	// ErrTimeout: no answer before the deadline (silently dropped).
	ErrTimeout = errors.New("probe: no answer")
)
