# Real Docker Engine daemons for tests: Debian's docker.io (dockerd 20.10,
# BuildKit inside), each with its own containerd, data root, exec root,
# socket and config, never the system's dockerd or containerd. Sourced
# after tests/lib.sh (and tests/net/lib.sh when a registry is wanted).
# Needs root.
#
#   dockerd_start NAME        a daemon; its files under $DOCKERD_TOP/NAME
#   dockerd_stop NAME         stop it and its containerd (by PID), leave no mount behind
#   dockerd_root NAME         prints its BuildKit root (cache.db, metadata_v2.db)
#   dockerd_base_image NAME   the busybox base image ($DOCKERD_BASE) in NAME
#   dockerd_build NAME CONTEXT TAG [ARGS...]
#   dockerd_df NAME OUT       its /system/df answer (JSON)
#   dockerd_save NAME IMAGE OUT      `docker save` archive
#   image_config ARCHIVE OUT         the image config JSON inside such an archive
#   dockerd NAME ARGS...      /usr/bin/docker against NAME
#   dockerd_scenario DIR      the builds real_daemon.test checks (see there)
#
# Every failure prints what went wrong as TAP diagnostics ("#   " lines)
# and returns non-zero: the caller fails its check, it does not skip.

DOCKER_CLI=/usr/bin/docker # not /usr/local/bin/docker: another client
DOCKERD_BIN=/usr/sbin/dockerd
DOCKERD_BASE=cachescope/busybox:base
# where daemons keep their data; a caller may set it before the first start
: "${DOCKERD_TOP:=$SCRATCH/dockerd}"

# The CLI reads no user config, credentials or contexts, and talks only
# to the daemon it is given.
export DOCKER_CONFIG="${DOCKER_CONFIG:-$SCRATCH/docker-config}"
mkdir -p "$DOCKER_CONFIG"
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

dockerd_names=""
dockerd_stop_all() {
	local name
	for name in $dockerd_names; do dockerd_stop "$name"; done
	return 0
}
on_exit dockerd_stop_all

# have_dockerd: the programs are installed and we may run a daemon.
have_dockerd() {
	[ -x "$DOCKERD_BIN" ] && [ -x "$DOCKER_CLI" ] && [ "$(id -u)" -eq 0 ] && command -v containerd >/dev/null &&
		command -v curl >/dev/null && command -v jq >/dev/null
}

# Each daemon's socket and exec root live in a short directory of their
# own: a unix socket path holds at most 108 bytes, and containerd's
# sockets sit deeper inside the exec root.
dockerd_short() { eval "printf '%s' \"\${dockerd_short_$1:-}\""; }
dockerd_sock() { printf '%s/s' "$(dockerd_short "$1")"; }
dockerd_pid() { eval "printf '%s' \"\${dockerd_pid_$1:-}\""; }
dockerd_cpid() { eval "printf '%s' \"\${dockerd_cpid_$1:-}\""; }
dockerd_root() { printf '%s/data/buildkit' "$DOCKERD_TOP/$1"; }
dockerd_log() { printf '%s/dockerd.log' "$DOCKERD_TOP/$1"; }

dockerd() {
	local name=$1; shift
	"$DOCKER_CLI" -H "unix://$(dockerd_sock "$name")" "$@"
}

# dockerd_ping NAME: one /_ping over the socket
dockerd_ping() {
	[ "$(curl -s --max-time 2 --unix-socket "$(dockerd_sock "$1")" http://docker/_ping 2>/dev/null)" = OK ]
}

# stop_pid PID: SIGTERM, at most 60 s to exit, then SIGKILL; reaped.
# Prints "killed" when it took SIGKILL.
stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null && echo killed
	wait "$pid" 2>/dev/null
	return 0
}

