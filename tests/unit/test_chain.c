/*
 * test_chain.c: the event log's hash chain (daemon/store_chain.c): the
 * canonical form and its hash against a value computed outside (Python's
 * hashlib.blake2b), events appended with their "prev", store_audit_verify
 * on an honest log and on logs changed behind the store's back (an event's
 * content, its prev, the last event, a missing event), from and limit, and
 * the upgrade of a schema version 5 store, whose events have no "prev".
 */
#include "unit.h"
#include "unit_store.h"

#include <lmdb.h>

#include "store_internal.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

/* Append n events "test.N" in one transaction. */
static void
append(int n)
{
	MDB_txn *txn = unit_store_begin(0);

	for (int i = 0; i < n; i++) {
		json_t *ev = json_pack("{s:s, s:s, s:{s:i}}", "type", "test.event", "at",
				       "2026-11-22T15:37:50Z", "data", "i", i);
		uint64_t seq;

		assert_int_equal(store_event_append(s, txn, ev, &seq, NULL, &st), 0);
		json_decref(ev);
	}
	assert_int_equal(store_txn_commit(&txn, &st), 0);
}

static struct store_audit
verify(uint64_t from, uint64_t limit)
{
	MDB_txn *txn = unit_store_begin(0);
	struct store_audit a;

	assert_int_equal(store_audit_verify(s, txn, from, limit, &a), 0);
	store_txn_abort(&txn);
	return a;
}

/* The stored bytes of event seq, as a new string. */
static char *
raw_get(uint64_t seq)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	MDB_txn *txn = unit_store_begin(0);
	char *out;

	store_be64_put(kb, seq);
	assert_int_equal(mdb_get(txn, s->dbi[DB_EVENTS], &k, &v), 0);
	out = xasprintf("%.*s", (int)v.mv_size, (const char *)v.mv_data);
	store_txn_abort(&txn);
	return out;
}

/* Store bytes as event seq (NULL: delete it), behind the chain's back. */
static void
raw_put(uint64_t seq, const char *bytes)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v = {bytes ? strlen(bytes) : 0, (void *)bytes};
	MDB_txn *txn = unit_store_begin(0);

	store_be64_put(kb, seq);
	if (bytes != NULL)
		assert_int_equal(mdb_put(txn, s->dbi[DB_EVENTS], &k, &v, 0), 0);
	else
		assert_int_equal(mdb_del(txn, s->dbi[DB_EVENTS], &k, NULL), 0);
	assert_int_equal(store_txn_commit(&txn, &st), 0);
}

/* Change the first occurrence of from in event seq to to; returns the original bytes. */
static char *
tamper(uint64_t seq, const char *from, const char *to)
{
	char *was = raw_get(seq), *at = strstr(was, from), *now;

	assert_non_null(at);
	now = xasprintf("%.*s%s%s", (int)(at - was), was, to, at + strlen(from));
	raw_put(seq, now);
	free(now);
	return was;
}

static void
test_canonical_hash(void **state)
{
	json_t *ev =
	    json_pack("{s:I, s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "seq", (json_int_t)1, "type",
		      "person.created", "at", "2026-11-22T15:37:50Z", "actor", "operator", "data",
		      "person", "p-1", "name", "Zo\xc3\xab", "prev", ZEROS);
	char hex[STORE_HASH_HEX], *canon = store_event_canonical(ev);

	(void)state;
	/* Keys sorted at every depth, no whitespace, UTF-8 as it is. */
	assert_string_equal(canon, "{\"actor\":\"operator\",\"at\":\"2026-11-22T15:37:50Z\","
				   "\"data\":{\"name\":\"Zo\xc3\xab\",\"person\":\"p-1\"},"
				   "\"prev\":\"" ZEROS "\",\"seq\":1,\"type\":\"person.created\"}");
	/* hashlib.blake2b(canon.encode(), digest_size=32).hexdigest() */
	store_event_hash(ev, hex);
	assert_string_equal(hex,
			    "3dcd509763c2fea31888f6cf96dd8a2fd3166fe637848a3fcae470973731163a");
	free(canon);
	json_decref(ev);
}

