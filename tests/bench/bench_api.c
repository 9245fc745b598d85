/*
 * bench_api.c: pw-bench-api, the API and durability benchmarks that
 * scripts/bench (tests/bench/api.sh) drives.
 *
 *   pw-bench-api lmdb DIR N [RECORDS_PER_TXN]
 *	The ceiling without group commit: a fresh LMDB environment in DIR
 *	(default flags, so every commit is fsync'd), N write transactions of
 *	one small record each (100 bytes, random keys). Writes/s and latency
 *	percentiles. With RECORDS_PER_TXN > 1, the same with that many records
 *	per commit: what group commit could do at best on this disk.
 *   pw-bench-api lmdb-create DIR N [CREATES_PER_TXN]
 *	The store's own bound for person.create: the seven records one
 *	person.create writes, with their keys' forms and their sizes as a
 *	daemon's store holds them, put straight into the daemon's databases
 *	(store_open: the same environment, flags and named databases), N
 *	person.creates, CREATES_PER_TXN to an fsync'd commit. No JSON, no
 *	command, no socket: what LMDB alone costs for what a person.create
 *	must make durable.
 *   pw-bench-api closed ENDPOINT CLIENTS SECONDS
 *	Closed loop: CLIENTS DEALERs driven by one thread (as redis-benchmark
 *	-c CLIENTS drives its connections), each with one request
 *	outstanding, sending person.create (a durable write: record, role
 *	index, event, idempotency record) with unique ids for SECONDS.
 *   pw-bench-api open ENDPOINT RATE SECONDS
 *	Open loop: RATE person.create/s on a fixed schedule, spread over 16
 *	DEALERs; latency is measured from the scheduled send time, so a stall
 *	counts against every request it delays (no coordinated omission).
 *   pw-bench-api query ENDPOINT NAME N JSON
 *	Send the request JSON (any "id" is replaced) N times, one at a time;
 *	latency percentiles and reply size. Fails unless every reply is ok.
 *   pw-bench-api startup ENDPOINT TIMEOUT_S LOG -- PATHWAYD ARGS...
 *	Start the daemon (stderr to LOG), send system.ping until it answers;
 *	prints the time from exec to the first reply and the daemon's pid,
 *	and leaves it running.
 *   pw-bench-api rss NAME PID
 *	VmRSS and VmHWM of a process from /proc.
 *   pw-bench-api handshake ENDPOINT N
 *	N times: a new DEALER connects, sends system.ping and waits for the
 *	reply, then closes. Latency of connect + first reply; in curve mode
 *	that includes the CURVE handshake and the daemon's ZAP answer.
 *   pw-bench-api stats ENDPOINT NAME
 *	The daemon's system.stats as one line named NAME: commits, requests
 *	per commit, commit time p50/p99, the turns that waited for more.
 *
 * CURVE: when the environment names PW_BENCH_KEY (a key file with public
 * and secret, e.g. the daemon's daemon.operator_key) and PW_BENCH_SERVER_KEY
 * (the daemon's public key file, NAME.pub beside daemon.curve_key), every
 * DEALER is a CURVE client with those keys. Without them, plain sockets.
 * startup waits (within its timeout) for the files, which a daemon makes at
 * its first start in curve mode.
 *
 * Every result is one line on stdout: "BENCH name=... key=value ...", for
 * scripts to collect; human-readable notes go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "keys.h"
#include "store_internal.h"
#include "util.h"

#include "bench_create.h"

#define OPEN_SOCKETS 16
#define TIMEOUT_MS 30000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pw-bench-api: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/* Latency samples in microseconds. */
struct lat {
	double *v;
	size_t n, cap;
};

static void
lat_add(struct lat *l, double us)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (l->v == NULL)
			die("%s", "out of memory");
	}
	l->v[l->n++] = us;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const struct lat *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)l->n);
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i];
}

