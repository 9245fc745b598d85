#!/usr/bin/env bash
# tests/bench/web.sh: pathway-web under load (run by scripts/bench).
#
#   tests/bench/web.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# The targets it measures: with 1,000 Server-Sent-Event clients connected to one
# pathway-web, p99 from commit to delivery under 250 ms, and the memory per
# connected client; the dashboard for a cohort of 1,000 applications under
# 50 ms; an action page's round trip including pathwayd's durable commit.
#
# A pathwayd (manual clock, the shipped Norfolk Talent Pool programme and a
# bench cohort: ntp-2026-27 with places = 2000 and no window) with a web
# group, pathway-web on a free 127.0.0.1 port, and pw-bench-web worker on the
# workers socket (reports every job done at once, keeps the links emails
# carry). pw-bench-web setup builds WEB_N applications (default 1000; quick
# 100) at several stages through the API; pw-bench-web login signs the LA
# adviser in (auth.link, the token from the emailed link, auth.session).
# Then, each against the same pathway-web:
#   1. pw-bench-websse: WEB_CLIENTS streams (1000; quick 100) on
#      /events?cohort=..., WEB_RATE commits a second (50; each an evidence
#      form submitted again, an event of the cohort) for WEB_SECS seconds
#      (20; quick 3): delivery latency and memory;
#   2. pw-bench-webpage dash: GET /dashboard (and /dashboard/part) WEB_ROUNDS
#      times (30; quick 5) against application.list of the cohort;
#   3. pw-bench-webpage action: WEB_ACTIONS evidence forms (100; quick 10)
#      POSTed to /a/TOKEN against as many application.submit with the same
#      kind of token straight to pathwayd.
# "BENCH name=web.* key=value" lines go to stdout, markdown to $BENCH_DIR/web.md.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${WEB_N:-100} CLIENTS=${WEB_CLIENTS:-100} RATE=${WEB_RATE:-50} SECS=${WEB_SECS:-3}
	ROUNDS=${WEB_ROUNDS:-5} ACTIONS=${WEB_ACTIONS:-10}
else
	N=${WEB_N:-1000} CLIENTS=${WEB_CLIENTS:-1000} RATE=${WEB_RATE:-50} SECS=${WEB_SECS:-20}
	ROUNDS=${WEB_ROUNDS:-30} ACTIONS=${WEB_ACTIONS:-100}
fi
B="$BUILD/pw-bench-web"
RESULTS="$DIR/web-results.txt"
MD="$DIR/web.md"
: >"$RESULTS"

say() { echo "web.sh: $*" >&2; }
for b in pathwayd pathway-web pw-bench-api pw-bench-web pw-bench-webpage pw-bench-websse; do
	[ -x "$BUILD/$b" ] || { say "$BUILD/$b is missing"; exit 1; }
