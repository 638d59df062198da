#!/bin/bash
# Real BuildKit data to look at: runs real_daemon.test's scenario (v1 built
# into root A, v2 into B, both into AB, by Debian's dockerd 20.10, daemons
# of its own) outside the test and leaves everything in OUTDIR, every
# daemon stopped. OUTDIR/README.txt says what is where. Needs root.
#   tests/real_daemon_data.sh OUTDIR
set -u
if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" || exit 1
out=$(cd "$1" && pwd)
if [ -n "$(ls -A "$out")" ]; then
	echo "$0: $out is not empty" >&2
	exit 2
fi
. "$top_srcdir/tests/lib.sh" # $SCRATCH, on_exit: the daemons stop on any exit
DOCKERD_TOP=$out
. "$top_srcdir/tests/dockerd.sh"

fail() {
	echo "$0: $*" >&2
	exit 1
}
have_dockerd || fail "needs root, docker.io (/usr/sbin/dockerd, /usr/bin/docker), curl and jq"
dockerd_scenario "$out" >"$SCRATCH/diag" || fail "the scenario failed: $(cat "$SCRATCH/diag")"

# the base image's ID is the same in every root; v1 also saved by image ID
# (a `docker save` of an ID has no tags), for a reader of archives
dockerd_start A >"$SCRATCH/diag" || fail "dockerd A did not start again: $(cat "$SCRATCH/diag")"
v1_id=$(dockerd A image inspect --format '{{.Id}}' app:v1) &&
	dockerd_save A "$v1_id" "$out/v1.by-id.docker-save.tar" >"$SCRATCH/diag" ||
	fail "docker save $v1_id: $(cat "$SCRATCH/diag")"
for name in A B AB; do
	[ -n "$(dockerd_pid "$name")" ] || dockerd_start "$name" >"$SCRATCH/diag" || fail "dockerd $name: $(cat "$SCRATCH/diag")"
	dockerd "$name" images --digests --no-trunc >"$out/images-$name.txt"
	dockerd_stop "$name"
done

cat >"$out/README.txt" <<EOF
Real BuildKit caches, written by $("$DOCKERD_BIN" --version)
(BuildKit inside dockerd), made by tests/real_daemon_data.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ).
Storage driver: $(cat "$out/A/driver"). Every daemon is stopped.

The builds (contexts in ctx/):
  ctx/v1: FROM $DOCKERD_BASE / RUN echo hi > /hi / COPY app.txt /app.txt /
          RUN cat /hi /app.txt > /out        (app.txt = "v1")
  ctx/v2: the same with RUN echo hey > /hi   (app.txt = "v2")
  $DOCKERD_BASE: /bin/busybox (busybox-static) and applet links, imported
  once, then saved (base-image.tar) and loaded into every daemon: one image
  ID in every root.

Roots (one dockerd each; NAME/data is its --data-root):
  A/data/buildkit    v1                 cache.db, metadata_v2.db, ...
  B/data/buildkit    v2
  AB/data/buildkit   v1, then v2
  NAME/dockerd.log   the daemon's log; NAME/build.log: its last build's output
  images-NAME.txt    docker images --digests in that daemon

Files:
  df-NAME.json               GET /system/df after the builds (images,
                             build cache records with descriptions and sizes)
  v1.docker-save.tar         docker save app:v1 (from A): manifest.json,
                             <id>.json config, <layer>/layer.tar, repositories
  v1.by-id.docker-save.tar   docker save <image ID>: the same, no RepoTags
  v1.config.json             the image config that manifest.json's "Config" names
  v1.inspect.json            docker image inspect app:v1 (not the config)
  base-image.tar             docker save of $DOCKERD_BASE

Not here: the OCI-layout form of docker save (index.json, blobs/) is
written by docker 25 and later only; this CLI has no option for it, and
dockerd 20.10's builder has no oci or docker exporter (--output
type=oci: 'exporter "oci" could not be found').

Try:  cachescope stats A/data/buildkit
      cachescope diff A/data/buildkit B/data/buildkit
EOF
echo "$out: the data, the daemons stopped; see $out/README.txt"
