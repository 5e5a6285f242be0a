// Command stunload is a small STUN Binding load generator for comparing
// reflectors on loopback: K sockets each keep W requests in flight for a
// bounded time and count the valid answers (Binding success, known
// transaction, XOR-MAPPED-ADDRESS present).
//
//	go run ./bench/stunload -addr 127.0.0.1:18000 -sockets 4 -window 16 -duration 3s
//
// It refuses non-loopback targets: it is a benchmark, not a flood tool.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/stun/v4"
)

// readTimeout: on loopback an answer takes microseconds; after this long
// the window is assumed lost and refilled, so a dropping server cannot
// stall a socket.
const readTimeout = 50 * time.Millisecond

func main() {
	addr := flag.String("addr", "127.0.0.1:18000", "loopback STUN server address")
	sockets := flag.Int("sockets", 4, "client sockets")
	window := flag.Int("window", 16, "requests in flight per socket")
	duration := flag.Duration("duration", 3*time.Second, "how long to send")
	flag.Parse()
	ap, err := netip.ParseAddrPort(*addr)
	if err != nil || !ap.Addr().IsLoopback() {
		fmt.Fprintln(os.Stderr, "stunload: -addr must be a loopback IP:port")
		os.Exit(2)
	}
	var sent, answered atomic.Uint64
	var wg sync.WaitGroup
	stop := time.Now().Add(*duration)
	for range *sockets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, a := worker(ap, *window, stop)
			sent.Add(s)
			answered.Add(a)
		}()
	}
	wg.Wait()
	secs := duration.Seconds()
	fmt.Printf("sent=%d answered=%d rate=%.0f/s loss=%.2f%%\n", sent.Load(), answered.Load(),
		float64(answered.Load())/secs, 100*(1-float64(answered.Load())/float64(max(sent.Load(), 1))))
}

func worker(to netip.AddrPort, window int, stop time.Time) (sent, answered uint64) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		fmt.Fprintln(os.Stderr, "stunload:", err)
		return 0, 0
	}
	defer c.Close()
	inflight := map[[stun.TransactionIDSize]byte]struct{}{}
	send := func() {
		m := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
		if _, err := c.Write(m.Raw); err == nil {
			inflight[m.TransactionID] = struct{}{}
			sent++
		}
	}
	buf := make([]byte, 1500)
	for time.Now().Before(stop) {
		for len(inflight) < window {
			send()
		}
		_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		n, err := c.Read(buf)
		if err != nil {
			clear(inflight) // lost: refill the window
			continue
		}
		m := &stun.Message{Raw: buf[:n]}
		var xor stun.XORMappedAddress
		if m.Decode() != nil || m.Type != stun.BindingSuccess || xor.GetFrom(m) != nil {
			continue
		}
		if _, ok := inflight[m.TransactionID]; ok {
			delete(inflight, m.TransactionID)
			answered++
		}
	}
	return sent, answered
}
