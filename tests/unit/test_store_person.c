/*
 * test_store_person.c: the events by person (daemon/store_person.c): the
 * index written with each event (the actor and every string of its data
 * that is a person's id, once each, nested or not), its look-up, the
 * upgrade from schema version 6 that builds it for a log already there,
 * the forms by who filled them in or returned them (DB_PERSON_FORMS), and
 * the raw scan that parses only the records holding a needle.
 */
#include "unit.h"
#include "unit_store.h"

#include <lmdb.h>

#include "store.h"

static int
seq_collect(uint64_t seq, void *ud)
{
	json_array_append_new(ud, json_integer((json_int_t)seq));
	return 0;
}

/* The seqs of the events naming id, as a compact JSON text compared with want. */
static void
seqs_are(MDB_txn *txn, const char *id, const char *want)
{
	json_t *got = json_array();
	char *g;

	assert_int_equal(store_person_events(s, txn, id, seq_collect, got), 0);
	g = json_dumps(got, JSON_COMPACT);
	if (strcmp(g, want) != 0)
		fail_msg("events of %s: got %s, want %s", id, g, want);
	free(g);
	json_decref(got);
}

static void
people_and_events(void)
{
	MDB_txn *txn = unit_store_begin(0);
	const char *people[] = {"p-1", "p-10", "p-2"};
	uint64_t seq;

	for (size_t i = 0; i < 3; i++) {
		json_t *p = json_pack("{s:s}", "id", people[i]);

		assert_int_equal(store_rec_put(s, txn, DB_PEOPLE, people[i], p, &st), 0);
		json_decref(p);
	}
	const char *evs[] = {
	    /* 1: the actor, and the same person again in data: once */
	    "{\"type\":\"person.updated\",\"actor\":\"p-1\",\"data\":{\"person\":\"p-1\"}}",
	    /* 2: nested and in an array; "p-3" is no person; free text is not an id */
	    "{\"type\":\"x\",\"actor\":\"operator\",\"data\":{\"a\":{\"b\":[\"p-2\",\"p-3\"]},"
	    "\"note\":\"p-1 said so\"}}",
	    /* 3: an application's event by p-10 */
	    "{\"type\":\"application.created\",\"app\":\"A1\",\"actor\":\"p-10\","
	    "\"data\":{\"candidate\":\"p-2\"}}",
	    /* 4: naming nobody */
	    "{\"type\":\"y\",\"actor\":\"pathwayd\",\"data\":{}}",
	};
	for (size_t i = 0; i < 4; i++) {
		json_t *ev = json_loads(evs[i], 0, NULL);

		assert_non_null(ev);
		assert_int_equal(store_event_append(s, txn, ev, &seq, NULL, &st), 0);
		assert_int_equal(seq, i + 1);
		json_decref(ev);
	}
	/* A draft by p-10, returned once by p-2 (cmd/form.c indexes it as it stores it). */
	json_t *f = json_loads("{\"app\":\"A1\",\"form\":\"f\",\"by\":\"p-10\","
			       "\"returns\":[{\"by\":\"p-2\",\"note\":\"n\"}]}",
			       0, NULL);
	assert_int_equal(store_rec_put(s, txn, DB_FORMS, "A1/f", f, &st), 0);
	assert_int_equal(store_person_index_form(s, txn, "A1/f", f, &st), 0);
	json_decref(f);
	unit_store_commit(&txn);
}

static int
key_collect(const char *last, void *ud)
{
	json_array_append_new(ud, json_string(last));
	return 0;
}

/* The forms person id filled in or returned (DB_PERSON_FORMS), compared with want. */
static void
forms_are(MDB_txn *txn, const char *id, const char *want)
{
	json_t *got = json_array();
	char *g;

	assert_int_equal(
	    store_index_scan(s, txn, DB_PERSON_FORMS, id, NULL, NULL, NULL, key_collect, got), 0);
	g = json_dumps(got, JSON_COMPACT);
	if (strcmp(g, want) != 0)
		fail_msg("forms of %s: got %s, want %s", id, g, want);
	free(g);
	json_decref(got);
}

