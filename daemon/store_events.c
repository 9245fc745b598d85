/*
 * store_events.c: the event log and the replies kept for request ids. Events
 * are compact JSON under their sequence number (8 bytes big-endian,
 * DB_EVENTS) and indexed per application (app id, NUL, seq: DB_APP_EVENTS)
 * and per person it names (DB_PERSON_EVENTS, store_person.c). Each event
 * is chained to the one before by "prev" (store_chain.c). A stored reply is
 * {"at", "reply"} under actor, NUL, the JSON-encoded request id
 * (DB_REQUESTS), indexed by age (time, then that key: DB_REQUESTS_DUE) so
 * pruning reads only what has expired.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "json_enc.h"
#include "util.h"

int
store_event_append(struct store *s, MDB_txn *txn, json_t *ev, uint64_t *seq, char **text,
		   struct pw_status *st)
{
	unsigned char kb[8];
	MDB_val k = {8, kb};
	const char *app = json_string_value(json_object_get(ev, "app"));
	char prev[STORE_HASH_HEX];
	uint64_t head;
	int rc;

	if (text != NULL)
		*text = NULL;
	if (store_event_head(s, txn, &head) != 0 || store_head_hash(s, txn, prev) != 0)
		return pw_fail(st, PW_ESTORE, "store: reading the event head");
	*seq = head + 1;
	store_be64_put(kb, *seq);
	json_object_set_new(ev, "seq", json_integer((json_int_t)*seq));
	/* The hash chain: this event names the last one's hash, and becomes the head. */
	json_object_set_new(ev, "prev", json_string(prev));
	rc = store_chain_put(s, txn, &k, ev, MDB_APPEND, text, st);
	if (rc == 0 && (rc = store_person_index_event(s, txn, ev, *seq)) != 0)
		rc = store_lmdb_fail(st, rc, "person_events");
	else if (rc == 0 && app != NULL) {
		char buf[PW_ID_MAX + 16];
		size_t n = strlen(app);
		MDB_val ik = {n + 9, buf}, iv = {0, (void *)""};

		memcpy(buf, app, n);
		buf[n] = '\0';
		store_be64_put((unsigned char *)buf + n + 1, *seq);
		if ((rc = mdb_put(txn, s->dbi[DB_APP_EVENTS], &ik, &iv, 0)) != 0)
			rc = store_lmdb_fail(st, rc, "app_events");
	}
	if (rc != 0 && text != NULL) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static int
event_load(struct store *s, MDB_txn *txn, uint64_t seq, json_t **out)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;

	store_be64_put(kb, seq);
	if (mdb_get(txn, s->dbi[DB_EVENTS], &k, &v) != 0)
		return PW_ESTORE;
	*out = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	if (*out == NULL)
		fatal("store: event %llu is not JSON", (unsigned long long)seq);
	return 0;
}

