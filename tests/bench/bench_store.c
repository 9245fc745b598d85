/*
 * bench_store.c: pw-bench-store, builds a large store for the start-up and
 * query benchmarks (tests/bench/api.sh).
 *
 *   pw-bench-store CONF NAPPS [BATCH]
 *
 * Opens the store CONF names (daemon.db, daemon.map_size_mb) and fills it
 * through the daemon's own command functions (cmd_run: the same code that
 * runs behind the API, so the same records, indexes, counters, events,
 * timers and notification jobs), with the operator as actor, many commands
 * per write transaction (BATCH, default 20000) instead of one group commit
 * per loop turn. It creates schools, one headteacher per school, candidates
 * (each applies to every configured cohort, so NAPPS / ncohorts of them),
 * NAPPS applications spread over the cohorts, and moves every other
 * application one stage on by submitting the document its first stage
 * requires, so the stage index holds more than one position.
 *
 * What it skips: the idempotency records (the daemon prunes them after
 * daemon.idempotency_hours, so an old store holds few) and the ZeroMQ
 * round trips. The manual clock (daemon.clock = "manual") should be used,
 * with clock_start before the cohorts' deadlines, so no timer is overdue
 * when the daemon starts.
 *
 *   pw-bench-store CONF --deliver
 *
 * Empties the notification outbox as a mailer would by sending everything:
 * each job deleted with a notification.sent event (the builder has no
 * mailer, so the jobs its commands queued are all still pending).
 *
 *   pw-bench-store CONF --requests N
 *
 * Adds N idempotency records (each the reply to an application command), as
 * N state-changing requests within daemon.idempotency_hours leave them.
 *
 * Prints "BENCH name=store.build ..." (or store.deliver, store.requests) and
 * store statistics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "config.h"
#include "engine.h"
#include "store.h"
#include "util.h"

#define NSCHOOLS 400

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct builder {
	struct pw_config *cfg;
	struct store *store;
	struct pw_clock clock;
	json_t *actor;
	MDB_txn *txn;
	long in_txn, batch, commits;
};

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "pw-bench-store: %s: %s\n", what, msg);
	exit(1);
}

static void
flush(struct builder *b)
{
	struct pw_status st = {0, ""};

	if (b->txn != NULL && store_txn_commit(&b->txn, &st) != 0)
		fail("commit", st.msg);
	b->in_txn = 0;
	b->commits++;
}

/* Run one command as the operator; *data (when wanted) gets the reply's data. */
static void
run(struct builder *b, const char *name, json_t *args, json_t **data)
{
	const struct cmd_entry *e = cmd_find(name);
	struct pw_status st = {0, ""};
	json_t *d = NULL;
	struct wctx c;

	if (e == NULL)
		fail(name, "no such command");
	if (b->txn == NULL && store_txn_begin(b->store, NULL, 0, &b->txn, &st) != 0)
		fail("begin", st.msg);
	c = (struct wctx){.store = b->store,
			  .txn = b->txn,
			  .cfg = b->cfg,
			  .now = clock_now(&b->clock),
			  .clock = &b->clock,
			  .actor_id = "operator",
			  .actor = b->actor,
			  .events = json_array(),
			  .st = &st};
	if (cmd_run(e, &c, args, &d) != 0) {
		char *a = json_dumps(args, JSON_COMPACT);

		fprintf(stderr, "pw-bench-store: %s %s failed\n", name, a);
		fail(name, st.msg);
	}
	json_decref(c.events);
	json_decref(args);
	if (data != NULL)
		*data = d;
	else
		json_decref(d);
	if (++b->in_txn >= b->batch)
		flush(b);
}

/* The submission the first stage of c's programme requires, or NULL. */
static const struct requirement *
first_doc(const struct cohort *c)
{
	const struct stage *s = &c->programme->stages[0];

	for (size_t i = 0; i < s->nreqs; i++)
		if (s->reqs[i].kind == REQ_SUBMISSION && s->reqs[i].doc != NULL)
			return &s->reqs[i];
	return NULL;
}

