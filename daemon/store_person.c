/*
 * store_person.c: what the store holds about one person, found without
 * reading everything. DB_PERSON_EVENTS indexes the event log by the people
 * each event names: person id, NUL, seq (8 bytes big-endian) -> "", one
 * entry for every distinct id among the event's "actor" and the strings
 * anywhere inside its "data" that is the id of a person record (the rule
 * person.export has always used for "naming"). store_event_append writes
 * the entries with the event; the upgrade to schema version 7 builds them
 * for the log already there. DB_PERSON_FORMS indexes the forms by who
 * filled them in or returned them (person id, NUL, "APP/FORM" -> ""), since
 * a draft writes no event: cmd/form.c writes its entries with the form,
 * the same upgrade builds them from the forms, and they are never removed
 * (a reader checks the form's "by"). And a raw scan of a database that parses only
 * the records whose bytes hold one of some needles, for the few databases
 * a person's name may be anywhere in (queued jobs, held digests).
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct names {
	const char *v[32];
	const char **p;
	size_t n, cap;
};

static void
names_add(struct names *ns, const char *s)
{
	if (s == NULL || !pw_id_valid(s))
		return;
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->p[i], s) == 0)
			return;
	if (ns->n == ns->cap) {
		const char **q = xcalloc(ns->cap * 2, sizeof *q);

		memcpy(q, ns->p, ns->n * sizeof *q);
		if (ns->p != ns->v)
			free(ns->p);
		ns->p = q;
		ns->cap *= 2;
	}
	ns->p[ns->n++] = s;
}

/* Every string inside v that could be an id (pw_id_valid). */
static void
names_walk(struct names *ns, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		names_add(ns, json_string_value(v));
	else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) names_walk(ns, x);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) names_walk(ns, x);
	}
}

