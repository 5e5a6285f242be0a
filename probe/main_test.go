package probe

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any goroutine outlives them:
// every probe must close its sockets and TURN clients.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