/* Sort and print "p50_us=.. p90_us=.. p99_us=.. max_us=..". */
static void
lat_print(struct lat *l)
{
	qsort(l->v, l->n, sizeof *l->v, dcmp);
	printf(" p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f", pct(l, 50), pct(l, 90),
	       pct(l, 99), l->n ? l->v[l->n - 1] : 0.0);
}

/* One "BENCH name=NAME" line for n commits of per_txn writes each, in secs; frees l. */
static int
commits_print(const char *name, int per_txn, long n, double secs, struct lat *l)
{
	printf("BENCH name=%s per_txn=%d n=%ld secs=%.3f commits_per_s=%.1f ops_per_s=%.1f", name,
	       per_txn, n, secs, (double)n / secs, (double)n * per_txn / secs);
	lat_print(l);
	printf("\n");
	free(l->v);
	return 0;
}

/* (a) raw LMDB: one fsync'd commit per small write */

static int
bench_lmdb(const char *dir, long n, int per_txn)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	struct lat l = {0};
	char key[32], val[128];
	unsigned long long x = 88172645463325252ULL;
	double t0, t1;
	int rc;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die("cannot create %s", dir);
	if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)256 << 20) ||
	    (rc = mdb_env_open(env, dir, 0, 0644)) != 0)
		die("mdb_env_open %s failed", dir);
	if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi) ||
	    mdb_txn_commit(txn))
		die("%s", "mdb_dbi_open failed");
	memset(val, 'x', sizeof val);
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		double s = now_s();

		if (mdb_txn_begin(env, NULL, 0, &txn))
			die("%s", "lmdb begin failed");
		for (int r = 0; r < per_txn; r++) {
			MDB_val k, v;

			/* Keys in random order (xorshift), like ids spread over a tree. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			snprintf(key, sizeof key, "rec-%016llx", x);
			k.mv_data = key;
			k.mv_size = strlen(key);
			v.mv_data = val;
			v.mv_size = 100;
			if (mdb_put(txn, dbi, &k, &v, 0))
				die("%s", "lmdb put failed");
		}
		if (mdb_txn_commit(txn))
			die("%s", "lmdb commit failed");
		lat_add(&l, (now_s() - s) * 1e6);
	}
	t1 = now_s();
	mdb_env_close(env);
	return commits_print("lmdb.commit_per_write", per_txn, n, t1 - t0, &l);
}

static char run_tag[32]; /* unique to this run: request and person ids */

/*
 * (b) raw LMDB with person.create's records (bench_create.h), CREATES_PER_TXN
 * to a commit.
 */
static int
bench_lmdb_create(const char *dir, long n, int per_txn)
{
	struct store *s = NULL;
	struct pw_status st = {0};
	struct lat l = {0};
	uint64_t seq = 0;
	double t0, t1;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die("cannot create %s", dir);
	if (store_open(dir, (size_t)1 << 30, &s, &st) != 0)
		die("store_open: %s", st.msg);
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		double t = now_s();
		MDB_txn *txn;
		int rc = 0;

		if (mdb_txn_begin(s->env, NULL, 0, &txn))
			die("%s", "lmdb begin failed");
		for (int j = 0; j < per_txn && rc == 0; j++)
			rc = create_put(s, txn, run_tag, 1000 + j, i, ++seq);
		if (rc)
			die("lmdb put failed: %s", mdb_strerror(rc));
		if (mdb_txn_commit(txn))
			die("%s", "lmdb commit failed");
		lat_add(&l, (now_s() - t) * 1e6);
	}
	t1 = now_s();
	store_close(&s);
	return commits_print("lmdb.create", per_txn, n, t1 - t0, &l);
}

/* The daemon side: DEALER sockets, requests, replies. */

static void *zctx;

/* CURVE client keys from PW_BENCH_KEY and PW_BENCH_SERVER_KEY; curve says whether set. */
static int curve;
static char curve_pub[PW_KEY_Z85], curve_sec[PW_KEY_Z85], curve_server[PW_KEY_Z85];

/*
 * Read the key files the environment names, if any, retrying for up to
 * wait_s seconds while they are missing or incomplete (a daemon starting in
 * curve mode makes them). Dies if only one is named or they cannot be read.
 */
