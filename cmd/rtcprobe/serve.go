package main

import (
	"context"
	"errors"
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

// serveDoc is the help of `serve`.
var serveDoc = cmdDoc{
	name:     "serve",
	synopsis: "rtcprobe serve [flags]",
	summary:  "Run the reflector outside the firewall: STUN/echo on the media ports, TCP/TLS, optional TURN.",
	long: `Laptops running 'rtcprobe check --reflector HOST' test UDP media against it. It
answers STUN Binding requests and echo datagrams on the UDP ports, STUN over
TCP, TLS, /healthz and a WebSocket on the TCP port, and with --turn-port runs a
TURN server. It runs until SIGINT/SIGTERM.`,
	examples: []string{
		"# The reflector with its defaults (UDP 8000,8080,8800,843,443,16285 and TCP 443)",
		"rtcprobe serve",
		"# With a TURN server on 3478 and Prometheus metrics on loopback",
		"rtcprobe serve --turn-port 3478 --turn-users users.txt --external-ip 203.0.113.10 --metrics 127.0.0.1:9464",
	},
}

// serveFlags are the flags of `serve`.
type serveFlags struct {
	listen, udp, cert, key, metrics, turnUsers, realm, relay, extIP string
	tcp, burst, turnPort, perUser, total                            int
	rate                                                            float64
	metricsAny, allowPriv, logJSON                                  bool
}

// serveFlagTable is the flags of serve, one row each.
func serveFlagTable(f *serveFlags) []flagSpec {
	return []flagSpec{
		stringFlag(&f.listen, "listen", "ADDR", "", "IP address to bind (default: all)"),
		stringFlag(&f.udp, "udp-ports", "PORTS", "8000,8080,8800,843,443,16285", "UDP ports answering STUN and echo (comma-separated)").
			withCheck(func() error { return checkPorts("udp-ports", f.udp) }),
		intFlag(&f.tcp, "tcp-port", "PORT", 443, "TCP port for STUN over TCP, TLS, /healthz and WebSocket /ws (0: off)").
			withCheck(func() error { return checkPortOrOff("tcp-port", f.tcp) }),
		stringFlag(&f.cert, "tls-cert", "FILE", "", "TLS certificate file (default: a generated self-signed certificate)"),
		stringFlag(&f.key, "tls-key", "FILE", "", "TLS key file"),
		floatFlag(&f.rate, "rate", "N", reflector.DefaultRate, "datagrams per second per source IP (negative: no limit)"),
		intFlag(&f.burst, "burst", "N", reflector.DefaultBurst, "burst per source IP").
			withCheck(func() error {
				if f.burst < 1 {
					return fmt.Errorf("--burst %d: want 1 or more datagrams (a source gets this many before --rate applies)", f.burst)
				}
				return nil
			}),
		stringFlag(&f.metrics, "metrics", "ADDR:PORT", "", "Prometheus endpoint address, loopback only (e.g. 127.0.0.1:9464)"),
		boolFlag(&f.metricsAny, "metrics-any-addr", "allow a non-loopback --metrics address"),
		intFlag(&f.turnPort, "turn-port", "PORT", 0, "embedded TURN server port, UDP and TCP (0: off)").
			withCheck(func() error { return checkPortOrOff("turn-port", f.turnPort) }),
		stringFlag(&f.turnUsers, "turn-users", "FILE", "", "file of user:password lines (or env RTCPROBE_TURN_USERS, same format, ';' or newline separated)"),
		stringFlag(&f.realm, "turn-realm", "REALM", "rtcprobe", "TURN realm"),
		stringFlag(&f.relay, "relay-ports", "LOW-HIGH", "49152-65535", "TURN relay port range"),
		stringFlag(&f.extIP, "external-ip", "IP", "", "relay address told to TURN clients (the public IP)"),
		boolFlag(&f.allowPriv, "allow-private-peers", "let TURN relay to loopback/private/link-local peers (lab only)"),
		intFlag(&f.perUser, "turn-user-quota", "N", 10, "live TURN allocations per user"),
		intFlag(&f.total, "turn-total-quota", "N", 1000, "live TURN allocations in total"),
		boolFlag(&f.logJSON, "log-json", "log JSON instead of text"),
	}
}

// runServe runs the reflector until SIGINT/SIGTERM.
func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, err := serveConfig(args, stdout, stderr)
	if errors.Is(err, errHelp) {
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

func serveConfig(args []string, stdout, stderr io.Writer) (reflector.Config, error) {
	f := &serveFlags{}
	rest, err := parseTable(&serveDoc, serveFlagTable(f), args, false, stdout)
	if err != nil {
		return reflector.Config{}, err
	}
	if len(rest) > 0 {
		return reflector.Config{}, fmt.Errorf("unexpected argument %q (serve takes flags only; see 'rtcprobe serve --help')", rest[0])
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if f.logJSON {
		h = slog.NewJSONHandler(safeJSONLog{stderr}, nil)
	}
	ports, err := parsePorts(f.udp)
	if err != nil {
		return reflector.Config{}, fmt.Errorf("--udp-ports: %w", err)
	}
	cfg := reflector.Config{Listen: f.listen, UDPPorts: ports, TCPPort: f.tcp, TLSCert: f.cert, TLSKey: f.key,
		Rate: f.rate, Burst: f.burst, Metrics: f.metrics, MetricsAnyAddr: f.metricsAny, Logger: slog.New(h)}
	if f.turnPort == 0 {
		return cfg, nil
	}
	tc := &reflector.TURNConfig{Port: f.turnPort, Realm: f.realm, ExternalIP: f.extIP, AllowPrivatePeers: f.allowPriv, PerUser: f.perUser, Total: f.total}
	if tc.Users, err = turnUsersFrom(f.turnUsers); err != nil {
		return cfg, err
	}
	lo, hi, ok := strings.Cut(f.relay, "-")
	min, err1 := strconv.ParseUint(lo, 10, 16)
	max, err2 := strconv.ParseUint(hi, 10, 16)
	if !ok || err1 != nil || err2 != nil || min == 0 || min > max {
		return cfg, fmt.Errorf("--relay-ports %q: want LOW-HIGH such as 49152-65535", f.relay)
	}
	tc.RelayMin, tc.RelayMax = uint16(min), uint16(max)
	cfg.TURN = tc
	return cfg, nil
}

// checkPortOrOff accepts 0 (off) or a port 1-65535.
func checkPortOrOff(name string, p int) error {
	if p < 0 || p > 65535 {
		return fmt.Errorf("--%s must be a port 1-65535 (0: off), not %d", name, p)
	}
	return nil
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
