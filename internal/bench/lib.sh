# Shared by the benchmark scripts of internal/bench (sourced, not run).

# start_server OUT BIN [ARGS…] starts BIN on 127.0.0.1 with its output in
# OUT, waits for its "listening http://ADDR" line, and sets server_pid and
# url. It fails, showing the output, if the server exits or does not start
# within 10 seconds.
start_server() {
	local out=$1
	shift
	# Emptied here, before the server starts: the redirect below truncates
	# in the child, after the loop may have read an earlier run's address.
	: >"$out"
	"$@" >"$out" 2>&1 &
	server_pid=$!
	url=
	for _ in $(seq 100); do
		url=$(sed -n 's/^listening //p' "$out")
		[ -n "$url" ] && return 0
		kill -0 "$server_pid" 2>/dev/null || { cat "$out"; return 1; }
		sleep 0.1
	done
	echo "the server did not start"
	cat "$out"
	return 1
}

# stop_server stops the server started by start_server, by its pid, and
# waits for it.
stop_server() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}

# machine prints the Go version, the CPU model and the number of cores.
machine() {
	echo "go: $(go version | cut -d' ' -f3-)   cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)   cores: $(nproc)"
}
