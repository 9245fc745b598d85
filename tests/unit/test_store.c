/*
 * test_store.c: the LMDB store (daemon/store.c) in a temporary directory:
 * records, the stage index, the gap-free event log across reopen and
 * aborted transactions, the idempotency table, counters, the schema
 * version check, the due-time index and hot backup.
 */
#include "unit.h"
#include "unit_store.h"

#include <lmdb.h>
#include <sys/stat.h>

#include "store.h"

static void
reopen(void)
{
	store_close(&s);
	assert_null(s);
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0)
		fail_msg("reopen: %s", st.msg);
}

static int
collect_rec(const char *id, json_t *rec, void *ud)
{
	(void)rec;
	json_array_append_new(ud, json_string(id));
	return 0;
}

static void
ids_are(json_t *got, const char *want_json)
{
	json_t *want = json_loads(want_json, 0, NULL);

	assert_non_null(want);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT);

		fail_msg("got %s, want %s", g, want_json);
	}
	json_decref(want);
	json_decref(got);
}

static void
test_records(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	json_t *rec = json_pack("{s:i, s:s, s:s, s:[s]}", "v", 1, "id", "p-1", "name",
				"Zo\xc3\xab \"Q\"", "roles", "candidate");
	json_t *got = NULL, *ids;

	(void)state;
	assert_int_equal(store_rec_get(s, txn, DB_PEOPLE, "p-1", &got), PW_ENOTFOUND);
	assert_null(got);
	assert_false(store_rec_exists(s, txn, DB_PEOPLE, "p-1"));
	assert_int_equal(store_rec_put(s, txn, DB_PEOPLE, "p-1", rec, &st), 0);
	assert_true(store_rec_exists(s, txn, DB_PEOPLE, "p-1"));
	/* databases are separate */
	assert_false(store_rec_exists(s, txn, DB_SCHOOLS, "p-1"));
	assert_int_equal(store_rec_get(s, txn, DB_PEOPLE, "p-1", &got), 0);
	assert_true(json_equal(got, rec));
	json_decref(got);
	unit_store_commit(&txn);

	/* an aborted transaction leaves nothing behind */
	txn = unit_store_begin(0);
	assert_int_equal(store_rec_put(s, txn, DB_PEOPLE, "p-2", rec, &st), 0);
	store_txn_abort(&txn);
	assert_null(txn);
	store_txn_abort(&txn); /* safe on NULL */

	/* committed data survives a reopen */
	reopen();
	txn = unit_store_begin(1);
	assert_int_equal(store_rec_get(s, txn, DB_PEOPLE, "p-1", &got), 0);
	assert_true(json_equal(got, rec));
	json_decref(got);
	assert_false(store_rec_exists(s, txn, DB_PEOPLE, "p-2"));
	store_txn_abort(&txn);

	/* replace, scan in key order, scan after, delete */
	txn = unit_store_begin(0);
	for (int i = 5; i >= 2; i--) {
		char id[8];

		snprintf(id, sizeof id, "p-%d", i);
		assert_int_equal(store_rec_put(s, txn, DB_PEOPLE, id, rec, &st), 0);
	}
	json_object_set_new(rec, "name", json_string("changed"));
	assert_int_equal(store_rec_put(s, txn, DB_PEOPLE, "p-1", rec, &st), 0);
	assert_int_equal(store_rec_get(s, txn, DB_PEOPLE, "p-1", &got), 0);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "changed");
	json_decref(got);
	ids = json_array();
	assert_int_equal(store_rec_scan(s, txn, DB_PEOPLE, NULL, collect_rec, ids), 0);
	ids_are(ids, "[\"p-1\", \"p-2\", \"p-3\", \"p-4\", \"p-5\"]");
	ids = json_array();
	assert_int_equal(store_rec_scan(s, txn, DB_PEOPLE, "p-2", collect_rec, ids), 0);
	ids_are(ids, "[\"p-3\", \"p-4\", \"p-5\"]");
	ids = json_array();
	assert_int_equal(store_rec_scan(s, txn, DB_PEOPLE, "p-25", collect_rec, ids), 0);
	ids_are(ids, "[\"p-3\", \"p-4\", \"p-5\"]");
	assert_int_equal(store_rec_del(s, txn, DB_PEOPLE, "p-3"), 0);
	assert_int_equal(store_rec_del(s, txn, DB_PEOPLE, "p-3"), 0);
	assert_false(store_rec_exists(s, txn, DB_PEOPLE, "p-3"));
	{
		uint64_t n = 0;

		assert_int_equal(store_count(s, txn, DB_PEOPLE, &n), 0);
		assert_int_equal(n, 4);
	}
	unit_store_commit(&txn);
	json_decref(rec);
}