static void
test_append_chains(void **state)
{
	MDB_txn *txn;
	json_t *evs, *ev;
	char hex[STORE_HASH_HEX], head[STORE_HASH_HEX];
	struct store_audit a = verify(1, 0);
	size_t i;

	(void)state;
	assert_true(a.ok);
	assert_int_equal(a.checked, 0);
	assert_string_equal(a.head_hash, ZEROS);
	append(5);
	txn = unit_store_begin(0);
	assert_int_equal(store_events_since(s, txn, 0, 100, &evs), 0);
	assert_int_equal(store_head_hash(s, txn, head), 0);
	store_txn_abort(&txn);
	assert_int_equal(json_array_size(evs), 5);
	strcpy(hex, ZEROS);
	json_array_foreach(evs, i, ev)
	{
		char *canon = store_event_canonical(ev), *raw = raw_get(i + 1);

		assert_string_equal(str(ev, "prev"), hex);
		assert_string_equal(raw, canon); /* stored in the canonical form */
		store_event_hash(ev, hex);
		free(canon);
		free(raw);
	}
	assert_string_equal(head, hex);
	json_decref(evs);
	a = verify(1, 0);
	assert_true(a.ok);
	assert_int_equal(a.checked, 5);
	assert_int_equal(a.head, 5);
	assert_string_equal(a.head_hash, head);
	a = verify(3, 0);
	assert_true(a.ok);
	assert_int_equal(a.checked, 3);
	a = verify(2, 2);
	assert_true(a.ok);
	assert_int_equal(a.checked, 2);
	a = verify(9, 0);
	assert_true(a.ok);
	assert_int_equal(a.checked, 0);
}

static void
test_tampered(void **state)
{
	struct store_audit a;
	char *was;

	(void)state;
	/* a byte of an event's content: that event is named */
	was = tamper(3, "\"at\":\"2026", "\"at\":\"2027");
	a = verify(1, 0);
	assert_false(a.ok);
	assert_int_equal(a.broken_at, 3);
	assert_non_null(strstr(a.reason, "event 3 was changed"));
	/* also when checking starts right after it, or stops right at it */
	assert_int_equal(verify(4, 0).broken_at, 3);
	assert_true(verify(1, 3).ok);
	raw_put(3, was);
	free(was);
	assert_true(verify(1, 0).ok);

	/* an event's prev */
	was = tamper(4, "\"prev\":\"", "\"prev\":\"1");
	assert_int_equal(verify(1, 0).broken_at, 4); /* not 64 hex digits any more */
	raw_put(4, was);
	free(was);
	was = raw_get(4);
	{
		char *now = xstrdup(was), *p = strstr(now, "\"prev\":\"") + 8;

		*p = *p == '0' ? '1' : '0'; /* one digit of the hash, still 64 of them */
		raw_put(4, now);
		free(now);
	}
	a = verify(1, 0);
	assert_false(a.ok);
	assert_int_equal(a.broken_at, 4);
	assert_non_null(strstr(a.reason, "prev of event 4"));
	raw_put(4, was);
	free(was);

	/* the last event: the head hash in meta catches it */
	was = tamper(5, "\"i\":4", "\"i\":7");
	a = verify(1, 0);
	assert_false(a.ok);
	assert_int_equal(a.broken_at, 5);
	raw_put(5, was);
	free(was);

	/* an event gone */
	was = raw_get(2);
	raw_put(2, NULL);
	a = verify(1, 0);
	assert_false(a.ok);
	assert_int_equal(a.broken_at, 2);
	assert_non_null(strstr(a.reason, "missing"));
	raw_put(2, was);
	free(was);
	assert_true(verify(1, 0).ok);
}

/* Write meta key = value (NULL: delete it) with LMDB itself; the store must be closed. */
static void
meta_write(const char *key, const char *value)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {strlen(key), (void *)key}, v = {value ? strlen(value) : 0, (void *)value};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, UNIT_STORE_MAP), 0);
	assert_int_equal(mdb_env_open(env, dbdir, MDB_NOTLS, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	if (value != NULL)
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	else
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
test_upgrade_from_5(void **state)
{
	char head[STORE_HASH_HEX];
	struct store_audit a;
	MDB_txn *txn;

	(void)state;
	/* A version 5 log: the same events, no "prev", unsorted keys, no head hash. */
	for (uint64_t seq = 1; seq <= 5; seq++) {
		char *was = raw_get(seq), *old;
		json_t *ev = json_loads(was, 0, NULL);

		json_object_del(ev, "prev");
		old = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
		raw_put(seq, old);
		free(old);
		free(was);
		json_decref(ev);
	}
	txn = unit_store_begin(0);
	assert_int_equal(store_head_hash(s, txn, head), 0);
	store_txn_abort(&txn);
	store_close(&s);
	meta_write("head_hash", NULL);
	meta_write("schema", "5");
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0)
		fail_msg("upgrade: %s", st.msg);
	a = verify(1, 0);
	assert_true(a.ok);
	assert_int_equal(a.checked, 5);
	/* the same events as before, chained again: the same head hash */
	assert_string_equal(a.head_hash, head);
	append(1);
	a = verify(1, 0);
	assert_true(a.ok);
	assert_int_equal(a.head, 6);
}

int
main(void)
{
	/* in order: later tests use what earlier ones stored */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canonical_hash),
	    cmocka_unit_test(test_append_chains),
	    cmocka_unit_test(test_tampered),
	    cmocka_unit_test(test_upgrade_from_5),
	};

	return cmocka_run_group_tests(tests, unit_store_setup, unit_store_teardown);
}
