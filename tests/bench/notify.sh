#!/usr/bin/env bash
# tests/bench/notify.sh: notification throughput and outbox dispatch (run by scripts/bench).
#
#   tests/bench/notify.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# 1. Emails per second, pathwayd -> pathway-mailer -> SMTP: for mailer.credit
#    4 and 32 (NOTIFY_CREDITS; the shipped default is 16), 1 and 4 mailers
#    (NOTIFY_MAILERS), mailer.reuse_connection true and false (the baseline), the
#    outbox is filled with NOTIFY_N jobs (default 10000; BENCH_QUICK=1: 2000)
#    by pw-bench-notifyfill (the daemon's notify_person, before the daemon
#    starts), the daemon is started, then the mailers; timed from starting the
#    mailers until the SMTP sink (pw-bench-smtpsink, C, epoll) has accepted
#    NOTIFY_N messages, then until outbox.list shows nothing pending or in
#    flight. The CPU seconds of the daemon, the mailers and the sink over the
#    run say which one is the bottleneck.
# 2. Outbox dispatch with DISPATCH_N queued (default 100000; quick 20000) and
#    with 1000 queued: the daemon's start-up with them, then a fake worker
#    that acks `done` at once (pw-bench-notifyworker): first 500 jobs with
#    credit 1 (one loop turn per job: the turn latency and the daemon's CPU
#    per turn), then the rest with credit 1000 (job frames per second, per
#    block of 10000), and the daemon's RSS.
#
# "BENCH name=notify.* key=value" lines go to stdout, a markdown block to
# $BENCH_DIR/notify.md. Stores are removed unless BENCH_KEEP=1.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${NOTIFY_N:-2000} DN=${DISPATCH_N:-20000}
else
	N=${NOTIFY_N:-10000} DN=${DISPATCH_N:-100000}
fi
MAILERS=${NOTIFY_MAILERS-1 4}
CREDITS=${NOTIFY_CREDITS-4 32}
TURN_JOBS=500
CREDIT=${DISPATCH_CREDIT:-1000}
MD="$DIR/notify.md"
RESULTS="$DIR/notify-results.txt"
HZ=$(getconf CLK_TCK)
: >"$RESULTS"

say() { echo "notify.sh: $*" >&2; }
for b in pathwayd pathway-mailer pw-bench-notifyfill pw-bench-notifyworker pw-bench-smtpsink; do
	[ -x "$BUILD/$b" ] || { say "$BUILD/$b is missing"; exit 1; }
done
FS=$(stat -f -c %T "$DIR")
case $FS in tmpfs | ramfs) say "warning: $DIR is $FS, not a disk: commit times mean nothing" ;; esac
if [ ${#DIR} -gt 70 ]; then
	say "$DIR is too long for ipc:// socket paths"
	exit 1
fi

PIDS=()
stop_pid() { # stop_pid PID: TERM, wait up to 10 s, then KILL
	local p=$1
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 1 200); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}
stop_all() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	PIDS=()
}
trap stop_all EXIT

