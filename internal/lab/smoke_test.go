//go:build linux

package lab

import (
	"strings"
	"testing"
)

// TestLabServers checks the lab itself: the laptop resolves the TRTC and lab
// names through the corporate resolver, and reaches the web server, nginx
// and coturn through the firewall.
func TestLabServers(t *testing.T) {
	l := Start(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"dns", []string{"getent", "hosts", "trtc.rtc.qq.com"}, WebAddr},
		{"dns-lab", []string{"getent", "hosts", TURNName}, TURNAddr},
		{"stun", []string{"turnutils_stunclient", "-p", "16285", ReflAddr}, "UDP reflexive addr: " + FirewallWAN},
		{"web", []string{"curl", "-sS", "--cacert", l.CAFile, "https://schedule.rtc-web.com/api/v1/"}, `"lab":"rtcprobe"`},
		{"nginx-logger", []string{"curl", "-sS", "--cacert", l.CAFile, "https://proxy.lab.test/logger/x"}, `"lab":"rtcprobe"`},
		{"nginx-ws", []string{"curl", "-sS", "-i", "--cacert", l.CAFile, "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
			"-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "--max-time", "2", "https://proxy.lab.test/ws/"}, "101 Switching Protocols"},
		{"nginx-dead", []string{"curl", "-sS", "-i", "--cacert", l.CAFile, "https://proxy.lab.test/ws-deadupstream/"}, "502 Bad Gateway"},
		{"squid", []string{"curl", "-sS", "--cacert", l.CAFile, "-x", "http://10.66.0.1:3128", "https://trtc.rtc.qq.com/"}, `"lab":"rtcprobe"`},
		{"squid-turn-refused", []string{"curl", "-sS", "-i", "-x", "http://10.66.0.1:3128", "https://turn.lab.test:3478/"}, "403"},
		{"turn", []string{"turnutils_uclient", "-y", "-n", "1", "-u", TURNUser, "-w", l.TURNPassword(), "-r", "tencent", TURNAddr}, "Total lost packets 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := l.Exec(Laptop, c.args...)
			// Exit status is not the test: curl fails on purpose for a
			// refused CONNECT and stops a WebSocket by timing out.
			if !strings.Contains(out, c.want) {
				t.Errorf("%v: err %v, want %q in:\n%s", c.args, err, c.want, out)
			}
		})
	}
}