static void
curve_load(double wait_s)
{
	const char *key = getenv("PW_BENCH_KEY"), *server = getenv("PW_BENCH_SERVER_KEY");
	double end = now_s() + wait_s;
	struct pw_status st = {0};

	if ((key == NULL || key[0] == '\0') && (server == NULL || server[0] == '\0'))
		return;
	if (key == NULL || key[0] == '\0' || server == NULL || server[0] == '\0')
		die("%s", "set both PW_BENCH_KEY and PW_BENCH_SERVER_KEY, or neither");
	for (;;) {
		if (pw_keyfile_read(key, curve_pub, curve_sec, &st) == 0 &&
		    pw_keyfile_read(server, curve_server, NULL, &st) == 0 && curve_sec[0] != '\0' &&
		    curve_server[0] != '\0')
			break;
		if (now_s() >= end) {
			if (st.msg[0] == '\0')
				snprintf(st.msg, sizeof st.msg, "%s: no secret key", key);
			die("%s", st.msg);
		}
		usleep(10000);
	}
	if (!zmq_has("curve"))
		die("%s", "this libzmq has no CURVE support");
	curve = 1;
	fprintf(stderr, "pw-bench-api: CURVE client, key %.8s..., server %.8s...\n", curve_pub,
		curve_server);
}

static void *
dealer_ivl(const char *endpoint, int reconnect_ms)
{
	void *s = zmq_socket(zctx, ZMQ_DEALER);
	int linger = 0, hwm = 100000;

	if (reconnect_ms > 0)
		zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &reconnect_ms, sizeof reconnect_ms);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (curve && (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, curve_server, PW_KEY_Z85) != 0 ||
		      zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, curve_pub, PW_KEY_Z85) != 0 ||
		      zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_sec, PW_KEY_Z85) != 0))
		die("cannot set the CURVE keys: %s", zmq_strerror(zmq_errno()));
	if (zmq_connect(s, endpoint) != 0)
		die("cannot connect to %s", endpoint);
	return s;
}

static void *
dealer(const char *endpoint)
{
	return dealer_ivl(endpoint, 0);
}

/* A durable write: person.create with an id unique to this run, client and sequence. */
static int
create_req(char *buf, size_t size, int client, long seq)
{
	return snprintf(buf, size,
			"{\"id\":\"%s-%d-%ld\",\"cmd\":\"person.create\",\"actor\":\"operator\","
			"\"args\":{\"id\":\"b%s-%d-%ld\",\"name\":\"Bench Person %d-%ld\","
			"\"email\":\"b%d-%ld@bench.example.net\",\"roles\":[\"candidate\"],"
			"\"facts\":{\"years_as_head\":4}}}",
			run_tag, client, seq, run_tag, client, seq, client, seq, client, seq);
}

/* Receive one reply; returns its length, -1 on timeout. ok gets whether it succeeded. */
static int
recv_reply(void *s, char *buf, size_t size, int timeout_ms, int *ok, char *err, size_t errsize)
{
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	int n;

	if (zmq_poll(&it, 1, timeout_ms) <= 0)
		return -1;
	n = zmq_recv(s, buf, size - 1, 0);
	if (n < 0)
		return -1;
	if ((size_t)n > size - 1)
		n = (int)size - 1;
	buf[n] = '\0';
	*ok = strstr(buf, "\"ok\": true") != NULL || strstr(buf, "\"ok\":true") != NULL;
	if (!*ok && err != NULL)
		snprintf(err, errsize, "%.300s", buf);
	return n;
}

/*
 * (b) closed loop: one thread drives every DEALER (as redis-benchmark -c N
 * does), so the load generator takes one core at most and no thread of its
 * own competes with the daemon for the others.
 */

