# Helpers for the network tests, sourced after tests/lib.sh. Every server
# listens on 127.0.0.1 at a port the kernel picked (or one just found
# free), keeps its files in this test's $SCRATCH, and is stopped, by its
# own pid, when the test ends: tests run in parallel with each other.

NET="$top_srcdir/tests/net"

# Never the user's proxies or docker credentials.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export DOCKER_CONFIG="$SCRATCH/docker"
mkdir -p "$DOCKER_CONFIG"

net_pids=""
net_stop() {
	local pid
	for pid in $net_pids; do kill "$pid" 2>/dev/null; done
	for pid in $net_pids; do wait "$pid" 2>/dev/null; done
	return 0
}
on_exit net_stop

# start_server NAME COMMAND...: runs a server in the background, output in
# $SCRATCH/NAME.out; sets NAME_pid.
start_server() {
	local name=$1; shift
	"$@" >"$SCRATCH/$name.out" 2>&1 &
	net_pids="$net_pids $!"
	eval "${name}_pid=$!"
}

# stop_server NAME: stops it now (its pid only).
stop_server() {
	local pid
	eval "pid=\${${1}_pid:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}

# wait_file FILE: until FILE has content, at most 10 s.
wait_file() {
	local i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && return 1
		sleep 0.1
	done
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts connections there, at most 10 s.
wait_port() {
	python3 - "$1" <<'EOF'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# fake_registry NAME ARGS...: tests/net/fake_registry.py; sets NAME_port.
# Its requests are logged in $SCRATCH/NAME.requests.
fake_registry() {
	local name=$1; shift
	start_server "$name" python3 "$NET/fake_registry.py" --port-file "$SCRATCH/$name.port" \
		--log "$SCRATCH/$name.requests" "$@"
	if ! wait_file "$SCRATCH/$name.port"; then
		sed 's/^/# /' "$SCRATCH/$name.out"
		return 1
	fi
	eval "${name}_port=$(cat "$SCRATCH/$name.port")"
}

have_registry() {
	command -v docker-registry >/dev/null 2>&1
}

# start_registry NAME [--tls CERT KEY] [--htpasswd FILE] [--token REALM CERT]:
# distribution's registry with its own config and storage; sets NAME_port.
# A port found free may be taken before the registry binds it (other tests
# run at the same time): then it tries another.
start_registry() {
	local name=$1 tls="" auth="" port pid try
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls="  tls:
    certificate: $2
    key: $3"; shift 3 ;;
		--htpasswd) auth="auth:
  htpasswd:
    realm: cachescope-test
    path: $2"; shift 2 ;;
		--token) auth="auth:
  token:
    realm: $2
    service: cachescope-test
    issuer: cachescope-test-issuer
    rootcertbundle: $3"; shift 3 ;;
		*) echo "start_registry: unknown option $1" >&2; return 1 ;;
		esac
	done
	for try in 1 2 3 4 5; do
		port=$(free_port)
		cat >"$SCRATCH/$name.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $SCRATCH/$name.data
http:
  addr: 127.0.0.1:$port
  secret: cachescope-test-secret
$tls
$auth
EOF
		start_server "$name" docker-registry serve "$SCRATCH/$name.yml"
		eval "pid=\$${name}_pid"
		if wait_port "$port" && sleep 0.2 && kill -0 "$pid" 2>/dev/null; then
			eval "${name}_port=$port"
			return 0
		fi
		stop_server "$name"
	done
	sed 's/^/# /' "$SCRATCH/$name.out"
	return 1
}

# push LAYOUT BASE-URL REPO TAG [push_layout.py options]: prints the digest TAG names.
push() {
	python3 "$NET/push_layout.py" "$@"
}

# make_tls DIR: a test CA (DIR/ca.crt) and a server certificate for
# 127.0.0.1 and localhost signed by it (DIR/server.crt, DIR/server.key).
make_tls() {
	local dir=$1
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cachescope test CA" \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		>"$dir/server.ext" &&
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
}

# elapsed_under SECONDS COMMAND...: runs COMMAND (output in $SCRATCH/out,
# $SCRATCH/err) and fails unless it finished within SECONDS.
elapsed_under() { # sets ELAPSED (seconds, for the check's description)
	local limit=$1 start end; shift
	start=$(date +%s.%N)
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	end=$(date +%s.%N)
	ELAPSED=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
	awk -v t="$ELAPSED" -v l="$limit" 'BEGIN { exit !(t < l) }'
}
