package probe

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/result"
)

// TestAgainstRtcprobeServe runs the media probes against the real
// reflector (rtcprobe serve) on loopback: STUN answered with the mapped
// address, and every echo size comes back.
func TestAgainstRtcprobeServe(t *testing.T) {
	srv := startServe(t, nil)
	var ports []int
	for _, a := range srv.UDPAddrs() {
		ports = append(ports, a.(*net.UDPAddr).Port)
	}
	got := runReflector(t, &Env{}, ports...)
	for _, port := range ports {
		pre := strconv.Itoa(port)
		if p := got["stun/"+pre]; p.Status != result.StatusOK || p.Details["mappedAddress"] == "" {
			t.Errorf("stun/%s = %s/%s %v", pre, p.Status, p.Reason, p.Details)
		}
		for _, size := range []int{stunRequestSize(), echoMediaSize, echoFullSize} {
			id := "echo/" + pre + "/" + strconv.Itoa(size)
			if p := got[id]; p.Status != result.StatusOK || p.Details["echoCapable"] != "true" {
				t.Errorf("%s = %s/%s %v", id, p.Status, p.Reason, p.Details)
			}
		}
	}
}

// TestTURNAgainstRtcprobeServe runs the TURN probe and its audits against
// the reflector's embedded TURN server, which refuses private peers unless
// told otherwise.
func TestTURNAgainstRtcprobeServe(t *testing.T) {
	for _, tt := range []struct {
		name         string
		allowPrivate bool
		main, audit  turnWant
	}{
		{"private peers allowed", true, turnWant{result.StatusOK, "", ""}, turnWant{result.StatusOK, "", ""}},
		{"private peers refused", false, turnWant{result.StatusFailed, "permission-denied", "permission"}, turnWant{result.StatusFailed, "permission-denied", "permission"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServe(t, &reflector.TURNConfig{Users: map[string]string{"alice": "s3cret-pass"}, AllowPrivatePeers: tt.allowPrivate})
			_, _, turnAddr := srv.Addrs()
			port := turnAddr.(*net.UDPAddr).Port
			peer := srv.UDPAddrs()[0].String()
			got := runTURN(t, &Env{}, turnTarget("s", "udp", port, "alice", "s3cret-pass", peer))
			checkProbe(t, got, "s", tt.main)
			checkProbe(t, got, "s/audit/relay-loopback", tt.audit)
			checkProbe(t, got, "s/audit/relay-private", tt.audit)
			checkProbe(t, got, "s/audit/default-credentials", turnWant{result.StatusFailed, "unauthorized", "allocate"})
		})
	}
}

// startServe runs the reflector on loopback until the test ends.
func startServe(t *testing.T, tc *reflector.TURNConfig) *reflector.Server {
	t.Helper()
	return startServeConfig(t, reflector.Config{Listen: "127.0.0.1", UDPPorts: []int{0, 0}, Rate: -1, TURN: tc})
}

// startServeConfig runs a reflector configured by cfg (logs discarded) on
// loopback until the test ends; waiting for it is bounded.
func startServeConfig(t *testing.T, cfg reflector.Config) *reflector.Server {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := reflector.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("reflector not ready")
	}
	return srv
}
