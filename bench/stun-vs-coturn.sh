#!/bin/sh
# STUN Binding throughput and memory: `rtcprobe serve` vs coturn
# `turnserver --stun-only`, same port, same load generator (bench/stunload),
# one after the other in the same run, loopback only.
#
#   bench/stun-vs-coturn.sh [seconds] [sockets] [window]
#
# rtcprobe's per-source rate limit is switched off (--rate -1): every
# request comes from 127.0.0.1 and coturn has no such limit, so this
# measures the packet path, not the limiter. Memory is the server's peak
# resident set (VmHWM) after the run.
set -eu
SECS=${1:-3}
SOCKETS=${2:-4}
WINDOW=${3:-16}
PORT=${PORT:-18000}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/rtcprobe" ./cmd/rtcprobe
go build -o "$tmp/stunload" ./bench/stunload

measure() { # name, then the server command
	name=$1
	shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	sleep 1
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "$name: did not start (port $PORT busy? set PORT=...):" >&2
		cat "$tmp/$name.log" >&2
		return 1
	fi
	result=$("$tmp/stunload" -addr "127.0.0.1:$PORT" -sockets "$SOCKETS" -window "$WINDOW" -duration "${SECS}s")
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	echo "$name: $result peak_rss_kb=$hwm rss_kb=$rss"
}

measure rtcprobe "$tmp/rtcprobe" serve --listen 127.0.0.1 --udp-ports "$PORT" --tcp-port 0 --rate -1
if command -v turnserver >/dev/null; then
	measure coturn turnserver -n --stun-only -L 127.0.0.1 -p "$PORT" --no-cli --no-tls --no-dtls \
		--log-file stdout --simple-log --pidfile "$tmp/turnserver.pid"
else
	echo "coturn: turnserver not installed (Debian package coturn); skipped"
fi
