/*
 * store.c: the LMDB environment with the named databases of store.h, its
 * transactions, and the schema. The handle (store_internal.h) is the
 * environment and one database handle per enum store_db, nothing more: no
 * cache, so a child transaction that aborts leaves nothing behind. The
 * environment is opened with full durability: a commit returns only once the
 * data is on disk. The schema version is a decimal string under "schema" in
 * DB_META; an older store is upgraded here, inside the open transaction.
 */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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
		dk.mv_size = store_due_key(buf, sizeof buf, 0, id);
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
	rc = store_request_age_put(s, txn, k, json_integer_value(json_object_get(rec, "at")));
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
		return store_lmdb_fail(st, rc, "upgrading the store from schema version 1");
	log_info("store: upgraded from schema version 1 to 2 (%zu jobs in flight, %zu request ids "
		 "indexed)",
		 jobs, reqs);
	return 0;
}

/* One key "a" NUL "b" of an index, for the upgrades (store_index.c is above this file). */
static int
index_key_put(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b)
{
	char buf[512];
	size_t la = strlen(a), lb = strlen(b);
	MDB_val k = {la + 1 + lb, buf}, v = {0, (void *)""};

	if (la + 1 + lb > sizeof buf)
		return 0;
	memcpy(buf, a, la);
	buf[la] = '\0';
	memcpy(buf + la + 1, b, lb);
	return mdb_put(txn, s->dbi[db], &k, &v, 0);
}

/* The by-person index entries of application record v (version 5). */
static int
index_person(struct store *s, MDB_txn *txn, const MDB_val *k, const MDB_val *v, size_t *n)
{
	json_t *app = json_loadb(v->mv_data, v->mv_size, 0, NULL), *r;
	const char *coach = json_string_value(json_object_get(app, "coach"));
	const char *host =
	    json_string_value(json_object_get(json_object_get(app, "internship"), "host_school"));
	char id[PW_ID_MAX + 1], *school;
	const char *rater;
	int rc = 0;

	if (app == NULL || k->mv_size > PW_ID_MAX) {
		json_decref(app);
		return 0;
	}
	snprintf(id, sizeof id, "%.*s", (int)k->mv_size, (const char *)k->mv_data);
	if (coach != NULL)
		rc = index_key_put(s, txn, DB_BY_PERSON, coach, id);
	json_object_foreach(json_object_get(app, "raters"), rater, r)
	{
		if (rc == 0)
			rc = index_key_put(s, txn, DB_BY_PERSON, rater, id);
	}
	if (rc == 0 && host != NULL) {
		school = xasprintf("school:%s", host);
		rc = index_key_put(s, txn, DB_BY_PERSON, school, id);
		free(school);
	}
	(*n)++;
	json_decref(app);
	return rc;
}

/* One request record, as read before version 3 rewrote its key. */
struct old_request {
	char *key, *val;
	size_t klen, vlen;
};

/*
 * Version 2 to 3: stored replies are scoped by principal as well as actor
 * ("PRINCIPAL/ACTOR" NUL id). Every reply stored before came from a local
 * peer, the operator: "ACTOR" becomes "operator/ACTOR", and the age index
 * is rebuilt. Runs inside the open transaction.
 */
