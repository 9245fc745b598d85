#!/usr/bin/env bash
# tests/bench/api.sh: the API and large-store benchmarks (run by scripts/bench).
#
#   tests/bench/api.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# BENCH_QUICK=1 runs smaller sizes. BENCH_APPS overrides the size of the large
# store (default 1000000; quick 50000); BENCH_LARGE=0 skips it (step 4).
# BENCH_KEEP=1 keeps the stores. BENCH_REDIS=0 skips the Redis peer.
#
# Measures, in order:
#   1. the LMDB ceilings, ROUNDS times: one fsync'd write transaction per small
#      record, on the scratch dir's disk (pw-bench-api lmdb), and 16 records
#      per transaction (the best a 16-request group commit could do); then the
#      records one person.create writes, straight into the daemon's databases,
#      one person.create and 16 to a commit (pw-bench-api lmdb-create): the
#      store's own bound for the command measured next;
#   2. durable commands/s and latency against a running pathwayd, closed loop
#      with 1, 16, 64 and 128 clients (person.create, one outstanding request
#      each, every DEALER driven by one thread), each run followed at once by
#      the same against a Redis peer (redis-server on 127.0.0.1, appendonly
#      yes, appendfsync always, its directory in the scratch dir: SET of a
#      100-byte value, the same one-thread N-connection loop,
#      pw-bench-redis), the pair repeated ROUNDS times (4 of 3 s; quick: 1 of 2 s), so each ratio is
#      taken minutes apart at most; and the 1- and 16-client runs against a
#      second pathwayd with commit_wait_us = 0 (the group commit that never
#      waits); after each pair, the same against pw-bench-bound (ZeroMQ in
#      and out and person.create's seven records in a store of its own, no
#      JSON, no command: what the transport and the store allow); the load
#      average beside every line, system.stats after; redis-server is
#      installed (apt-get) only when missing;
#   3. open loop: 1000 person.create/s for 5 s, three times (quick: once), latency
#      from the scheduled send: on the fresh store before the closed loops, and
#      on the store they grew, after them; each run followed by the same
#      against pw-bench-bound, whose tail is the disk's;
#   4. a store of BENCH_APPS applications built with pw-bench-store, then
#      pathwayd's start-up time to the first ping reply on it (with the
#      notifications its commands queued, and after pw-bench-store --deliver
#      has emptied the outbox as a mailer would), cohort.report and
#      application.list latency, the daemon's RSS, the store's size, and
#      start-up again with BENCH_APPS/4 idempotency records added.
# Every result is a "BENCH name=... key=value" line on stdout (also appended to
# $BENCH_DIR/results.txt); the markdown block for docs/PERFORMANCE.md goes to
# $BENCH_DIR/api.md.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
QUICK=${BENCH_QUICK:-0}
B="$BUILD/pw-bench-api"
RESULTS="$DIR/results.txt"
MD="$DIR/api.md"

if [ "$QUICK" = 1 ]; then
	LMDB_N=300 CLOSED_SECS=2 OPEN_SECS=2 OPEN_RUNS=1 QUERY_N=20 APPS=${BENCH_APPS:-50000} ROUNDS=1
else
	LMDB_N=2000 CLOSED_SECS=3 OPEN_SECS=5 OPEN_RUNS=3 QUERY_N=200 APPS=${BENCH_APPS:-1000000} ROUNDS=4
fi
CLIENTS="1 16 64 128"

REDIS_PID=
stop_all() {
	stop_daemon
	[ -z "$REDIS_PID" ] || kill -TERM "$REDIS_PID" 2>/dev/null || true
	[ -z "$NOWAIT_PID" ] || kill -TERM "$NOWAIT_PID" 2>/dev/null || true
	[ -z "$BOUND_PID" ] || kill -TERM "$BOUND_PID" 2>/dev/null || true
}
NOWAIT_PID= BOUND_PID=
trap stop_all EXIT

say() { echo "api.sh: $*" >&2; }

# Run a benchmark, keep its BENCH lines (renamed to $AS when set), with the
# load average (1 minute) as the run ends.
bench() {
	local out
	out=$("$@")
	[ -z "${AS:-}" ] || out=$(echo "$out" | sed "s/^BENCH name=[^ ]*/BENCH name=$AS/")
	out=$(echo "$out" | sed "s/^\(BENCH .*\)\$/\1 load=$(cut -d' ' -f1 /proc/loadavg)/")
	echo "$out"
	echo "$out" | grep '^BENCH ' >>"$RESULTS" || true
	LAST=$out
}

