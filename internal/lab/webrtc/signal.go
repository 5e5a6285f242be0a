package webrtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// Signalling files in the shared directory.
const (
	offerFile  = "offer.json"
	answerFile = "answer.json"
	// pollEvery is how often the other side's file is looked for: both
	// processes are on one machine, so a few ms is plenty.
	pollEvery = 10 * time.Millisecond
	// maxSDP bounds a signalling file; an SDP is a few kB.
	maxSDP = 1 << 20
)

// ErrSignal is a failed SDP exchange.
var ErrSignal = errors.New("signalling")

// writeSDP writes atomically (temp file + rename), so the reader never sees
// half a description.
func writeSDP(path string, sdp *pion.SessionDescription) error {
	b, err := json.Marshal(sdp)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrSignal, err)
	}
	return os.Rename(tmp, path)
}

// readSDP waits (bounded by ctx) for the file and decodes it. A file that
// exists but cannot be opened yet is waited for too: on Windows the rename
// that publishes it can still hold it, and opening it then fails with
// ERROR_SHARING_VIOLATION (seen under Wine); the last such error is
// reported if the wait ends.
func readSDP(ctx context.Context, path string) (pion.SessionDescription, error) {
	var sdp pion.SessionDescription
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	var readErr error
	for {
		if st, err := os.Stat(path); err == nil {
			if st.Size() > maxSDP {
				return sdp, fmt.Errorf("%w: %s is larger than %d bytes", ErrSignal, filepath.Base(path), maxSDP)
			}
			b, err := os.ReadFile(path)
			if err == nil {
				if err := json.Unmarshal(b, &sdp); err != nil {
					return sdp, fmt.Errorf("%w: %s: %v", ErrSignal, filepath.Base(path), err)
				}
				return sdp, nil
			}
			readErr = err
		}
		select {
		case <-ctx.Done():
			if readErr != nil {
				return sdp, fmt.Errorf("%w: %v", ErrSignal, readErr)
			}
			return sdp, fmt.Errorf("%w: no %s from the other peer: %v", ErrSignal, filepath.Base(path), ctx.Err())
		case <-t.C:
		}
	}
}
