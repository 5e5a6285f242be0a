package probe

import (
	"net"
	"testing"

	"github.com/pion/stun/v4"
)

// FuzzMatchBinding feeds the STUN answer classifier what a hostile or broken
// reflector could send. It must never panic, and it may accept only a
// Binding success that carries one of our transaction IDs and a decodable
// XOR-MAPPED-ADDRESS; everything else is ignored with a named reason.
func FuzzMatchBinding(f *testing.F) {
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if err != nil {
		f.Fatal(err)
	}
	id := req.TransactionID
	ok, err := stun.Build(stun.NewTransactionIDSetter(id), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: net.IPv4(203, 0, 113, 7), Port: 40000}, stun.Fingerprint)
	if err != nil {
		f.Fatal(err)
	}
	other, _ := stun.Build(stun.TransactionID, stun.BindingSuccess, &stun.XORMappedAddress{IP: net.IPv4(1, 2, 3, 4), Port: 1})
	errResp, _ := stun.Build(stun.NewTransactionIDSetter(id), stun.BindingError, stun.CodeBadRequest)
	f.Add(ok.Raw)
	f.Add(ok.Raw[:len(ok.Raw)-5])
	f.Add(other.Raw)
	f.Add(errResp.Raw)
	f.Add(req.Raw)
	f.Add(make([]byte, 1500))
	f.Add([]byte("\x01\x01\x00\x00!\x12\xa4B"))
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := append([]byte(nil), b...)
		idx, why := matchBinding(b, [][stun.TransactionIDSize]byte{id})
		if string(b) != string(orig) {
			t.Fatal("matchBinding modified its input")
		}
		if idx < 0 {
			if why == "" {
				t.Fatal("ignored an answer without a reason")
			}
			return
		}
		m := &stun.Message{Raw: append([]byte(nil), b...)}
		var xa stun.XORMappedAddress
		if idx != 0 || m.Decode() != nil || m.Type != stun.BindingSuccess || m.TransactionID != id || xa.GetFrom(m) != nil {
			t.Fatalf("accepted %x (index %d) that is not our Binding success", b, idx)
		}
	})
}

// FuzzTurnSafe feeds the filter in front of the TURN client (turnSafe) what
// a hostile TURN server could send: only well-formed ChannelData and
// decodable non-request STUN may pass to pion, and nothing may panic.
func FuzzTurnSafe(f *testing.F) {
	alloc, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassErrorResponse), stun.CodeUnauthorized)
	f.Add(alloc.Raw)
	f.Add([]byte{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4})
	f.Add([]byte{0x40, 0x00, 0xff, 0xff, 1})
	f.Add([]byte{0x4f})
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := string(b)
		ok := turnSafe(b)
		if string(b) != orig {
			t.Fatal("turnSafe modified its input")
		}
		if !ok || (len(b) >= 4 && b[0] >= 0x40 && b[0] <= 0x4f) {
			return
		}
		m := &stun.Message{Raw: append([]byte(nil), b...)}
		if m.Decode() != nil || m.Type.Class == stun.ClassRequest {
			t.Fatalf("passed %x to the TURN client", b)
		}
	})
}
