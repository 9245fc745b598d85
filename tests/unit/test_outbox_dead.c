/*
 * test_outbox_dead.c: a dead notification job's window (daemon/outbox_jobs.c)
 * on a store an older pathwayd left: dead jobs with their content and no
 * "died", no "dead_jobs_armed" mark and no timer. The first start that knows
 * the window (outbox_recover) gives each its window from then, once; a
 * later start arms nothing more; the timer, fired on the clock, drops the
 * content to the second, the record staying (purged, its error with the
 * recipient's name and address, in any case, as their person id) and the
 * event said.
 */
#include "unit.h"

#include "config.h"
#include "outbox.h"
#include "outbox_internal.h"
#include "store.h"
#include "timers_fire.h"
#include "wctx.h"

#define MAP (64u << 20)
#define T0 1788768000 /* 2026-09-07T08:00:00Z */

static char *tmp;
static struct pw_config *cfg;
static struct store *s;
static struct pw_status st;

static int
setup(void **state)
{
	char *conf, *db;
	int rc;

	(void)state;
	tmp = unit_tmpdir();
	conf = unit_shipped_conf(tmp);
	rc = config_load(conf, &cfg, &st);
	free(conf);
	if (rc != 0) {
		fprintf(stderr, "config: %s\n", st.msg);
		return -1;
	}
	db = xasprintf("%s/db", tmp);
	rc = store_open(db, MAP, &s, &st);
	free(db);
	if (rc != 0) {
		fprintf(stderr, "%s\n", st.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(&s);
	config_free(&cfg);
	unit_rmtree(tmp);
	return 0;
}

static struct wctx
begin(int64_t now)
{
	struct wctx c;

	memset(&c, 0, sizeof c);
	if (store_txn_begin(s, NULL, 0, &c.txn, &st) != 0)
		fail_msg("%s", st.msg);
	c.store = s;
	c.cfg = cfg;
	c.now = now;
	c.actor_id = "pathwayd";
	c.events = json_array();
	c.st = &st;
	return c;
}

static void
commit(struct wctx *c)
{
	if (store_txn_commit(&c->txn, &st) != 0)
		fail_msg("%s", st.msg);
	json_decref(c->events);
	c->events = NULL;
}

/* A job as an older pathwayd wrote it, in state. */
static void
job_put(struct wctx *c, const char *id, const char *state)
{
	json_t *job = json_pack(
	    "{s:i, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s}, s:i, s:I, s:I, s:s}", "v", 1,
	    "id", id, "state", state, "template", "signoff-needed", "to", "person", "p-head",
	    "name", "Margaret Lowe", "email", "p-head@example.org", "role", "headteacher", "vars",
	    "recipient_name", "Margaret Lowe", "attempts", 1, "created", (json_int_t)(T0 - 86400),
	    "next_attempt", (json_int_t)(T0 - 86400), "last_error",
	    "550 5.1.1 <margaret lowe <P-Head@example.org>>: unknown user");

	json_object_set_new(job, "attachments",
			    json_pack("[{s:s, s:s, s:s}]", "filename", "invite.ics", "type",
				      "text/calendar", "content", "BEGIN:VCALENDAR"));
	if (store_rec_put(s, c->txn, DB_OUTBOX, id, job, &st) != 0)
		fail_msg("%s", st.msg);
	json_decref(job);
}

static json_t *
job_get(const char *id)
{
	MDB_txn *txn = NULL;
	json_t *job = NULL;

	if (store_txn_begin(s, NULL, 1, &txn, &st) != 0)
		fail_msg("%s", st.msg);
	assert_int_equal(store_rec_get(s, txn, DB_OUTBOX, id, &job), 0);
	store_txn_abort(&txn);
	return job;
}

static int
dead_timer(const char *id, json_t *t, void *ud)
{
	(void)id;
	if (strcmp(json_string_value(json_object_get(t, "kind")), "dead_job") == 0)
		json_array_append(ud, t);
	return 0;
}

/* The dead_job timers armed: [{"job", "died", "at", ...}]. */
static json_t *
dead_timers(void)
{
	MDB_txn *txn = NULL;
	json_t *all = json_array();

	if (store_txn_begin(s, NULL, 1, &txn, &st) != 0)
		fail_msg("%s", st.msg);
	assert_int_equal(store_rec_scan(s, txn, DB_TIMER_RECS, NULL, dead_timer, all), 0);
	store_txn_abort(&txn);
	return all;
}

/* A start: what outbox_open does, at now. */
static void
start(int64_t now)
{
	struct outbox *ob = outbox_new();
	struct wctx c = begin(now);

	assert_int_equal(outbox_recover(ob, &c), 0);
	commit(&c);
	outbox_free(&ob);
}

/* Event i of a context's events to publish ([topic, canonical bytes]), decoded: a new reference. */
static json_t *
event_at(const json_t *events, size_t i)
{
	const char *text = json_string_value(json_array_get(json_array_get(events, i), 1));
	json_t *ev;

	assert_non_null(text);
	ev = json_loads(text, 0, NULL);
	assert_non_null(ev);
	return ev;
}

/* The loop's timers at now: how many fired, and the events they emitted (a new reference). */
static int
fire(int64_t now, json_t **events)
{
	struct wctx c = begin(now);
	int fired = 0;

	assert_int_equal(timers_fire(&c, 100, &fired), 0);
	*events = json_incref(c.events);
	commit(&c);
	return fired;
}

static void
test_old_dead_jobs_get_their_window_once(void **state)
{
	struct wctx c = begin(T0 - 3600);
	int64_t window = (int64_t)cfg->outbox.dead_days * 86400;
	json_t *timers, *job, *events, *ev, *to;

	(void)state;
	assert_int_equal(cfg->outbox.dead_days, 30);
	job_put(&c, "J000000001", "dead");
	job_put(&c, "J000000002", "pending");
	commit(&c);

	/* The first start that knows the window: the dead job's starts now. */
	start(T0);
	job = job_get("J000000001");
	assert_int_equal(json_integer_value(json_object_get(job, "died")), T0);
	assert_non_null(json_object_get(job, "vars"));
	json_decref(job);
	job = job_get("J000000002");
	assert_null(json_object_get(job, "died"));
	json_decref(job);
	timers = dead_timers();
	assert_int_equal(json_array_size(timers), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(timers, 0), "job")),
			    "J000000001");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(timers, 0), "at")),
			 T0 + window);
	json_decref(timers);

	/* Started again a day later: nothing is armed twice, "died" is unchanged. */
	start(T0 + 86400);
	timers = dead_timers();
	assert_int_equal(json_array_size(timers), 1);
	json_decref(timers);
	job = job_get("J000000001");
	assert_int_equal(json_integer_value(json_object_get(job, "died")), T0);
	json_decref(job);

	/* One second before the window ends: nothing fires, the content is there. */
	assert_int_equal(fire(T0 + window - 1, &events), 0);
	json_decref(events);
	job = job_get("J000000001");
	assert_null(json_object_get(job, "purged"));
	assert_non_null(json_object_get(job, "attachments"));
	json_decref(job);

	/* At the second: the content goes, the record stays, the event says so. */
	assert_int_equal(fire(T0 + window, &events), 1);
	assert_int_equal(json_array_size(events), 1);
	ev = event_at(events, 0);
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "notification.purged");
	json_decref(ev);
	json_decref(events);
	job = job_get("J000000001");
	assert_string_equal(json_string_value(json_object_get(job, "state")), "dead");
	assert_string_equal(json_string_value(json_object_get(job, "purged")),
			    "2026-10-07T08:00:00Z");
	to = json_object_get(job, "to");
	assert_int_equal(json_object_size(to), 2);
	assert_string_equal(json_string_value(json_object_get(to, "person")), "p-head");
	assert_null(json_object_get(job, "vars"));
	assert_null(json_object_get(job, "attachments"));
	assert_string_equal(json_string_value(json_object_get(job, "last_error")),
			    "550 5.1.1 <p-head <p-head>>: unknown user");
	json_decref(job);
	timers = dead_timers();
	assert_int_equal(json_array_size(timers), 0);
	json_decref(timers);
	job = job_get("J000000002");
	assert_string_equal(json_string_value(json_object_get(job, "state")), "pending");
	assert_non_null(json_object_get(job, "vars"));
	json_decref(job);
}

