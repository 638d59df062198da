#!/bin/sh
# Builds a Go program of the tests against Debian's bbolt (the real library:
# boltcheck, the oracle; tests/live/writer.go, the daemon's stand-in) into
# OUT, once, and again when SRC is newer; prints OUT. Exits 3 when Go or
# Debian's bbolt source is missing (the caller skips), 1 when the build fails.
#   tests/go_build.sh SRC OUT
set -u
src=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
gopath=/usr/share/gocode
command -v go >/dev/null 2>&1 || { echo "go is not installed (golang-go)" >&2; exit 3; }
[ -d "$gopath/src/go.etcd.io/bbolt" ] ||
	{ echo "bbolt source missing (golang-github-coreos-bbolt-dev)" >&2; exit 3; }
dir=$(dirname "$out")
mkdir -p "$dir" || exit 1
# tests run in parallel: one build at a time, the others wait and reuse it
exec 9>"$out.build-lock"
flock 9
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
	GO111MODULE=off GOPATH=$gopath GOCACHE=$dir/gocache GOFLAGS= \
		go build -o "$out.new" "$src" || exit 1
	mv "$out.new" "$out"
fi
echo "$out"