/* The arguments submitting q: a plain document's link, or a form's required answers. */
static json_t *
submission(const char *app, const struct requirement *q)
{
	json_t *fields = json_object();

	if (q->form == NULL)
		return json_pack("{s:s, s:s, s:s}", "app", app, "doc", q->doc, "ref",
				 "https://docs.bench.example.net/evidence");
	for (size_t i = 0; i < q->form->nfields; i++) {
		const struct form_field *f = &q->form->fields[i];
		json_t *v = NULL;

		if (!f->required)
			continue;
		switch (f->type) {
		case FIELD_CHOICE:
			v = json_string(f->options[0]);
			break;
		case FIELD_MULTIPLE_CHOICE:
			v = json_pack("[s]", f->options[0]);
			break;
		case FIELD_RATING:
			v = json_integer(f->max > 2 ? 3 : 1);
			break;
		case FIELD_DATE:
			v = json_string("2026-09-01");
			break;
		case FIELD_LINK:
			v = json_string("https://docs.bench.example.net/evidence");
			break;
		case FIELD_YES_NO:
			v = json_true();
			break;
		default:
			v = json_string("Evidence from the benchmark, one line of it.");
		}
		json_object_set_new(fields, f->id, v);
	}
	return json_pack("{s:s, s:s, s:o}", "app", app, "doc", q->doc, "fields", fields);
}

static void
stats(struct builder *b)
{
	static const struct {
		enum store_db db;
		const char *name;
	} dbs[] = {
	    {DB_APPS, "apps"},		 {DB_PEOPLE, "people"},	    {DB_BY_STAGE, "by_stage"},
	    {DB_BY_SCHOOL, "by_school"}, {DB_EVENTS, "events"},	    {DB_APP_EVENTS, "app_events"},
	    {DB_OUTBOX, "outbox"},	 {DB_TIMER_RECS, "timers"}, {DB_REQUESTS, "requests"}};
	struct pw_status st = {0, ""};
	MDB_txn *txn = NULL;

	if (store_txn_begin(b->store, NULL, 1, &txn, &st) != 0)
		fail("begin", st.msg);
	printf("BENCH name=store.contents");
	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		uint64_t n = 0;

		store_count(b->store, txn, dbs[i].db, &n);
		printf(" %s=%llu", dbs[i].name, (unsigned long long)n);
	}
	printf("\n");
	store_txn_abort(&txn);
}

struct job_ref {
	char *id;
	int64_t at;
	char *app, *to;
};

struct jobs {
	struct job_ref *v;
	size_t n, cap;
};

static int
job_visit(const char *id, json_t *job, void *ud)
{
	struct jobs *j = ud;
	const char *app = json_string_value(json_object_get(job, "app"));
	const char *to = json_string_value(json_object_get(json_object_get(job, "to"), "email"));

	if (j->n == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 1024;
		j->v = realloc(j->v, j->cap * sizeof *j->v);
		if (j->v == NULL)
			fail("deliver", "out of memory");
	}
	j->v[j->n++] =
	    (struct job_ref){strdup(id), json_integer_value(json_object_get(job, "next_attempt")),
			     app ? strdup(app) : NULL, strdup(to ? to : "")};
	return 0;
}

/*
 * --deliver: what a mailer would leave behind once it has sent every queued
 * notification: each job deleted (record and due-time entry) with a
 * notification.sent event, as outbox.c does on a delivery report.
 */
