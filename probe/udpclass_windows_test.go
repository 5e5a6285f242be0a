//go:build windows

package probe

import (
	"net"
	"testing"
)

// TestUDPConnResetIoctl checks that the ioctl rtcprobe relies on for
// rejected UDP ports is accepted on the sockets openUDP makes. Under Wine
// this proves only the call: Wine accepts it as a stub.
func TestUDPConnResetIoctl(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c, err := net.Dial("udp4", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, on := range []bool{true, false, true} {
		if err := setUDPConnReset(c, on); err != nil {
			t.Errorf("SIO_UDP_CONNRESET %v: %v", on, err)
		}
	}
	if err := setUDPConnReset(nil, true); err == nil {
		t.Error("a nil conn was accepted")
	}
}