static void
test_index(void **state)
{
	MDB_txn *txn;
	json_t *ev = NULL, *got = json_array();

	(void)state;
	people_and_events();
	txn = unit_store_begin(0);
	seqs_are(txn, "p-1", "[1]");
	seqs_are(txn, "p-10", "[3]"); /* not p-1's: the id is matched whole */
	seqs_are(txn, "p-2", "[2,3]");
	seqs_are(txn, "p-3", "[]");
	seqs_are(txn, "operator", "[]");
	forms_are(txn, "p-10", "[\"A1/f\"]");
	forms_are(txn, "p-2", "[\"A1/f\"]");
	forms_are(txn, "p-1", "[]");
	assert_int_equal(store_app_event_seqs(s, txn, "A1", seq_collect, got), 0);
	assert_int_equal(json_array_size(got), 1);
	assert_int_equal(store_event_get(s, txn, 3, &ev), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "app")), "A1");
	json_decref(ev);
	assert_int_equal(store_event_get(s, txn, 99, &ev), PW_ENOTFOUND);
	store_txn_abort(&txn);
	json_decref(got);
}

/* Write meta "schema" and empty person_events with the store closed, as version 6 had them. */
static void
make_version_6(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta, pe;
	MDB_val k = {6, (void *)"schema"}, v = {1, (void *)"6"};

	store_close(&s);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, UNIT_STORE_MAP), 0);
	assert_int_equal(mdb_env_open(env, dbdir, MDB_NOTLS, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
	assert_int_equal(mdb_dbi_open(txn, "person_events", 0, &pe), 0);
	assert_int_equal(mdb_drop(txn, pe, 1), 0);
	assert_int_equal(mdb_dbi_open(txn, "person_forms", 0, &pe), 0);
	assert_int_equal(mdb_drop(txn, pe, 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
test_upgrade(void **state)
{
	MDB_txn *txn;
	char hash[STORE_HASH_HEX];
	struct store_audit a;

	(void)state;
	people_and_events();
	txn = unit_store_begin(0);
	assert_int_equal(store_head_hash(s, txn, hash), 0);
	store_txn_abort(&txn);
	make_version_6();
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0)
		fail_msg("upgrade: %s", st.msg);
	txn = unit_store_begin(0);
	seqs_are(txn, "p-1", "[1]");
	seqs_are(txn, "p-2", "[2,3]");
	seqs_are(txn, "p-10", "[3]");
	forms_are(txn, "p-10", "[\"A1/f\"]");
	forms_are(txn, "p-2", "[\"A1/f\"]");
	/* the log itself is not rewritten: its chain is whole and its head the same */
	assert_int_equal(store_audit_verify(s, txn, 1, 0, &a), 0);
	assert_true(a.ok);
	assert_string_equal(a.head_hash, hash);
	store_txn_abort(&txn);
}

static int
grep_collect(const char *id, json_t *rec, void *ud)
{
	(void)rec;
	json_array_append_new(ud, json_string(id));
	return 0;
}

static void
test_grep(void **state)
{
	MDB_txn *txn = unit_store_begin(0);
	const char *needles[] = {"\"p-1\"", NULL, "Jane"};
	json_t *got = json_array(), *r;
	char *g;

	(void)state;
	r = json_pack("{s:{s:s}}", "to", "person", "p-1");
	assert_int_equal(store_rec_put(s, txn, DB_OUTBOX, "J1", r, &st), 0);
	json_decref(r);
	r = json_pack("{s:{s:s}}", "to", "person", "p-10");
	assert_int_equal(store_rec_put(s, txn, DB_OUTBOX, "J2", r, &st), 0);
	json_decref(r);
	r = json_pack("{s:{s:s}}", "vars", "name", "Dear Jane Doe");
	assert_int_equal(store_rec_put(s, txn, DB_OUTBOX, "J3", r, &st), 0);
	json_decref(r);
	assert_int_equal(store_rec_grep(s, txn, DB_OUTBOX, needles, 3, grep_collect, got), 0);
	g = json_dumps(got, JSON_COMPACT);
	assert_string_equal(g, "[\"J1\",\"J3\"]");
	free(g);
	json_decref(got);
	store_txn_abort(&txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_index, unit_store_setup, unit_store_teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade, unit_store_setup, unit_store_teardown),
	    cmocka_unit_test_setup_teardown(test_grep, unit_store_setup, unit_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
