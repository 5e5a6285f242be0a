package probe

import "testing"

// TestTimeoutOrder checks the relations the comments in timeouts.go promise.
func TestTimeoutOrder(t *testing.T) {
	if udpPacing*20 >= DefaultBudget/10 {
		t.Errorf("udpPacing %v: pacing twenty probes must cost well under a tenth of the budget %v", udpPacing, DefaultBudget)
	}
}
