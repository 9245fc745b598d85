/*
 * store_forget.c: stored replies (DB_REQUESTS, kept idempotency_hours for
 * resends) forgotten early when they name an erased person. A reply is
 * compact JSON; each needle is matched as a whole JSON string (quotes
 * included), so an id "p-1" does not match "p-10". A forgotten reply goes
 * with its age index entry (DB_REQUESTS_DUE): a resend of its request id
 * then runs afresh, as one older than the window does.
 */
#include "store_forget.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

static int
names_any(const MDB_val *v, char *const *needles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (needles[i] != NULL &&
		    memmem(v->mv_data, v->mv_size, needles[i], strlen(needles[i])) != NULL)
			return 1;
	return 0;
}

/*
 * Delete the age index entry of the stored reply under key k, whose record
 * said it was stored at "at". A record that does not say (it did not parse,
 * or has no "at"), or an entry not where it says, is looked for through the
 * whole index: left behind, it would delete a later reply under the same
 * key before that reply's time (store_requests_prune).
 */
static int
due_del(struct store *s, MDB_txn *txn, const MDB_val *k, const json_t *at)
{
	unsigned char due[8 + 512];
	MDB_val dk = {8 + k->mv_size, due}, v;
	MDB_cursor *cur;
	int rc = MDB_NOTFOUND;

	if (k->mv_size > sizeof due - 8)
		return MDB_NOTFOUND; /* too long to have been indexed */
	if (json_is_integer(at)) {
		store_be64_put(due, (uint64_t)json_integer_value(at));
		memcpy(due + 8, k->mv_data, k->mv_size);
		rc = mdb_del(txn, s->dbi[DB_REQUESTS_DUE], &dk, NULL);
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	if ((rc = mdb_cursor_open(txn, s->dbi[DB_REQUESTS_DUE], &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &dk, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &dk, &v, MDB_NEXT)) {
		if (dk.mv_size == 8 + k->mv_size &&
		    memcmp((char *)dk.mv_data + 8, k->mv_data, k->mv_size) == 0) {
			rc = mdb_cursor_del(cur, 0);
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc;
}

int
store_requests_forget(struct store *s, MDB_txn *txn, const char *const *words, size_t n,
		      size_t *forgotten)
{
	char **needles = xcalloc(n + 1, sizeof *needles);
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc;

	*forgotten = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *w = words[i] != NULL && *words[i] ? json_string(words[i]) : NULL;

		needles[i] = w != NULL ? json_dumps(w, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		json_decref(w);
	}
	rc = mdb_cursor_open(txn, s->dbi[DB_REQUESTS], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		json_t *rec;

		if (!names_any(&v, needles, n))
			continue;
		rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		rc = due_del(s, txn, &k, json_object_get(rec, "at"));
		json_decref(rec);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
		(*forgotten)++;
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	for (size_t i = 0; i < n; i++)
		free(needles[i]);
	free(needles);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}