int
store_person_index_event(struct store *s, MDB_txn *txn, const json_t *ev, uint64_t seq)
{
	struct names ns = {.n = 0, .cap = 32};
	int rc = 0;

	ns.p = ns.v;
	names_add(&ns, json_string_value(json_object_get(ev, "actor")));
	names_walk(&ns, json_object_get(ev, "data"));
	for (size_t i = 0; i < ns.n && rc == 0; i++) {
		size_t n = strlen(ns.p[i]);
		char buf[PW_ID_MAX + 16];
		MDB_val pk = {n, (void *)ns.p[i]}, pv, k = {n + 9, buf}, v = {0, (void *)""};

		/* A person record under that id: the string names a person. */
		rc = mdb_get(txn, s->dbi[DB_PEOPLE], &pk, &pv);
		if (rc == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		memcpy(buf, ns.p[i], n);
		buf[n] = '\0';
		store_be64_put((unsigned char *)buf + n + 1, seq);
		rc = mdb_put(txn, s->dbi[DB_PERSON_EVENTS], &k, &v, 0);
	}
	if (ns.p != ns.v)
		free(ns.p);
	return rc;
}

/* The key person NUL what into DB_PERSON_FORMS. */
static int
form_put(struct store *s, MDB_txn *txn, const char *person, const char *what)
{
	char buf[512];
	size_t n = person != NULL ? strlen(person) : 0, m = strlen(what);
	MDB_val k = {n + 1 + m, buf}, v = {0, (void *)""};

	if (n == 0 || n + 1 + m > sizeof buf)
		return 0;
	memcpy(buf, person, n);
	buf[n] = '\0';
	memcpy(buf + n + 1, what, m);
	return mdb_put(txn, s->dbi[DB_PERSON_FORMS], &k, &v, 0);
}

static int
index_form(struct store *s, MDB_txn *txn, const char *key, const json_t *rec)
{
	json_t *r;
	size_t i;
	int rc = form_put(s, txn, json_string_value(json_object_get(rec, "by")), key);

	json_array_foreach(json_object_get(rec, "returns"), i, r)
	{
		if (rc == 0)
			rc = form_put(s, txn, json_string_value(json_object_get(r, "by")), key);
	}
	return rc;
}

int
store_person_index_form(struct store *s, MDB_txn *txn, const char *key, const json_t *rec,
			struct pw_status *st)
{
	int rc = index_form(s, txn, key, rec);

	return rc ? store_lmdb_fail(st, rc, "person_forms") : 0;
}

/* Each seq under id in db (keys: id \0 seq, u64 BE), in order, until fn says stop. */
static int
seqs_under(struct store *s, MDB_txn *txn, enum store_db db, const char *id, store_seq_fn fn,
	   void *ud)
{
	size_t n = strlen(id);
	char buf[PW_ID_MAX + 16];
	MDB_cursor *cur;
	MDB_val k = {n + 1, buf}, v;
	int rc;

	if (n > PW_ID_MAX)
		return 0;
	memcpy(buf, id, n);
	buf[n] = '\0';
	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != n + 9 || memcmp(k.mv_data, buf, n + 1) != 0)
			break;
		if (fn(store_be64_get((unsigned char *)k.mv_data + n + 1), ud) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}

int
store_person_events(struct store *s, MDB_txn *txn, const char *id, store_seq_fn fn, void *ud)
{
	return seqs_under(s, txn, DB_PERSON_EVENTS, id, fn, ud);
}

int
store_app_event_seqs(struct store *s, MDB_txn *txn, const char *app, store_seq_fn fn, void *ud)
{
	return seqs_under(s, txn, DB_APP_EVENTS, app, fn, ud);
}

int
store_event_get(struct store *s, MDB_txn *txn, uint64_t seq, json_t **out)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	int rc;

	*out = NULL;
	store_be64_put(kb, seq);
	rc = mdb_get(txn, s->dbi[DB_EVENTS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return PW_ENOTFOUND;
	if (rc != 0)
		return PW_ESTORE;
	*out = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	if (*out == NULL)
		fatal("store: event %llu is not JSON", (unsigned long long)seq);
	return 0;
}

int
store_person_index_rebuild(struct store *s, MDB_txn *txn, size_t *n, struct pw_status *st)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_drop(txn, s->dbi[DB_PERSON_EVENTS], 0);

	*n = 0;
	if (rc == 0)
		rc = mdb_cursor_open(txn, s->dbi[DB_EVENTS], &cur);
	if (rc != 0)
		return store_lmdb_fail(st, rc, "indexing the events by person");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		json_t *ev = json_loadb(v.mv_data, v.mv_size, 0, NULL);

		if (ev == NULL || k.mv_size != 8)
			fatal("store: an event is not JSON");
		rc = store_person_index_event(s, txn, ev, store_be64_get(k.mv_data));
		json_decref(ev);
		if (rc != 0)
			break;
		(*n)++;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_lmdb_fail(st, rc, "indexing the events by person");
	/* The forms by who filled them in or returned them. */
	rc = mdb_drop(txn, s->dbi[DB_PERSON_FORMS], 0);
	if (rc == 0)
		rc = mdb_cursor_open(txn, s->dbi[DB_FORMS], &cur);
	if (rc != 0)
		return store_lmdb_fail(st, rc, "indexing the forms by person");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		json_t *f = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		char key[512];

		if (f != NULL && k.mv_size < sizeof key) {
			memcpy(key, k.mv_data, k.mv_size);
			key[k.mv_size] = '\0';
			rc = index_form(s, txn, key, f);
		}
		json_decref(f);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND
		   ? 0
		   : store_lmdb_fail(st, rc, "indexing the forms by person");
}

int
store_rec_grep(struct store *s, MDB_txn *txn, enum store_db db, const char *const *needles,
	       size_t n, store_rec_fn fn, void *ud)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (mdb_cursor_open(txn, s->dbi[db], &cur) != 0)
		return PW_ESTORE;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t i;

		for (i = 0; i < n; i++)
			if (needles[i] != NULL && *needles[i] &&
			    memmem(v.mv_data, v.mv_size, needles[i], strlen(needles[i])) != NULL)
				break;
		if (i == n)
			continue;
		if (store_rec_visit(db, &k, &v, fn, ud))
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : PW_ESTORE;
}
