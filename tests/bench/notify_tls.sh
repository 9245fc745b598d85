#!/usr/bin/env bash
# tests/bench/notify_tls.sh: notification throughput with STARTTLS (run by scripts/bench).
#
#   tests/bench/notify_tls.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# Emails per second, pathwayd -> pathway-mailer -> SMTP, when the relay requires
# STARTTLS, as Office 365, Google and Exchange relays do: every new connection
# then costs a TLS handshake, which is what mailer.reuse_connection saves.
# A throwaway CA and a server certificate for 127.0.0.1 are made with the
# openssl command-line tool at the start; the sink (tests/bench/bench_tlssink.py,
# aiosmtpd) offers STARTTLS with them and refuses mail before it; the mailers
# run with starttls = "required" and mailer.ca_file = the CA. For 1 and 4
# mailers (NOTIFY_TLS_MAILERS), reuse_connection false (the baseline) and true,
# the outbox is filled with NOTIFY_TLS_N jobs (default 2000; BENCH_QUICK=1: 500)
# by pw-bench-notifyfill, the daemon is started, then the mailers (credit
# NOTIFY_TLS_CREDIT, default 16,
# as conf/pathway.conf); timed from starting the mailers until the sink
# has accepted NOTIFY_TLS_N messages. The same runs with starttls = "none" to
# the same sink (NOTIFY_TLS_MODES="required none"; the default) say what the
# handshakes cost against the same server. CPU seconds of the daemon, the
# mailers and the sink say which one is the bottleneck; the sink counts
# connections, TLS handshakes and how many of them were session resumptions.
#
# "BENCH name=notify_tls.mail key=value" lines go to stdout, a markdown block to
# $BENCH_DIR/notify_tls.md. Stores are removed unless BENCH_KEEP=1.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${NOTIFY_TLS_N:-500}
else
	N=${NOTIFY_TLS_N:-2000}
fi
MAILERS=${NOTIFY_TLS_MAILERS-1 4}
MODES=${NOTIFY_TLS_MODES-required none}
CREDIT=${NOTIFY_TLS_CREDIT:-16}
MD="$DIR/notify_tls.md"
RESULTS="$DIR/notify_tls-results.txt"
HZ=$(getconf CLK_TCK)
SINK_PY="$SRC/tests/bench/bench_tlssink.py"
: >"$RESULTS"

say() { echo "notify_tls.sh: $*" >&2; }
for b in pathwayd pathway-mailer pw-bench-notifyfill; do
	[ -x "$BUILD/$b" ] || { say "$BUILD/$b is missing"; exit 1; }
