#!/usr/bin/env bash
# tests/bench/timers.sh: durable timers at scale (run by scripts/bench).
#
#   tests/bench/timers.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# With the daemon's own timers and store code (pw-bench-timers): arms
# TIMERS_N timers (default 1,000,000; BENCH_QUICK=1: 100,000) in big
# transactions and one commit each, arms and cancels stage timers of
# applications with them all armed, then fires K due timers for each K in
# TIMERS_K (default 10,1000,100000; quick 10,1000,10000) the way the loop does
# (at most 1000 per turn, one commit per turn), and reports time per timer,
# RSS and store size. Firing K=10 is the baseline: the cost must follow K,
# not the number armed. "BENCH name=timers.* key=value" lines go to stdout, a
# markdown block to $BENCH_DIR/timers.md, the raw figures to
# $BENCH_DIR/timers-raw.txt. The store is removed unless BENCH_KEEP=1.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${TIMERS_N:-100000} KS=${TIMERS_K:-10,1000,10000}
else
	N=${TIMERS_N:-1000000} KS=${TIMERS_K:-10,1000,100000}
fi
DB="$DIR/timers-db"
RAW="$DIR/timers-raw.txt"
MD="$DIR/timers.md"

say() { echo "timers.sh: $*" >&2; }
cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$DB"; }
trap cleanup EXIT

[ -x "$BUILD/pw-bench-timers" ] || { say "$BUILD/pw-bench-timers is missing"; exit 1; }
FS=$(stat -f -c %T "$DIR")
case $FS in tmpfs | ramfs) say "warning: $DIR is $FS, not a disk: commit times mean nothing" ;; esac
AVAIL=$(df -Pm "$DIR" | awk 'NR == 2 { print $4 }')
if [ "$AVAIL" -lt $((N / 250 + 512)) ]; then
	say "only $AVAIL MB free under $DIR"
	exit 1
fi
rm -rf "$DB"

say "$N armed, fire K = $KS; store $DB ($FS)"
cd "$SRC"
/usr/bin/time -f "wall_total=%e
maxrss_kb=%M" -o "$DIR/timers-time.txt" \
	"$BUILD/pw-bench-timers" -c conf/pathway.conf -d "$DB" -n "$N" -k "$KS" >"$RAW"
cat "$DIR/timers-time.txt" >>"$RAW"

awk -F= -v ks="$KS" -v md="$MD" '
	{ v[$1] = $2 }
	END {
		n = split(ks, k, ",")
		a = v["armed_timers_armed"]
		printf "BENCH name=timers.arm_batch timers=%d per_txn=%d us_per_timer=%s\n", v["arm_batch_timers"], v["per_txn"], v["arm_batch_us_per_timer"]
		printf "BENCH name=timers.arm_single timers=%d us_per_timer=%s\n", v["arm_single_timers"], v["arm_single_us_per_timer"]
		printf "BENCH name=timers.arm_stage armed=%d apps=%d timers=%d us_per_timer=%s\n", a, v["stage_apps"], v["stage_timers"], v["stage_arm_us_per_timer"]
		printf "BENCH name=timers.cancel_batch armed=%d apps=%d us_per_timer=%s\n", a, v["cancel_batch_apps"], v["cancel_batch_us_per_timer"]
		printf "BENCH name=timers.cancel_single armed=%d apps=%d ms_per_app=%s\n", a, v["cancel_single_apps"], v["cancel_single_ms_per_app"]
		printf "BENCH name=timers.next armed=%d us=%s\n", a, v["next_us"]
		printf "BENCH name=timers.memory armed=%d rss_mb=%s rss_anon_mb=%s rss_file_mb=%s store_mb=%s peak_rss_mb=%.1f\n", a, v["armed_VmRSS_mb"], v["armed_RssAnon_mb"], v["armed_RssFile_mb"], v["armed_store_disk_mb"], v["maxrss_kb"] / 1024
		base = v["fire_" k[1] "_us_per_timer"]; basew = v["fire_" k[1] "_work_us_per_timer"]
		for (i = 1; i <= n; i++) {
			p = "fire_" k[i] "_"
			printf "BENCH name=timers.fire k=%s armed=%d turns=%d seconds=%s us_per_timer=%s work_us_per_timer=%s vs_k%s=%.2f\n", k[i], v[p "armed"], v[p "turns"], v[p "seconds"], v[p "us_per_timer"], v[p "work_us_per_timer"], k[1], v[p "us_per_timer"] / base
		}

		print "### Timers" > md
		print "" > md
		printf "%d timers armed in one store (`tests/bench/timers.sh`, `pw-bench-timers`: the daemon'"'"'s own `timers_*`/`store_*` code; due times scattered over %d s).\n", a, a > md
		print "" > md
		print "| operation | cost |" > md
		print "|---|---|" > md
		printf "| arm, %d per transaction | %.2f µs/timer |\n", v["per_txn"], v["arm_batch_us_per_timer"] > md
		printf "| arm, one durable commit each | %.0f µs/timer |\n", v["arm_single_us_per_timer"] > md
		printf "| arm a stage'"'"'s timers (`timers_stage_entered`, %s, %d timers for %d applications, one transaction) | %.1f µs/timer |\n", v["stage"], v["stage_timers"], v["stage_apps"], v["stage_arm_us_per_timer"] > md
		printf "| cancel (`timers_cancel`, %d applications in one transaction) | %.1f µs/timer |\n", v["cancel_batch_apps"], v["cancel_batch_us_per_timer"] > md
		printf "| cancel, one durable commit per application | %.2f ms/application |\n", v["cancel_single_ms_per_app"] > md
		printf "| next due time (the loop'"'"'s idle check) | %.2f µs |\n", v["next_us"] > md
		printf "| RSS with %d armed | %.1f MB (%.1f MB anonymous, %.1f MB LMDB pages mapped) |\n", a, v["armed_VmRSS_mb"], v["armed_RssAnon_mb"], v["armed_RssFile_mb"] > md
		printf "| store size with %d armed | %.1f MB |\n", a, v["armed_store_disk_mb"] > md
		print "" > md
		printf "Firing K due timers (at most 1000 per loop turn, one commit per turn, as `server.c` does); baseline K=%s:\n", k[1] > md
		print "" > md
		print "| K due | armed | turns | total | per timer | per timer, excluding commits | per timer vs K=" k[1] " |" > md
		print "|---:|---:|---:|---:|---:|---:|---:|" > md
		for (i = 1; i <= n; i++) {
			p = "fire_" k[i] "_"
			printf "| %s | %d | %d | %.1f ms | %.2f µs | %.2f µs | %.2f× |\n", k[i], v[p "armed"], v[p "turns"], 1000 * v[p "seconds"], v[p "us_per_timer"], v[p "work_us_per_timer"], v[p "us_per_timer"] / base > md
		}
	}' "$RAW"
cat "$MD" >&2
