/*
 * store.c: one LMDB environment with the named databases of store.h.
 * Records and events are compact JSON; index keys are NUL-joined parts;
 * sequence numbers are 8-byte big-endian so the log sorts by number. The
 * environment is opened with full durability: a commit returns only once the
 * data is on disk. The store has no cache and no state of its own beyond the
 * database handles, so a child transaction that aborts leaves nothing behind.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
};

static const char *const db_names[DB_COUNT] = {
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
};

static int
lmdb_fail(struct pw_status *st, int rc, const char *what)
{
	return pw_fail(st, PW_ESTORE, "store: %s: %s", what, mdb_strerror(rc));
}

static int migrate_1_to_2(struct store *s, MDB_txn *txn, struct pw_status *st);

static int
schema_check(struct store *s, MDB_txn *txn, const char *path, struct pw_status *st)
{
	MDB_val k = {6, (void *)"schema"}, v;
	char want[16], have[16];
	int rc;

	snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
	rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		v.mv_size = strlen(want);
		v.mv_data = want;
		rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
		return rc ? lmdb_fail(st, rc, "writing the schema version") : 0;
	}
	if (rc != 0)
		return lmdb_fail(st, rc, "reading the schema version");
	snprintf(have, sizeof have, "%.*s", (int)(v.mv_size < 15 ? v.mv_size : 15),
		 (const char *)v.mv_data);
	if (strcmp(have, "1") == 0 && STORE_SCHEMA_VERSION == 2) {
		if (migrate_1_to_2(s, txn, st) != 0)
			return PW_ESTORE;
		v.mv_size = strlen(want);
		v.mv_data = want;
		rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
		return rc ? lmdb_fail(st, rc, "writing the schema version") : 0;
	}
	if (strcmp(have, want) != 0)
		return pw_fail(st, PW_ESTORE,
			       "store %s has schema version '%s'; this pathwayd reads version %s",
			       path, have, want);
	return 0;
}

int
store_open(const char *path, size_t map_size, struct store **out, struct pw_status *st)
{
	struct store *s = xcalloc(1, sizeof *s);
	MDB_txn *txn = NULL;
	int rc;

	*out = NULL;
	if (pw_mkdirs(path, 0750) != 0) {
		pw_fail(st, PW_ESTORE, "store: cannot create directory %s: %s", path,
			strerror(errno));
		goto fail;
	}
	rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(s->env, DB_COUNT);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, map_size);
	if (rc == 0)
		rc = mdb_env_open(s->env, path, MDB_NOTLS, 0640);
	if (rc != 0) {
		pw_fail(st, PW_ESTORE, "store: cannot open %s: %s", path, mdb_strerror(rc));
		goto fail;
	}
	rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc != 0) {
		lmdb_fail(st, rc, "beginning the open transaction");
		goto fail;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
		if (rc != 0) {
			lmdb_fail(st, rc, db_names[i]);
			goto fail;
		}
	}
	if (schema_check(s, txn, path, st) != 0)
		goto fail;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		lmdb_fail(st, rc, "committing the open transaction");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	store_close(&s);
	return PW_ESTORE;
}

void
store_close(struct store **ps)
{
	struct store *s = *ps;

	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	free(s);
	*ps = NULL;
}

int
store_txn_begin(struct store *s, MDB_txn *parent, int rdonly, MDB_txn **txn, struct pw_status *st)
{
	int rc = mdb_txn_begin(s->env, parent, rdonly ? MDB_RDONLY : 0, txn);

	return rc ? lmdb_fail(st, rc, "beginning a transaction") : 0;
}

int
store_txn_commit(MDB_txn **txn, struct pw_status *st)
{
	int rc = mdb_txn_commit(*txn);

	*txn = NULL;
	return rc ? lmdb_fail(st, rc, "commit") : 0;
}

void
store_txn_abort(MDB_txn **txn)
{
	if (*txn == NULL)
		return;
	mdb_txn_abort(*txn);
	*txn = NULL;
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
		fatal("store: record %s/%s is not JSON", db_names[db], id);
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

static int
put_json(struct store *s, MDB_txn *txn, enum store_db db, MDB_val *k, const json_t *rec,
	 unsigned flags, struct pw_status *st)
{
	char *buf = proto_encode(rec);
	MDB_val v = {strlen(buf), buf};
	int rc = mdb_put(txn, s->dbi[db], k, &v, flags);

	free(buf);
	if (rc == MDB_MAP_FULL)
		return pw_fail(st, PW_ESTORE,
			       "store: the map is full; raise daemon.map_size_mb and restart");
	return rc ? lmdb_fail(st, rc, db_names[db]) : 0;
}

int
store_rec_put(struct store *s, MDB_txn *txn, enum store_db db, const char *id, const json_t *rec,
	      struct pw_status *st)
{
	MDB_val k = key_of(id);

	return put_json(s, txn, db, &k, rec, 0, st);
}

/* Join up to three parts with NUL bytes into buf; returns the length. */
static size_t
index_key(char *buf, size_t cap, const char *a, const char *b, const char *c)
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
	MDB_val k = {index_key(buf, sizeof buf, a, b, c), buf}, v = {0, (void *)""};
	int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);

	return rc ? lmdb_fail(st, rc, db_names[db]) : 0;
}

