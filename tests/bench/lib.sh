# tests/bench/lib.sh: what the benchmark scripts share; sourced, never run
# (scripts/bench runs only the executable tests/bench/*.sh).
#
#   . "$(dirname "$0")/lib.sh" "$@"
#
# sets SRC (the checkout), BUILD (the first argument, BENCH_BUILD, or
# build-bench) and DIR (the second argument, BENCH_DIR, or a new
# var/bench.XXXXXX), both made absolute, DIR created; and defines
# stop_daemon, which stops the pathwayd whose pid is in DAEMON_PID
# (SIGTERM, then SIGKILL after 10 s).

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-${BENCH_BUILD:-$SRC/build-bench}}
DIR=${2:-${BENCH_DIR:-}}
if [ -z "$DIR" ]; then
	mkdir -p "$SRC/var"
	DIR=$(mktemp -d "$SRC/var/bench.XXXXXX")
fi
BUILD=$(cd "$BUILD" && pwd)
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

DAEMON_PID=
stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	for _ in $(seq 1 200); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}