/* The stage index: cohort \0 position \0 app id. */
struct visits {
	json_t *ids;
	int calls;
	int stop_after;
};

static int
visit(const char *last, void *ud)
{
	struct visits *v = ud;

	v->calls++;
	json_array_append_new(v->ids, json_string(last));
	return v->stop_after > 0 && v->calls >= v->stop_after;
}

static json_t *
scan(MDB_txn *txn, enum store_db db, const char *a, const char *b, const char *after1,
     const char *after2, int stop_after, int *calls)
{
	struct visits v = {json_array(), 0, stop_after};

	assert_int_equal(store_index_scan(s, txn, db, a, b, after1, after2, visit, &v), 0);
	if (calls != NULL)
		*calls = v.calls;
	return v.ids;
}

static void
test_stage_index(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	int calls = 0;

	(void)state;
	/* lots of applications elsewhere: a listing must not visit them */
	for (int i = 0; i < 2000; i++) {
		char id[16];

		snprintf(id, sizeof id, "B%06d", i);
		assert_int_equal(
		    store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "feedback_360", id, &st),
		    0);
		assert_int_equal(
		    store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-270", "signoff", id, &st), 0);
	}
	assert_int_equal(store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A3", &st),
			 0);
	assert_int_equal(store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A1", &st),
			 0);
	assert_int_equal(store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A2", &st),
			 0);
	assert_int_equal(
	    store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff_x", "A9", &st), 0);
	assert_int_equal(
	    store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "withdrawn", "A4", &st), 0);
	assert_int_equal(store_index_put(s, txn, DB_BY_STAGE, "kent-2026-27", "signoff", "K1", &st),
			 0);
	/* putting twice is one entry */
	assert_int_equal(store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A1", &st),
			 0);
	unit_store_commit(&txn);

	txn = unit_store_begin(1);
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "signoff", NULL, NULL, 0, &calls),
		"[\"A1\", \"A2\", \"A3\"]");
	assert_int_equal(calls, 3);
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "withdrawn", NULL, NULL, 0, &calls),
		"[\"A4\"]");
	assert_int_equal(calls, 1);
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "selection", NULL, NULL, 0, &calls), "[]");
	assert_int_equal(calls, 0);
	ids_are(scan(txn, DB_BY_STAGE, "kent-2026-27", "signoff", NULL, NULL, 0, NULL), "[\"K1\"]");
	/* paging within a stage */
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A1", NULL, 0, NULL),
		"[\"A2\", \"A3\"]");
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A3", NULL, 0, NULL), "[]");
	/* stop early */
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "signoff", NULL, NULL, 2, &calls),
		"[\"A1\", \"A2\"]");
	assert_int_equal(calls, 2);
	/* a whole cohort, stage by stage; paged by (stage, id) */
	{
		json_t *all = scan(txn, DB_BY_STAGE, "ntp-2026-27", NULL, NULL, NULL, 0, &calls);

		assert_int_equal(calls, 2000 + 5);
		assert_string_equal(json_string_value(json_array_get(all, 0)), "B000000");
		assert_string_equal(json_string_value(json_array_get(all, 2000)), "A1");
		assert_string_equal(json_string_value(json_array_get(all, 2003)), "A9");
		assert_string_equal(json_string_value(json_array_get(all, 2004)), "A4");
		json_decref(all);
	}
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", NULL, "signoff", "A2", 0, NULL),
		"[\"A3\", \"A9\", \"A4\"]");
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", NULL, "signoff_x", "A9", 0, NULL),
		"[\"A4\"]");
	store_txn_abort(&txn);

	/* moving an application: delete the old entry, put the new */
	txn = unit_store_begin(0);
	assert_int_equal(store_index_del(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A2"), 0);
	assert_int_equal(store_index_del(s, txn, DB_BY_STAGE, "ntp-2026-27", "signoff", "A2"), 0);
	assert_int_equal(
	    store_index_put(s, txn, DB_BY_STAGE, "ntp-2026-27", "selection", "A2", &st), 0);
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "signoff", NULL, NULL, 0, NULL),
		"[\"A1\", \"A3\"]");
	ids_are(scan(txn, DB_BY_STAGE, "ntp-2026-27", "selection", NULL, NULL, 0, NULL),
		"[\"A2\"]");
	/* two-part indexes (school \0 app) */
	assert_int_equal(store_index_put(s, txn, DB_BY_SCHOOL, "s-oak", "A1", NULL, &st), 0);
	assert_int_equal(store_index_put(s, txn, DB_BY_SCHOOL, "s-oak", "A7", NULL, &st), 0);
	assert_int_equal(store_index_put(s, txn, DB_BY_SCHOOL, "s-oak2", "A8", NULL, &st), 0);
	ids_are(scan(txn, DB_BY_SCHOOL, "s-oak", NULL, NULL, NULL, 0, NULL), "[\"A1\", \"A7\"]");
	ids_are(scan(txn, DB_BY_SCHOOL, "s-oak", NULL, "A1", NULL, 0, NULL), "[\"A7\"]");
	unit_store_commit(&txn);
}