int
store_events_since(struct store *s, MDB_txn *txn, uint64_t after, int limit, json_t **out)
{
	unsigned char kb[8];
	MDB_cursor *cur;
	MDB_val k = {8, kb}, v;
	int rc, n = 0;

	*out = json_array();
	store_be64_put(kb, after + 1);
	if (mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && n < limit;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++) {
		json_t *ev = json_loadb(v.mv_data, v.mv_size, 0, NULL);

		if (ev == NULL)
			fatal("store: an event is not JSON");
		json_array_append_new(*out, ev);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_app_events(struct store *s, MDB_txn *txn, const char *app, uint64_t after, int limit,
		 json_t **out, uint64_t *next)
{
	size_t n = strlen(app);
	char buf[PW_ID_MAX + 16];
	MDB_cursor *cur;
	MDB_val k = {n + 9, buf}, v;
	uint64_t last = 0;
	int rc, got = 0;

	*out = json_array();
	*next = 0;
	memcpy(buf, app, n);
	buf[n] = '\0';
	store_be64_put((unsigned char *)buf + n + 1, after + 1);
	if (mdb_cursor_open(txn, s->dbi[DB_APP_EVENTS], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		json_t *ev;

		if (k.mv_size != n + 9 || memcmp(k.mv_data, buf, n + 1) != 0)
			break;
		seq = store_be64_get((unsigned char *)k.mv_data + n + 1);
		if (got == limit) {
			*next = last; /* more to come: resume after the last one given */
			break;
		}
		rc = event_load(s, txn, seq, &ev);
		if (rc != 0)
			break;
		json_array_append_new(*out, ev);
		last = seq;
		got++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

/* The requests key: scope NUL JSON-encoded request id. */
static size_t
request_key(char *buf, size_t cap, const char *actor, const json_t *reqid)
{
	char *id = pw_json_dumps(reqid, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n;

	if (id == NULL)
		fatal("cannot encode a request id");
	n = store_index_key(buf, cap, actor, id, NULL);
	free(id);
	return n;
}

int
store_request_get(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
		  const char *sum, json_t **reply)
{
	char buf[512];
	MDB_val k = {request_key(buf, sizeof buf, scope, reqid), buf}, v;
	json_t *rec;
	int rc = mdb_get(txn, s->dbi[DB_REQUESTS], &k, &v);

	*reply = NULL;
	if (rc == MDB_NOTFOUND)
		return PW_ENOTFOUND;
	if (rc != 0)
		return PW_ESTORE;
	rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	if (rec == NULL)
		fatal("store: a stored reply is not JSON");
	/* The same id for another command or other arguments is not a resend. */
	if (sum != NULL && str(rec, "sum") != NULL && strcmp(sum, str(rec, "sum")) != 0) {
		json_decref(rec);
		return PW_EINVALID;
	}
	*reply = json_incref(json_object_get(rec, "reply"));
	json_decref(rec);
	return *reply ? 0 : PW_ENOTFOUND;
}

int
store_request_age_put(struct store *s, MDB_txn *txn, const MDB_val *k, int64_t at)
{
	unsigned char due[8 + 512];
	MDB_val dk = {8 + k->mv_size, due}, dv = {0, (void *)""};

	if (k->mv_size > sizeof due - 8)
		return MDB_BAD_VALSIZE;
	store_be64_put(due, (uint64_t)at);
	memcpy(due + 8, k->mv_data, k->mv_size);
	return mdb_put(txn, s->dbi[DB_REQUESTS_DUE], &dk, &dv, 0);
}

/* The record {"at", "reply", "sum"} written around the reply's text, not encoded again. */
int
store_request_put_text(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
		       const char *sum, const char *reply, int64_t now, struct pw_status *st)
{
	char buf[512];
	MDB_val k = {request_key(buf, sizeof buf, scope, reqid), buf}, v;
	char *rec = sum != NULL ? xasprintf("{\"at\":%lld,\"reply\":%s,\"sum\":\"%s\"}",
					    (long long)now, reply, sum)
				: xasprintf("{\"at\":%lld,\"reply\":%s}", (long long)now, reply);
	int rc;

	v.mv_size = strlen(rec);
	v.mv_data = rec;
	rc = mdb_put(txn, s->dbi[DB_REQUESTS], &k, &v, 0);
	free(rec);
	if (rc == MDB_MAP_FULL)
		return pw_fail(st, PW_ESTORE,
			       "store: the map is full; raise daemon.map_size_mb and restart");
	if (rc != 0)
		return store_lmdb_fail(st, rc, "requests");
	rc = store_request_age_put(s, txn, &k, now);
	return rc ? store_lmdb_fail(st, rc, "requests_due") : 0;
}

int
store_request_put(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
		  const char *sum, const json_t *reply, int64_t now, struct pw_status *st)
{
	char *text = proto_encode(reply);
	int rc = store_request_put_text(s, txn, scope, reqid, sum, text, now, st);

	free(text);
	return rc;
}

int
store_requests_prune(struct store *s, MDB_txn *txn, int64_t before, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	/* Oldest first through the age index: the cost is the expired ones only. */
	*n = 0;
	if (mdb_cursor_open(txn, s->dbi[DB_REQUESTS_DUE], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		MDB_val rk = {k.mv_size - 8, (char *)k.mv_data + 8};

		if (k.mv_size <= 8 || (int64_t)store_be64_get(k.mv_data) >= before)
			break;
		rc = mdb_del(txn, s->dbi[DB_REQUESTS], &rk, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
		(*n)++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}
