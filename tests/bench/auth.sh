#!/usr/bin/env bash
# tests/bench/auth.sh: what authentication costs (run by scripts/bench).
#
#   tests/bench/auth.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# The goal: curve mode may cost at most 10% of the durable commands/s of
# local mode with 16 clients. In one run, on the same disk, each on a fresh
# store, alternating so that drift on a shared machine shows:
#     local, curve, local, curve (BENCH_AUTH_ROUNDS pairs, default 2)
# - local: pathwayd with daemon.security = "local", ipc endpoints; every peer
#   is the operator.
# - curve: the same configuration plus security = "curve", curve_key and
#   operator_key under the scratch dir, still on ipc: pw-bench-api is a CURVE
#   client with the operator's key the daemon makes at its first start
#   (PW_BENCH_KEY, PW_BENCH_SERVER_KEY), so every request goes through the
#   CURVE handshake (once per connection, answered by the daemon's ZAP
#   handler), CURVE encryption of every message both ways and the daemon's
#   per-message key look-up in the store.
# Each daemon: start-up to the first ping, closed loop (person.create, one
# request outstanding per client) with 1 and 16 clients, the daemon's CPU per
# request during the 16-client run, then connect + first reply (a new
# connection per system.ping: the handshake).
#
# BENCH_QUICK=1 runs 2 s loops (default 5 s) and fewer handshakes; BENCH_KEEP=1
# keeps the stores. Every result is a "BENCH name=... key=value" line on stdout
# (also appended to $BENCH_DIR/results.txt); the markdown block for
# docs/PERFORMANCE.md goes to $BENCH_DIR/auth.md.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
QUICK=${BENCH_QUICK:-0}
ROUNDS=${BENCH_AUTH_ROUNDS:-2}
B="$BUILD/pw-bench-api"
RESULTS="$DIR/results.txt"
MD="$DIR/auth.md"
TICK=$(getconf CLK_TCK)

if [ "$QUICK" = 1 ]; then
	SECS=2 HANDSHAKES=50
else
	SECS=5 HANDSHAKES=200
fi

trap stop_daemon EXIT

say() { echo "auth.sh: $*" >&2; }

# tagged TAGS CMD...: run a benchmark, its BENCH lines get TAGS after the name.
tagged() {
	local tags=$1 out
	shift
	out=$("$@")
	out=$(echo "$out" | sed "s/^BENCH name=\(api\.\)\{0,1\}\([^ ]*\)/BENCH name=auth.\2 $tags/")
	echo "$out"
	echo "$out" | grep '^BENCH ' >>"$RESULTS" || true
	LAST=$out
}

# get NAME KEY MATCH: a value from the results (the last line of NAME containing MATCH).
get() {
	grep "^BENCH name=$1 " "$RESULTS" | grep -e "$3" | tail -1 |
		tr ' ' '\n' | sed -n "s/^$2=//p"
}

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# busy_ticks: the clock ticks every CPU of the machine has spent busy so far.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# conf D MODE: the configuration of api.sh's fresh-store daemon, in security MODE.
conf() {
	local d=$1 mode=$2 sec=""
	if [ "$mode" = curve ]; then
		sec="security = \"curve\";
	curve_key = \"$d/keys/pathwayd.key\";
	operator_key = \"$d/keys/operator.key\";"
	fi
	cat >"$d/pathway.conf" <<EOF
daemon = {
	api = "ipc://$d/api.sock";
	events = "ipc://$d/events.sock";
	workers = "ipc://$d/workers.sock";
	db = "$d/db";
	templates = "$SRC/conf/templates";
	map_size_mb = 4096;
	log_level = "warn";
	clock = "system";
	clock_start = "2026-09-01T07:00:00Z";
	$sec
};
programmes = [ "$SRC/conf/programmes/norfolk-talent-pool.conf",
	       "$SRC/conf/programmes/kent-pathways.conf",
	       "$SRC/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "$SRC/conf/cohorts/ntp-2026-27.conf", "$SRC/conf/cohorts/ntp-2027-28.conf",
	    "$SRC/conf/cohorts/kent-2026-27.conf", "$SRC/conf/cohorts/lle-2026-27.conf" ];
EOF
	mkdir -p "$d/db"
}

