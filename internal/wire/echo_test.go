package wire

import "testing"

// TestBusy: the busy notice is the request's header under its own magic,
// never longer than the request, and matches only its token.
func TestBusy(t *testing.T) {
	tok := [TokenLen]byte{1, 2, 3}
	other := [TokenLen]byte{9}
	for _, size := range []int{HeaderLen, 76, 1200, MaxEcho} {
		req, err := NewEchoRequest(tok, size)
		if err != nil {
			t.Fatal(err)
		}
		busy, err := BusyInPlace(req)
		if err != nil || len(busy) != HeaderLen {
			t.Fatalf("size %d: %d bytes, %v", size, len(busy), err)
		}
		if !MatchBusy(busy, tok) || MatchBusy(busy, other) || MatchAnswer(busy, tok, size) && size != HeaderLen {
			t.Errorf("size %d: busy notice matched wrongly", size)
		}
		if IsEchoRequest(busy) {
			t.Errorf("size %d: a busy notice reads as a request (a reflector would answer it)", size)
		}
	}
	if _, err := BusyInPlace([]byte("RPA1................")); err == nil {
		t.Error("an answer turned into a busy notice")
	}
	ans, _ := NewEchoRequest(tok, 100)
	_ = AnswerInPlace(ans)
	if MatchBusy(ans[:HeaderLen], tok) {
		t.Error("an echo answer's header matched as busy")
	}
}
