#!/usr/bin/env bash
# tests/bench/export.sh: the cost of person.export (run by scripts/bench).
#
#   tests/bench/export.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# BENCH_QUICK=1 runs smaller sizes; BENCH_EXPORT_APPS overrides the store's size
# (default 100000 applications; quick 20000).
#
# A store of APPS applications built with pw-bench-store (400 schools, one
# headteacher each, candidates applying to every cohort) and its notifications
# delivered; then person.export, one request at a time, of:
#   - a candidate with an application in each cohort (c0000000);
#   - a headteacher whose school holds APPS/400 applications (h0000);
#   - a candidate made busy: EVENTS person.update requests first, so the event
#     log names them EVENTS times more (c0000001);
# each with the reply's size, and the load average (the machine is shared)
# beside every line; then person.erase of three candidates, once each.
# person.export and person.erase find the person's events, applications,
# forms, bookings and support requests through the indexes (cmd/privacy_find.c),
# and read raw only the outbox, digests and sessions (what is pending or live):
# their cost is the person's, not the store's. BENCH_BUILD may be another
# build (an older pathwayd) to compare on the same machine.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
QUICK=${BENCH_QUICK:-0}
B="$BUILD/pw-bench-api"
RESULTS="$DIR/results.txt"
MD="$DIR/export.md"
if [ "$QUICK" = 1 ]; then
	APPS=${BENCH_EXPORT_APPS:-20000} N=10 EVENTS=1000
else
	APPS=${BENCH_EXPORT_APPS:-100000} N=10 EVENTS=5000
fi
trap stop_daemon EXIT
say() { echo "export.sh: $*" >&2; }

bench() {
	local out
	out=$("$@")
	[ -z "${AS:-}" ] || out=$(echo "$out" | sed "s/^BENCH name=[^ ]*/BENCH name=$AS/")
	out=$(echo "$out" | sed "s/^\(BENCH .*\)\$/\1 load=$(cut -d' ' -f1 /proc/loadavg)/")
	echo "$out"
	echo "$out" | grep '^BENCH ' >>"$RESULTS" || true
	LAST=$out
}
get() {
	grep "^BENCH name=$1 " "$RESULTS" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

S="$DIR/export"
rm -rf "$S"
mkdir -p "$S/db"
cat >"$S/pathway.conf" <<CONF
daemon = {
	api = "ipc://$S/api.sock";
	events = "ipc://$S/events.sock";
	workers = "ipc://$S/workers.sock";
	db = "$S/db";
	templates = "$SRC/conf/templates";
	map_size_mb = 65536;
	log_level = "warn";
	clock = "manual";
	clock_start = "2026-09-01T07:00:00Z";
};
programmes = [ "$SRC/conf/programmes/norfolk-talent-pool.conf",
	       "$SRC/conf/programmes/kent-pathways.conf",
	       "$SRC/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "$SRC/conf/cohorts/ntp-2026-27.conf", "$SRC/conf/cohorts/ntp-2027-28.conf",
	    "$SRC/conf/cohorts/kent-2026-27.conf", "$SRC/conf/cohorts/lle-2026-27.conf" ];
CONF

say "building a store of $APPS applications"
bench "$BUILD/pw-bench-store" "$S/pathway.conf" "$APPS"
bench "$BUILD/pw-bench-store" "$S/pathway.conf" --deliver
AS=export.startup bench "$B" startup "ipc://$S/api.sock" 120 "$S/pathwayd.log" -- \
	"$BUILD/pathwayd" -c "$S/pathway.conf"
DAEMON_PID=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^pid=//p')

q() { echo "{\"cmd\":\"$1\",\"actor\":\"operator\",\"args\":$2}"; }
UPTIME_BEFORE=$(uptime)
bench "$B" query "ipc://$S/api.sock" export.candidate "$N" "$(q person.export '{"id":"c0000000"}')"
bench "$B" query "ipc://$S/api.sock" export.headteacher "$N" "$(q person.export '{"id":"h0000"}')"
say "giving c0000001 $EVENTS more events"
AS=export.updates bench "$B" query "ipc://$S/api.sock" export.updates "$EVENTS" \
	"$(q person.update '{"id":"c0000001","facts":{"years_teaching":5}}')"
bench "$B" query "ipc://$S/api.sock" export.busy "$N" "$(q person.export '{"id":"c0000001"}')"
bench "$B" query "ipc://$S/api.sock" export.ping "$N" "$(q system.ping '{}')"
# Erasures (a person is erased once): three candidates, each the wall time of one
# pw-bench-api run, its start (a few ms) included; the median and the slowest.
ERASES=()
for c in c0000002 c0000004 c0000006; do
	T0=$(date +%s%N)
	"$B" query "ipc://$S/api.sock" export.erase 0 "$(q person.erase "{\"id\":\"$c\"}")" >/dev/null
	ERASES+=($((($(date +%s%N) - T0) / 1000)))
done
mapfile -t ERASES < <(printf '%s\n' "${ERASES[@]}" | sort -n)
echo "BENCH name=export.erase n=3 p50_us=${ERASES[1]} p99_us=${ERASES[2]} min_us=${ERASES[0]} reply_bytes=- load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
UPTIME_AFTER=$(uptime)
stop_daemon
BYTES=$(stat -c %s "$S/db/data.mdb")

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
row() {
	echo "| $1 | $(ms "$(get "$2" p50_us)") ms | $(ms "$(get "$2" p99_us)") ms | $(get "$2" reply_bytes) | $(get "$2" load) |"
}
{
	echo "### person.export"
	echo
	echo "A store of $APPS applications (pw-bench-store: 400 schools, candidates applying to every cohort; notifications delivered; data.mdb $((BYTES / 1048576)) MiB); $N exports of each person, one at a time. \`uptime\` before: \`$UPTIME_BEFORE\`; after: \`$UPTIME_AFTER\`."
	echo
	echo "| whom | p50 | p99 | reply bytes | load (1 min) |"
	echo "|---|---|---|---|---|"
	row "a candidate, one application per cohort" export.candidate
	row "a headteacher whose school holds $((APPS / 400)) applications" export.headteacher
	row "a candidate after $EVENTS more events naming them" export.busy
	row "system.ping, for scale" export.ping
	row "person.erase of a candidate (3 people; wall time, client start included)" export.erase
} >"$MD"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$S"
cat "$MD" >&2