emit() { # emit "name=... key=value ...": a BENCH line to stdout and the results
	echo "BENCH $*"
	echo "BENCH $*" >>"$RESULTS"
}
get() { # get NAME KEY: a value from the results
	grep "^BENCH name=$1 " "$RESULTS" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
cpu() { # cpu PID: user+system CPU seconds so far
	awk -v hz="$HZ" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
rss() { # rss PID KEY: VmRSS or VmHWM in MB
	awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# conf D PORT REUSE [CREDIT]: a configuration with every path under D.
conf() {
	local d=$1 port=$2 reuse=$3 credit=${4:-4}
	cat >"$d/pathway.conf" <<EOF
daemon = {
	api = "ipc://$d/api.sock";
	events = "ipc://$d/events.sock";
	workers = "ipc://$d/workers.sock";
	db = "$d/db";
	templates = "$SRC/conf/templates";
	map_size_mb = 8192;
	log_level = "info";
};
outbox = { retry_min = 300; retry_max = 4000; lifetime_hours = 120; lease = 120;
	   worker_timeout = 15; failed_template = "notification-failed"; };
opportunities = { early_template = "opportunity-early"; released_template = "opportunity-released";
		  release_to = [ "headteacher" ]; };
mailer = {
	smtp_url = "smtp://127.0.0.1:$port";
	starttls = "optional";
	from = "Leadership Development Team <pathway@la.example.net>";
	timeout_ms = 10000;
	credit = $credit;
	reuse_connection = $reuse;
	heartbeat_ms = 1000;
};
programmes = [ "$SRC/conf/programmes/norfolk-talent-pool.conf",
	       "$SRC/conf/programmes/kent-pathways.conf",
	       "$SRC/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "$SRC/conf/cohorts/ntp-2026-27.conf", "$SRC/conf/cohorts/ntp-2027-28.conf",
	    "$SRC/conf/cohorts/kent-2026-27.conf", "$SRC/conf/cohorts/lle-2026-27.conf" ];
EOF
}

# start_daemon D: start pathwayd on D's configuration, wait for "ready"; sets DPID, READY_S.
start_daemon() {
	local d=$1 t0
	t0=$(now)
	"$BUILD/pathwayd" -c "$d/pathway.conf" 2>"$d/pathwayd.log" &
	DPID=$!
	PIDS+=("$DPID")
	for _ in $(seq 1 1200); do
		grep -q ' ready$' "$d/pathwayd.log" && break
		kill -0 "$DPID" 2>/dev/null || { cat "$d/pathwayd.log" >&2; exit 1; }
		sleep 0.05
	done
	grep -q ' ready$' "$d/pathwayd.log" || { say "pathwayd did not start"; exit 1; }
	READY_S=$(calc "$(now) - $t0")
}

# outbox_left D: jobs pending or in flight (at most 1 of each is asked for).
outbox_left() {
	/usr/bin/python3 - "ipc://$1/api.sock" <<'EOF'
import json, sys, zmq
s = zmq.Context().socket(zmq.REQ)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.connect(sys.argv[1])
n = 0
for state in ("pending", "inflight"):
    s.send_string(json.dumps({"id": state, "cmd": "outbox.list", "actor": "operator",
                              "args": {"state": state, "limit": 1}}))
    r = json.loads(s.recv())
    n += len(r["data"]["jobs"])
print(n)
EOF
}

# ---- 1. emails per second ----
: >"$MD"
for credit in $CREDITS; do
for m in $MAILERS; do
	for reuse in false true; do
		d="$DIR/mail-$credit-$m-$reuse"
		rm -rf "$d"
		mkdir -p "$d"
		"$BUILD/pw-bench-smtpsink" -P "$d/port" -S "$d/sink.status" -n "$N" &
		SINK=$!
		PIDS+=("$SINK")
		for _ in $(seq 1 100); do [ -s "$d/port" ] && break; sleep 0.05; done
		conf "$d" "$(cat "$d/port")" "$reuse" "$credit"
		(cd "$SRC" && "$BUILD/pw-bench-notifyfill" -c "$d/pathway.conf" -n "$N") >"$d/fill.txt"
		start_daemon "$d"
		say "$m mailer(s), credit $credit, reuse_connection=$reuse: $N emails ($(cat "$d/fill.txt"))"
		d0=$(cpu "$DPID")
		t0=$(now)
		MPIDS=()
		for i in $(seq 1 "$m"); do
			"$BUILD/pathway-mailer" -c "$d/pathway.conf" -n "bench-mailer-$i" 2>"$d/mailer-$i.log" &
			MPIDS+=("$!")
			PIDS+=("$!")
		done
		for _ in $(seq 1 12000); do
			[ -s "$d/sink.status" ] && break
			sleep 0.05
		done
		[ -s "$d/sink.status" ] || { say "the sink did not receive $N messages in 600 s"; exit 1; }
		mcpu=0
		for p in "${MPIDS[@]}"; do mcpu=$(calc "$mcpu + $(cpu "$p")"); done
		dcpu=$(calc "$(cpu "$DPID") - $d0")
		nth=$(sed -n 's/^nth=//p' "$d/sink.status")
		first=$(sed -n 's/^first=//p' "$d/sink.status")
		conns=$(sed -n 's/^connections=//p' "$d/sink.status")
		scpu=$(sed -n 's/^cpu=//p' "$d/sink.status")
		wall=$(calc "$nth - $t0")
		# Then until the daemon has applied every report: nothing pending or in flight.
		for _ in $(seq 1 600); do
			[ "$(outbox_left "$d")" = 0 ] && break
			sleep 0.1
		done
		empty=$(calc "$(now) - $t0")
		[ "$(outbox_left "$d")" = 0 ] || say "warning: the outbox is not empty"
		for p in "${MPIDS[@]}"; do stop_pid "$p"; done
		stop_pid "$DPID"
		stop_pid "$SINK"
		PIDS=()
		emit "$(printf 'name=notify.mail credit=%s mailers=%s reuse=%s emails=%s seconds=%.3f emails_per_s=%.0f steady_emails_per_s=%.0f outbox_empty_s=%.3f connections=%s daemon_cpu=%.2f mailers_cpu=%.2f sink_cpu=%.2f daemon_util=%.2f mailer_util=%.2f sink_util=%.2f' \
			"$credit" "$m" "$reuse" "$N" "$wall" "$(calc "$N / $wall")" \
			"$(calc "($N - 1) / ($nth - $first)")" "$empty" "$conns" "$dcpu" "$mcpu" "$scpu" \
			"$(calc "$dcpu / $wall")" "$(calc "$mcpu / $m / $wall")" \
			"$(calc "$scpu / $wall")")"
		[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$d/db"
	done
done
done

# ---- 2. outbox dispatch with a fast worker ----
for q in 1000 "$DN"; do
	d="$DIR/dispatch-$q"
	rm -rf "$d"
	mkdir -p "$d"
	conf "$d" 9 true
	(cd "$SRC" && "$BUILD/pw-bench-notifyfill" -c "$d/pathway.conf" -n "$q") >"$d/fill.txt"
	say "dispatch with $q queued ($(cat "$d/fill.txt"))"
	start_daemon "$d"
	rss0=$(rss "$DPID" VmRSS)
	c0=$(cpu "$DPID")
	"$BUILD/pw-bench-notifyworker" -e "ipc://$d/workers.sock" -n "$TURN_JOBS" -k "$TURN_JOBS" >"$d/turn.txt"
	c1=$(cpu "$DPID")
	"$BUILD/pw-bench-notifyworker" -e "ipc://$d/workers.sock" -n $((q - TURN_JOBS)) -c "$CREDIT" -w 10000 >"$d/drain.txt"
	c2=$(cpu "$DPID")
	rss1=$(rss "$DPID" VmRSS)
	hwm=$(rss "$DPID" VmHWM)
	windows=$(sed -n 's/^rate_window_\([0-9]*\)=/\1:/p' "$d/drain.txt" | tr '\n' ',' | sed 's/,$//')
	v() { sed -n "s/^$1=//p" "$2"; }
	emit "$(printf 'name=notify.dispatch queued=%s startup_s=%.3f turn_ms=%s turn_daemon_cpu_ms=%.3f jobs_per_s=%s credit=%s daemon_cpu_us_per_job=%.1f rss_start_mb=%s rss_end_mb=%s rss_peak_mb=%s windows=%s' \
		"$q" "$READY_S" "$(v turn_ms "$d/turn.txt")" "$(calc "1000 * ($c1 - $c0) / $TURN_JOBS")" \
		"$(v jobs_per_s "$d/drain.txt")" "$CREDIT" "$(calc "1000000 * ($c2 - $c1) / ($q - $TURN_JOBS)")" \
		"$rss0" "$rss1" "$hwm" "${windows:--}")"
	stop_pid "$DPID"
	PIDS=()
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$d/db"
done

# ---- the markdown block ----
{
	echo "### Notifications"
	echo
	echo "Emails through \`pathway-mailer\` (libcurl) to a local SMTP sink (\`pw-bench-smtpsink\`, C,"
	echo "epoll, discards), $N jobs queued before the start, timed from starting the mailers to the"
	echo "sink's $N-th accepted message (\`tests/bench/notify.sh\`). Baseline: the same mailers and credit"
	echo "with \`mailer.reuse_connection = false\` (a connection per message). Credit is \`mailer.credit\`"
	echo "(jobs a mailer holds; the shipped default is 16). CPU use = CPU seconds / wall seconds"
	echo "(1.00 = one core busy; the machine has $(nproc) cores)."
	echo
	echo "| credit | mailers | reuse_connection | emails/s | vs reuse off | SMTP connections | outbox empty after | CPU: daemon | CPU: per mailer | CPU: sink |"
	echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	for credit in $CREDITS; do
		for m in $MAILERS; do
			base=$(grep "^BENCH name=notify.mail credit=$credit mailers=$m reuse=false " "$RESULTS" | tr ' ' '\n' | sed -n 's/^emails_per_s=//p')
			for reuse in false true; do
				line=$(grep "^BENCH name=notify.mail credit=$credit mailers=$m reuse=$reuse " "$RESULTS" | tr ' ' '\n')
				val() { echo "$line" | sed -n "s/^$1=//p"; }
				printf '| %s | %s | %s | %s | %.2f× | %s | %.2f s | %s | %s | %s |\n' "$credit" "$m" "$reuse" "$(val emails_per_s)" \
					"$(calc "$(val emails_per_s) / $base")" "$(val connections)" "$(val outbox_empty_s)" \
					"$(val daemon_util)" "$(val mailer_util)" "$(val sink_util)"
			done
		done
	done
	echo
	echo "Outbox dispatch to a fake worker that reports \`done\` at once (\`pw-bench-notifyworker\`):"
	echo "500 jobs with credit 1 (one loop turn each: report applied, next job leased, one commit),"
	echo "then the rest with credit 1000. Baseline: 1000 queued."
	echo
	echo "| queued | daemon start-up | turn (credit 1) | daemon CPU per turn | job frames/s (credit 1000) | daemon CPU per job | per 10000 jobs, jobs/s | daemon RSS start / end / peak |"
	echo "|---:|---:|---:|---:|---:|---:|---|---|"
	for q in 1000 "$DN"; do
		line=$(grep "^BENCH name=notify.dispatch queued=$q " "$RESULTS" | tr ' ' '\n')
		val() { echo "$line" | sed -n "s/^$1=//p"; }
		printf '| %s | %.2f s | %.2f ms | %.2f ms | %s | %s µs | %s | %s / %s / %s MB |\n' "$q" "$(val startup_s)" \
			"$(val turn_ms)" "$(val turn_daemon_cpu_ms)" "$(val jobs_per_s)" "$(val daemon_cpu_us_per_job)" \
			"$(val windows | tr ',' ' ')" "$(val rss_start_mb)" "$(val rss_end_mb)" "$(val rss_peak_mb)"
	done
} >"$MD"
cat "$MD" >&2