# get NAME KEY [MATCH]: a value from the results (first line of NAME, or one containing MATCH).
get() { # (nothing when there is no such line: a run left out, e.g. BENCH_REDIS=0)
	{ grep "^BENCH name=$1 " "$RESULTS" || true; } | { grep -e "${3:-.}" || true; } | tail -1 |
		tr ' ' '\n' | sed -n "s/^$2=//p"
}

# conf D CLOCK MAPMB [EXTRA]: a configuration for a daemon whose state is all under D.
conf() {
	local d=$1 clock=$2 map=$3 extra=${4:-}
	cat >"$d/pathway.conf" <<EOF
daemon = {
	$extra
	api = "ipc://$d/api.sock";
	events = "ipc://$d/events.sock";
	workers = "ipc://$d/workers.sock";
	db = "$d/db";
	templates = "$SRC/conf/templates";
	map_size_mb = $map;
	log_level = "warn";
	clock = "$clock";
	clock_start = "2026-09-01T07:00:00Z";
};
programmes = [ "$SRC/conf/programmes/norfolk-talent-pool.conf",
	       "$SRC/conf/programmes/kent-pathways.conf",
	       "$SRC/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "$SRC/conf/cohorts/ntp-2026-27.conf", "$SRC/conf/cohorts/ntp-2027-28.conf",
	    "$SRC/conf/cohorts/kent-2026-27.conf", "$SRC/conf/cohorts/lle-2026-27.conf" ];
EOF
	mkdir -p "$d/db"
}

start_daemon() {
	local d=$1 name=$2
	AS=$name bench "$B" startup "ipc://$d/api.sock" 120 "$d/pathwayd.log" -- \
		"$BUILD/pathwayd" -c "$d/pathway.conf"
	DAEMON_PID=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^pid=//p')
}

: >"$MD"
say "scratch dir $DIR ($(findmnt -n -o FSTYPE --target "$DIR" 2>/dev/null || stat -f -c %T "$DIR") on $(df --output=source "$DIR" | tail -1))"

# 1. The LMDB ceilings, in rounds so that each is a median of minutes apart.
lmdb_run() { # NAME MODE N [PER_TXN]
	local name=$1
	shift
	rm -rf "$DIR/lmdb"
	AS=$name bench "$B" "$1" "$DIR/lmdb" "${@:2}"
	rm -rf "$DIR/lmdb"
}
for r in $(seq 1 "$ROUNDS"); do
	say "round $r: LMDB alone, $LMDB_N fsync'd commits: one record, 16 records; person.create's records, one and 16 to a commit"
	lmdb_run lmdb.commit_per_write lmdb "$LMDB_N"
	lmdb_run lmdb.batch16 lmdb "$LMDB_N" 16
	lmdb_run lmdb.create lmdb-create "$LMDB_N"
	lmdb_run lmdb.create16 lmdb-create $((LMDB_N / 4)) 16
done

# The Redis peer: redis-server (Debian's), installed here when missing, run by
# this script only, on a free port of 127.0.0.1, its directory on the scratch disk.
REDIS_PORT= REDIS_VERSION=
redis_start() {
	[ "${BENCH_REDIS:-1}" = 1 ] || return 0
	if ! command -v redis-server >/dev/null; then
		say "installing redis-server (apt-get), for the Redis peer"
		{ apt-get update && apt-get install -y redis-server; } >"$DIR/apt.log" 2>&1 ||
			{ say "cannot install redis-server (see $DIR/apt.log): no Redis peer"; return 0; }
		# The package starts a system service; the peer is our own process only.
		systemctl disable --now redis-server >/dev/null 2>&1 || true
	fi
	REDIS_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$DIR/redis"
	# No background rewrite of the append-only file: its writes would land in the
	# pathwayd run that follows.
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR/redis" --appendonly yes \
		--appendfsync always --save '' --auto-aof-rewrite-percentage 0 --daemonize no \
		--logfile "$DIR/redis/redis.log" &
	REDIS_PID=$!
	for _ in $(seq 1 100); do
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
	say "redis-server $REDIS_VERSION on port $REDIS_PORT, pid $REDIS_PID"
}

