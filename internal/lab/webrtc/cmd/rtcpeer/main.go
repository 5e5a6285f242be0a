// Command rtcpeer is the lab's real WebRTC client (see package
// internal/lab/webrtc). "rtcpeer answer" stands in for the TRTC media server,
// "rtcpeer offer" for the browser; the offerer prints one JSON line with
// the result. TURN credentials come from RTCPEER_TURN_USER and
// RTCPEER_TURN_PASSWORD and are never printed.
//
//	rtcpeer answer --dir D --ip 203.0.113.50 --port 8000
//	rtcpeer offer  --dir D --path turn-tcp --turn turn.lab.test:3478 [--http-proxy http://10.66.0.1:3128]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rtcprobe/rtcprobe/internal/lab/webrtc"
	"github.com/rtcprobe/rtcprobe/probe"
	"github.com/rtcprobe/rtcprobe/result"
)

const usage = "usage: rtcpeer answer|offer [flags] (rtcpeer <role> -h lists the flags)"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run returns the exit code: 0 done (the offerer prints its result even
// when the path did not connect), 2 bad flags, 1 answerer failure.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("rtcpeer "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "signalling directory shared by both peers (required)")
	loopback := fs.Bool("loopback", false, "allow loopback candidates (tests)")
	switch args[0] {
	case "answer":
		ip := fs.String("ip", "", "the only address to offer candidates on")
		port := fs.Int("port", 8000, "UDP media port")
		if fs.Parse(args[1:]) != nil || !needDir(*dir, stderr) {
			return 2
		}
		if err := webrtc.Answer(ctx, webrtc.AnswerConfig{IP: *ip, Port: *port, Dir: *dir, Loopback: *loopback}); err != nil {
			fmt.Fprintln(stderr, "rtcpeer answer:", err)
			return 1
		}
		return 0
	case "offer":
		path := fs.String("path", "direct-udp", "media path: direct-udp, turn-udp, turn-tcp or turn-tls")
		turn := fs.String("turn", "", "TURN server host:port (turn-* paths)")
		httpProxy := fs.String("http-proxy", "", "HTTP proxy for TURN over TCP/TLS (http://host:port)")
		if fs.Parse(args[1:]) != nil || !needDir(*dir, stderr) {
			return 2
		}
		res := webrtc.Offer(ctx, webrtc.OfferConfig{
			Path: result.PathName(*path), TURN: *turn, HTTPProxy: *httpProxy, Dir: *dir, Loopback: *loopback,
			Username: os.Getenv("RTCPEER_TURN_USER"), Password: probe.Secret(os.Getenv("RTCPEER_TURN_PASSWORD")),
		})
		json.NewEncoder(stdout).Encode(res)
		return 0
	}
	fmt.Fprintln(stderr, usage)
	return 2
}

func needDir(dir string, stderr io.Writer) bool {
	if dir == "" {
		fmt.Fprintln(stderr, "rtcpeer: --dir is required (a directory both peers can read and write)")
		return false
	}
	return true
}