static int
bench_closed(const char *endpoint, int nclients, double secs)
{
	void **socks = calloc((size_t)nclients, sizeof *socks);
	zmq_pollitem_t *items = calloc((size_t)nclients, sizeof *items);
	double *sent = calloc((size_t)nclients, sizeof *sent);
	long *seq = calloc((size_t)nclients, sizeof *seq);
	struct lat l = {0};
	long ops = 0, errors = 0;
	char req[512], rep[8192], err[320] = "";
	int outstanding = 0;
	double t0, t1, end;

	if (socks == NULL || items == NULL || sent == NULL || seq == NULL)
		die("%s", "out of memory");
	for (int i = 0; i < nclients; i++) {
		socks[i] = dealer(endpoint);
		items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
	}
	/* Warm up: every connection and one round trip each before the clock starts. */
	for (int i = 0; i < nclients; i++) {
		create_req(req, sizeof req, i, seq[i]++);
		zmq_send(socks[i], req, strlen(req), 0);
	}
	for (int i = 0; i < nclients; i++) {
		int ok;

		if (recv_reply(socks[i], rep, sizeof rep, TIMEOUT_MS, &ok, err, sizeof err) < 0 ||
		    !ok)
			die("warm-up failed: %s", err);
	}
	t0 = now_s();
	end = t0 + secs;
	for (int i = 0; i < nclients; i++) {
		create_req(req, sizeof req, i, seq[i]++);
		sent[i] = now_s();
		zmq_send(socks[i], req, strlen(req), 0);
		outstanding++;
	}
	while (outstanding > 0) {
		int rc = zmq_poll(items, nclients, TIMEOUT_MS);

		if (rc <= 0) {
			snprintf(err, sizeof err, "no reply in %d ms", TIMEOUT_MS);
			errors += outstanding;
			break;
		}
		for (int i = 0; i < nclients; i++) {
			int n;
			double t;

			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			n = zmq_recv(socks[i], rep, sizeof rep - 1, ZMQ_DONTWAIT);
			if (n < 0)
				continue;
			t = now_s();
			if ((size_t)n > sizeof rep - 1)
				n = sizeof rep - 1;
			rep[n] = '\0';
			lat_add(&l, (t - sent[i]) * 1e6);
			ops++;
			if (!strstr(rep, "\"ok\": true") && !strstr(rep, "\"ok\":true")) {
				errors++;
				snprintf(err, sizeof err, "%.300s", rep);
			}
			if (t >= end) {
				outstanding--;
				continue;
			}
			create_req(req, sizeof req, i, seq[i]++);
			sent[i] = now_s();
			zmq_send(socks[i], req, strlen(req), 0);
		}
	}
	t1 = now_s();
	if (errors)
		fprintf(stderr, "closed loop: %ld errors, e.g. %s\n", errors, err);
	printf("BENCH name=api.closed cmd=person.create clients=%d n=%ld errors=%ld secs=%.3f "
	       "ops_per_s=%.1f",
	       nclients, ops, errors, t1 - t0, (double)ops / (t1 - t0));
	lat_print(&l);
	printf("\n");
	for (int i = 0; i < nclients; i++)
		zmq_close(socks[i]);
	free(socks);
	free(items);
	free(sent);
	free(seq);
	free(l.v);
	return errors ? 1 : 0;
}

/* (c) open loop */

