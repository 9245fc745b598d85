/*
 * store_chain.c: the event log's hash chain (PROTOCOL.md, "The hash
 * chain"). Every event carries "prev", the hash of the event before it (64
 * zeros before the first); an event's hash is BLAKE2b-256 (libsodium
 * crypto_generichash) of its canonical form, the event's JSON with its keys
 * sorted and no whitespace, which is also exactly the bytes stored under its
 * seq. The hash of the last event is kept in DB_META under "head_hash", so
 * changing any byte of any event, the last one too, breaks a link that
 * store_audit_verify finds, streaming through the log with one cursor.
 */
#include "store_internal.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_enc.h"
#include "util.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define HEAD_KEY "head_hash"

char *
store_event_canonical(const json_t *ev)
{
	char *s = pw_json_dumps(ev, JSON_SORT_KEYS | JSON_COMPACT);

	if (s == NULL)
		fatal("cannot encode an event");
	return s;
}

static void
hash_bytes(const void *p, size_t n, char hex[STORE_HASH_HEX])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, p, n, NULL, 0);
	sodium_bin2hex(hex, STORE_HASH_HEX, h, sizeof h);
}

void
store_event_hash(const json_t *ev, char hex[STORE_HASH_HEX])
{
	char *s = store_event_canonical(ev);

	hash_bytes(s, strlen(s), hex);
	free(s);
}

/* Whether p is 64 lowercase hex digits. */
static int
hash_valid(const char *p)
{
	size_t i;

	for (i = 0; p != NULL && i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return p != NULL && p[64] == '\0';
}

int
store_head_hash(struct store *s, MDB_txn *txn, char hex[STORE_HASH_HEX])
{
	MDB_val k = {sizeof HEAD_KEY - 1, (void *)HEAD_KEY}, v;
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);

	memcpy(hex, ZERO_HASH, STORE_HASH_HEX);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return PW_ESTORE;
	if (v.mv_size == 64)
		memcpy(hex, v.mv_data, 64);
	return 0;
}

int
store_chain_put(struct store *s, MDB_txn *txn, MDB_val *k, const json_t *ev, unsigned flags,
		char **text, struct pw_status *st)
{
	char *buf = store_event_canonical(ev), hex[STORE_HASH_HEX];
	MDB_val v = {strlen(buf), buf}, hk = {sizeof HEAD_KEY - 1, (void *)HEAD_KEY};
	int rc = mdb_put(txn, s->dbi[DB_EVENTS], k, &v, flags);

	if (rc == 0) {
		hash_bytes(buf, v.mv_size, hex);
		v.mv_size = 64;
		v.mv_data = hex;
		rc = mdb_put(txn, s->dbi[DB_META], &hk, &v, 0);
	}
	if (rc == 0 && text != NULL)
		*text = buf;
	else
		free(buf);
	if (rc == MDB_MAP_FULL)
		return pw_fail(st, PW_ESTORE,
			       "store: the map is full; raise daemon.map_size_mb and restart");
	return rc ? store_lmdb_fail(st, rc, "events") : 0;
}

int
store_chain_rebuild(struct store *s, MDB_txn *txn, size_t *n, struct pw_status *st)
{
	unsigned char kb[8];
	MDB_cursor *cur;
	MDB_val k = {8, kb}, v;
	uint64_t next = 1;
	char prev[STORE_HASH_HEX] = ZERO_HASH;
	int rc = mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur);

	*n = 0;
	/* Each step looks the next seq up again: the put may have moved the pages. */
	while (rc == 0) {
		json_t *ev;

		store_be64_put(kb, next);
		k.mv_size = 8;
		k.mv_data = kb;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc != 0 || k.mv_size != 8)
			break;
		next = store_be64_get(k.mv_data) + 1;
		ev = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		if (ev == NULL) {
			mdb_cursor_close(cur);
			return pw_fail(st, PW_ESTORE, "store: event %llu is not JSON",
				       (unsigned long long)(next - 1));
		}
		store_be64_put(kb, next - 1);
		k.mv_data = kb;
		json_object_set_new(ev, "prev", json_string(prev));
		store_event_hash(ev, prev);
		rc = store_chain_put(s, txn, &k, ev, 0, NULL, st);
		json_decref(ev);
		if (rc != 0) {
			mdb_cursor_close(cur);
			return rc;
		}
		(*n)++;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_lmdb_fail(st, rc, "chaining the events");
	return 0;
}

/* Here, below store_events.c, which appends after it and hashes through this file. */
int
store_event_head(struct store *s, MDB_txn *txn, uint64_t *seq)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*seq = 0;
	if (mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur) != 0)
		return PW_ESTORE;
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		*seq = store_be64_get(k.mv_data);
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

/* The chain is broken at seq, for reason: fill a and return 1. */
__attribute__((format(printf, 3, 4))) static int
broken(struct store_audit *a, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	a->ok = 0;
	a->broken_at = seq;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof a->reason, fmt, ap);
	va_end(ap);
	return 1;
}