static int
deliver(struct builder *b)
{
	struct pw_status st = {0, ""};
	struct jobs j = {0};
	MDB_txn *txn = NULL;
	double t0 = now_s();

	if (store_txn_begin(b->store, NULL, 1, &txn, &st) != 0)
		fail("begin", st.msg);
	if (store_rec_scan(b->store, txn, DB_OUTBOX, NULL, job_visit, &j) != 0)
		fail("deliver", "scanning the outbox");
	store_txn_abort(&txn);
	for (size_t i = 0; i < j.n; i++) {
		json_t *ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "type", "notification.sent",
				       "at", "2026-09-01T07:00:00Z", "actor", "pathwayd", "data",
				       "job", j.v[i].id, "to", j.v[i].to);
		uint64_t seq;

		if (j.v[i].app != NULL)
			json_object_set_new(ev, "app", json_string(j.v[i].app));
		if (b->txn == NULL && store_txn_begin(b->store, NULL, 0, &b->txn, &st) != 0)
			fail("begin", st.msg);
		store_due_del(b->store, b->txn, DB_OUTBOX_DUE, j.v[i].at, j.v[i].id);
		if (store_rec_del(b->store, b->txn, DB_OUTBOX, j.v[i].id) != 0 ||
		    store_event_append(b->store, b->txn, ev, &seq, NULL, &st) != 0)
			fail("deliver", st.msg);
		json_decref(ev);
		free(j.v[i].id);
		free(j.v[i].app);
		free(j.v[i].to);
		if (++b->in_txn >= b->batch)
			flush(b);
	}
	flush(b);
	printf("BENCH name=store.deliver jobs=%zu secs=%.1f\n", j.n, now_s() - t0);
	free(j.v);
	return 0;
}

/*
 * --requests N: N idempotency records, as N state-changing requests within
 * daemon.idempotency_hours would leave (the reply of an application command).
 */
