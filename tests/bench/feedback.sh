#!/usr/bin/env bash
# tests/bench/feedback.sh: the 360 report (run by scripts/bench).
#
#   tests/bench/feedback.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# The target it measures: "the 360 report for a cohort of 1,000 candidates with 10
# raters each: under 50 ms per report". A pathwayd (manual clock) runs the
# shipped Norfolk Talent Pool programme, copied into the scratch dir with its
# forms and two changes: the 360 stage takes min = 10 responses (8 shipped,
# after which the application moves on and further responses are refused),
# and a bench cohort (a copy of ntp-2026-27 with places = 2000, and no window
# for applications). pw-bench-feedback setup builds, through the API,
# FEEDBACK_N candidates (default 1000; BENCH_QUICK=1: 100), each with an
# application brought to the 360 (self-evaluation, evidence form, sign-off
# by the headteacher, accepted by the operator), 10 raters invited with
# feedback.invite (line manager 1, peers 3, direct reports 3, others 3),
# the candidate's self-assessment and the 10 raters' answers (every question
# rated and commented on) recorded with feedback.respond. pw-bench-feedback
# measure then sends, one request in flight, application.get (the baseline)
# and feedback.report for every application, FEEDBACK_ROUNDS times (default
# 3; quick 1). "BENCH name=feedback.* key=value" lines go to stdout, a
# markdown block to $BENCH_DIR/feedback.md.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${FEEDBACK_N:-100} ROUNDS=${FEEDBACK_ROUNDS:-1}
else
	N=${FEEDBACK_N:-1000} ROUNDS=${FEEDBACK_ROUNDS:-3}
fi
B="$BUILD/pw-bench-feedback"
RESULTS="$DIR/feedback-results.txt"
MD="$DIR/feedback.md"
: >"$RESULTS"

say() { echo "feedback.sh: $*" >&2; }
for b in pathwayd pw-bench-api pw-bench-feedback; do
	[ -x "$BUILD/$b" ] || { say "$BUILD/$b is missing"; exit 1; }