done
command -v openssl >/dev/null || { say "the openssl command-line tool is missing (scripts/deps)"; exit 1; }
/usr/bin/python3 -c 'import aiosmtpd, zmq' 2>/dev/null ||
	{ say "/usr/bin/python3 needs aiosmtpd and zmq (scripts/deps)"; exit 1; }
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
cpu() { # cpu PID: user+system CPU seconds so far
	awk -v hz="$HZ" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# ---- a throwaway CA and a server certificate for 127.0.0.1 ----
CA="$DIR/ca"
rm -rf "$CA"
mkdir -p "$CA"
(
	cd "$CA"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Pathway bench CA" \
		-keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
		"keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile server.ext -out server.pem
	openssl verify -CAfile ca.pem server.pem
) >"$CA/openssl.log" 2>&1 || { cat "$CA/openssl.log" >&2; say "openssl failed"; exit 1; }

# conf D PORT STARTTLS REUSE: a configuration with every path under D.
conf() {
	local d=$1 port=$2 tls=$3 reuse=$4
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
	starttls = "$tls";
	ca_file = "$CA/ca.pem";
	from = "Leadership Development Team <pathway@la.example.net>";
	timeout_ms = 10000;
	credit = $CREDIT;
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

# start_daemon D: start pathwayd on D's configuration, wait for "ready"; sets DPID.
start_daemon() {
	local d=$1
	"$BUILD/pathwayd" -c "$d/pathway.conf" 2>"$d/pathwayd.log" &
	DPID=$!
	PIDS+=("$DPID")
	for _ in $(seq 1 1200); do
		grep -q ' ready$' "$d/pathwayd.log" && break
		kill -0 "$DPID" 2>/dev/null || { cat "$d/pathwayd.log" >&2; exit 1; }
		sleep 0.05
	done
	grep -q ' ready$' "$d/pathwayd.log" || { say "pathwayd did not start"; exit 1; }
}

# ---- emails per second ----
for tls in $MODES; do
	for m in $MAILERS; do
		for reuse in false true; do
			d="$DIR/mail-$tls-$m-$reuse"
			rm -rf "$d"
			mkdir -p "$d"
			sinkargs=()
			[ "$tls" = none ] || sinkargs=(--cert "$CA/server.pem" --key "$CA/server.key")
			/usr/bin/python3 "$SINK_PY" -P "$d/port" -S "$d/sink.status" -n "$N" "${sinkargs[@]}" \
				2>"$d/sink.log" &
			SINK=$!
			PIDS+=("$SINK")
			for _ in $(seq 1 200); do [ -s "$d/port" ] && break; sleep 0.05; done
			[ -s "$d/port" ] || { cat "$d/sink.log" >&2; say "the sink did not start"; exit 1; }
			conf "$d" "$(cat "$d/port")" "$tls" "$reuse"
			(cd "$SRC" && "$BUILD/pw-bench-notifyfill" -c "$d/pathway.conf" -n "$N") >"$d/fill.txt"
			start_daemon "$d"
			say "starttls=$tls, $m mailer(s), reuse_connection=$reuse: $N emails"
			d0=$(cpu "$DPID")
			s0=$(cpu "$SINK")
			t0=$(now)
			MPIDS=()
			for i in $(seq 1 "$m"); do
				"$BUILD/pathway-mailer" -c "$d/pathway.conf" -n "bench-mailer-$i" 2>"$d/mailer-$i.log" &
				MPIDS+=("$!")
				PIDS+=("$!")
			done
			for _ in $(seq 1 6000); do
				[ -s "$d/sink.status" ] && break
				sleep 0.05
			done
			[ -s "$d/sink.status" ] || {
				grep -h -m3 -E ' (retry|fail) ' "$d"/mailer-*.log >&2 || true
				say "the sink did not receive $N messages in 300 s"
				exit 1
			}
			mcpu=0
			for p in "${MPIDS[@]}"; do mcpu=$(calc "$mcpu + $(cpu "$p")"); done
			dcpu=$(calc "$(cpu "$DPID") - $d0")
			st() { sed -n "s/^$1=//p" "$d/sink.status"; }
			nth=$(st nth)
			first=$(st first)
			scpu=$(calc "$(st cpu) - $s0")
			wall=$(calc "$nth - $t0")
			retries=$(cat "$d"/mailer-*.log | grep -c ': retry (' || true)
			for p in "${MPIDS[@]}"; do stop_pid "$p"; done
			stop_pid "$DPID"
			stop_pid "$SINK"
			PIDS=()
			emit "$(printf 'name=notify_tls.mail starttls=%s mailers=%s reuse=%s credit=%s emails=%s seconds=%.3f emails_per_s=%.0f steady_emails_per_s=%.0f connections=%s tls_handshakes=%s tls_resumed=%s retries=%s daemon_cpu=%.2f mailers_cpu=%.2f sink_cpu=%.2f daemon_util=%.2f mailer_util=%.2f sink_util=%.2f' \
				"$tls" "$m" "$reuse" "$CREDIT" "$N" "$wall" "$(calc "$N / $wall")" \
				"$(calc "($N - 1) / ($nth - $first)")" "$(st connections)" "$(st handshakes)" \
				"$(st resumed)" "$retries" "$dcpu" "$mcpu" "$scpu" "$(calc "$dcpu / $wall")" \
				"$(calc "$mcpu / $m / $wall")" "$(calc "$scpu / $wall")")"
			[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$d/db"
		done
	done
done

# ---- reuse on / reuse off ----
rate() { # rate STARTTLS MAILERS REUSE
	grep "^BENCH name=notify_tls.mail starttls=$1 mailers=$2 reuse=$3 " "$RESULTS" |
		tr ' ' '\n' | sed -n 's/^emails_per_s=//p'
}
for tls in $MODES; do
	for m in $MAILERS; do
		emit "$(printf 'name=notify_tls.ratio starttls=%s mailers=%s reuse_on_over_off=%.2f' \
			"$tls" "$m" "$(calc "$(rate "$tls" "$m" true) / $(rate "$tls" "$m" false)")")"
	done
done

# ---- the markdown block ----
{
	echo "### Notifications over STARTTLS"
	echo
	echo "Emails through \`pathway-mailer\` (libcurl) to a local SMTP sink that requires STARTTLS"
	echo "(\`tests/bench/bench_tlssink.py\`: aiosmtpd, RSA 2048 certificate from a throwaway CA made"
	echo "with \`openssl\`; the mailers have \`starttls = \"required\"\` and \`mailer.ca_file\` = that CA),"
	echo "$N jobs queued before the start, credit $CREDIT, timed from starting the mailers to the sink's"
	echo "$N-th accepted message (\`tests/bench/notify_tls.sh\`). Baseline: the same mailers with"
	echo "\`mailer.reuse_connection = false\` (a connection, and a TLS handshake, per message). Rows with"
	echo "STARTTLS none use the same sink without TLS. Loopback has no round-trip time, so a real relay"
	echo "gains more from reuse than this. CPU use = CPU seconds / wall seconds (1.00 = one core busy;"
	echo "the machine has $(nproc) cores; the sink is single-threaded Python)."
	echo
	echo "| STARTTLS | mailers | reuse_connection | emails/s | reuse on / off | SMTP connections | TLS handshakes (resumed) | CPU: daemon | CPU: per mailer | CPU: sink |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	for tls in $MODES; do
		for m in $MAILERS; do
			base=$(rate "$tls" "$m" false)
			for reuse in false true; do
				line=$(grep "^BENCH name=notify_tls.mail starttls=$tls mailers=$m reuse=$reuse " "$RESULTS" | tr ' ' '\n')
				val() { echo "$line" | sed -n "s/^$1=//p"; }
				printf '| %s | %s | %s | %s | %.2f× | %s | %s (%s) | %s | %s | %s |\n' "$tls" "$m" "$reuse" \
					"$(val emails_per_s)" "$(calc "$(val emails_per_s) / $base")" "$(val connections)" \
					"$(val tls_handshakes)" "$(val tls_resumed)" "$(val daemon_util)" "$(val mailer_util)" \
					"$(val sink_util)"
			done
		done
	done
} >"$MD"
cat "$MD" >&2