static int
migrate_2_to_3(struct store *s, MDB_txn *txn, struct pw_status *st)
{
	struct old_request *list = NULL;
	size_t n = 0, done = 0;
	MDB_cursor *cur;
	MDB_val ck, cv;
	int rc = mdb_cursor_open(txn, s->dbi[DB_REQUESTS], &cur);

	for (int op = MDB_FIRST; rc == 0 && mdb_cursor_get(cur, &ck, &cv, op) == 0; op = MDB_NEXT) {
		list = xrealloc(list, (n + 1) * sizeof *list);
		list[n] = (struct old_request){xmalloc(ck.mv_size), xmalloc(cv.mv_size), ck.mv_size,
					       cv.mv_size};
		memcpy(list[n].key, ck.mv_data, ck.mv_size);
		memcpy(list[n].val, cv.mv_data, cv.mv_size);
		n++;
	}
	if (rc == 0)
		mdb_cursor_close(cur);
	if (rc == 0)
		rc = mdb_drop(txn, s->dbi[DB_REQUESTS], 0);
	if (rc == 0)
		rc = mdb_drop(txn, s->dbi[DB_REQUESTS_DUE], 0);
	for (size_t i = 0; i < n; i++) {
		char *key = xmalloc(list[i].klen + 9);
		MDB_val k = {list[i].klen + 9, key}, v = {list[i].vlen, list[i].val};

		memcpy(key, "operator/", 9);
		memcpy(key + 9, list[i].key, list[i].klen);
		if (rc == 0 && k.mv_size <= 500)
			rc = mdb_put(txn, s->dbi[DB_REQUESTS], &k, &v, 0);
		if (rc == 0 && k.mv_size <= 500)
			rc = index_request(s, txn, &k, &v, &done);
		free(key);
		free(list[i].key);
		free(list[i].val);
	}
	free(list);
	if (rc != 0)
		return store_lmdb_fail(st, rc, "upgrading the store from schema version 2");
	log_info("store: upgraded from schema version 2 to 3 (%zu request ids scoped to the "
		 "operator)",
		 done);
	return 0;
}

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
		return rc ? store_lmdb_fail(st, rc, "writing the schema version") : 0;
	}
	if (rc != 0)
		return store_lmdb_fail(st, rc, "reading the schema version");
	snprintf(have, sizeof have, "%.*s", (int)(v.mv_size < 15 ? v.mv_size : 15),
		 (const char *)v.mv_data);
	/*
	 * Version 4 added the forms and 360 databases, made empty at every open;
	 * version 5 the by-person index, built here from the applications;
	 * version 6 the events' hash chain, computed here over the log;
	 * version 7 the events by person (store_person.c), built from the log.
	 */
	if (strcmp(have, "1") == 0 || strcmp(have, "2") == 0 || strcmp(have, "3") == 0 ||
	    strcmp(have, "4") == 0 || strcmp(have, "5") == 0 || strcmp(have, "6") == 0) {
		size_t apps = 0, events = 0, named = 0;

		if ((strcmp(have, "1") == 0 && migrate_1_to_2(s, txn, st) != 0) ||
		    ((strcmp(have, "1") == 0 || strcmp(have, "2") == 0) &&
		     migrate_2_to_3(s, txn, st) != 0))
			return PW_ESTORE;
		rc = strcmp(have, "5") == 0 || strcmp(have, "6") == 0
			 ? 0
			 : migrate_each(s, txn, DB_APPS, index_person, &apps);
		if (rc != 0)
			return store_lmdb_fail(st, rc, "indexing applications by person");
		if (strcmp(have, "6") != 0 && store_chain_rebuild(s, txn, &events, st) != 0)
			return PW_ESTORE;
		if (store_person_index_rebuild(s, txn, &named, st) != 0)
			return PW_ESTORE;
		log_info("store: upgraded from schema version %s to %s (%zu applications indexed "
			 "by person, %zu events chained, %zu events indexed by person)",
			 have, want, apps, events, named);
		v.mv_size = strlen(want);
		v.mv_data = want;
		rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
		return rc ? store_lmdb_fail(st, rc, "writing the schema version") : 0;
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
		store_lmdb_fail(st, rc, "beginning the open transaction");
		goto fail;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, store_db_names[i], MDB_CREATE, &s->dbi[i]);
		if (rc != 0) {
			store_lmdb_fail(st, rc, store_db_names[i]);
			goto fail;
		}
	}
	if (schema_check(s, txn, path, st) != 0)
		goto fail;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		store_lmdb_fail(st, rc, "committing the open transaction");
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

	return rc ? store_lmdb_fail(st, rc, "beginning a transaction") : 0;
}

int
store_txn_commit(MDB_txn **txn, struct pw_status *st)
{
	int rc = mdb_txn_commit(*txn);

	*txn = NULL;
	return rc ? store_lmdb_fail(st, rc, "commit") : 0;
}

void
store_txn_abort(MDB_txn **txn)
{
	if (*txn == NULL)
		return;
	mdb_txn_abort(*txn);
	*txn = NULL;
}

int
store_backup(struct store *s, const char *path, int compact, struct pw_status *st)
{
	struct stat sb;
	char *data = xasprintf("%s/data.mdb", path);
	int rc = 0, fd = -1;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = pw_fail(st, PW_EINVALID, "backup: %s is not an existing directory", path);
		goto done;
	}
	/* 0600 whatever the umask: a backup holds everyone's personal data. */
	fd = open(data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = errno == EEXIST
			 ? pw_fail(st, PW_EEXISTS, "backup: %s already holds a store (data.mdb)",
				   path)
			 : pw_fail(st, PW_ESTORE, "backup to %s failed: %s", path, strerror(errno));
		goto done;
	}
	rc = mdb_env_copyfd2(s->env, fd, compact ? MDB_CP_COMPACT : 0);
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	close(fd);
	if (rc != 0) {
		unlink(data); /* no half a store left behind to be taken for a backup */
		rc = pw_fail(st, PW_ESTORE, "backup to %s failed: %s", path, mdb_strerror(rc));
	}
done:
	free(data);
	return rc;
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