static json_t *
event(const char *type, const char *app)
{
	json_t *ev = json_pack("{s:s, s:{}}", "type", type, "data");

	if (app != NULL)
		json_object_set_new(ev, "app", json_string(app));
	return ev;
}

static uint64_t
append(MDB_txn *txn, const char *type, const char *app)
{
	json_t *ev = event(type, app);
	uint64_t seq = 0;

	if (store_event_append(s, txn, ev, &seq, NULL, &st) != 0)
		fail_msg("%s", st.msg);
	assert_int_equal(json_integer_value(json_object_get(ev, "seq")), seq);
	json_decref(ev);
	return seq;
}

/* Every event from 1 to head, each with its own seq: no gap, no repeat. */
static void
log_is_gap_free(uint64_t want_head)
{
	MDB_txn *txn = unit_store_begin(1);
	uint64_t head = 0;
	json_t *evs = NULL;

	assert_int_equal(store_event_head(s, txn, &head), 0);
	assert_int_equal(head, want_head);
	assert_int_equal(store_events_since(s, txn, 0, 1000, &evs), 0);
	assert_int_equal(json_array_size(evs), want_head);
	for (size_t i = 0; i < json_array_size(evs); i++)
		assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, i), "seq")),
				 i + 1);
	json_decref(evs);
	store_txn_abort(&txn);
}