static int
bench_open(const char *endpoint, double rate, double secs)
{
	long total = (long)(rate * secs), sent = 0, got = 0, errors = 0, late_sends = 0;
	double *sched = calloc((size_t)total + 1, sizeof *sched);
	void *socks[OPEN_SOCKETS];
	zmq_pollitem_t items[OPEN_SOCKETS];
	struct lat l = {0};
	char req[512], rep[8192], err[320] = "";
	double t0, deadline;

	for (int i = 0; i < OPEN_SOCKETS; i++) {
		socks[i] = dealer(endpoint);
		items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
	}
	/* One warm-up round trip per socket. */
	for (int i = 0; i < OPEN_SOCKETS; i++) {
		int ok;

		create_req(req, sizeof req, 1000 + i, 0);
		zmq_send(socks[i], req, strlen(req), 0);
		if (recv_reply(socks[i], rep, sizeof rep, TIMEOUT_MS, &ok, err, sizeof err) < 0 ||
		    !ok)
			die("warm-up failed: %s", err);
	}
	t0 = now_s() + 0.01;
	deadline = t0 + secs + 30;
	while (got < total && now_s() < deadline) {
		double t = now_s();
		int wait_ms;

		while (sent < total && t0 + (double)sent / rate <= t) {
			int sock = (int)(sent % OPEN_SOCKETS);

			sched[sent] = t0 + (double)sent / rate;
			if (t - sched[sent] > 0.001)
				late_sends++;
			/* The request id carries its sequence number, to find its schedule. */
			create_req(req, sizeof req, 1000 + sock, sent + 1);
			zmq_send(socks[sock], req, strlen(req), 0);
			sent++;
			t = now_s();
		}
		wait_ms = 1;
		if (sent < total) {
			double next = t0 + (double)sent / rate - now_s();

			wait_ms = next > 0 ? (int)(next * 1000) : 0;
		}
		if (zmq_poll(items, OPEN_SOCKETS, wait_ms) <= 0)
			continue;
		for (int i = 0; i < OPEN_SOCKETS; i++) {
			int ok, n;

			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			while ((n = zmq_recv(socks[i], rep, sizeof rep - 1, ZMQ_DONTWAIT)) >= 0) {
				double at = now_s();
				char needle[64];
				const char *p;
				long seq;

				if ((size_t)n > sizeof rep - 1)
					n = sizeof rep - 1;
				rep[n] = '\0';
				ok = strstr(rep, "\"ok\": true") || strstr(rep, "\"ok\":true");
				snprintf(needle, sizeof needle, "\"%s-%d-", run_tag, 1000 + i);
				p = strstr(rep, needle);
				if (p == NULL || !ok) {
					errors++;
					snprintf(err, sizeof err, "%.300s", rep);
					got++;
					continue;
				}
				seq = strtol(p + strlen(needle), NULL, 10) - 1;
				if (seq >= 0 && seq < total)
					lat_add(&l, (at - sched[seq]) * 1e6);
				got++;
			}
		}
	}
	if (errors)
		fprintf(stderr, "open loop: %ld errors, e.g. %s\n", errors, err);
	printf("BENCH name=api.open cmd=person.create rate=%.0f secs=%.1f n=%ld replies=%ld "
	       "errors=%ld late_sends=%ld achieved_per_s=%.1f",
	       rate, secs, sent, l.n, errors, late_sends, (double)got / (now_s() - t0));
	lat_print(&l);
	printf("\n");
	for (int i = 0; i < OPEN_SOCKETS; i++)
		zmq_close(socks[i]);
	free(sched);
	free(l.v);
	return errors || got < total ? 1 : 0;
}

/* Read-path latency of one request, repeated. */

static int
bench_query(const char *endpoint, const char *name, long n, const char *json)
{
	void *s = dealer(endpoint);
	json_error_t jerr;
	json_t *req = json_loads(json, 0, &jerr);
	struct lat l = {0};
	char *rep = malloc(16 << 20), err[320] = "";
	long errors = 0;
	int len = 0;

	if (req == NULL)
		die("bad request JSON: %s", jerr.text);
	for (long i = 0; i <= n; i++) {
		char id[64];
		char *body;
		double t;
		int ok;

		snprintf(id, sizeof id, "q%s-%ld", run_tag, i);
		json_object_set_new(req, "id", json_string(id));
		body = json_dumps(req, JSON_COMPACT);
		t = now_s();
		zmq_send(s, body, strlen(body), 0);
		free(body);
		len = recv_reply(s, rep, 16 << 20, TIMEOUT_MS, &ok, err, sizeof err);
		if (len < 0)
			die("%s: no reply", name);
		if (!ok)
			errors++;
		if (i > 0) /* the first is a warm-up */
			lat_add(&l, (now_s() - t) * 1e6);
	}
	if (errors)
		fprintf(stderr, "%s: %ld errors, e.g. %s\n", name, errors, err);
	printf("BENCH name=%s n=%ld errors=%ld reply_bytes=%d", name, n, errors, len);
	lat_print(&l);
	printf("\n");
	zmq_close(s);
	json_decref(req);
	free(rep);
	free(l.v);
	return errors ? 1 : 0;
}

