package wire

import (
	"bytes"
	"testing"
)

func TestFlowRoundTrip(t *testing.T) {
	in := Flow{Kind: FlowReply, Flags: FlagShortened, Want: 1200, FlowID: 0x0102030405060708, Seq: 7, ReplySeq: 9,
		ClientSend: 123456789, ReflRecv: -5, ReflSend: 1 << 40, RecvCount: 10, RecvBytes: 12000}
	in.Cookie[0], in.Cookie[15] = 0xaa, 0x55
	for _, size := range []int{FlowHeaderLen, 160, MaxFlow} {
		b, err := AppendFlow(nil, in, size)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if len(b) != size || !IsFlow(b) {
			t.Fatalf("size %d: got %d bytes, IsFlow=%v", size, len(b), IsFlow(b))
		}
		out, err := ParseFlow(b)
		if err != nil {
			t.Fatalf("size %d: parse: %v", size, err)
		}
		want := in
		want.Size = size
		if out != want {
			t.Errorf("size %d: round trip\n got %+v\nwant %+v", size, out, want)
		}
	}
}

func TestParseFlowRejects(t *testing.T) {
	good, _ := AppendFlow(nil, Flow{Kind: FlowData, Want: 100}, 200)
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string][]byte{
		"empty":      nil,
		"short":      good[:FlowHeaderLen-1],
		"too long":   append(bytes.Clone(good), make([]byte, MaxFlow)...),
		"echo magic": mut(func(b []byte) []byte { copy(b, "RPQ1"); return b }),
		"kind 0":     mut(func(b []byte) []byte { b[4] = 0; return b }),
		"kind 5":     mut(func(b []byte) []byte { b[4] = 5; return b }),
		"want huge":  mut(func(b []byte) []byte { b[6], b[7] = 0xff, 0xff; return b }),
	}
	for name, b := range cases {
		if _, err := ParseFlow(b); err == nil {
			t.Errorf("%s: parsed, want ErrNotFlow", name)
		}
	}
	if _, err := AppendFlow(nil, Flow{}, FlowHeaderLen-1); err == nil {
		t.Error("AppendFlow accepted a size below the header")
	}
}

func FuzzParseFlow(f *testing.F) {
	seed, _ := AppendFlow(nil, Flow{Kind: FlowHello}, FlowHeaderLen)
	f.Add(seed)
	f.Add([]byte("RPF1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := ParseFlow(b)
		if err != nil {
			return
		}
		again, err := AppendFlow(nil, fl, fl.Size)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(again[:FlowHeaderLen], b[:FlowHeaderLen]) {
			t.Fatalf("header did not survive a round trip")
		}
	})
}