# dockerd_containerd NAME: NAME's own containerd. Left to itself, dockerd
# 20.10 uses the system's containerd whenever /run/containerd/containerd.sock
# exists (sharing its "moby" namespace with the system's dockerd); given
# --containerd, it never looks there.
dockerd_containerd() {
	local name=$1 dir=$DOCKERD_TOP/$1 short pid i
	short=$(dockerd_short "$name")
	cat >"$dir/containerd.toml" <<EOF
version = 2
root = "$dir/data/containerd/daemon"
state = "$short/c"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$short/c.sock"
[debug]
  address = "$short/cd.sock"
  level = "warn"
[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$dir/data/runc"
EOF
	containerd --config "$dir/containerd.toml" >>"$dir/containerd.log" 2>&1 &
	pid=$!
	eval "dockerd_cpid_$name=$pid"
	for i in $(seq 600); do
		[ -S "$short/c.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	{
		echo "containerd did not start; the end of $dir/containerd.log:"
		tail -n 5 "$dir/containerd.log"
	} >>"$dir/dockerd.log"
	return 1
}

# dockerd_launch NAME DRIVER: starts containerd and dockerd, waits until
# dockerd answers /_ping (at most 60 s, or until it exits).
dockerd_launch() {
	local name=$1 driver=$2 dir=$DOCKERD_TOP/$1 short pid i
	[ -n "$(dockerd_short "$name")" ] ||
		eval "dockerd_short_$name=$(mktemp -d /tmp/csd.XXXXXX)" || return 1
	short=$(dockerd_short "$name")
	mkdir -p "$short/x" || return 1
	dockerd_containerd "$name" || return 1
	"$DOCKERD_BIN" --config-file "$dir/daemon.json" --containerd "$short/c.sock" \
		--data-root "$dir/data" --exec-root "$short/x" \
		--host "unix://$short/s" --pidfile "$short/pid" \
		--storage-driver "$driver" --iptables=false --ip-forward=false \
		--ip-masq=false --bridge=none >>"$dir/dockerd.log" 2>&1 &
	pid=$!
	eval "dockerd_pid_$name=$pid"
	for i in $(seq 600); do
		dockerd_ping "$name" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# dockerd_start NAME: a daemon of its own, overlay2, or vfs where the
# kernel or the file system refuses overlay2. Restarting a stopped NAME
# keeps its data root.
dockerd_start() {
	local name=$1 dir=$DOCKERD_TOP/$1 driver
	case $name in *[!A-Za-z0-9_]*|'') echo "#   dockerd_start: bad name $name"; return 1 ;; esac
	mkdir -p "$dir" || return 1
	[ -f "$dir/daemon.json" ] || echo '{}' >"$dir/daemon.json"
	case " $dockerd_names " in *" $name "*) ;; *) dockerd_names="$dockerd_names $name" ;; esac
	for driver in ${DOCKERD_DRIVERS:-overlay2 vfs}; do
		# a root keeps the driver it was made with
		[ -f "$dir/driver" ] && [ "$(cat "$dir/driver")" != "$driver" ] && continue
		echo "== dockerd_start $name --storage-driver $driver" >>"$dir/dockerd.log"
		if dockerd_launch "$name" "$driver"; then
			echo "$driver" >"$dir/driver"
			return 0
		fi
		dockerd_stop "$name"
	done
	echo "#   dockerd $name did not start; the end of $(dockerd_log "$name"):"
	grep -v 'module=grpc' "$(dockerd_log "$name")" | tail -n 15 | cut -c1-300 | cat -v | sed 's/^/#   /'
	return 1
}

# dockerd_unmount DIR: whatever is still mounted under DIR, deepest first
dockerd_unmount() {
	local dir mnt
	dir=$(realpath -m "$1")
	awk -v d="$dir/" 'index($5 "/", d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r mnt; do
			mnt=$(printf '%b' "$mnt") # mountinfo escapes spaces as \040
			umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
		done
}

# dockerd_stop NAME: dockerd, then its containerd, each by its PID
# (SIGTERM, at most 60 s, then SIGKILL); then no mount is left under its
# directories and the short one is gone.
dockerd_stop() {
	local name=$1 pid short
	short=$(dockerd_short "$name")
	for pid in "$(dockerd_pid "$name")" "$(dockerd_cpid "$name")"; do
		[ -n "$pid" ] && [ -n "$(stop_pid "$pid")" ] &&
			echo "== dockerd_stop $name: $pid did not stop in 60 s: killed" >>"$(dockerd_log "$name")"
	done
	eval "dockerd_pid_$name= dockerd_cpid_$name="
	if [ -n "$short" ]; then
		dockerd_unmount "$short"
		rm -rf "$short"
		eval "dockerd_short_$name="
	fi
	dockerd_unmount "$DOCKERD_TOP/$name"
	return 0
}

# dockerd_build NAME CONTEXT TAG [ARGS...]: BuildKit, no network; the
# build's output in $DOCKERD_TOP/NAME/build.log (the last one).
dockerd_build() {
	local name=$1 context=$2 tag=$3 log=$DOCKERD_TOP/$1/build.log
	shift 3
	if ! DOCKER_BUILDKIT=1 dockerd "$name" build --network=none --progress=plain -t "$tag" "$@" "$context" \
		>"$log" 2>&1; then
		echo "#   docker build $tag in $name failed:"
		tail -n 10 "$log" | cut -c1-300 | cat -v | sed 's/^/#   /'
		return 1
	fi
}