int
store_index_del(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		const char *c)
{
	char buf[512];
	MDB_val k = {index_key(buf, sizeof buf, a, b, c), buf};
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

	plen = index_key(prefix, sizeof prefix - 1, a, b, NULL);
	prefix[plen++] = '\0';
	memcpy(start, prefix, plen);
	slen = plen;
	if (after1 != NULL) {
		slen += index_key(start + slen, sizeof start - slen - 1, after1, after2, NULL);
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
		char id[PW_ID_MAX * 3];
		json_t *rec;
		int stop;

		if (after != NULL && k.mv_size == strlen(after) &&
		    memcmp(k.mv_data, after, k.mv_size) == 0)
			continue;
		snprintf(id, sizeof id, "%.*s", (int)k.mv_size, (const char *)k.mv_data);
		rec = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		if (rec == NULL)
			fatal("store: record %s/%s is not JSON", db_names[db], id);
		stop = fn(id, rec, ud);
		json_decref(rec);
		if (stop)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

static void
be64_put(unsigned char *b, uint64_t x)
{
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(x & 0xff);
		x >>= 8;
	}
}

static uint64_t
be64_get(const unsigned char *b)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = (x << 8) | b[i];
	return x;
}

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
		*seq = be64_get(k.mv_data);
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_event_append(struct store *s, MDB_txn *txn, json_t *ev, uint64_t *seq, struct pw_status *st)
{
	unsigned char kb[8];
	MDB_val k = {8, kb};
	const char *app = json_string_value(json_object_get(ev, "app"));
	uint64_t head;
	int rc;

	if (store_event_head(s, txn, &head) != 0)
		return pw_fail(st, PW_ESTORE, "store: reading the event head");
	*seq = head + 1;
	be64_put(kb, *seq);
	json_object_set_new(ev, "seq", json_integer((json_int_t)*seq));
	rc = put_json(s, txn, DB_EVENTS, &k, ev, MDB_APPEND, st);
	if (rc != 0 || app == NULL)
		return rc;
	{
		char buf[PW_ID_MAX + 16];
		size_t n = strlen(app);
		MDB_val ik = {n + 9, buf}, iv = {0, (void *)""};

		memcpy(buf, app, n);
		buf[n] = '\0';
		be64_put((unsigned char *)buf + n + 1, *seq);
		rc = mdb_put(txn, s->dbi[DB_APP_EVENTS], &ik, &iv, 0);
	}
	return rc ? lmdb_fail(st, rc, "app_events") : 0;
}

