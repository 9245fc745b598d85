/*
 * test_store_forget.c: stored replies naming an erased person forgotten
 * with their age index entries (daemon/store_forget.c): a reply as stored,
 * one whose record no longer parses and one whose "at" does not match its
 * entry. Each goes with its entry, so the index holds only the reply that
 * names no one, and a reply stored again later under a forgotten key is
 * not pruned before its own time.
 */
#include "unit.h"
#include "unit_store.h"

#include <lmdb.h>

#include "store_forget.h"
#include "store_internal.h"

static void
put(MDB_txn *txn, const char *reqid, const char *reply, int64_t at)
{
	json_t *id = json_string(reqid);

	assert_int_equal(store_request_put_text(s, txn, "p-la", id, NULL, reply, at, &st), 0);
	json_decref(id);
}

/* Replace the stored record of the n-th reply (key order) by text. */
static void
overwrite(MDB_txn *txn, int n, const char *text)
{
	MDB_cursor *cur;
	MDB_val k, v = {strlen(text), (void *)text};

	assert_int_equal(mdb_cursor_open(txn, s->dbi[DB_REQUESTS], &cur), 0);
	assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
	while (n-- > 0)
		assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_NEXT), 0);
	v.mv_size = strlen(text);
	v.mv_data = (void *)text;
	assert_int_equal(mdb_cursor_put(cur, &k, &v, MDB_CURRENT), 0);
	mdb_cursor_close(cur);
}

static size_t
entries(MDB_txn *txn, enum store_db db)
{
	MDB_stat ms;

	assert_int_equal(mdb_stat(txn, s->dbi[db], &ms), 0);
	return ms.ms_entries;
}

static void
test_forgotten_replies_take_their_age_entries(void **state)
{
	static const char *const words[] = {"p-gone"};
	MDB_txn *txn = unit_store_begin(0);
	size_t n = 0;

	(void)state;
	put(txn, "r1", "{\"ok\":true,\"data\":{\"person\":\"p-gone\"}}", 1000);
	put(txn, "r2", "{\"ok\":true,\"data\":{\"person\":\"p-gone\"}}", 2000);
	put(txn, "r3", "{\"ok\":true,\"data\":{\"person\":\"p-gone\"}}", 3000);
	put(txn, "r4", "{\"ok\":true,\"data\":{\"person\":\"p-kept\"}}", 4000);
	/* r2 no longer parses; r3 says another time than its entry's. */
	overwrite(txn, 1, "{\"at\":2000,\"reply\":{\"person\":\"p-gone\"");
	overwrite(txn, 2, "{\"at\":7,\"reply\":{\"ok\":true,\"data\":{\"person\":\"p-gone\"}}}");
	unit_store_commit(&txn);

	txn = unit_store_begin(0);
	assert_int_equal(store_requests_forget(s, txn, words, 1, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(entries(txn, DB_REQUESTS), 1);
	assert_int_equal(entries(txn, DB_REQUESTS_DUE), 1);
	/* r2 stored again later: pruning up to r2's old time leaves it. */
	put(txn, "r2", "{\"ok\":true}", 5000);
	n = 0;
	assert_int_equal(store_requests_prune(s, txn, 4500, &n), 0);
	assert_int_equal(n, 1); /* r4 */
	assert_int_equal(entries(txn, DB_REQUESTS), 1);
	assert_int_equal(entries(txn, DB_REQUESTS_DUE), 1);
	unit_store_commit(&txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forgotten_replies_take_their_age_entries,
					    unit_store_setup, unit_store_teardown),
	};

	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
