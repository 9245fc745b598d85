/*
 * store_index.c: the store's index databases. An index entry is a key with
 * an empty value. Keys of the NUL-joined indexes (by stage, by school,
 * people by role, ...) are their parts separated by NUL bytes, the id last;
 * keys of the due-time indexes (outbox due and in flight, timers) are an
 * 8-byte big-endian time then the id, so a cursor meets them in due order.
 */
#include "store_internal.h"

#include <string.h>

#include "util.h"

size_t
store_index_key(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
	size_t n = 0;
	const char *parts[3] = {a, b, c};

	for (int i = 0; i < 3 && parts[i] != NULL; i++) {
		size_t len = strlen(parts[i]);

		if (n + len + 1 > cap)
			fatal("index key too long");
		if (i > 0)
			buf[n++] = '\0';
		memcpy(buf + n, parts[i], len);
		n += len;
	}
	return n;
}

int
store_index_put(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		const char *c, struct pw_status *st)
{
	char buf[512];
	MDB_val k = {store_index_key(buf, sizeof buf, a, b, c), buf}, v = {0, (void *)""};
	int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);

	return rc ? store_lmdb_fail(st, rc, store_db_names[db]) : 0;
}

int
store_index_del(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		const char *c)
{
	char buf[512];
	MDB_val k = {store_index_key(buf, sizeof buf, a, b, c), buf};
	int rc = mdb_del(txn, s->dbi[db], &k, NULL);

	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_index_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		 const char *after1, const char *after2, store_visit_fn fn, void *ud)
{
	char prefix[512], start[1024];
	size_t plen, slen;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	plen = store_index_key(prefix, sizeof prefix - 1, a, b, NULL);
	prefix[plen++] = '\0';
	memcpy(start, prefix, plen);
	slen = plen;
	if (after1 != NULL) {
		slen +=
		    store_index_key(start + slen, sizeof start - slen - 1, after1, after2, NULL);
		start[slen++] = '\0'; /* the smallest key after prefix + after */
	}
	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	k.mv_size = slen;
	k.mv_data = start;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char last[PW_ID_MAX + 1];
		const char *p = k.mv_data, *nul;
		size_t llen;

		if (k.mv_size < plen || memcmp(p, prefix, plen) != 0)
			break;
		nul = memrchr(p, '\0', k.mv_size);
		llen = k.mv_size - (size_t)(nul + 1 - p);
		if (llen > PW_ID_MAX)
			continue;
		memcpy(last, nul + 1, llen);
		last[llen] = '\0';
		if (fn(last, ud) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

size_t
store_due_key(char *buf, size_t cap, int64_t at, const char *id)
{
	size_t n = strlen(id);

	if (n + 8 > cap)
		fatal("due key too long");
	store_be64_put((unsigned char *)buf, (uint64_t)(at < 0 ? 0 : at));
	memcpy(buf + 8, id, n);
	return n + 8;
}

int
store_due_put(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id,
	      struct pw_status *st)
{
	char buf[PW_ID_MAX + 16];
	MDB_val k = {store_due_key(buf, sizeof buf, at, id), buf}, v = {0, (void *)""};
	int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);

	return rc ? store_lmdb_fail(st, rc, store_db_names[db]) : 0;
}

int
store_due_del(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id)
{
	char buf[PW_ID_MAX + 16];
	MDB_val k = {store_due_key(buf, sizeof buf, at, id), buf};
	int rc = mdb_del(txn, s->dbi[db], &k, NULL);

	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_due_scan(struct store *s, MDB_txn *txn, enum store_db db, int64_t upto, store_due_fn fn,
	       void *ud)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char id[PW_ID_MAX + 1];
		int64_t at;

		if (k.mv_size < 9 || k.mv_size > 8 + PW_ID_MAX)
			continue;
		at = (int64_t)store_be64_get(k.mv_data);
		if (at > upto)
			break;
		memcpy(id, (char *)k.mv_data + 8, k.mv_size - 8);
		id[k.mv_size - 8] = '\0';
		if (fn(at, id, ud) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_due_first(struct store *s, MDB_txn *txn, enum store_db db, int64_t *at)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	if (rc == 0 && k.mv_size >= 8)
		*at = (int64_t)store_be64_get(k.mv_data);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return PW_ENOTFOUND;
	return rc == 0 ? 0 : PW_ESTORE;
}

int
store_collect_id(const char *last, void *ud)
{
	json_array_append_new(ud, json_string(last));
	return 0;
}
