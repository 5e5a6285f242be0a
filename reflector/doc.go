// Package reflector is the answering side of rtcprobe's port tests
// (`rtcprobe serve`): STUN Binding and echo datagrams on the TRTC media
// ports, STUN over TCP with TLS/HTTP/WebSocket on one TCP port, an optional
// embedded TURN server (pion/turn) with safe relay defaults, and a local-only
// metrics endpoint.
//
// It is meant for the public internet, so every answer is bounded: per-source
// token buckets, no response larger than a minimal STUN answer or the request
// (see Server.handle), malformed input dropped and counted.
package reflector

import "errors"

// Sentinel errors, wrapped with %w by the functions that return them.
var (
	// ErrConfig: a configuration value is unusable (the message says which).
	ErrConfig = errors.New("reflector: bad configuration")
	// ErrMetricsBind: the metrics address is not loopback and not forced.
	ErrMetricsBind = errors.New("reflector: metrics endpoint must listen on loopback")
)