# dockerd_df NAME OUT: GET /system/df (images, containers, volumes, build
# cache with their sizes) as the daemon answers it
dockerd_df() {
	curl -sf --max-time 120 --unix-socket "$(dockerd_sock "$1")" http://docker/system/df -o "$2" ||
		{ echo "#   GET /system/df from $1 failed"; return 1; }
}

dockerd_save() { # dockerd_save NAME IMAGE OUT
	dockerd "$1" save -o "$3" "$2" 2>&1 | sed 's/^/#   /'
	[ -s "$3" ]
}

# image_config ARCHIVE OUT: the file manifest.json's "Config" names (the
# image config as the daemon stores it; `docker image inspect` is not it)
image_config() {
	local config
	config=$(tar -xOf "$1" manifest.json | jq -r '.[0].Config') && [ -n "$config" ] &&
		tar -xOf "$1" "$config" >"$2"
}

# A rootfs of /bin/busybox and the applets the tests' Dockerfiles run.
dockerd_rootfs_tar() {
	local out=$1 rootfs=$SCRATCH/busybox-rootfs applet
	rm -rf "$rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/tmp" || return 1
	cp /bin/busybox "$rootfs/bin/busybox" || return 1
	for applet in sh echo cat ls true printf sleep seq head dd; do
		ln -s busybox "$rootfs/bin/$applet"
	done
	tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$out" .
}

# dockerd_base_image NAME: $DOCKERD_BASE in NAME. Imported once (an
# import stamps the time, so its ID would differ from root to root, and a
# new tar its layer, which BuildKit keys the image by), then saved and
# loaded into every other daemon: one image, one cache key everywhere.
dockerd_base_image() {
	local name=$1 saved=$DOCKERD_TOP/base-image.tar
	if [ ! -s "$saved" ]; then
		dockerd_rootfs_tar "$SCRATCH/busybox-rootfs.tar" || { echo "#   no busybox rootfs"; return 1; }
		dockerd "$name" import - "$DOCKERD_BASE" <"$SCRATCH/busybox-rootfs.tar" >/dev/null 2>"$SCRATCH/import.err" ||
			{ sed 's/^/#   /' "$SCRATCH/import.err"; return 1; }
		dockerd_save "$name" "$DOCKERD_BASE" "$saved.new" && mv "$saved.new" "$saved"
	else
		dockerd "$name" load -q -i "$saved" >/dev/null 2>"$SCRATCH/load.err" ||
			{ sed 's/^/#   /' "$SCRATCH/load.err"; return 1; }
	fi
}

# ---- the scenario real_daemon.test and real_daemon_data.sh share ----

# dockerd_contexts DIR: DIR/v1 and DIR/v2, two builds that differ in one
# RUN argument and one context file
dockerd_contexts() {
	local v word
	for v in v1 v2; do
		word=hi
		[ "$v" = v2 ] && word=hey
		mkdir -p "$1/$v" || return 1
		printf 'FROM %s\nRUN echo %s > /hi\nCOPY app.txt /app.txt\nRUN cat /hi /app.txt > /out\n' \
			"$DOCKERD_BASE" "$word" >"$1/$v/Dockerfile"
		echo "$v" >"$1/$v/app.txt"
	done
}

# dockerd_scenario DIR: v1 built in root A, v2 in root B, v1 then v2 in
# root AB (one daemon each, one base image in all). Leaves, with every
# daemon stopped: DIR/ctx/v1, DIR/ctx/v2 (the contexts), DIR/df-NAME.json
# (/system/df after the builds), DIR/v1.docker-save.tar (app:v1 saved from
# A), DIR/v1.config.json (its image config) and DIR/v1.inspect.json
# (`docker image inspect app:v1`). The roots:
# `dockerd_root NAME`. Prints "#   " lines and fails on the first error.
dockerd_scenario() {
	local dir=$1 name
	dockerd_contexts "$dir/ctx" || return 1
	for name in A B AB; do
		dockerd_start "$name" && dockerd_base_image "$name" || return 1
	done
	dockerd_build A "$dir/ctx/v1" app:v1 &&
		dockerd_build B "$dir/ctx/v2" app:v2 &&
		dockerd_build AB "$dir/ctx/v1" app:v1 &&
		dockerd_build AB "$dir/ctx/v2" app:v2 || return 1
	for name in A B AB; do
		dockerd_df "$name" "$dir/df-$name.json" || return 1
	done
	dockerd_save A app:v1 "$dir/v1.docker-save.tar" &&
		image_config "$dir/v1.docker-save.tar" "$dir/v1.config.json" &&
		dockerd A image inspect app:v1 >"$dir/v1.inspect.json" || return 1
	for name in A B AB; do dockerd_stop "$name"; done
}