/* The hash of the stored bytes of event seq into hex; 0, or PW_ENOTFOUND. */
static int
raw_hash(struct store *s, MDB_txn *txn, uint64_t seq, char hex[STORE_HASH_HEX])
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;

	store_be64_put(kb, seq);
	if (mdb_get(txn, s->dbi[DB_EVENTS], &k, &v) != 0)
		return PW_ENOTFOUND;
	hash_bytes(v.mv_data, v.mv_size, hex);
	return 0;
}

/*
 * Whether hash h of event seq is what follows it records: the next event's
 * prev, or the head hash when seq is the head.
 */
static int
link_holds(struct store *s, MDB_txn *txn, const struct store_audit *a, uint64_t seq, const char *h)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	json_t *ev;
	int ok;

	if (seq == a->head)
		return strcmp(h, a->head_hash) == 0;
	store_be64_put(kb, seq + 1);
	if (mdb_get(txn, s->dbi[DB_EVENTS], &k, &v) != 0)
		return 0;
	ev = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	ok = ev != NULL && strcmp(h, str(ev, "prev") ? str(ev, "prev") : "") == 0;
	json_decref(ev);
	return ok;
}

/* Check event seq (stored as v) against expect, the hash of the one before; 1 when broken. */
static int
check_one(struct store *s, MDB_txn *txn, struct store_audit *a, uint64_t seq, const MDB_val *v,
	  char expect[STORE_HASH_HEX])
{
	char h[STORE_HASH_HEX];
	json_t *ev = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	const char *prev = str(ev, "prev");
	int rc = 0;

	hash_bytes(v->mv_data, v->mv_size, h);
	if (ev == NULL)
		rc = broken(a, seq, "event %llu is not JSON", (unsigned long long)seq);
	else if (json_integer_value(json_object_get(ev, "seq")) != (json_int_t)seq)
		rc = broken(a, seq, "event %llu says its seq is %lld", (unsigned long long)seq,
			    (long long)json_integer_value(json_object_get(ev, "seq")));
	else if (!hash_valid(prev))
		rc = broken(a, seq, "event %llu has no valid prev", (unsigned long long)seq);
	else if (strcmp(prev, expect) != 0) {
		/* Event seq's prev was changed (then its own hash breaks the next link too), or
		 * the event before it was. */
		if (!link_holds(s, txn, a, seq, h))
			rc = broken(a, seq, "the prev of event %llu is not the hash of event %llu",
				    (unsigned long long)seq, (unsigned long long)seq - 1);
		else
			rc = broken(a, seq - 1,
				    "event %llu was changed: it does not hash to the prev event "
				    "%llu records",
				    (unsigned long long)seq - 1, (unsigned long long)seq);
	}
	json_decref(ev);
	memcpy(expect, h, STORE_HASH_HEX);
	return rc;
}

int
store_audit_verify(struct store *s, MDB_txn *txn, uint64_t from, uint64_t limit,
		   struct store_audit *a)
{
	unsigned char kb[8];
	MDB_cursor *cur;
	MDB_val k = {8, kb}, v;
	char expect[STORE_HASH_HEX] = ZERO_HASH;
	uint64_t last, seq;
	int rc, op = MDB_SET_RANGE;

	memset(a, 0, sizeof *a);
	a->ok = 1;
	if (store_event_head(s, txn, &a->head) != 0 || store_head_hash(s, txn, a->head_hash) != 0)
		return PW_ESTORE;
	if (from < 1)
		from = 1;
	last = limit > 0 && limit - 1 < a->head - from ? from + limit - 1 : a->head;
	if (from > a->head) {
		if (a->head == 0 && strcmp(a->head_hash, ZERO_HASH) != 0)
			broken(a, 0, "the log is empty but the store records a head hash");
		return 0;
	}
	if (from > 1 && raw_hash(s, txn, from - 1, expect) != 0) {
		broken(a, from - 1, "event %llu is missing from the log",
		       (unsigned long long)from - 1);
		return 0;
	}
	store_be64_put(kb, from);
	if (mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur) != 0)
		return PW_ESTORE;
	for (seq = from; seq <= last; seq++, op = MDB_NEXT) {
		rc = mdb_cursor_get(cur, &k, &v, op);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			mdb_cursor_close(cur);
			return PW_ESTORE;
		}
		if (rc != 0 || k.mv_size != 8 || store_be64_get(k.mv_data) != seq) {
			broken(a, seq, "event %llu is missing from the log",
			       (unsigned long long)seq);
			break;
		}
		if (check_one(s, txn, a, seq, &v, expect))
			break;
		a->checked++;
	}
	mdb_cursor_close(cur);
	if (a->ok && last == a->head && strcmp(expect, a->head_hash) != 0)
		broken(
		    a, last,
		    "event %llu was changed: it does not hash to the head hash the store records",
		    (unsigned long long)last);
	return 0;
}