/*
 * The daemon's group-commit figures (system.stats) as one BENCH line: what
 * the runs since it started made of its commits.
 */
static int
bench_stats(const char *endpoint, const char *name)
{
	void *s = dealer(endpoint);
	char req[128], *rep = malloc(1 << 16), err[320] = "";
	json_t *r, *d, *c, *w;
	int ok, n;

	if (rep == NULL)
		die("%s", "out of memory");
	snprintf(req, sizeof req,
		 "{\"id\":\"stats-%s\",\"cmd\":\"system.stats\",\"actor\":\"operator\"}", run_tag);
	zmq_send(s, req, strlen(req), 0);
	n = recv_reply(s, rep, 1 << 16, TIMEOUT_MS, &ok, err, sizeof err);
	if (n < 0 || !ok)
		die("system.stats failed: %s", n < 0 ? "no reply" : err);
	r = json_loadb(rep, (size_t)n, 0, NULL);
	d = json_object_get(r, "data");
	c = json_object_get(d, "commit_ms");
	w = json_object_get(d, "wait");
#define I(o, k) (long long)json_integer_value(json_object_get(o, k))
#define F(o, k) json_number_value(json_object_get(o, k))
	printf(
	    "BENCH name=%s commits=%lld requests=%lld requests_per_commit=%.2f largest_batch=%lld "
	    "commit_p50_ms=%.3f commit_p99_ms=%.3f wait_turns=%lld wait_timeouts=%lld "
	    "wait_gathered=%lld wait_mean_ms=%.3f\n",
	    name, I(d, "commits"), I(d, "requests"), F(d, "requests_per_commit"),
	    I(d, "largest_batch"), F(c, "p50"), F(c, "p99"), I(w, "turns"), I(w, "timeouts"),
	    I(w, "gathered"), F(w, "ms_mean"));
#undef I
#undef F
	json_decref(r);
	free(rep);
	zmq_close(s);
	return 0;
}

/* Start-up: exec to the first ping reply. */

static int
bench_startup(const char *endpoint, double timeout, const char *log, char **argv)
{
	char rep[8192], err[320] = "";
	double t0 = now_s(), end = t0 + timeout;
	pid_t pid = fork();
	void *s;

	if (pid < 0)
		die("%s", "fork failed");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* Not our stdout: a script reading it would wait for the daemon to exit. */
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		setsid();
		execv(argv[0], argv);
		_exit(127);
	}
	/* The daemon may be making the key files (its first start in curve mode). */
	curve_load(end - now_s());
	s = dealer_ivl(endpoint, 1); /* retry the connection at once, not every 100 ms */
	for (long i = 0; now_s() < end; i++) {
		char req[128];
		int ok;

		snprintf(req, sizeof req,
			 "{\"id\":\"ping-%s-%ld\",\"cmd\":\"system.ping\",\"actor\":\"operator\"}",
			 run_tag, i);
		zmq_send(s, req, strlen(req), ZMQ_DONTWAIT);
		if (recv_reply(s, rep, sizeof rep, 20, &ok, err, sizeof err) >= 0 && ok) {
			printf("BENCH name=startup first_ping_ms=%.1f pid=%d\n",
			       (now_s() - t0) * 1e3, (int)pid);
			zmq_close(s);
			return 0;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			die("%s", "the daemon exited during start-up (see its log)");
	}
	kill(pid, SIGTERM);
	zmq_close(s);
	die("%s", "the daemon did not answer system.ping in time");
	return 1;
}

/* Connect + first reply: a new DEALER per ping. */