# 2, 3. The API on a fresh store, system clock, beside the Redis peer.
A="$DIR/api"
N="$DIR/api-nowait"
rm -rf "$A" "$N"
mkdir -p "$A" "$N"
conf "$A" system 4096
conf "$N" system 4096 "commit_wait_us = 0;"
redis_start
start_daemon "$A" startup.empty
APID=$DAEMON_PID
DAEMON_PID=
start_daemon "$N" startup.nowait
NOWAIT_PID=$DAEMON_PID
DAEMON_PID=$APID
# The bound: pw-bench-bound, ZeroMQ in and out and person.create's seven records
# in a store of its own, no JSON and no command. It starts on a fresh store for
# each round (and each set of open loops): as fast as it is, it would otherwise
# grow its store several times larger than the daemon's, so its store is never
# the larger of the two and what it reaches is, if anything, above its bound.
BD="$DIR/bound"
bound_start() {
	rm -rf "$BD"
	mkdir -p "$BD"
	"$BUILD/pw-bench-bound" "$BD/db" "ipc://$BD/api.sock" >"$BD/serve.txt" &
	BOUND_PID=$!
}
bound_stop() {
	kill -TERM "$BOUND_PID" 2>/dev/null || say "the bound (pid $BOUND_PID) had already stopped"
	wait "$BOUND_PID" || true
	BOUND_PID=
	tee -a "$RESULTS" <"$BD/serve.txt"
}
# The open loop on the fresh store first; again on the grown one after the closed loops.
open_loop() { # NAME
	bound_start
	for r in $(seq 1 "$OPEN_RUNS"); do
		say "open loop ($1) $r of $OPEN_RUNS, 1000/s for ${OPEN_SECS}s: pathwayd, then the bound"
		AS=$1 bench "$B" open "ipc://$A/api.sock" 1000 "$OPEN_SECS"
		AS=bound.${1#api.} bench "$B" open "ipc://$BD/api.sock" 1000 "$OPEN_SECS"
	done
	bound_stop
}
open_loop api.open_fresh
for r in $(seq 1 "$ROUNDS"); do
	# The one-record commit again, in the disk's state of this round (after the
	# previous round's 128 clients; round 1, after the open loops on the fresh
	# store): the baseline of this round's one-client runs.
	lmdb_run lmdb.round lmdb "$LMDB_N"
	bound_start
	for c in $CLIENTS; do
		say "round $r: closed loop, $c clients, ${CLOSED_SECS}s: pathwayd, Redis, the bound"
		bench "$B" closed "ipc://$A/api.sock" "$c" "$CLOSED_SECS"
		[ -z "$REDIS_PORT" ] ||
			bench "$BUILD/pw-bench-redis" closed 127.0.0.1 "$REDIS_PORT" "$c" "$CLOSED_SECS"
		AS=bound.closed bench "$B" closed "ipc://$BD/api.sock" "$c" "$CLOSED_SECS"
		case $c in 1 | 16)
			AS=api.closed_nowait bench "$B" closed "ipc://$N/api.sock" "$c" "$CLOSED_SECS" ;;
		esac
	done
	bound_stop
done
AS=api.stats.closed bench "$B" stats "ipc://$A/api.sock" x
open_loop api.open
stop_daemon
DAEMON_PID=$NOWAIT_PID
NOWAIT_PID=
stop_daemon
[ -z "$REDIS_PID" ] || kill -TERM "$REDIS_PID"
REDIS_PID=
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$A" "$N" "$BD" "$DIR/redis"