static int
requests(struct builder *b, long n)
{
	struct pw_status st = {0, ""};
	double t0 = now_s();
	json_t *app = NULL;

	if (store_txn_begin(b->store, NULL, 1, &b->txn, &st) != 0 ||
	    store_rec_get(b->store, b->txn, DB_APPS, "A000001", &app) != 0)
		app = json_pack("{s:s}", "id", "A000001");
	store_txn_abort(&b->txn);
	for (long i = 0; i < n; i++) {
		char id[64];
		json_t *reqid, *reply;

		snprintf(id, sizeof id, "bench-import-%09ld", i);
		reqid = json_string(id);
		reply = json_pack("{s:O, s:b, s:{s:O}}", "id", reqid, "ok", 1, "data",
				  "application", app);
		if (b->txn == NULL && store_txn_begin(b->store, NULL, 0, &b->txn, &st) != 0)
			fail("begin", st.msg);
		if (store_request_put(b->store, b->txn, "operator/operator", reqid, NULL, reply,
				      clock_now(&b->clock), &st) != 0)
			fail("requests", st.msg);
		json_decref(reqid);
		json_decref(reply);
		if (++b->in_txn >= b->batch)
			flush(b);
	}
	flush(b);
	json_decref(app);
	printf("BENCH name=store.requests n=%ld secs=%.1f\n", n, now_s() - t0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct builder b;
	struct pw_status st = {0, ""};
	long napps, ncand, apps = 0, advanced = 0;
	size_t nco;
	double t0, t1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: pw-bench-store CONF NAPPS [BATCH]\n"
				"       pw-bench-store CONF --deliver\n"
				"       pw-bench-store CONF --requests N\n");
		return 2;
	}
	memset(&b, 0, sizeof b);
	napps = strcmp(argv[2], "--deliver") == 0 ? -1 : atol(argv[2]);
	if (strcmp(argv[2], "--requests") == 0) {
		if (argc != 4)
			return 2;
		napps = -2;
	}
	b.batch = argc == 4 ? atol(argv[3]) : 20000;
	log_set_level(LOG_WARN);
	if (config_load(argv[1], &b.cfg, &st) != 0)
		fail(argv[1], st.msg);
	if (store_open(b.cfg->daemon.db, b.cfg->daemon.map_size, &b.store, &st) != 0)
		fail(b.cfg->daemon.db, st.msg);
	b.clock.manual = 1;
	b.clock.now = b.cfg->daemon.clock_start;
	b.actor = json_pack("{s:s, s:s, s:[s]}", "id", "operator", "name", "Operator", "roles",
			    "la_adviser");
	if (napps == -2) {
		b.batch = 20000;
		requests(&b, atol(argv[3]));
		stats(&b);
		json_decref(b.actor);
		store_close(&b.store);
		config_free(&b.cfg);
		return 0;
	}
	if (napps < 0) {
		deliver(&b);
		stats(&b);
		json_decref(b.actor);
		store_close(&b.store);
		config_free(&b.cfg);
		return 0;
	}
	nco = b.cfg->ncohorts;
	ncand = (napps + (long)nco - 1) / (long)nco;
	t0 = now_s();
	for (int i = 0; i < NSCHOOLS; i++) {
		char id[32], name[64];

		snprintf(id, sizeof id, "s%04d", i);
		snprintf(name, sizeof name, "Bench School %d", i);
		run(&b, "school.create",
		    json_pack("{s:s, s:s, s:s, s:b}", "id", id, "name", name, "phase",
			      i % 3 ? "primary" : "special", "lss", i % 10 == 0),
		    NULL);
		snprintf(id, sizeof id, "h%04d", i);
		snprintf(name, sizeof name, "s%04d", i);
		run(&b, "person.create",
		    json_pack("{s:s, s:s, s:s, s:[s], s:s}", "id", id, "name", "Head Teacher",
			      "email", "head@bench.example.net", "roles", "headteacher", "school",
			      name),
		    NULL);
	}
	for (long i = 0; i < ncand; i++) {
		char id[32], school[32], email[64];

		snprintf(id, sizeof id, "c%07ld", i);
		snprintf(school, sizeof school, "s%04ld", i % NSCHOOLS);
		snprintf(email, sizeof email, "c%07ld@bench.example.net", i);
		run(&b, "person.create",
		    json_pack("{s:s, s:s, s:s, s:[s], s:s, s:{s:i, s:b}}", "id", id, "name",
			      "Candidate Name", "email", email, "roles", "candidate", "school",
			      school, "facts", "years_as_head", 4, "leadership_good_or_better", 1),
		    NULL);
	}
	flush(&b);
	t1 = now_s();
	fprintf(stderr, "pw-bench-store: %d schools, %ld candidates in %.1f s\n", NSCHOOLS, ncand,
		t1 - t0);
	for (long i = 0; apps < napps; i++) {
		const struct cohort *co = &b.cfg->cohorts[i % (long)nco];
		char cand[32];
		const struct requirement *doc = first_doc(co);
		json_t *data = NULL, *args;

		snprintf(cand, sizeof cand, "c%07ld", i / (long)nco);
		args = json_pack("{s:s, s:s}", "cohort", co->id, "candidate", cand);
		if (co->programme->ntracks > 0) /* its tracks in turn */
			json_object_set_new(
			    args, "track",
			    json_string(co->programme
					    ->tracks[(i / (long)nco) % (long)co->programme->ntracks]
					    .id));
		run(&b, "application.create", args, &data);
		apps++;
		if (doc != NULL && (i / (long)nco) % 2 == 1) {
			const char *app = json_string_value(
			    json_object_get(json_object_get(data, "application"), "id"));

			run(&b, "application.submit", submission(app, doc), NULL);
			advanced++;
		}
		json_decref(data);
		if (apps % 100000 == 0)
			fprintf(stderr, "pw-bench-store: %ld applications, %.1f s\n", apps,
				now_s() - t0);
	}
	flush(&b);
	t1 = now_s();
	printf("BENCH name=store.build apps=%ld advanced=%ld candidates=%ld schools=%d "
	       "commands_per_txn=%ld commits=%ld secs=%.1f apps_per_s=%.0f\n",
	       apps, advanced, ncand, NSCHOOLS, b.batch, b.commits, t1 - t0,
	       (double)apps / (t1 - t0));
	stats(&b);
	json_decref(b.actor);
	store_close(&b.store);
	config_free(&b.cfg);
	return 0;
}
