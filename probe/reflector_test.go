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
	"github.com/rtcprobe/rtcprobe/report"
)

// TestAgainstRtcprobeServe runs the media probes against the real
// reflector (rtcprobe serve) on loopback: STUN answered with the mapped
// address, and every echo size comes back.
func TestAgainstRtcprobeServe(t *testing.T) {
	srv, err := reflector.New(reflector.Config{Listen: "127.0.0.1", UDPPorts: []int{0, 0}, Rate: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("reflector not ready")
	}
	var ports []int
	for _, a := range srv.UDPAddrs() {
		ports = append(ports, a.(*net.UDPAddr).Port)
	}
	got := runReflector(t, &Env{}, ports...)
	for _, port := range ports {
		pre := strconv.Itoa(port)
		if p := got["stun/"+pre]; p.Status != report.StatusOK || p.Details["mappedAddress"] == "" {
			t.Errorf("stun/%s = %s/%s %v", pre, p.Status, p.Reason, p.Details)
		}
		for _, size := range []int{stunRequestSize(), echoMediaSize, echoFullSize} {
			id := "echo/" + pre + "/" + strconv.Itoa(size)
			if p := got[id]; p.Status != report.StatusOK || p.Details["echoCapable"] != "true" {
				t.Errorf("%s = %s/%s %v", id, p.Status, p.Reason, p.Details)
			}
		}
	}
}