# 4. The large store.
large() {
L="$DIR/large"
rm -rf "$L"
mkdir -p "$L"
conf "$L" manual 65536
say "df before building: $(df -h --output=avail "$DIR" | tail -1 | tr -d ' ') free"
say "building a store of $APPS applications"
bench "$BUILD/pw-bench-store" "$L/pathway.conf" "$APPS"
QUEUED=$(get store.contents outbox)
sync
STORE_BYTES=$(stat -c %s "$L/db/data.mdb")
STORE_DISK=$(du -k "$L/db/data.mdb" | cut -f1)
echo "BENCH name=store.size apps=$APPS file_bytes=$STORE_BYTES disk_kb=$STORE_DISK" | tee -a "$RESULTS"
# As built, every notification the commands queued is still pending (no mailer ran).
start_daemon "$L" startup.pending
stop_daemon
say "delivering the queued notifications (as a mailer would)"
bench "$BUILD/pw-bench-store" "$L/pathway.conf" --deliver
CONTENTS=$(grep '^BENCH name=store.contents' "$RESULTS" | tail -1 | cut -d' ' -f3- | sed 's/ load=[^ ]*$//; s/ /, /g')
sync
start_daemon "$L" startup.large
bench "$B" rss rss.after_start "$DAEMON_PID"
q() { echo "{\"cmd\":\"$1\",\"actor\":\"operator\",\"args\":$2}"; }
bench "$B" query "ipc://$L/api.sock" q.cohort_report "$QUERY_N" \
	"$(q cohort.report '{"cohort":"ntp-2026-27"}')"
bench "$B" query "ipc://$L/api.sock" q.list_cohort_stage "$QUERY_N" \
	"$(q application.list '{"cohort":"ntp-2026-27","stage":"signoff","limit":100}')"
bench "$B" query "ipc://$L/api.sock" q.list_stage "$QUERY_N" \
	"$(q application.list '{"stage":"signoff","limit":100}')"
bench "$B" query "ipc://$L/api.sock" q.list_stage_other "$QUERY_N" \
	"$(q application.list '{"stage":"selection","limit":100}')"
bench "$B" query "ipc://$L/api.sock" q.list_status_empty "$QUERY_N" \
	"$(q application.list '{"status":"graduated","limit":100}')"
bench "$B" query "ipc://$L/api.sock" q.app_get "$QUERY_N" \
	"$(q application.get '{"app":"A000500"}')"
bench "$B" rss rss.after_queries "$DAEMON_PID"
say "durable writes on the large store"
AS=large.closed bench "$B" closed "ipc://$L/api.sock" 16 "$CLOSED_SECS"
stop_daemon
# Start-up also reads every idempotency record (prune_requests): add those of
# APPS/4 requests, as a busy two days (or a bulk import) within
# daemon.idempotency_hours would leave them.
REQS=$((APPS / 4))
say "adding $REQS idempotency records"
bench "$BUILD/pw-bench-store" "$L/pathway.conf" --requests "$REQS"
sync
start_daemon "$L" startup.requests
bench "$B" rss rss.requests "$DAEMON_PID"
stop_daemon
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$L"
}
[ "${BENCH_LARGE:-1}" = 0 ] || large