static int
bench_handshake(const char *endpoint, long n)
{
	struct lat l = {0};
	char rep[8192], err[320] = "";
	long errors = 0;

	for (long i = 0; i <= n; i++) {
		char req[128];
		double t = now_s();
		void *s = dealer(endpoint);
		int ok;

		snprintf(req, sizeof req,
			 "{\"id\":\"hs-%s-%ld\",\"cmd\":\"system.ping\",\"actor\":\"operator\"}",
			 run_tag, i);
		zmq_send(s, req, strlen(req), 0);
		if (recv_reply(s, rep, sizeof rep, TIMEOUT_MS / 6, &ok, err, sizeof err) < 0) {
			errors++;
			snprintf(err, sizeof err, "no reply in %d ms", TIMEOUT_MS / 6);
		} else if (!ok) {
			errors++;
		} else if (i > 0) { /* the first is a warm-up */
			lat_add(&l, (now_s() - t) * 1e6);
		}
		zmq_close(s);
		if (errors > 3)
			break;
	}
	if (errors)
		fprintf(stderr, "handshake: %ld errors, e.g. %s\n", errors, err);
	printf("BENCH name=api.handshake n=%ld errors=%ld curve=%d", (long)l.n, errors, curve);
	lat_print(&l);
	printf("\n");
	free(l.v);
	return errors ? 1 : 0;
}

static int
bench_rss(const char *name, const char *pid)
{
	char path[64], line[256];
	long rss = -1, hwm = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		die("cannot read %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	printf("BENCH name=%s vmrss_kb=%ld vmhwm_kb=%ld\n", name, rss, hwm);
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: pw-bench-api lmdb DIR N [RECORDS_PER_TXN]\n"
			"       pw-bench-api lmdb-create DIR N [CREATES_PER_TXN]\n"
			"       pw-bench-api closed ENDPOINT CLIENTS SECONDS\n"
			"       pw-bench-api open ENDPOINT RATE SECONDS\n"
			"       pw-bench-api query ENDPOINT NAME N JSON\n"
			"       pw-bench-api startup ENDPOINT TIMEOUT_S LOG -- PATHWAYD ARGS...\n"
			"       pw-bench-api rss NAME PID\n"
			"       pw-bench-api handshake ENDPOINT N\n"
			"       pw-bench-api stats ENDPOINT NAME\n"
			"CURVE client when PW_BENCH_KEY and PW_BENCH_SERVER_KEY name key files\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		usage();
	snprintf(run_tag, sizeof run_tag, "%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "lmdb") == 0 && (argc == 4 || argc == 5))
		return bench_lmdb(argv[2], atol(argv[3]), argc == 5 ? atoi(argv[4]) : 1);
	if (strcmp(argv[1], "lmdb-create") == 0 && (argc == 4 || argc == 5))
		return bench_lmdb_create(argv[2], atol(argv[3]), argc == 5 ? atoi(argv[4]) : 1);
	if (strcmp(argv[1], "rss") == 0 && argc == 4)
		return bench_rss(argv[2], argv[3]);
	zctx = zmq_ctx_new();
	if (strcmp(argv[1], "startup") != 0)
		curve_load(0);
	if (strcmp(argv[1], "closed") == 0 && argc == 5)
		rc = bench_closed(argv[2], atoi(argv[3]), atof(argv[4]));
	else if (strcmp(argv[1], "open") == 0 && argc == 5)
		rc = bench_open(argv[2], atof(argv[3]), atof(argv[4]));
	else if (strcmp(argv[1], "query") == 0 && argc == 6)
		rc = bench_query(argv[2], argv[3], atol(argv[4]), argv[5]);
	else if (strcmp(argv[1], "startup") == 0 && argc >= 7 && strcmp(argv[5], "--") == 0)
		rc = bench_startup(argv[2], atof(argv[3]), argv[4], argv + 6);
	else if (strcmp(argv[1], "handshake") == 0 && argc == 4)
		rc = bench_handshake(argv[2], atol(argv[3]));
	else if (strcmp(argv[1], "stats") == 0 && argc == 4)
		rc = bench_stats(argv[2], argv[3]);
	else
		usage();
	zmq_ctx_term(zctx);
	return rc;
}
