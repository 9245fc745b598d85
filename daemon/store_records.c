/*
 * store_records.c: records, counters and the encodings the store's files
 * share. A record is compact JSON under its id (the key is the id's bytes,
 * no terminator); a counter is a decimal string under its name in DB_META.
 * The database names LMDB knows the databases by are listed here, in the
 * order of enum store_db.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const store_db_names[DB_COUNT] = {
    [DB_APPS] = "apps",
    [DB_PEOPLE] = "people",
    [DB_SCHOOLS] = "schools",
    [DB_COHORTS] = "cohorts",
    [DB_BY_STAGE] = "by_stage",
    [DB_BY_SCHOOL] = "by_school",
    [DB_EVENTS] = "events",
    [DB_APP_EVENTS] = "app_events",
    [DB_REQUESTS] = "requests",
    [DB_META] = "meta",
    [DB_PEOPLE_ROLE] = "people_role",
    [DB_OUTBOX] = "outbox",
    [DB_OUTBOX_DUE] = "outbox_due",
    [DB_TIMERS] = "timers",
    [DB_TIMER_RECS] = "timer_recs",
    [DB_APP_TIMERS] = "app_timers",
    [DB_OVERDUE] = "overdue",
    [DB_OPPORTUNITIES] = "opportunities",
    [DB_DIGESTS] = "digests",
    [DB_OUTBOX_INFLIGHT] = "outbox_inflight",
    [DB_REQUESTS_DUE] = "requests_due",
    [DB_KEYS] = "keys",
    [DB_KEYS_BY_PUBLIC] = "keys_by_public",
    [DB_TOKENS] = "tokens",
    [DB_FORMS] = "forms",
    [DB_FEEDBACK] = "feedback",
    [DB_APP_FEEDBACK] = "app_feedback",
    [DB_BY_PERSON] = "by_person",
    [DB_SUPPORT] = "support",
    [DB_BOOKINGS] = "bookings",
    [DB_POSTS] = "posts",
    [DB_POST_APPS] = "post_apps",
    [DB_PERSON_EVENTS] = "person_events",
    [DB_PERSON_FORMS] = "person_forms",
};

int
store_lmdb_fail(struct pw_status *st, int rc, const char *what)
{
	return pw_fail(st, PW_ESTORE, "store: %s: %s", what, mdb_strerror(rc));
}

static MDB_val
key_of(const char *id)
{
	MDB_val k = {strlen(id), (void *)id};

	return k;
}

int
store_rec_get(struct store *s, MDB_txn *txn, enum store_db db, const char *id, json_t **out)
{
	MDB_val k = key_of(id), v;
	int rc;

	*out = NULL;
	rc = mdb_get(txn, s->dbi[db], &k, &v);
	if (rc == MDB_NOTFOUND)
		return PW_ENOTFOUND;
	if (rc != 0)
		return PW_ESTORE;
	*out = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	if (*out == NULL)
		fatal("store: record %s/%s is not JSON", store_db_names[db], id);
	return 0;
}

int
store_rec_del(struct store *s, MDB_txn *txn, enum store_db db, const char *id)
{
	MDB_val k = key_of(id);
	int rc = mdb_del(txn, s->dbi[db], &k, NULL);

	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_rec_exists(struct store *s, MDB_txn *txn, enum store_db db, const char *id)
{
	MDB_val k = key_of(id), v;

	return mdb_get(txn, s->dbi[db], &k, &v) == 0;
}

int
store_json_put(struct store *s, MDB_txn *txn, enum store_db db, MDB_val *k, const json_t *rec,
	       unsigned flags, struct pw_status *st)
{
	char *buf = proto_encode(rec);
	MDB_val v = {strlen(buf), buf};
	int rc = mdb_put(txn, s->dbi[db], k, &v, flags);

	free(buf);
	if (rc == MDB_MAP_FULL)
		return pw_fail(st, PW_ESTORE,
			       "store: the map is full; raise daemon.map_size_mb and restart");
	return rc ? store_lmdb_fail(st, rc, store_db_names[db]) : 0;
}

int
store_rec_put(struct store *s, MDB_txn *txn, enum store_db db, const char *id, const json_t *rec,
	      struct pw_status *st)
{
	MDB_val k = key_of(id);

	return store_json_put(s, txn, db, &k, rec, 0, st);
}

int
store_rec_visit(enum store_db db, const MDB_val *k, const MDB_val *v, store_rec_fn fn, void *ud)
{
	char id[PW_ID_MAX * 3];
	json_t *rec;
	int stop;

	snprintf(id, sizeof id, "%.*s", (int)k->mv_size, (const char *)k->mv_data);
	rec = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	if (rec == NULL)
		fatal("store: record %s/%s is not JSON", store_db_names[db], id);
	stop = fn(id, rec, ud);
	json_decref(rec);
	return stop;
}

int
store_collect_rec(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_array_append(ud, rec);
	return 0;
}

int
store_rec_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *after, store_rec_fn fn,
	       void *ud)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, op = MDB_FIRST;

	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	if (after != NULL) {
		k = key_of(after);
		op = MDB_SET_RANGE;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, op); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (after != NULL && k.mv_size == strlen(after) &&
		    memcmp(k.mv_data, after, k.mv_size) == 0)
			continue;
		if (store_rec_visit(db, &k, &v, fn, ud))
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_rec_prefix_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *prefix,
		      store_rec_fn fn, void *ud)
{
	MDB_cursor *cur;
	MDB_val k = key_of(prefix), v;
	size_t n = strlen(prefix);
	int rc;

	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < n || memcmp(k.mv_data, prefix, n) != 0)
			break;
		if (store_rec_visit(db, &k, &v, fn, ud))
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

static int
prefix_collect(const char *id, json_t *rec, void *ud)
{
	json_object_set(ud, id, rec);
	return 0;
}

int
store_rec_prefix(struct store *s, MDB_txn *txn, enum store_db db, const char *prefix, json_t **out)
{
	*out = json_object();
	if (store_rec_prefix_scan(s, txn, db, prefix, prefix_collect, *out) == 0)
		return 0;
	json_decref(*out);
	*out = NULL;
	return PW_ESTORE;
}

int
store_counter_next(struct store *s, MDB_txn *txn, const char *name, uint64_t *out,
		   struct pw_status *st)
{
	MDB_val k = key_of(name), v;
	char buf[32];
	uint64_t x = 0;
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);

	if (rc == 0) {
		snprintf(buf, sizeof buf, "%.*s", (int)(v.mv_size < 31 ? v.mv_size : 31),
			 (const char *)v.mv_data);
		x = strtoull(buf, NULL, 10);
	} else if (rc != MDB_NOTFOUND) {
		return store_lmdb_fail(st, rc, "meta");
	}
	*out = ++x;
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
	v.mv_size = strlen(buf);
	v.mv_data = buf;
	rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
	return rc ? store_lmdb_fail(st, rc, "meta") : 0;
}