static void
test_event_log(void **state)
{
	MDB_txn *txn, *child;
	json_t *evs;
	uint64_t head = 99, next = 99;

	(void)state;
	txn = unit_store_begin(1);
	assert_int_equal(store_event_head(s, txn, &head), 0);
	assert_int_equal(head, 0);
	store_txn_abort(&txn);

	txn = unit_store_begin(0);
	assert_int_equal(append(txn, "person.created", NULL), 1);
	assert_int_equal(append(txn, "application.created", "A1"), 2);
	assert_int_equal(append(txn, "application.created", "A2"), 3);
	assert_int_equal(append(txn, "application.submitted", "A1"), 4);
	assert_int_equal(append(txn, "application.submitted", "A10"), 5);
	unit_store_commit(&txn);
	log_is_gap_free(5);

	txn = unit_store_begin(1);
	assert_int_equal(store_events_since(s, txn, 2, 2, &evs), 0);
	assert_int_equal(json_array_size(evs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "app")),
			    "A2");
	json_decref(evs);
	assert_int_equal(store_events_since(s, txn, 5, 10, &evs), 0);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
	/* an application's own history, not its neighbour's (A1 vs A10) */
	assert_int_equal(store_app_events(s, txn, "A1", 0, 1000, &evs, &next), 0);
	assert_int_equal(json_array_size(evs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 1), "seq")), 4);
	assert_int_equal(next, 0);
	json_decref(evs);
	/* by pages: one, then the rest from where it stopped */
	assert_int_equal(store_app_events(s, txn, "A1", 0, 1, &evs, &next), 0);
	assert_int_equal(json_array_size(evs), 1);
	assert_int_equal(next, 2);
	json_decref(evs);
	assert_int_equal(store_app_events(s, txn, "A1", next, 1, &evs, &next), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 4);
	assert_int_equal(next, 0);
	json_decref(evs);
	assert_int_equal(store_app_events(s, txn, "A9", 0, 1000, &evs, &next), 0);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
	store_txn_abort(&txn);

	/* across a reopen the log goes on from its head */
	reopen();
	txn = unit_store_begin(0);
	assert_int_equal(append(txn, "school.created", NULL), 6);
	unit_store_commit(&txn);

	/* a command that fails in its child transaction leaves no gap */
	txn = unit_store_begin(0);
	assert_int_equal(store_txn_begin(s, txn, 0, &child, &st), 0);
	assert_int_equal(append(child, "application.signed_off", "A1"), 7);
	assert_int_equal(append(child, "application.stage_changed", "A1"), 8);
	store_txn_abort(&child);
	assert_int_equal(append(txn, "application.decided", "A2"), 7);
	assert_int_equal(store_txn_begin(s, txn, 0, &child, &st), 0);
	assert_int_equal(append(child, "application.decided", "A1"), 8);
	unit_store_commit(&child);
	assert_int_equal(append(txn, "application.decided", "A3"), 9);
	unit_store_commit(&txn);
	/* an aborted batch too */
	txn = unit_store_begin(0);
	append(txn, "school.updated", NULL);
	store_txn_abort(&txn);
	reopen();
	log_is_gap_free(9);
	txn = unit_store_begin(1);
	assert_int_equal(store_app_events(s, txn, "A1", 0, 1000, &evs, &next), 0);
	assert_int_equal(json_array_size(evs), 3); /* 2, 4 and 8: not the aborted 7 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 2), "seq")), 8);
	assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 2), "type")),
			    "application.decided");
	json_decref(evs);
	store_txn_abort(&txn);
}

static void
test_idempotency(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	json_t *id = json_string("r-1"), *num = json_integer(1), *one = json_string("1");
	json_t *reply = json_pack("{s:O, s:b, s:{}}", "id", id, "ok", 1, "data"), *got;
	size_t n = 99;

	(void)state;
	assert_int_equal(store_request_get(s, txn, "p-1", id, NULL, &got), PW_ENOTFOUND);
	assert_null(got);
	assert_int_equal(store_request_put(s, txn, "p-1", id, NULL, reply, 1000, &st), 0);
	assert_int_equal(store_request_get(s, txn, "p-1", id, NULL, &got), 0);
	assert_true(json_equal(got, reply));
	json_decref(got);
	/* scoped by actor */
	assert_int_equal(store_request_get(s, txn, "p-2", id, NULL, &got), PW_ENOTFOUND);
	/* 1 and "1" are different ids */
	assert_int_equal(store_request_put(s, txn, "p-1", num, NULL, reply, 1001, &st), 0);
	assert_int_equal(store_request_get(s, txn, "p-1", one, NULL, &got), PW_ENOTFOUND);
	assert_int_equal(store_request_get(s, txn, "p-1", num, NULL, &got), 0);
	json_decref(got);
	/* actor "p" with id "-1..." must not collide with actor "p-1" */
	assert_int_equal(store_request_get(s, txn, "p", id, NULL, &got), PW_ENOTFOUND);
	/* the same id for other arguments is not a resend */
	assert_int_equal(store_request_put(s, txn, "p-4", id, "aa", reply, 1002, &st), 0);
	assert_int_equal(store_request_get(s, txn, "p-4", id, "bb", &got), PW_EINVALID);
	assert_null(got);
	assert_int_equal(store_request_get(s, txn, "p-4", id, "aa", &got), 0);
	json_decref(got);
	unit_store_commit(&txn);

	/* kept across a reopen, pruned by age */
	reopen();
	txn = unit_store_begin(0);
	assert_int_equal(store_request_get(s, txn, "p-1", id, NULL, &got), 0);
	json_decref(got);
	for (int i = 0; i < 6; i++) {
		char rid[32];
		json_t *r;

		snprintf(rid, sizeof rid, "old-%d", i);
		r = json_string(rid);
		assert_int_equal(store_request_put(s, txn, "p-3", r, NULL, reply, 500 + i, &st), 0);
		json_decref(r);
	}
	assert_int_equal(store_requests_prune(s, txn, 1000, &n), 0);
	assert_int_equal(n, 6);
	for (int i = 0; i < 6; i++) {
		char rid[32];
		json_t *r;

		snprintf(rid, sizeof rid, "old-%d", i);
		r = json_string(rid);
		assert_int_equal(store_request_get(s, txn, "p-3", r, NULL, &got), PW_ENOTFOUND);
		json_decref(r);
	}
	assert_int_equal(store_request_get(s, txn, "p-1", id, NULL, &got), 0);
	json_decref(got);
	assert_int_equal(store_requests_prune(s, txn, 1001, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_request_get(s, txn, "p-1", id, NULL, &got), PW_ENOTFOUND);
	assert_int_equal(store_request_get(s, txn, "p-1", num, NULL, &got), 0);
	json_decref(got);
	unit_store_commit(&txn);
	json_decref(reply);
	json_decref(id);
	json_decref(num);
	json_decref(one);
}

