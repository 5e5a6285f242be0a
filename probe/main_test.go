package probe

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any goroutine outlives them:
// every probe must close its sockets and TURN clients.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The Kerberos service side of the test proxy (gokrb5's replay
		// cache, process-wide by design) cleans up on a timer; it is the
		// test server's, not a probe's. Its name differs when the compiler
		// inlines GetReplayCache into VerifyAPREQ (as under -race).
		goleak.IgnoreAnyFunction("github.com/jcmturner/gokrb5/v8/service.GetReplayCache.func1.1"),
		goleak.IgnoreAnyFunction("github.com/jcmturner/gokrb5/v8/service.VerifyAPREQ.GetReplayCache.func1.1"))
}
