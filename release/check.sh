#!/usr/bin/env bash
# CI check of the release configuration: builds two platforms with
# release/build.sh into a temporary directory, verifies SHA256SUMS, and
# checks that the stamped binary reports the version it was given.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
want="v0.0.0-citest"
DIST="$out/dist" PLATFORMS="linux/$(go env GOARCH 2>/dev/null || echo amd64) windows/amd64" \
  release/build.sh "$want" >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
(cd "$out/dist" && sha256sum -c --quiet SHA256SUMS)
n=$(wc -l <"$out/dist/SHA256SUMS")
[ "$n" = 2 ] || { echo "release: want 2 archives in SHA256SUMS, got $n"; exit 1; }
tar -C "$out" -xzf "$out"/dist/*_linux_*.tar.gz
got="$("$out"/rtcprobe_${want}_linux_*/rtcprobe version)"
echo "$got" | grep -q "^rtcprobe $want\$" || { echo "release: version output: $got"; exit 1; }
echo "$got" | grep -q '^commit: *[0-9a-f]\{40\}' || { echo "release: no commit in: $got"; exit 1; }
echo "release: ok ($n archives, checksums verified, version stamped)"