# run_mode MODE ROUND: one daemon on a fresh store, all its measurements.
run_mode() {
	local mode=$1 r=$2 d="$DIR/$1.$2" tags="mode=$1 round=$2" c0 c1 b0 b1 n client
	rm -rf "$d"
	mkdir -p "$d"
	conf "$d" "$mode"
	if [ "$mode" = curve ]; then
		export PW_BENCH_KEY="$d/keys/operator.key" PW_BENCH_SERVER_KEY="$d/keys/pathwayd.pub"
	else
		unset PW_BENCH_KEY PW_BENCH_SERVER_KEY
	fi
	say "round $r, $mode: start-up"
	tagged "$tags" "$B" startup "ipc://$d/api.sock" 120 "$d/pathwayd.log" -- \
		"$BUILD/pathwayd" -c "$d/pathway.conf"
	DAEMON_PID=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^pid=//p')
	say "round $r, $mode: closed loop, 1 client, ${SECS}s"
	tagged "$tags" "$B" closed "ipc://$d/api.sock" 1 "$SECS"
	say "round $r, $mode: closed loop, 16 clients, ${SECS}s"
	c0=$(cpu_ticks "$DAEMON_PID")
	b0=$(busy_ticks)
	# bash's time: the client's own CPU (user + system), on the last line of its stderr.
	TIMEFORMAT='client_cpu %3U %3S'
	{ time tagged "$tags" "$B" closed "ipc://$d/api.sock" 16 "$SECS" 2>&1 >&3; } 3>&1 2>"$d/time"
	b1=$(busy_ticks)
	c1=$(cpu_ticks "$DAEMON_PID")
	grep -v '^client_cpu ' "$d/time" >&2 || true
	client=$(awk '$1 == "client_cpu" { print $2 + $3 }' "$d/time")
	n=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^n=//p')
	# CPU over the run (warm-up and connections included): the daemon's, the
	# client's, and what the rest of the machine used (other people's work).
	tagged "$tags" echo "BENCH name=cpu clients=16 n=$n $(awk -v t=$((c1 - c0)) -v k="$TICK" \
		-v n="$n" -v c="$client" -v b=$((b1 - b0)) 'BEGIN { d = t / k; m = b / k
		printf "daemon_cpu_s=%.2f client_cpu_s=%.2f machine_busy_s=%.2f other_cpu_s=%.2f", d, c, m, m - d - c
		printf " daemon_cpu_us_per_op=%.0f client_cpu_us_per_op=%.0f", (n > 0) ? d * 1e6 / n : 0,
			(n > 0) ? c * 1e6 / n : 0 }')"
	say "round $r, $mode: $HANDSHAKES connections, one ping each"
	tagged "$tags" "$B" handshake "ipc://$d/api.sock" "$HANDSHAKES"
	stop_daemon
	unset PW_BENCH_KEY PW_BENCH_SERVER_KEY
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$d"
}

: >"$MD"
say "scratch dir $DIR ($(findmnt -n -o FSTYPE --target "$DIR" 2>/dev/null || stat -f -c %T "$DIR") on $(df --output=source "$DIR" | tail -1)); load $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$ROUNDS"); do
	run_mode local "$r"
	run_mode curve "$r"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# Ratios: per round (curve against the local run just before it) and overall
