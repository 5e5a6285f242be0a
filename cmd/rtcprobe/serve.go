package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/rtcprobe/rtcprobe/reflector"
	"github.com/rtcprobe/rtcprobe/report"
)

// runServe runs the reflector until SIGINT/SIGTERM.
func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, err := serveConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "rtcprobe serve:", report.Safe(err.Error()))
		return ExitUsage
	}
	srv, err := reflector.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "rtcprobe serve:", report.Safe(err.Error()))
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "rtcprobe serve:", report.Safe(err.Error()))
		return ExitUsage
	}
	return ExitOK
}

func serveConfig(args []string, stderr io.Writer) (reflector.Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "", "IP address to bind (default: all)")
	udp := fs.String("udp-ports", "8000,8080,8800,843,443,16285", "UDP ports answering STUN and echo (comma-separated)")
	tcp := fs.Int("tcp-port", 443, "TCP port for STUN over TCP, TLS, /healthz and WebSocket /ws (0: off)")
	cert := fs.String("tls-cert", "", "TLS certificate file (default: a generated self-signed certificate)")
	key := fs.String("tls-key", "", "TLS key file")
	rate := fs.Float64("rate", reflector.DefaultRate, "datagrams per second per source IP (negative: no limit)")
	burst := fs.Int("burst", reflector.DefaultBurst, "burst per source IP")
	metrics := fs.String("metrics", "", "Prometheus endpoint address, loopback only (e.g. 127.0.0.1:9464)")
	metricsAny := fs.Bool("metrics-any-addr", false, "allow a non-loopback --metrics address")
	turnPort := fs.Int("turn-port", 0, "embedded TURN server port, UDP and TCP (0: off)")
	turnUsers := fs.String("turn-users", "", "file of user:password lines (or env RTCPROBE_TURN_USERS, same format, ';' or newline separated)")
	realm := fs.String("turn-realm", "rtcprobe", "TURN realm")
	relay := fs.String("relay-ports", "49152-65535", "TURN relay port range")
	extIP := fs.String("external-ip", "", "relay address told to TURN clients (the public IP)")
	allowPriv := fs.Bool("allow-private-peers", false, "let TURN relay to loopback/private/link-local peers (lab only)")
	perUser := fs.Int("turn-user-quota", 10, "live TURN allocations per user")
	total := fs.Int("turn-total-quota", 1000, "live TURN allocations in total")
	logJSON := fs.Bool("log-json", false, "log JSON instead of text")
	if err := parseFlags(fs, args, stderr); err != nil {
		return reflector.Config{}, err
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(safeJSONLog{stderr}, nil)
	}
	ports, err := parsePorts(*udp)
	if err != nil {
		return reflector.Config{}, fmt.Errorf("--udp-ports: %w", err)
	}
	cfg := reflector.Config{Listen: *listen, UDPPorts: ports, TCPPort: *tcp, TLSCert: *cert, TLSKey: *key,
		Rate: *rate, Burst: *burst, Metrics: *metrics, MetricsAnyAddr: *metricsAny, Logger: slog.New(h)}
	if *turnPort == 0 {
		return cfg, nil
	}
	tc := &reflector.TURNConfig{Port: *turnPort, Realm: *realm, ExternalIP: *extIP, AllowPrivatePeers: *allowPriv, PerUser: *perUser, Total: *total}
	if tc.Users, err = turnUsersFrom(*turnUsers); err != nil {
		return cfg, err
	}
	lo, hi, ok := strings.Cut(*relay, "-")
	min, err1 := strconv.ParseUint(lo, 10, 16)
	max, err2 := strconv.ParseUint(hi, 10, 16)
	if !ok || err1 != nil || err2 != nil || min == 0 || min > max {
		return cfg, fmt.Errorf("--relay-ports %q: want LOW-HIGH such as 49152-65535", *relay)
	}
	tc.RelayMin, tc.RelayMax = uint16(min), uint16(max)
	cfg.TURN = tc
	return cfg, nil
}

func turnUsersFrom(file string) (map[string]string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("--turn-users: %w", err)
		}
		defer f.Close()
		return reflector.ParseUsers(f)
	}
	env := os.Getenv("RTCPROBE_TURN_USERS")
	if env == "" {
		return nil, errors.New("--turn-port needs --turn-users FILE or RTCPROBE_TURN_USERS")
	}
	return reflector.ParseUsers(strings.NewReader(strings.ReplaceAll(env, ";", "\n")))
}