static int
event_load(struct store *s, MDB_txn *txn, uint64_t seq, json_t **out)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;

	be64_put(kb, seq);
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
	be64_put(kb, after + 1);
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
	be64_put((unsigned char *)buf + n + 1, after + 1);
	if (mdb_cursor_open(txn, s->dbi[DB_APP_EVENTS], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		json_t *ev;

		if (k.mv_size != n + 9 || memcmp(k.mv_data, buf, n + 1) != 0)
			break;
		seq = be64_get((unsigned char *)k.mv_data + n + 1);
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

/* The requests key: actor NUL JSON-encoded request id. */
static size_t
request_key(char *buf, size_t cap, const char *actor, const json_t *reqid)
{
	char *id = json_dumps(reqid, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n;

	if (id == NULL)
		fatal("cannot encode a request id");
	n = index_key(buf, cap, actor, id, NULL);
	free(id);
	return n;
}

int
store_request_get(struct store *s, MDB_txn *txn, const char *actor, const json_t *reqid,
		  json_t **reply)
{
	char buf[512];
	MDB_val k = {request_key(buf, sizeof buf, actor, reqid), buf}, v;
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
	*reply = json_incref(json_object_get(rec, "reply"));
	json_decref(rec);
	return *reply ? 0 : PW_ENOTFOUND;
}

/* The age index entry of the request record keyed k: time (u64 BE) then k. An LMDB code. */
static int
request_due_put(struct store *s, MDB_txn *txn, const MDB_val *k, int64_t at)
{
	unsigned char due[8 + 512];
	MDB_val dk = {8 + k->mv_size, due}, dv = {0, (void *)""};

	if (k->mv_size > sizeof due - 8)
		return MDB_BAD_VALSIZE;
	be64_put(due, (uint64_t)at);
	memcpy(due + 8, k->mv_data, k->mv_size);
	return mdb_put(txn, s->dbi[DB_REQUESTS_DUE], &dk, &dv, 0);
}

int
store_request_put(struct store *s, MDB_txn *txn, const char *actor, const json_t *reqid,
		  const json_t *reply, int64_t now, struct pw_status *st)
{
	char buf[512];
	MDB_val k = {request_key(buf, sizeof buf, actor, reqid), buf};
	json_t *rec = json_pack("{s:I, s:O}", "at", (json_int_t)now, "reply", reply);
	int rc = put_json(s, txn, DB_REQUESTS, &k, rec, 0, st);

	json_decref(rec);
	if (rc != 0)
		return rc;
	rc = request_due_put(s, txn, &k, now);
	return rc ? lmdb_fail(st, rc, "requests_due") : 0;
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

		if (k.mv_size <= 8 || (int64_t)be64_get(k.mv_data) >= before)
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
		return lmdb_fail(st, rc, "meta");
	}
	*out = ++x;
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
	v.mv_size = strlen(buf);
	v.mv_data = buf;
	rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
	return rc ? lmdb_fail(st, rc, "meta") : 0;
}

static size_t
due_key(char *buf, size_t cap, int64_t at, const char *id)
{
	size_t n = strlen(id);

	if (n + 8 > cap)
		fatal("due key too long");
	be64_put((unsigned char *)buf, (uint64_t)(at < 0 ? 0 : at));
	memcpy(buf + 8, id, n);
	return n + 8;
}

int
store_due_put(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id,
	      struct pw_status *st)
{
	char buf[PW_ID_MAX + 16];
	MDB_val k = {due_key(buf, sizeof buf, at, id), buf}, v = {0, (void *)""};
	int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);

	return rc ? lmdb_fail(st, rc, db_names[db]) : 0;
}

int
store_due_del(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id)
{
	char buf[PW_ID_MAX + 16];
	MDB_val k = {due_key(buf, sizeof buf, at, id), buf};
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
		at = (int64_t)be64_get(k.mv_data);
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
		*at = (int64_t)be64_get(k.mv_data);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return PW_ENOTFOUND;
	return rc == 0 ? 0 : PW_ESTORE;
}

int
store_backup(struct store *s, const char *path, int compact, struct pw_status *st)
{
	struct stat sb;
	char *data = xasprintf("%s/data.mdb", path);
	int rc, exists = stat(data, &sb) == 0;

	free(data);
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return pw_fail(st, PW_EINVALID, "backup: %s is not an existing directory", path);
	if (exists)
		return pw_fail(st, PW_EEXISTS, "backup: %s already holds a store (data.mdb)", path);
	rc = mdb_env_copy2(s->env, path, compact ? MDB_CP_COMPACT : 0);
	if (rc != 0)
		return pw_fail(st, PW_ESTORE, "backup to %s failed: %s", path, mdb_strerror(rc));
	return 0;
}

int
store_count(struct store *s, MDB_txn *txn, enum store_db db, uint64_t *n)
{
	MDB_stat ms;

	if (mdb_stat(txn, s->dbi[db], &ms) != 0)
		return PW_ESTORE;
	*n = ms.ms_entries;
	return 0;
}

/* The in-flight index entry of job k, if the job v is in flight (version 2). */
static int
index_inflight(struct store *s, MDB_txn *txn, const MDB_val *k, const MDB_val *v, size_t *n)
{
	json_t *job = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	const char *state = json_string_value(json_object_get(job, "state"));
	char id[PW_ID_MAX + 1], buf[PW_ID_MAX + 16];
	MDB_val dk = {0, buf}, dv = {0, (void *)""};
	int rc = 0;

	if (state != NULL && strcmp(state, "inflight") == 0 && k->mv_size <= PW_ID_MAX) {
		snprintf(id, sizeof id, "%.*s", (int)k->mv_size, (const char *)k->mv_data);
		dk.mv_size = due_key(buf, sizeof buf, 0, id);
		rc = mdb_put(txn, s->dbi[DB_OUTBOX_INFLIGHT], &dk, &dv, 0);
		(*n)++;
	}
	json_decref(job);
	return rc;
}

/* The age index entry of request record k (version 2); one without a time goes first. */
static int
index_request(struct store *s, MDB_txn *txn, const MDB_val *k, const MDB_val *v, size_t *n)
{
	json_t *rec;
	int rc;

	if (k->mv_size + 8 > 511) /* too long for an LMDB key with its time: left unindexed */
		return 0;
	rec = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	rc = request_due_put(s, txn, k, json_integer_value(json_object_get(rec, "at")));
	json_decref(rec);
	(*n)++;
	return rc;
}

typedef int (*migrate_fn)(struct store *, MDB_txn *, const MDB_val *, const MDB_val *, size_t *);

/* Call fn on every record of db; an LMDB error code or 0. */
static int
migrate_each(struct store *s, MDB_txn *txn, enum store_db db, migrate_fn fn, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, s->dbi[db], &cur);

	if (rc != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		rc = fn(s, txn, &k, &v, n);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Version 1 to 2: the in-flight index of the outbox and the age index of the
 * request ids, rebuilt from the records themselves (emptied first, so whatever
 * an older binary left in them goes). Runs inside the open transaction: it
 * happens whole or not at all.
 */
static int
migrate_1_to_2(struct store *s, MDB_txn *txn, struct pw_status *st)
{
	size_t jobs = 0, reqs = 0;
	int rc = mdb_drop(txn, s->dbi[DB_OUTBOX_INFLIGHT], 0);

	if (rc == 0)
		rc = mdb_drop(txn, s->dbi[DB_REQUESTS_DUE], 0);
	if (rc == 0)
		rc = migrate_each(s, txn, DB_OUTBOX, index_inflight, &jobs);
	if (rc == 0)
		rc = migrate_each(s, txn, DB_REQUESTS, index_request, &reqs);
	if (rc != 0)
		return lmdb_fail(st, rc, "upgrading the store from schema version 1");
	log_info("store: upgraded from schema version 1 to 2 (%zu jobs in flight, %zu request ids "
		 "indexed)",
		 jobs, reqs);
	return 0;
}