# (the sums over all rounds, i.e. the ratio of the means).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
ops() { get auth.closed ops_per_s "mode=$1 round=$2 .*clients=$3 "; }
sum_ops() {
	local s=0
	for r in $(seq 1 "$ROUNDS"); do s=$(awk -v s="$s" -v o="$(ops "$1" "$r" "$2")" 'BEGIN { print s + o }'); done
	echo "$s"
}
for c in 1 16; do
	for r in $(seq 1 "$ROUNDS"); do
		echo "BENCH name=auth.ratio clients=$c round=$r curve_over_local=$(ratio "$(ops curve "$r" "$c")" "$(ops local "$r" "$c")")" |
			tee -a "$RESULTS"
	done
	echo "BENCH name=auth.ratio clients=$c round=all curve_over_local=$(ratio "$(sum_ops curve "$c")" "$(sum_ops local "$c")")" |
		tee -a "$RESULTS"
done

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
r16=$(get auth.ratio curve_over_local "clients=16 round=all")
min16=$(grep '^BENCH name=auth.ratio clients=16 round=[0-9]' "$RESULTS" | sed 's/.*curve_over_local=//' | sort -g | head -1)
max16=$(grep '^BENCH name=auth.ratio clients=16 round=[0-9]' "$RESULTS" | sed 's/.*curve_over_local=//' | sort -g | tail -1)
{
	echo "### Authentication: curve against local"
	echo
	echo "pathwayd on ipc, a fresh store each, alternating modes; ${SECS} s closed loops of \`person.create\`; load average $LOAD0 at the start, $LOAD1 at the end. **Baseline:** local mode in the same round."
	echo
	echo "| round | mode | start-up ms | 1 client ops/s | p50 / p99 ms | 16 clients ops/s | p50 / p99 ms | CPU µs/request (16): daemon / client | CPU s in the 16-client run: daemon / client / rest of the machine | connect + first reply p50 / p99 ms |"
	echo "|---:|---|---:|---:|---|---:|---|---|---|---|"
	for r in $(seq 1 "$ROUNDS"); do
		for m in local curve; do
			t="mode=$m round=$r "
			printf '| %s | %s | %s | %.0f | %s / %s | %.0f | %s / %s | %s / %s | %s / %s / %s | %s / %s |\n' "$r" "$m" \
				"$(get auth.startup first_ping_ms "$t")" \
				"$(ops "$m" "$r" 1)" \
				"$(ms "$(get auth.closed p50_us "$t.*clients=1 ")")" \
				"$(ms "$(get auth.closed p99_us "$t.*clients=1 ")")" \
				"$(ops "$m" "$r" 16)" \
				"$(ms "$(get auth.closed p50_us "$t.*clients=16 ")")" \
				"$(ms "$(get auth.closed p99_us "$t.*clients=16 ")")" \
				"$(get auth.cpu daemon_cpu_us_per_op "$t")" \
				"$(get auth.cpu client_cpu_us_per_op "$t")" \
				"$(get auth.cpu daemon_cpu_s "$t")" \
				"$(get auth.cpu client_cpu_s "$t")" \
				"$(get auth.cpu other_cpu_s "$t")" \
				"$(ms "$(get auth.handshake p50_us "$t")")" \
				"$(ms "$(get auth.handshake p99_us "$t")")"
		done
	done
	echo
	echo "| curve / local | 1 client | 16 clients |"
	echo "|---|---:|---:|"
	for r in $(seq 1 "$ROUNDS"); do
		echo "| round $r | $(get auth.ratio curve_over_local "clients=1 round=$r ") | $(get auth.ratio curve_over_local "clients=16 round=$r ") |"
	done
	echo "| all rounds (sum over sum) | $(get auth.ratio curve_over_local "clients=1 round=all") | **$r16** |"
	echo
	if awk -v a="$r16" 'BEGIN { exit !(a != "-" && a >= 0.90) }'; then v="met"; else v="NOT met"; fi
	echo "| goal | measured | |"
	echo "|---|---|---|"
	echo "| curve ≥ 0.90 x local, durable commands/s with 16 clients | $r16 (rounds: $min16–$max16) | **$v** |"
} >"$MD"
say "markdown in $MD"