done
if [ ${#DIR} -gt 70 ]; then
	say "$DIR is too long for ipc:// socket paths"
	exit 1
fi
# Every stream is a descriptor in pathway-web and one here.
[ "$(ulimit -n)" -ge $((CLIENTS + 200)) ] || ulimit -n $((CLIENTS + 200)) || {
	say "cannot raise the limit of open files to $((CLIENTS + 200))"
	exit 1
}
WEB_PID='' WORKER_PID=''
stop_all() {
	for p in $WEB_PID $WORKER_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $WEB_PID $WORKER_PID; do
		wait "$p" 2>/dev/null || true
	done
	WEB_PID='' WORKER_PID=''
	stop_daemon
}
trap stop_all EXIT

FAILED=
# Run a command, keep its BENCH lines (renamed to $AS when set); a failure is noted, not fatal.
bench() {
	local out
	out=$("$@") || { FAILED="$FAILED $(basename "$1")"; say "$(basename "$1") $2 failed"; }
	[ -z "${AS:-}" ] || out=$(echo "$out" | sed "s/^BENCH name=[^ ]*/BENCH name=$AS/")
	echo "$out"
	echo "$out" | grep '^BENCH ' >>"$RESULTS" || true
	LAST=$out
}
get() { # get NAME KEY
	grep "^BENCH name=$1 " "$RESULTS" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# The configuration.
D="$DIR/store"
rm -rf "$D"
mkdir -p "$D/db" "$D/conf/cohorts"
sed -e 's/^\([[:space:]]*places[[:space:]]*=[[:space:]]*\)[0-9][0-9]*;/\12000;/' \
	-e '/^[[:space:]]*applications[[:space:]]*=/d' \
	"$SRC/conf/cohorts/ntp-2026-27.conf" >"$D/conf/cohorts/ntp-bench.conf"
grep -q '^[[:space:]]*places = 2000;' "$D/conf/cohorts/ntp-bench.conf" || {
	say "could not set places = 2000 in the cohort's copy"
	exit 1
}
COHORT=$(sed -n 's/^[[:space:]]*id[[:space:]]*=[[:space:]]*"\([^"]*\)";.*/\1/p' "$D/conf/cohorts/ntp-bench.conf" | head -1)
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
	clock_start = "2026-09-07T08:00:00Z";
};
web = {
	base_url = "http://127.0.0.1:$PORT";
	listen = "127.0.0.1:$PORT";
};
programmes = [ "$SRC/conf/programmes/norfolk-talent-pool.conf" ];
cohorts = [ "$D/conf/cohorts/ntp-bench.conf" ];
EOF

say "scratch dir $DIR ($(findmnt -n -o FSTYPE --target "$DIR" 2>/dev/null || stat -f -c %T "$DIR") on $(df --output=source "$DIR" | tail -1))"
AS=web.startup bench "$BUILD/pw-bench-api" startup "ipc://$D/api.sock" 120 "$D/pathwayd.log" -- \
	"$BUILD/pathwayd" -c "$D/pathway.conf"
DAEMON_PID=$(echo "$LAST" | tr ' ' '\n' | sed -n 's/^pid=//p')
LINKS="$DIR/links.txt"
: >"$LINKS"
"$B" worker "ipc://$D/workers.sock" "$LINKS" &
WORKER_PID=$!
"$BUILD/pathway-web" -c "$D/pathway.conf" 2>"$D/web.log" &
WEB_PID=$!
for _ in $(seq 1 200); do
	curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
	kill -0 "$WEB_PID" 2>/dev/null || { say "pathway-web exited: $(tail -5 "$D/web.log")"; exit 1; }
	sleep 0.05
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { say "pathway-web does not answer"; exit 1; }

say "building $N applications in $COHORT through the API"
bench "$B" setup "ipc://$D/api.sock" "$COHORT" "$N" $((2 * ACTIONS)) "$DIR/apps.txt" "$DIR/rotation.txt"
SESSION=$("$B" login "ipc://$D/api.sock" "$LINKS" la@bench.example.org)
# The action links of the reserved applications come with the set-up's emails.
for _ in $(seq 1 200); do
	[ "$(grep -c '^signoff-needed ' "$LINKS")" -ge "$N" ] && break
	sleep 0.05
done

say "$CLIENTS event streams, $RATE commits/s for $SECS s"
bench "$BUILD/pw-bench-websse" "$PORT" "ipc://$D/api.sock" "$SESSION" "$COHORT" "$CLIENTS" \
	"$RATE" "$SECS" "$WEB_PID" "$DAEMON_PID" "$DIR/rotation.txt"
sleep 1
AS=web.rss_after_streams bench "$BUILD/pw-bench-api" rss web.rss "$WEB_PID"

say "the dashboard of $N applications, $ROUNDS rounds"
bench "$BUILD/pw-bench-webpage" dash "$PORT" "ipc://$D/api.sock" "$SESSION" "$COHORT" "$ROUNDS"
# The CPU a dashboard costs each process (a shared CPU stretches wall times, not this):
# utime + stime from /proc over ROUNDS more pages, one at a time.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
w0=$(cpu_ms "$WEB_PID") d0=$(cpu_ms "$DAEMON_PID")
for _ in $(seq 1 "$ROUNDS"); do
	curl -fsS -o /dev/null -H "Cookie: pw_session=$SESSION" "http://127.0.0.1:$PORT/dashboard?cohort=$COHORT" ||
		FAILED="$FAILED dashboard-cpu"
done
w1=$(cpu_ms "$WEB_PID") d1=$(cpu_ms "$DAEMON_PID")
echo "BENCH name=web.dashboard_cpu rounds=$ROUNDS web_ms=$(awk -v a="$w0" -v b="$w1" -v n="$ROUNDS" 'BEGIN { printf "%.1f", (b - a) / n }') daemon_ms=$(awk -v a="$d0" -v b="$d1" -v n="$ROUNDS" 'BEGIN { printf "%.1f", (b - a) / n }') load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
say "$ACTIONS evidence forms through /a/TOKEN, $ACTIONS straight to pathwayd"
bench "$BUILD/pw-bench-webpage" action "$PORT" "ipc://$D/api.sock" "$LINKS" "$DIR/apps.txt" "$ACTIONS"
AS=web.rss_end bench "$BUILD/pw-bench-api" rss web.rss "$WEB_PID"
AS=web.daemon_rss bench "$BUILD/pw-bench-api" rss web.rss "$DAEMON_PID"
grep -c . "$D/web.log" >/dev/null && say "pathway-web's log: $(grep -c . "$D/web.log") lines (tail: $(tail -2 "$D/web.log" | tr '\n' ' '))"
stop_all
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"

# The markdown block.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
met() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a < b) }'; then echo "**met**"; else echo "**NOT met**"; fi; }
row() { # row LABEL NAME
	echo "| $1 | $(get "$2" n) | $(get "$2" reply_bytes) | $(get "$2" ms_mean) | $(get "$2" ms_p50) | $(get "$2" ms_p90) | $(get "$2" ms_p99) | $(get "$2" ms_max) | $(get "$2" errors) |"
}
{
	echo "### pathway-web ($CLIENTS streams, a cohort of $N applications)"
	echo
	echo "**Live stream.** $CLIENTS clients opened \`/events?cohort=$COHORT\` as a signed-in LA adviser in $(get web.sse_connect secs) s; then $(get web.sse_run commits) commits at $RATE/s ($(get web.sse_run late_sends) sent more than 1 ms late by the load generator), each an \`application.submit\` of an evidence form again (an event of the cohort, no email): $(get web.sse_run deliveries) deliveries, $(get web.sse_run missing) missing, $(get web.sse_run wrong) out of order or wrong, $(get web.sse_run extra) extra (seq $(get web.sse_run first_seq) to $(get web.sse_run last_seq)). pathway-web used $(get web.sse_run web_cpu_s) s of CPU ($(get web.sse_run web_cpu_ms_per_event) ms an event), pathwayd $(get web.sse_run daemon_cpu_s) s."
	echo
	echo "| delivery latency | n | min ms | mean ms | p50 ms | p90 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for r in "commit's reply → event on a stream:web.sse_from_reply" "commit sent → event on a stream:web.sse_from_send" "commit's reply → event on the last of the $CLIENTS streams:web.sse_last_client"; do
		n=${r##*:}
		echo "| ${r%:*} | $(get "$n" n) | $(get "$n" ms_min) | $(get "$n" ms_mean) | $(get "$n" ms_p50) | $(get "$n" ms_p90) | $(get "$n" ms_p99) | $(get "$n" ms_max) |"
	done
	echo
	echo "pathway-web's memory: VmRSS $(get web.sse_connect rss_before_kb) kB before the streams, $(get web.sse_connect rss_after_kb) kB with $CLIENTS open: **$(get web.sse_connect kb_per_client) kB per connected client** ($(get web.sse_connect anon_kb_per_client) kB of it anonymous); $(get web.sse_run rss_end_kb) kB after the events."
	echo
	echo "**Dashboard and action pages**, one request at a time, each on a new connection read to its end:"
	echo
	echo "| request | n | bytes | mean ms | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	row "\`application.list\` of the cohort's $(get web.dashboard_cohort applications), pages of 1000 (**baseline**)" web.app_list
	row "GET \`/dashboard?cohort=$COHORT\`" web.dashboard
	row "GET \`/dashboard/part\` (what live.js fetches on an event)" web.dashboard_part
	row "\`application.submit\` (evidence form) with an action token, to pathwayd (**baseline**)" web.action_api
	row "GET \`/a/TOKEN\` (the evidence form)" web.action_get
	row "POST \`/a/TOKEN\` submitting it (durable commit included)" web.action_post
	echo
	echo "Ratios: dashboard / application.list $(ratio "$(get web.dashboard ms_p50)" "$(get web.app_list ms_p50)") at the p50; POST /a/TOKEN / application.submit $(ratio "$(get web.action_post ms_p50)" "$(get web.action_api ms_p50)") at the p50."
	echo
	echo "CPU per dashboard: pathway-web $(get web.dashboard_cpu web_ms) ms, pathwayd $(get web.dashboard_cpu daemon_ms) ms (load average $(get web.dashboard_cpu load))."
	echo
	p99=$(get web.sse_from_reply ms_p99)
	echo "| goal | measured | |"
	echo "|---|---|---|"
	echo "| $CLIENTS streams: p99 from commit to delivery under 250 ms | p99 $p99 ms, max $(get web.sse_from_reply ms_max) ms | $(met "$p99" 250) |"
	echo "| the dashboard of a cohort of $N applications under 50 ms | p50 $(get web.dashboard ms_p50) ms, p99 $(get web.dashboard ms_p99) ms | $(met "$(get web.dashboard ms_p99)" 50) |"
	echo "| memory per connected client | $(get web.sse_connect kb_per_client) kB | (no goal) |"
	echo "| an action page's round trip with the durable commit | p50 $(get web.action_post ms_p50) ms, p99 $(get web.action_post ms_p99) ms | (no goal) |"
} >"$MD"
echo "BENCH name=web.ratio dashboard_over_list_p50=$(ratio "$(get web.dashboard ms_p50)" "$(get web.app_list ms_p50)" | tr -d x) post_over_api_p50=$(ratio "$(get web.action_post ms_p50)" "$(get web.action_api ms_p50)" | tr -d x)"
say "markdown in $MD"
[ -z "$FAILED" ] || { say "failed:$FAILED"; exit 1; }