done
if [ ${#DIR} -gt 70 ]; then
	say "$DIR is too long for ipc:// socket paths"
	exit 1
fi
trap stop_daemon EXIT

# Run a command, keep its BENCH lines (renamed to $AS when set).
bench() {
	local out
	out=$("$@")
	[ -z "${AS:-}" ] || out=$(echo "$out" | sed "s/^BENCH name=[^ ]*/BENCH name=$AS/")
	echo "$out"
	echo "$out" | grep '^BENCH ' >>"$RESULTS" || true
	LAST=$out
}
get() { # get NAME KEY [MATCH]
	grep "^BENCH name=$1 " "$RESULTS" | grep -e "${3:-.}" | tail -1 |
		tr ' ' '\n' | sed -n "s/^$2=//p"
}

# The configuration: the shipped programme and its forms, the 360 stage taking 10 responses.
D="$DIR/store"
rm -rf "$D"
mkdir -p "$D/db" "$D/conf/programmes/forms" "$D/conf/cohorts"
cp "$SRC/conf/programmes/norfolk-talent-pool.conf" "$D/conf/programmes/"
cp "$SRC/conf/programmes/forms/norfolk-talent-pool.conf" "$D/conf/programmes/forms/"
sed -i 's/\(kind = "responses";.*min = \)[0-9][0-9]*/\110/' \
	"$D/conf/programmes/norfolk-talent-pool.conf"
grep -q 'kind = "responses";.*min = 10;' "$D/conf/programmes/norfolk-talent-pool.conf" || {
	say "could not set the 360 stage's min to 10 in the programme's copy"
	exit 1
}
# The cohort: ntp-2026-27 as shipped, with room for every candidate and no window.
sed -e 's/^\([[:space:]]*places[[:space:]]*=[[:space:]]*\)[0-9][0-9]*;/\12000;/' \
	-e '/^[[:space:]]*applications[[:space:]]*=/d' \
	"$SRC/conf/cohorts/ntp-2026-27.conf" >"$D/conf/cohorts/ntp-bench.conf"
grep -q '^[[:space:]]*places = 2000;' "$D/conf/cohorts/ntp-bench.conf" || {
	say "could not set places = 2000 in the cohort's copy"
	exit 1
}
COHORT=$(sed -n 's/^[[:space:]]*id[[:space:]]*=[[:space:]]*"\([^"]*\)";.*/\1/p' "$D/conf/cohorts/ntp-bench.conf" | head -1)
cat >"$D/pathway.conf" <<EOF
daemon = {
	api = "ipc://$D/api.sock";
	events = "ipc://$D/events.sock";
	workers = "ipc://$D/workers.sock";
	db = "$D/db";
	templates = "$SRC/conf/templates";
	map_size_mb = 4096;
	log_level = "warn";
	clock = "manual";
	clock_start = "2026-09-01T07:00:00Z";
};
programmes = [ "$D/conf/programmes/norfolk-talent-pool.conf" ];
cohorts = [ "$D/conf/cohorts/ntp-bench.conf" ];
EOF

say "scratch dir $DIR ($(findmnt -n -o FSTYPE --target "$DIR" 2>/dev/null || stat -f -c %T "$DIR") on $(df --output=source "$DIR" | tail -1))"
AS=feedback.startup bench "$BUILD/pw-bench-api" startup "ipc://$D/api.sock" 120 "$D/pathwayd.log" -- \
	"$BUILD/pathwayd" -c "$D/pathway.conf"
DAEMON_PID=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^pid=//p')

say "building $N candidates in $COHORT, 10 raters each, through the API"
bench "$B" setup "ipc://$D/api.sock" "$COHORT" "$N" "$DIR/apps.txt"
sync
say "store: $(du -k "$D/db/data.mdb" | cut -f1) kB"
say "measuring application.get and feedback.report on $N applications, $ROUNDS round(s)"
bench "$B" measure "ipc://$D/api.sock" "$DIR/apps.txt" "$ROUNDS"
AS=feedback.rss bench "$BUILD/pw-bench-api" rss feedback.rss "$DAEMON_PID"
stop_daemon
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"

# The markdown block.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
met() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a < b) }'; then echo "**met**"; else echo "**NOT met**"; fi; }
{
	echo "### The 360 report ($N candidates, 10 raters each)"
	echo
	echo "Built through the API in $(get feedback.setup_total secs) s: $N applications at the 360 stage, $(get feedback.setup_total raters) raters invited, $(get feedback.setup_total responses) answers recorded (the self-assessments included; every question rated and commented on); feedback.respond at $(get feedback.setup ops_per_s 'phase=feedback.respond(rater)')/s, $(get feedback.setup window 'phase=feedback.respond(rater)') in flight. Then, one request in flight, every application $ROUNDS time(s):"
	echo
	echo "| request | n | reply bytes | mean ms | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for r in "application.get (baseline):feedback.app_get" "feedback.report:feedback.report"; do
		n=${r##*:}
		echo "| ${r%%:*} | $(get "$n" n) | $(get "$n" reply_bytes) | $(get "$n" ms_mean) | $(get "$n" ms_p50) | $(get "$n" ms_p90) | $(get "$n" ms_p99) | $(get "$n" ms_max) | $(get "$n" errors) |"
	done
	echo "| ratio report / get | | $(ratio "$(get feedback.report reply_bytes)" "$(get feedback.app_get reply_bytes)") | $(ratio "$(get feedback.report ms_mean)" "$(get feedback.app_get ms_mean)") | $(ratio "$(get feedback.report ms_p50)" "$(get feedback.app_get ms_p50)") | $(ratio "$(get feedback.report ms_p90)" "$(get feedback.app_get ms_p90)") | $(ratio "$(get feedback.report ms_p99)" "$(get feedback.app_get ms_p99)") | | |"
	echo
	p99=$(get feedback.report ms_p99)
	echo "| goal | measured | |"
	echo "|---|---|---|"
	echo "| the 360 report under 50 ms | p99 $p99 ms, max $(get feedback.report ms_max) ms | $(met "$p99" 50) |"
} >"$MD"
echo "BENCH name=feedback.ratio report_over_get_p50=$(ratio "$(get feedback.report ms_p50)" "$(get feedback.app_get ms_p50)" | tr -d x) report_over_get_mean=$(ratio "$(get feedback.report ms_mean)" "$(get feedback.app_get ms_mean)" | tr -d x)"
say "markdown in $MD"