static void
test_counters(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	uint64_t n = 0;

	(void)state;
	for (uint64_t i = 1; i <= 3; i++) {
		assert_int_equal(store_counter_next(s, txn, "next_app", &n, &st), 0);
		assert_int_equal(n, i);
	}
	assert_int_equal(store_counter_next(s, txn, "next_job", &n, &st), 0);
	assert_int_equal(n, 1);
	unit_store_commit(&txn);
	reopen();
	txn = unit_store_begin(0);
	assert_int_equal(store_counter_next(s, txn, "next_app", &n, &st), 0);
	assert_int_equal(n, 4);
	store_txn_abort(&txn);
	txn = unit_store_begin(0);
	assert_int_equal(store_counter_next(s, txn, "next_app", &n, &st), 0);
	assert_int_equal(n, 4);
	unit_store_commit(&txn);
}

/* Write meta "schema" = value with LMDB itself, behind the store's back. */
static void
schema_write(const char *value)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {6, (void *)"schema"}, v = {strlen(value), (void *)value};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, UNIT_STORE_MAP), 0);
	assert_int_equal(mdb_env_open(env, dbdir, MDB_NOTLS, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* meta "schema" as LMDB holds it (the store must be closed). */
static char *
schema_read(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {6, (void *)"schema"}, v;
	char *out;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_open(env, dbdir, MDB_NOTLS | MDB_RDONLY, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	out = xasprintf("%.*s", (int)v.mv_size, (const char *)v.mv_data);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return out;
}

static void
test_schema_version(void **state)
{
	struct store *other = (struct store *)1;
	MDB_txn *txn;
	char want[16], *have;

	(void)state;
	/* a new store records the version it was made with */
	store_close(&s);
	have = schema_read();
	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
	assert_string_equal(have, want);
	free(have);

	/* a store from another version is refused, clearly, and left alone */
	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION + 1);
	schema_write(want);
	memset(&st, 0, sizeof st);
	assert_int_equal(store_open(dbdir, UNIT_STORE_MAP, &other, &st), PW_ESTORE);
	assert_null(other);
	assert_int_equal(st.code, PW_ESTORE);
	if (strstr(st.msg, "schema version") == NULL || strstr(st.msg, want) == NULL ||
	    strstr(st.msg, dbdir) == NULL)
		fail_msg("unclear message: %s", st.msg);
	schema_write("banana");
	assert_int_equal(store_open(dbdir, UNIT_STORE_MAP, &other, &st), PW_ESTORE);
	assert_non_null(strstr(st.msg, "banana"));
	schema_write("10");
	assert_int_equal(store_open(dbdir, UNIT_STORE_MAP, &other, &st), PW_ESTORE);

	/* put back, it opens with its data */
	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
	schema_write(want);
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0)
		fail_msg("%s", st.msg);
	txn = unit_store_begin(1);
	assert_true(store_rec_exists(s, txn, DB_PEOPLE, "p-1"));
	store_txn_abort(&txn);
}

static void
test_open_errors(void **state)
{
	struct store *other = (struct store *)1;
	char *file = unit_write(tmp, "not-a-dir", "x");
	char *under = xasprintf("%s/sub", file);

	(void)state;
	assert_int_equal(store_open(under, UNIT_STORE_MAP, &other, &st), PW_ESTORE);
	assert_null(other);
	assert_non_null(strstr(st.msg, under));
	free(under);
	free(file);
}

struct dues {
	json_t *got;
	int stop_after;
};

static int
due_visit(int64_t at, const char *id, void *ud)
{
	struct dues *d = ud;

	json_array_append_new(d->got, json_pack("[I, s]", (json_int_t)at, id));
	return d->stop_after > 0 && (int)json_array_size(d->got) >= d->stop_after;
}

static json_t *
due_scan(MDB_txn *txn, int64_t upto, int stop_after)
{
	struct dues d = {json_array(), stop_after};

	assert_int_equal(store_due_scan(s, txn, DB_OUTBOX_DUE, upto, due_visit, &d), 0);
	return d.got;
}

static void
test_due_index(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	int64_t at = 0;

	(void)state;
	assert_int_equal(store_due_first(s, txn, DB_OUTBOX_DUE, &at), PW_ENOTFOUND);
	ids_are(due_scan(txn, INT64_MAX, 0), "[]");
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 300, "J3", &st), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 100, "J1", &st), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 200, "J2", &st), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 100, "J0", &st), 0);
	/* big-endian: past 2^32 still sorts by number, after 2^32 - 1 and 256 */
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 5000000000LL, "J5", &st), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 4294967295LL, "J4", &st), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 256, "J256", &st), 0);
	assert_int_equal(store_due_first(s, txn, DB_OUTBOX_DUE, &at), 0);
	assert_int_equal(at, 100);
	ids_are(due_scan(txn, 99, 0), "[]");
	ids_are(due_scan(txn, 100, 0), "[[100, \"J0\"], [100, \"J1\"]]");
	ids_are(due_scan(txn, 299, 0),
		"[[100, \"J0\"], [100, \"J1\"], [200, \"J2\"], [256, \"J256\"]]");
	ids_are(due_scan(txn, 299, 1), "[[100, \"J0\"]]");
	ids_are(due_scan(txn, INT64_MAX, 0),
		"[[100, \"J0\"], [100, \"J1\"], [200, \"J2\"], [256, \"J256\"], [300, \"J3\"], "
		"[4294967295, \"J4\"], [5000000000, \"J5\"]]");
	/* rescheduling is delete + put */
	assert_int_equal(store_due_del(s, txn, DB_OUTBOX_DUE, 100, "J0"), 0);
	assert_int_equal(store_due_del(s, txn, DB_OUTBOX_DUE, 100, "J0"), 0);
	assert_int_equal(store_due_del(s, txn, DB_OUTBOX_DUE, 999, "J1"), 0); /* wrong time */
	assert_int_equal(store_due_first(s, txn, DB_OUTBOX_DUE, &at), 0);
	assert_int_equal(at, 100);
	assert_int_equal(store_due_del(s, txn, DB_OUTBOX_DUE, 100, "J1"), 0);
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, 6000000000LL, "J1", &st), 0);
	assert_int_equal(store_due_first(s, txn, DB_OUTBOX_DUE, &at), 0);
	assert_int_equal(at, 200);
	/* a time before the epoch is due at once */
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_DUE, -5, "Jneg", &st), 0);
	assert_int_equal(store_due_first(s, txn, DB_OUTBOX_DUE, &at), 0);
	assert_int_equal(at, 0);
	ids_are(due_scan(txn, 0, 0), "[[0, \"Jneg\"]]");
	unit_store_commit(&txn);
	/* the timers index works the same way, separately */
	txn = unit_store_begin(0);
	assert_int_equal(store_due_first(s, txn, DB_TIMERS, &at), PW_ENOTFOUND);
	assert_int_equal(store_due_put(s, txn, DB_TIMERS, 42, "T1", &st), 0);
	assert_int_equal(store_due_first(s, txn, DB_TIMERS, &at), 0);
	assert_int_equal(at, 42);
	unit_store_commit(&txn);
}

