#!/bin/sh
# Builds boltcheck (tests/bolt/boltcheck, the real bbolt library's listing
# of a file) into DIR/boltcheck, once, and again when the source is newer;
# prints its path. Exits 3 when Go or Debian's bbolt source is missing (the
# caller skips), 1 when the build fails.
#   tests/bolt/build.sh DIR
set -u
dir=$1
src=$(cd "$(dirname "$0")" && pwd)/boltcheck/main.go
gopath=/usr/share/gocode
command -v go >/dev/null 2>&1 || { echo "go is not installed (golang-go)" >&2; exit 3; }
[ -d "$gopath/src/go.etcd.io/bbolt" ] ||
	{ echo "bbolt source missing (golang-github-coreos-bbolt-dev)" >&2; exit 3; }
mkdir -p "$dir" || exit 1
# tests run in parallel: one build at a time, the others wait and reuse it
exec 9>"$dir/.build-lock"
flock 9
if [ ! -x "$dir/boltcheck" ] || [ "$src" -nt "$dir/boltcheck" ]; then
	GO111MODULE=off GOPATH=$gopath GOCACHE=$dir/gocache GOFLAGS= \
		go build -o "$dir/boltcheck.new" "$src" || exit 1
	mv "$dir/boltcheck.new" "$dir/boltcheck"
fi
echo "$dir/boltcheck"
