package probe

import (
	"reflect"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/internal/wine"
)

// testScale shrinks every timer in this package's tests: a silent port is
// called blocked in 225 ms instead of 4.5 s, a stalled TLS server in
// 150 ms. The code under test is the same; only TestRealSchedule runs the
// real defaults. A twentieth leaves loopback answers (well under a
// millisecond) inside the shortest wait (STUN's first retransmission,
// 12.5 ms; a later answer is still matched) and a loopback TLS handshake
// (a few ms) far inside TLSHandshake and TURNConnect.
const testScale = 0.05

// testFactor is the scale the tests run with: testScale, widened where
// handshakes (keys, certificates) run several times slower: under the race
// detector (raceSlack) and under Wine (a loopback TLS handshake to the
// TURN server took longer than 150 ms there).
func testFactor() float64 {
	f := testScale * raceSlack
	if wine.Detected() {
		f *= 4
	}
	return f
}

// fastTimers are the timers of this package's tests.
func fastTimers() *Timers { return DefaultTimers().Scaled(testFactor()) }

// TestTimeoutOrder checks the relations the comments in timeouts.go
// promise, on the defaults and on the scaled timers the tests run with
// (with the budget scaled alike).
func TestTimeoutOrder(t *testing.T) {
	for _, f := range []float64{1, testFactor(), 0.5} {
		tm := DefaultTimers().Scaled(f)
		budget := time.Duration(float64(DefaultBudget) * f)
		if tm.UDPPacing*20 >= budget/10 {
			t.Errorf("×%v: UDPPacing %v: pacing twenty probes must cost well under a tenth of the budget %v", f, tm.UDPPacing, budget)
		}
		increasing(t, "STUNSendAt", tm.STUNSendAt)
		increasing(t, "LossySendAt", tm.LossySendAt)
		increasing(t, "EchoAlongsideSendAt", tm.EchoAlongsideSendAt)
		if last := tm.STUNSendAt[len(tm.STUNSendAt)-1]; last >= tm.STUNGiveUp {
			t.Errorf("×%v: last send %v after the give-up %v", f, last, tm.STUNGiveUp)
		}
		if !reflect.DeepEqual(tm.LossySendAt[:len(tm.STUNSendAt)], tm.STUNSendAt) {
			t.Errorf("×%v: LossySendAt %v does not continue STUNSendAt %v", f, tm.LossySendAt, tm.STUNSendAt)
		}
		if last := tm.LossySendAt[len(tm.LossySendAt)-1]; last >= tm.LossyGiveUp || tm.LossyGiveUp >= budget {
			t.Errorf("×%v: lossy last send %v, give-up %v, budget %v", f, last, tm.LossyGiveUp, budget)
		}
		// The echo alongside joins after STUN's first retransmission, not
		// with it, and ends with STUN.
		if d := tm.EchoAlongsideDelay; d <= tm.STUNSendAt[1] || d >= tm.STUNSendAt[1]+tm.UDPPacing {
			t.Errorf("×%v: EchoAlongsideDelay %v not within a pacing step after the first retransmission %v", f, d, tm.STUNSendAt[1])
		}
		if last := tm.EchoAlongsideDelay + tm.EchoAlongsideSendAt[len(tm.EchoAlongsideSendAt)-1]; last >= tm.STUNGiveUp {
			t.Errorf("×%v: the echo alongside sends at %v, after STUN gives up at %v", f, last, tm.STUNGiveUp)
		}
		if tm.STUNGiveUp+tm.EchoGiveUp >= budget {
			t.Errorf("×%v: STUN %v then echo %v do not fit in the budget %v", f, tm.STUNGiveUp, tm.EchoGiveUp, budget)
		}
		if tm.EchoGiveUp <= tm.STUNSendAt[echoSends-1] || tm.TURNRelay <= tm.STUNSendAt[relaySends-1] {
			t.Errorf("×%v: echo %v or relay %v leaves no time after the third send %v", f, tm.EchoGiveUp, tm.TURNRelay, tm.STUNSendAt[2])
		}
		if tm.TURNRTO*(1+2+4+8) >= tm.TURNAllocate || tm.TURNAllocate >= tm.TURNLossyAllocate || tm.TURNStep >= tm.TURNLossyStep {
			t.Errorf("×%v: TURN allocate %v (lossy %v), step %v (lossy %v) do not cover four sends from RTO %v", f,
				tm.TURNAllocate, tm.TURNLossyAllocate, tm.TURNStep, tm.TURNLossyStep, tm.TURNRTO)
		}
		if tm.TURNAllocate+tm.TURNConnect >= budget || tm.TURNLossyAllocate+tm.TURNConnect >= budget {
			t.Errorf("×%v: TURN connect %v + allocate %v exceed the budget %v", f, tm.TURNConnect, tm.TURNLossyAllocate, budget)
		}
		if web := tm.DNS + tm.TCPConnect + tm.TLSHandshake; web >= budget {
			t.Errorf("×%v: DNS, TCP and TLS (%v) do not fit in the budget %v", f, web, budget)
		}
	}
	// The shortest quality flow is the ramp and a silence long enough to
	// tell a cut from the end of the ramp.
	if tm := DefaultTimers(); MinQualityFlow < time.Duration(len(rampStages))*defaultRampStage+tm.FlowSilence {
		t.Errorf("MinQualityFlow %v is shorter than the ramp and FlowSilence %v", MinQualityFlow, tm.FlowSilence)
	}
}

func increasing(t *testing.T, name string, ds []time.Duration) {
	t.Helper()
	for i := 1; i < len(ds); i++ {
		if ds[i] <= ds[i-1] {
			t.Errorf("%s not increasing at %d: %v", name, i, ds)
		}
	}
}

// TestScaledCoversEveryTimer: Scaled scales every field, so a timer added
// to Timers and forgotten in Scaled fails here rather than leaving the
// tests slow (or a scaled relation broken).
func TestScaledCoversEveryTimer(t *testing.T) {
	def, half := reflect.ValueOf(*DefaultTimers()), reflect.ValueOf(*DefaultTimers().Scaled(0.5))
	for i := range def.NumField() {
		name, d, h := def.Type().Field(i).Name, def.Field(i), half.Field(i)
		switch v := d.Interface().(type) {
		case time.Duration:
			if v <= 0 || h.Interface().(time.Duration) != v/2 {
				t.Errorf("%s: default %v, scaled by 0.5 %v", name, v, h.Interface())
			}
		case []time.Duration:
			hs := h.Interface().([]time.Duration)
			if len(v) == 0 || len(hs) != len(v) {
				t.Fatalf("%s: default %v, scaled %v", name, v, hs)
			}
			for j := range v {
				if hs[j] != v[j]/2 {
					t.Errorf("%s[%d]: default %v, scaled by 0.5 %v", name, j, v[j], hs[j])
				}
			}
		default:
			t.Errorf("%s: %T is not a timer", name, v)
		}
	}
}
