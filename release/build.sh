#!/usr/bin/env bash
# Release build: cross-compiles rtcprobe for windows, darwin and linux on
# amd64 and arm64 (no cgo, so no C toolchain per target), stamps version,
# commit and date into `rtcprobe version`, packs one archive per platform
# into dist/ (.zip for windows, .tar.gz elsewhere) and writes SHA256SUMS.
#
#   release/build.sh [VERSION]      VERSION defaults to `git describe`, else "dev"
#   DIST=/some/dir release/build.sh  write somewhere else than ./dist
#   PLATFORMS="linux/amd64" release/build.sh   build a subset (CI smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

version="${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
# The commit time, not the wall clock: the same commit builds the same bytes.
date="$(git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || TZ=UTC date +%Y-%m-%dT%H:%M:%SZ)"
dist="${DIST:-dist}"
platforms="${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}"

rm -rf "$dist"
mkdir -p "$dist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date"
for p in $platforms; do
  os="${p%/*}" arch="${p#*/}"
  name="rtcprobe_${version}_${os}_${arch}"
  exe=rtcprobe
  [ "$os" = windows ] && exe=rtcprobe.exe
  mkdir -p "$work/$name"
  echo "== $os/$arch"
  CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" TZ=UTC \
    go build -trimpath -ldflags "$ldflags" -o "$work/$name/$exe" ./cmd/rtcprobe
  for f in README.md LICENSE; do [ -f "$f" ] && cp "$f" "$work/$name/"; done
  # Fixed owner and mtime in the archives so a rebuild of the same commit
  # gives the same checksums.
  touch -d "$date" "$work/$name" "$work/$name"/*
  if [ "$os" = windows ]; then
    (cd "$work" && zip -q -X -r "$name.zip" "$name")
    mv "$work/$name.zip" "$dist/"
  else
    tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -n >"$dist/$name.tar.gz"
  fi
done
shopt -s nullglob
(cd "$dist" && archives=(*.tar.gz *.zip) && sha256sum -- "${archives[@]}" >SHA256SUMS)
echo "== $dist/SHA256SUMS"
cat "$dist/SHA256SUMS"
