package probe

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/rtcprobe/rtcprobe/result"
)

// TestSocketErrorClasses pins the verdict each socket error gets, by POSIX
// errno and by Windows Sockets code, wrapped as the net package wraps them:
// the same firewall must read the same on Linux and on Windows.
func TestSocketErrorClasses(t *testing.T) {
	wrap := func(op string, e error) error {
		return &net.OpError{Op: op, Net: "udp", Err: os.NewSyscallError("wsarecv", e)}
	}
	for _, tt := range []struct {
		name                            string
		err                             error
		udpRejected, refused, big, tout bool
		connect                         string // classifyConnect status/reason
	}{
		{"linux port unreachable / rst", wrap("read", syscall.ECONNREFUSED), true, true, false, false, "rejected/rst"},
		{"WSAECONNREFUSED 10061 (tcp rst; wine udp)", wrap("dial", syscall.Errno(10061)), true, true, false, false, "rejected/rst"},
		{"WSAECONNRESET 10054 (windows udp icmp)", wrap("read", syscall.Errno(10054)), true, false, false, false, "rejected/icmp-unreachable"},
		{"WSAENETUNREACH 10051", wrap("dial", syscall.Errno(10051)), true, false, false, false, "rejected/icmp-unreachable"},
		{"WSAEHOSTUNREACH 10065", wrap("dial", syscall.Errno(10065)), true, false, false, false, "rejected/icmp-unreachable"},
		{"EHOSTUNREACH", wrap("dial", syscall.EHOSTUNREACH), true, false, false, false, "rejected/icmp-unreachable"},
		{"WSAETIMEDOUT 10060", wrap("dial", syscall.Errno(10060)), false, false, false, true, "blocked/timeout"},
		{"ETIMEDOUT", wrap("dial", syscall.ETIMEDOUT), false, false, false, true, "blocked/timeout"},
		{"WSAEMSGSIZE 10040", wrap("read", syscall.Errno(10040)), false, false, true, false, "error/connect-error"},
		{"WSAECONNABORTED 10053", wrap("read", syscall.Errno(10053)), false, false, false, false, "error/connect-error"},
		{"other", fmt.Errorf("boom"), false, false, false, false, "error/connect-error"},
		{"nil", nil, false, false, false, false, "error/connect-error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := udpRejected(tt.err); got != tt.udpRejected {
				t.Errorf("udpRejected = %v, want %v", got, tt.udpRejected)
			}
			if got := connRefused(tt.err); got != tt.refused {
				t.Errorf("connRefused = %v, want %v", got, tt.refused)
			}
			if got := datagramTooBig(tt.err); got != tt.big {
				t.Errorf("datagramTooBig = %v, want %v", got, tt.big)
			}
			if got := isTimeout(tt.err); got != tt.tout {
				t.Errorf("isTimeout = %v, want %v", got, tt.tout)
			}
			if tt.err == nil {
				return
			}
			status, reason := classifyConnect(tt.err, nil)
			if got := string(status) + "/" + string(reason); got != tt.connect {
				t.Errorf("classifyConnect = %s, want %s", got, tt.connect)
			}
		})
	}
	if st, _ := classifyConnect(fmt.Errorf("x"), context.DeadlineExceeded); st != result.StatusBlocked {
		t.Errorf("an expired context is %s, want blocked", st)
	}
}
