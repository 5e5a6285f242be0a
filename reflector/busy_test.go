package reflector

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/rtcprobe/rtcprobe/internal/wire"
)

// checkRequest is a Binding request like the one rtcprobe check sends.
func checkRequest(t testing.TB) []byte {
	return bindingRequest(t, stun.NewSoftware(wire.ClientSoftware), stun.Fingerprint)
}

// TestBusyNotice: over its limit a source hears that the reflector is
// busy (a 508 error for STUN, the busy magic for echo), never more bytes
// than it sent, and only within the notice budget; below it, answers.
func TestBusyNotice(t *testing.T) {
	s := newTestServer(t, Config{Rate: 1, Burst: 2})
	now := time.Unix(1000, 0)
	s.limit.Now = func() time.Time { return now }
	s.notice.Now = s.limit.Now
	from := netip.MustParseAddrPort("192.0.2.1:1")
	for range 2 {
		if reply, ok := s.handle(checkRequest(t), from, nil); !ok || !isType(reply, stun.BindingSuccess) {
			t.Fatal("within the burst: no success answer")
		}
	}
	req := checkRequest(t)
	reply, ok := s.handle(append([]byte(nil), req...), from, nil)
	if !ok {
		t.Fatal("over the limit: silence, want a busy notice")
	}
	m := &stun.Message{Raw: reply}
	var ec stun.ErrorCodeAttribute
	if err := m.Decode(); err != nil || m.Type != stun.BindingError || ec.GetFrom(m) != nil || int(ec.Code) != wire.BusyErrorCode {
		t.Fatalf("busy answer %x: type %v code %v, want Binding error %d", reply, m.Type, ec.Code, wire.BusyErrorCode)
	}
	if want := (&stun.Message{Raw: req}); want.Decode() != nil || m.TransactionID != want.TransactionID {
		t.Error("busy answer has another transaction ID")
	}
	if len(reply) > len(req) || len(m.Attributes) != 1 {
		t.Errorf("busy answer %d bytes with %d attributes to a %d-byte request, want only ERROR-CODE", len(reply), len(m.Attributes), len(req))
	}
	token := [wire.TokenLen]byte{7}
	echo, _ := wire.NewEchoRequest(token, 1200)
	if reply, ok := s.handle(echo, from, nil); !ok || !wire.MatchBusy(reply, token) {
		t.Fatalf("echo over the limit: ok %v, %d bytes, want the busy notice", ok, len(reply))
	}
	if reply, ok := s.handle(bindingRequest(t), from, nil); ok {
		t.Errorf("20-byte request over the limit got %d bytes back: a notice larger than its request", len(reply))
	}
	// The notice budget runs out too: a flood gets silence.
	sent := 0
	for range 2 * minNoticeBurst {
		if _, ok := s.handle(checkRequest(t), from, nil); ok {
			sent++
		}
	}
	if sent >= 2*minNoticeBurst-2 {
		t.Errorf("%d notices for %d requests: the notice budget does not bound a flood", sent, 2*minNoticeBurst)
	}
	if s.metrics.BusyAnswered.Load() == 0 {
		t.Error("busy notices not counted")
	}
}

func isType(b []byte, typ stun.MessageType) bool {
	m := &stun.Message{Raw: b}
	return m.Decode() == nil && m.Type == typ
}

// TestUnknownComprehensionRequired: RFC 8489 §6.3.1: a request with a
// comprehension-required attribute the server does not know gets 420 with
// UNKNOWN-ATTRIBUTES; optional unknown ones and ICE's are fine.
func TestUnknownComprehensionRequired(t *testing.T) {
	s := newTestServer(t, Config{Rate: -1})
	raw := func(typ stun.AttrType, v []byte) stun.Setter { return stun.RawAttribute{Type: typ, Value: v} }
	tests := []struct {
		name    string
		setters []stun.Setter
		unknown []stun.AttrType
	}{
		{"check's request", []stun.Setter{stun.NewSoftware(wire.ClientSoftware), stun.Fingerprint}, nil},
		{"optional unknown 0x8123", []stun.Setter{raw(0x8123, []byte{1, 2, 3, 4})}, nil},
		{"ICE check", []stun.Setter{stun.NewUsername("a:b"), raw(stun.AttrPriority, []byte{0, 0, 0, 1}), raw(stun.AttrUseCandidate, nil)}, nil},
		{"unknown 0x7f01", []stun.Setter{raw(0x7f01, []byte{1, 2, 3, 4})}, []stun.AttrType{0x7f01}},
		{"change-request (RFC 5780)", []stun.Setter{raw(stun.AttrChangeRequest, []byte{0, 0, 0, 6})}, []stun.AttrType{stun.AttrChangeRequest}},
		{"two unknown, padded", []stun.Setter{raw(0x0030, nil), raw(0x0031, nil), stun.NewSoftware(string(make([]byte, 40))), stun.Fingerprint}, []stun.AttrType{0x0030, 0x0031}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := bindingRequest(t, tt.setters...)
			reply, ok := s.handle(append([]byte(nil), req...), netip.MustParseAddrPort("192.0.2.1:1"), nil)
			if !ok {
				t.Fatal("no answer")
			}
			m := &stun.Message{Raw: reply}
			if err := m.Decode(); err != nil {
				t.Fatalf("answer does not decode: %v", err)
			}
			if tt.unknown == nil {
				if m.Type != stun.BindingSuccess {
					t.Fatalf("type %v, want success", m.Type)
				}
				return
			}
			var ec stun.ErrorCodeAttribute
			if m.Type != stun.BindingError || ec.GetFrom(m) != nil || ec.Code != stun.CodeUnknownAttribute {
				t.Fatalf("type %v code %v, want Binding error 420", m.Type, ec.Code)
			}
			v, err := m.Get(stun.AttrUnknownAttributes)
			if err != nil || len(v) != 2*len(tt.unknown) {
				t.Fatalf("UNKNOWN-ATTRIBUTES %x (%v), want %v", v, err, tt.unknown)
			}
			for i, want := range tt.unknown {
				if got := stun.AttrType(binary.BigEndian.Uint16(v[2*i:])); got != want {
					t.Errorf("unknown[%d] = %v, want %v", i, got, want)
				}
			}
			if len(reply) > len(req)+12 {
				t.Errorf("420 of %d bytes to a %d-byte request", len(reply), len(req))
			}
			if m.Contains(stun.AttrFingerprint) && stun.Fingerprint.Check(m) != nil {
				t.Error("bad FINGERPRINT on the 420")
			}
		})
	}
}