# The markdown block.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
yes_no() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a < b) }'; then echo "met"; else echo "NOT met"; fi; }
at_least() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a >= b) }'; then echo "met"; else echo "NOT met"; fi; }
# all NAME KEY MATCH: every value of KEY in NAME's lines containing MATCH, in order.
all() { # (nothing when there is no such line)
	{ grep "^BENCH name=$1 " "$RESULTS" || true; } | { grep -e "$3" || true; } | tr ' ' '\n' |
		sed -n "s/^$2=//p"
}
# nth N: line N of standard input.
nth() { sed -n "${1}p"; }
median() { # the median of the values on standard input
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
range() { # the lowest and highest of the values on standard input, as "a–b" (or "a")
	sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else if (lo == hi) printf "%s", lo; else printf "%s–%s", lo, hi }'
}
# The baseline: the median of the rounds of one-record commits.
ceil=$(all lmdb.commit_per_write ops_per_s . | median)
# ratios A B: for each round, line r of A's values over line r of B's (A, B: "NAME MATCH").
ratios() {
	for r in $(seq 1 "$ROUNDS"); do
		awk -v a="$(all $1 ops_per_s "$2" | nth "$r")" -v b="$(all $3 ops_per_s "$4" | nth "$r")" \
			'BEGIN { if (b > 0) printf "%.2f\n", a / b }'
	done
}
{
	echo "### API and durability"
	echo
	echo "| benchmark | ops/s | vs LMDB baseline | p50 ms | p90 ms | p99 ms | max ms | load |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	line() { # label name match [n]: the nth line of name containing match (default the last)
		local o r
		o=$(all "$2" ops_per_s "$3" | nth "${4:-\$}")
		r=$(ratio "$o" "$ceil")
		# A fixed-rate run has no throughput to compare: its rate is the input.
		[ -n "$o" ] || { o=$(all "$2" achieved_per_s "$3" | nth "${4:-\$}"); r="(fixed rate)"; }
		printf '| %s | %.0f | %s | %s | %s | %s | %s | %s |\n' "$1" "$o" "$r" \
			"$(ms "$(all "$2" p50_us "$3" | nth "${4:-\$}")")" "$(ms "$(all "$2" p90_us "$3" | nth "${4:-\$}")")" \
			"$(ms "$(all "$2" p99_us "$3" | nth "${4:-\$}")")" "$(ms "$(all "$2" max_us "$3" | nth "${4:-\$}")")" \
			"$(all "$2" load "$3" | nth "${4:-\$}")"
	}
	for r in $(seq 1 "$ROUNDS"); do
		line "round $r: LMDB, one fsync'd commit per write (baseline)" lmdb.commit_per_write . "$r"
		line "round $r: LMDB, 16 records per fsync'd commit (group-commit bound)" lmdb.batch16 . "$r"
		line "round $r: LMDB, one person.create's seven records per commit" lmdb.create . "$r"
		line "round $r: LMDB, 16 person.creates' records per commit" lmdb.create16 . "$r"
	done
	for r in $(seq 1 "$OPEN_RUNS"); do
		line "pathwayd person.create, open loop 1000/s for ${OPEN_SECS} s, fresh store (run $r)" api.open_fresh . "$r"
		line "the bound (pw-bench-bound), open loop 1000/s for ${OPEN_SECS} s, fresh store (run $r)" bound.open_fresh . "$r"
	done
	for r in $(seq 1 "$OPEN_RUNS"); do
		line "pathwayd person.create, open loop 1000/s for ${OPEN_SECS} s, after the closed loops (run $r)" api.open . "$r"
		line "the bound (pw-bench-bound), open loop 1000/s for ${OPEN_SECS} s, after the closed loops (run $r)" bound.open . "$r"
	done
	echo
	echo "The baseline (\"vs LMDB baseline\") is the median of the rounds of one-record commits: $(printf '%.0f' "$ceil")/s."
	echo
	echo "Closed loop, one thread driving every connection; each pathwayd run followed at once by the Redis ${REDIS_VERSION:-(not run)} run (\`appendfsync always\`, SET of 100 bytes), then by the bound (\`pw-bench-bound\`: ZeroMQ and person.create's seven records, no JSON, no command), with as many clients:"
	echo
	echo "| clients | round | pathwayd/s | p50 / p99 ms | Redis/s | p50 / p99 ms | ratio | vs LMDB baseline | bound/s | p50 / p99 ms | pathwayd / bound | load |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for c in $CLIENTS; do
		for r in $(seq 1 "$ROUNDS"); do
			po=$(all api.closed ops_per_s "clients=$c " | nth "$r")
			ro=$(all redis.closed ops_per_s "clients=$c " | nth "$r")
			bo=$(all bound.closed ops_per_s "clients=$c " | nth "$r")
			printf '| %s | %s | %.0f | %s / %s | %s | %s / %s | %s | %s | %.0f | %s / %s | %s | %s |\n' "$c" "$r" "$po" \
				"$(ms "$(all api.closed p50_us "clients=$c " | nth "$r")")" \
				"$(ms "$(all api.closed p99_us "clients=$c " | nth "$r")")" \
				"$(printf '%.0f' "${ro:-0}")" \
				"$(ms "$(all redis.closed p50_us "clients=$c " | nth "$r")")" \
				"$(ms "$(all redis.closed p99_us "clients=$c " | nth "$r")")" \
				"$(ratio "$po" "$ro")" "$(ratio "$po" "$ceil")" "$bo" \
				"$(ms "$(all bound.closed p50_us "clients=$c " | nth "$r")")" \
				"$(ms "$(all bound.closed p99_us "clients=$c " | nth "$r")")" \
				"$(awk -v a="$po" -v b="$bo" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
				"$(all api.closed load "clients=$c " | nth "$r")"
		done
	done
	echo
	sum() { awk '{ s += $1 } END { print s + 0 }'; }
	echo "The bound's own count, over every run above (a fresh store each round): $(all bound.serve requests . | sum) requests in $(all bound.serve turns . | sum) commits, the slowest $(all bound.serve commit_max_ms . | sort -g | tail -1) ms."
	echo
	echo "One client, against the one-record LMDB commit measured at the start of the same round (after the previous round's 128 clients, or the fresh store's open loops in round 1: in the disk's state of the round):"
	echo
	echo "| round | LMDB one-record commit/s | pathwayd/s | pathwayd / LMDB | bound/s | bound / LMDB | pathwayd / bound |"
	echo "|---:|---:|---:|---:|---:|---:|---:|"
	for r in $(seq 1 "$ROUNDS"); do
		lo=$(all lmdb.round ops_per_s . | nth "$r")
		po=$(all api.closed ops_per_s "clients=1 " | nth "$r")
		bo=$(all bound.closed ops_per_s "clients=1 " | nth "$r")
		printf '| %s | %.0f | %.0f | %s | %.0f | %s | %s |\n' "$r" "$lo" "$po" "$(ratio2 "$po" "$lo")" \
			"$bo" "$(ratio2 "$bo" "$lo")" "$(ratio2 "$po" "$bo")"
	done
	echo
	echo "The group commit's wait switched off (\`commit_wait_us = 0\`, a second daemon, run just after the one above in each round):"
	echo
	echo "| clients | round | pathwayd/s, no wait | p50 / p99 ms | with the wait (above) | load |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for c in 1 16; do
		for r in $(seq 1 "$ROUNDS"); do
			printf '| %s | %s | %.0f | %s / %s | %.0f | %s |\n' "$c" "$r" \
				"$(all api.closed_nowait ops_per_s "clients=$c " | nth "$r")" \
				"$(ms "$(all api.closed_nowait p50_us "clients=$c " | nth "$r")")" \
				"$(ms "$(all api.closed_nowait p99_us "clients=$c " | nth "$r")")" \
				"$(all api.closed ops_per_s "clients=$c " | nth "$r")" \
				"$(all api.closed_nowait load "clients=$c " | nth "$r")"
		done
	done
	echo
	echo "system.stats after the closed-loop runs (every round and client count): $(get api.stats.closed commits) commits, $(get api.stats.closed requests_per_commit) requests per commit (at most $(get api.stats.closed largest_batch)), commit p50 $(get api.stats.closed commit_p50_ms) ms, p99 $(get api.stats.closed commit_p99_ms) ms; $(get api.stats.closed wait_turns) turns waited (mean $(get api.stats.closed wait_mean_ms) ms, $(get api.stats.closed wait_timeouts) to the limit) and gathered $(get api.stats.closed wait_gathered) requests."
	echo
	r16s=$(ratios api.closed "clients=16 " redis.closed "clients=16 ")
	one=$(all api.closed ops_per_s "clients=1 " | range)
	onemed=$(all api.closed ops_per_s "clients=1 " | median)
	l16s=$(ratios lmdb.batch16 . redis.closed "clients=16 ")
	c16s=$(ratios lmdb.create16 . redis.closed "clients=16 ")
	c1s=$(ratios lmdb.create . lmdb.commit_per_write .)
	b16s=$(ratios bound.closed "clients=16 " redis.closed "clients=16 ")
	p1r=$(ratios api.closed "clients=1 " lmdb.round .)
	b1r=$(ratios bound.closed "clients=1 " lmdb.round .)
	echo "| goal | measured | |"
	echo "|---|---|---|"
	echo "| 16 clients ≥ 1.5x Redis \`appendfsync always\` SET/s | median $(echo "$r16s" | median)x of $ROUNDS rounds ($(echo "$r16s" | range)x) | $(at_least "$(echo "$r16s" | median)" 1.5) |"
	echo "| (LMDB alone, 16 one-record puts per commit, no daemon, against Redis at 16 clients) | median $(echo "$l16s" | median)x ($(echo "$l16s" | range)x) | the ceiling for one record |"
	echo "| (LMDB alone, 16 person.creates' records per commit, no daemon, against Redis at 16 clients) | median $(echo "$c16s" | median)x ($(echo "$c16s" | range)x) | the ceiling for person.create |"
	echo "| (the bound: ZeroMQ and person.create's records, no JSON, no command, 16 clients, against Redis at 16 clients) | median $(echo "$b16s" | median)x ($(echo "$b16s" | range)x) | the ceiling for person.create over ZeroMQ |"
	echo "| 1 client ≥ 0.5x the LMDB one-record-commit baseline | median $onemed/s ($one/s) against $(printf '%.0f' "$ceil")/s: $(ratio2 "$onemed" "$ceil") | $(at_least "$onemed" "$(awk -v b="$ceil" 'BEGIN { print 0.5 * b }')") |"
	echo "| (LMDB alone, one person.create's records per commit, against the one-record commit of the same round) | median $(echo "$c1s" | median)x ($(echo "$c1s" | range)x) | the ceiling for person.create |"
	echo "| 1 client, against the one-record commit of the same round | median $(echo "$p1r" | median)x ($(echo "$p1r" | range)x) | $(at_least "$(echo "$p1r" | median)" 0.5) |"
	echo "| (the bound: ZeroMQ and person.create's records, no JSON, no command, 1 client, against the one-record commit of the same round) | median $(echo "$b1r" | median)x ($(echo "$b1r" | range)x) | the ceiling for person.create over ZeroMQ |"
	p99row() { # NAME LABEL [VERDICT]
		local p99s p99o
		p99s=$(all "$1" p99_us .)
		p99o=$(echo "$p99s" | median)
		echo "| p99 ≤ 5 ms at 1,000 commands/s, $2 | median $(ms "$p99o") ms of $OPEN_RUNS runs ($(for u in $p99s; do ms "$u"; echo; done | range) ms; errors $(all "$1" errors . | awk '{ s += $1 } END { print s + 0 }'), late sends $(all "$1" late_sends . | paste -sd/), load $(all "$1" load . | paste -sd/)) | ${3:-$(yes_no "$p99o" 5000.001)} |"
	}
	p99row api.open_fresh "fresh store"
	p99row bound.open_fresh "fresh store, the bound (no JSON, no command)" "the same runs' floor"
	p99row api.open "the store the closed loops grew"
	p99row bound.open "the store the closed loops grew, the bound" "the same runs' floor"
	echo
} >"$MD"
[ "${BENCH_LARGE:-1}" = 0 ] || {
	echo "### Large store ($APPS applications)"
	echo
	echo "Built by \`pw-bench-store\` (the daemon's own command functions, many commands per write transaction; $QUEUED notifications queued, then delivered by \`pw-bench-store --deliver\`) in $(get store.build secs) s ($(get store.build apps_per_s) applications/s, $(get store.build commands_per_txn) commands per transaction); contents after delivery: $CONTENTS."
	echo
	echo "| measurement | value | goal |"
	echo "|---|---|---|"
	su=$(get startup.large first_ping_ms)
	echo "| store size on disk (data.mdb) | $(awk -v k="$STORE_DISK" 'BEGIN { printf "%.0f MiB", k / 1024 }') ($(awk -v k="$STORE_DISK" -v n="$APPS" 'BEGIN { printf "%.0f", k * 1024 / n }') bytes per application) | |"
	echo "| start-up to first ping reply, empty store | $(get startup.empty first_ping_ms) ms | |"
	echo "| start-up to first ping reply, large store, outbox delivered | $su ms | < 1000 ms: $(yes_no "$su" 1000) |"
	sp=$(get startup.pending first_ping_ms)
	echo "| start-up to first ping reply, large store with its $QUEUED notifications still queued | $sp ms | < 1000 ms: $(yes_no "$sp" 1000) |"
	sr=$(get startup.requests first_ping_ms)
	echo "| start-up to first ping reply, large store (outbox delivered) plus $REQS idempotency records | $sr ms (VmHWM $(get rss.requests vmhwm_kb) kB) | < 1000 ms: $(yes_no "$sr" 1000) |"
	qrow() {
		echo "| $1: p50 / p99 / max | $(ms "$(get "$2" p50_us)") / $(ms "$(get "$2" p99_us)") / $(ms "$(get "$2" max_us)") ms ($(get "$2" reply_bytes) bytes, errors $(get "$2" errors)) | $3 |"
	}
	qrow "cohort.report ntp-2026-27" q.cohort_report "no scan"
	qrow "application.list cohort + stage=signoff, limit 100" q.list_cohort_stage "index, no full scan"
	qrow "application.list stage=signoff (no cohort), limit 100" q.list_stage "index, no full scan"
	qrow "application.list stage=selection (no cohort), limit 100" q.list_stage_other "index, no full scan"
	qrow "application.list status=graduated (no cohort; none match)" q.list_status_empty "index, no full scan"
	qrow "application.get" q.app_get ""
	echo "| person.create, 16 clients (closed loop) | $(printf '%.0f' "$(get large.closed ops_per_s)")/s, p50 / p99 $(ms "$(get large.closed p50_us)") / $(ms "$(get large.closed p99_us)") ms | |"
	echo "| daemon VmRSS / VmHWM after start | $(get rss.after_start vmrss_kb) / $(get rss.after_start vmhwm_kb) kB | |"
	echo "| daemon VmRSS / VmHWM after the queries | $(get rss.after_queries vmrss_kb) / $(get rss.after_queries vmhwm_kb) kB | |"
} >>"$MD"
say "markdown in $MD"
