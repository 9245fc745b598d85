/*
 * bench_bound.c: pw-bench-bound, a server that does only what a durable
 * person.create cannot do without, so that pathwayd can be measured against
 * what its transport and its store allow (tests/bench/api.sh).
 *
 *   pw-bench-bound DIR ENDPOINT
 *	Binds a ROUTER on ENDPOINT, as pathwayd's api socket, and serves until
 *	SIGTERM or SIGINT. Each turn it reads every request waiting (up to
 *	256), puts the seven records of one person.create for each
 *	(bench_create.h) into a store opened by the daemon's own store_open in
 *	DIR (new or not: its events go after the last one there), commits once
 *	(fsync'd, as the daemon commits), and only then sends each request a
 *	reply as long as pathwayd's to person.create, with the request's id
 *	(found by a scan for the first "id":", where pw-bench-api puts it).
 *	No JSON is parsed or encoded, no command runs, the commit never waits
 *	for followers: what is left is ZeroMQ in and out and the store.
 *	Driven by pw-bench-api closed and open, as pathwayd is. Prints one
 *	"BENCH name=bound.serve" line when it stops: turns, requests, requests
 *	per commit, commit time.
 *
 * What it writes is filler ("xxx..." records, a head hash that is not one):
 * a daemon's store it has run on no longer verifies and is for measuring
 * only.
 */
#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "util.h"

#define BENCH_PROG "pw-bench-bound"
#include "bench_create.h"
#include "bench_zmq.h"

#define MAX_BATCH 256

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The rest of a reply as long as pathwayd's to the closed loop's person.create. */
static const char reply_rest[] =
    "\",\"ok\":true,\"data\":{\"person\":{\"id\":\"bench-person-id\",\"name\":\"Bench "
    "Person 0-0\",\"email\":\"b0-0@bench.example.net\",\"roles\":[\"candidate\"],"
    "\"facts\":{\"years_as_head\":4}}}}";

struct req {
	zmq_msg_t peer;
	long seq;
	char reply[256];
	int len;
};

/* r's reply: {"id":"ID" and the rest, ID the request's own (at most 64 bytes). */
static void
reply_make(struct req *r, const char *body, size_t n)
{
	static const char key[] = "\"id\":\"";
	const char *id = memmem(body, n, key, sizeof key - 1), *end = NULL;
	size_t idn = 0;

	if (id != NULL) {
		id += sizeof key - 1;
		end = memchr(id, '"', n - (size_t)(id - body));
		idn = end != NULL && end - id <= 64 ? (size_t)(end - id) : 0;
	}
	r->len = snprintf(r->reply, sizeof r->reply, "{\"id\":\"%.*s%s", (int)idn, idn ? id : "",
			  reply_rest);
}

/* The last event's sequence number in the store (0 if none): appends go after it. */
static long
last_seq(struct store *s)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	long seq = 0;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		die("%s", "lmdb begin failed");
	if (mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur) == 0) {
		if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8)
			seq = (long)store_be64_get(k.mv_data);
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(txn);
	return seq;
}

int
main(int argc, char **argv)
{
	struct store *s = NULL;
	struct pw_status st = {0};
	struct req batch[MAX_BATCH];
	char tag[32];
	void *api;
	long turns = 0, requests = 0, seq = 0;
	double commit_total = 0, commit_max = 0;
	int hwm = 100000, linger = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: pw-bench-bound DIR ENDPOINT\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST)
		die("cannot create %s", argv[1]);
	if (store_open(argv[1], (size_t)4 << 30, &s, &st) != 0)
		die("store_open: %s", st.msg);
	snprintf(tag, sizeof tag, "%lx", (unsigned long)time(NULL));
	seq = last_seq(s);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	zctx = zmq_ctx_new();
	api = zmq_socket(zctx, ZMQ_ROUTER);
	zmq_setsockopt(api, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(api, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(api, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_bind(api, argv[2]) != 0)
		die("cannot bind %s", argv[2]);
	while (!stop) {
		zmq_pollitem_t it = {api, 0, ZMQ_POLLIN, 0};
		MDB_txn *txn;
		double t;
		int n = 0, rc = 0;

		if (zmq_poll(&it, 1, 250) <= 0)
			continue;
		/* Every request waiting: [identity, body]; the body is read and dropped. */
		while (n < MAX_BATCH) {
			zmq_msg_t body;
			int more;
			size_t len = sizeof more;

			zmq_msg_init(&batch[n].peer);
			if (zmq_msg_recv(&batch[n].peer, api, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&batch[n].peer);
				break;
			}
			do {
				zmq_msg_init(&body);
				zmq_msg_recv(&body, api, 0);
				zmq_getsockopt(api, ZMQ_RCVMORE, &more, &len);
				if (!more)
					reply_make(&batch[n], zmq_msg_data(&body),
						   zmq_msg_size(&body));
				zmq_msg_close(&body);
			} while (more);
			batch[n++].seq = ++seq;
		}
		if (mdb_txn_begin(s->env, NULL, 0, &txn))
			die("%s", "lmdb begin failed");
		for (int i = 0; i < n && rc == 0; i++)
			rc = create_put(s, txn, tag, 0, batch[i].seq, (uint64_t)batch[i].seq);
		if (rc)
			die("lmdb put failed: %s", mdb_strerror(rc));
		t = now_s();
		if (mdb_txn_commit(txn))
			die("%s", "lmdb commit failed");
		t = now_s() - t;
		commit_total += t;
		commit_max = t > commit_max ? t : commit_max;
		for (int i = 0; i < n; i++) {
			if (zmq_msg_send(&batch[i].peer, api, ZMQ_SNDMORE) < 0) {
				zmq_msg_close(&batch[i].peer);
				continue;
			}
			zmq_send(api, batch[i].reply, (size_t)batch[i].len, 0);
		}
		turns++;
		requests += n;
	}
	printf("BENCH name=bound.serve turns=%ld requests=%ld requests_per_commit=%.2f "
	       "commit_mean_ms=%.3f commit_max_ms=%.3f\n",
	       turns, requests, turns ? (double)requests / (double)turns : 0.0,
	       turns ? commit_total / (double)turns * 1e3 : 0.0, commit_max * 1e3);
	zmq_close(api);
	zmq_ctx_term(zctx);
	store_close(&s);
	return 0;
}