/* The error of a job that dies: its event tells it with the recipient's name and address as their
 * id. */
static void
test_dead_error_names_no_one(void **state)
{
	struct wctx c = begin(T0);
	json_t *job = NULL, *to, *ev;

	(void)state;
	job_put(&c, "J000000003", "pending");
	job_put(&c, "J000000004", "pending");
	assert_int_equal(store_rec_get(s, c.txn, DB_OUTBOX, "J000000003", &job), 0);
	assert_int_equal(
	    outbox_job_kill(&c, job,
			    "550 5.1.1 <MARGARET LOWE <p-head@Example.org>>: unknown user"),
	    0);
	json_decref(job);
	/* A name under 3 characters is left: it would match inside other words. */
	assert_int_equal(store_rec_get(s, c.txn, DB_OUTBOX, "J000000004", &job), 0);
	to = json_object_get(job, "to");
	json_object_set_new(to, "name", json_string("Jo"));
	assert_int_equal(outbox_job_kill(&c, job, "550 <Jo <p-head@example.org>>: Jones"), 0);
	json_decref(job);
	ev = event_at(c.events, 0);
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "notification.dead");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "data"), "error")),
	    "550 5.1.1 <p-head <p-head>>: unknown user");
	json_decref(ev);
	ev = event_at(c.events, json_array_size(c.events) - 1);
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "notification.dead");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "data"), "error")),
	    "550 <Jo <p-head>>: Jones");
	json_decref(ev);
	/* The job keeps the error as it came, until its content is purged. */
	assert_int_equal(store_rec_get(s, c.txn, DB_OUTBOX, "J000000003", &job), 0);
	assert_string_equal(json_string_value(json_object_get(job, "last_error")),
			    "550 5.1.1 <MARGARET LOWE <p-head@Example.org>>: unknown user");
	json_decref(job);
	commit(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_old_dead_jobs_get_their_window_once, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dead_error_names_no_one, setup, teardown),
	};

	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