/* Empty database name of the (closed) store, as a version 1 store would have it. */
static void
raw_drop(const char *name)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, UNIT_STORE_MAP), 0);
	assert_int_equal(mdb_env_open(env, dbdir, MDB_NOTLS, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
test_schema_upgrade(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	json_t *reply = json_pack("{s:b}", "ok", 1), *old = json_string("r-old"),
	       *young = json_string("r-new"), *got, *jobs;
	struct dues d = {json_array(), 0};
	char *have;
	size_t n = 0;

	(void)state;
	/* A version 1 store: jobs in every state, no in-flight index but a stale
	 * entry an older binary left, request ids without their age index. */
	for (int i = 0; i < 3; i++) {
		static const char *const states[] = {"inflight", "pending", "dead"};
		char id[8];
		json_t *job;

		snprintf(id, sizeof id, "J%d", i + 1);
		job = json_pack("{s:s, s:s}", "id", id, "state", states[i]);
		assert_int_equal(store_rec_put(s, txn, DB_OUTBOX, id, job, &st), 0);
		json_decref(job);
	}
	assert_int_equal(store_due_put(s, txn, DB_OUTBOX_INFLIGHT, 0, "J2", &st), 0);
	assert_int_equal(store_request_put(s, txn, "p-1", old, NULL, reply, 500, &st), 0);
	assert_int_equal(store_request_put(s, txn, "p-1", young, NULL, reply, 2000, &st), 0);
	unit_store_commit(&txn);
	store_close(&s);
	raw_drop("requests_due");
	schema_write("1");

	/* Opened: upgraded through version 2 to 3, the indexes built from the records. */
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0)
		fail_msg("upgrade: %s", st.msg);
	txn = unit_store_begin(0);
	assert_int_equal(store_due_scan(s, txn, DB_OUTBOX_INFLIGHT, INT64_MAX, due_visit, &d), 0);
	jobs = json_pack("[[I, s]]", (json_int_t)0, "J1");
	assert_true(json_equal(d.got, jobs));
	assert_int_equal(store_requests_prune(s, txn, 1000, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_request_get(s, txn, "operator/p-1", old, NULL, &got), PW_ENOTFOUND);
	/* version 3 scopes replies by principal: all the old ones were the operator's */
	assert_int_equal(store_request_get(s, txn, "operator/p-1", young, NULL, &got), 0);
	json_decref(got);
	assert_int_equal(store_request_get(s, txn, "p-1", young, NULL, &got), PW_ENOTFOUND);
	unit_store_commit(&txn);
	store_close(&s);
	have = schema_read();
	assert_string_equal(have, "7");
	free(have);
	reopen();
	json_decref(d.got);
	json_decref(jobs);
	json_decref(reply);
	json_decref(old);
	json_decref(young);
}

static void
test_backup(void **state)
{
	char *dir = xasprintf("%s/backup", tmp), *file = xasprintf("%s/x", tmp);
	struct store *b = NULL;
	MDB_txn *txn;

	(void)state;
	assert_int_equal(mkdir(dir, 0750), 0);
	assert_int_equal(store_backup(s, dir, 1, &st), 0);
	assert_int_equal(store_backup(s, dir, 1, &st), PW_EEXISTS);
	free(unit_write(tmp, "x", "x"));
	assert_int_equal(store_backup(s, file, 1, &st), PW_EINVALID);
	assert_int_equal(store_open(dir, UNIT_STORE_MAP, &b, &st), 0);
	assert_int_equal(store_txn_begin(b, NULL, 1, &txn, &st), 0);
	assert_true(store_rec_exists(b, txn, DB_PEOPLE, "p-1"));
	store_txn_abort(&txn);
	store_close(&b);
	free(dir);
	free(file);
}

int
main(void)
{
	/* in order: later tests use what earlier ones stored */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records),	   cmocka_unit_test(test_stage_index),
	    cmocka_unit_test(test_event_log),	   cmocka_unit_test(test_idempotency),
	    cmocka_unit_test(test_counters),	   cmocka_unit_test(test_schema_version),
	    cmocka_unit_test(test_open_errors),	   cmocka_unit_test(test_due_index),
	    cmocka_unit_test(test_schema_upgrade), cmocka_unit_test(test_backup),
	};

	return cmocka_run_group_tests(tests, unit_store_setup, unit_store_teardown);
}
