/*
 * privacy_find.c: what the store holds about one person, found through the
 * indexes rather than by reading every record: the events naming them
 * (DB_PERSON_EVENTS, store_person.c), and from those and from their
 * relations (DB_BY_PERSON, DB_BY_SCHOOL) the applications they stand in,
 * their own among them; the forms on an application (DB_FORMS under
 * "APP/"), its events (DB_APP_EVENTS) and its self-assessment
 * (DB_APP_FEEDBACK); the support requests and session bookings the events
 * name, and the forms they filled in or returned (DB_PERSON_FORMS, since
 * a draft writes no event). Every other way a person's data reaches a
 * record also writes an event naming them on it (the candidate's
 * application.created, a decision or a note by its actor, a booking, a
 * support request) or a relation index.
 */
#include "cmd/privacy_find.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "util.h"

int
privacy_by(const json_t *o, const char *id)
{
	return streq(str(o, "by"), id);
}

static int
self_check(const char *rid, void *ud)
{
	struct {
		struct wctx *c;
		json_t *found;
	} *f = ud;
	json_t *r = NULL;

	if (store_rec_get(f->c->store, f->c->txn, DB_FEEDBACK, rid, &r) == 0 &&
	    streq(str(r, "category"), "self")) {
		f->found = json_pack("{s:s, s:o}", "id", rid, "rec", r);
		return 1;
	}
	json_decref(r);
	return 0;
}

json_t *
privacy_self_find(struct wctx *c, const char *app)
{
	struct {
		struct wctx *c;
		json_t *found;
	} f = {c, NULL};

	store_index_scan(c->store, c->txn, DB_APP_FEEDBACK, app, NULL, NULL, NULL, self_check, &f);
	return f.found;
}

int
privacy_forms(struct wctx *c, const char *app, store_rec_fn fn, void *ud)
{
	char *prefix = xasprintf("%s/", app);
	int rc = store_rec_prefix_scan(c->store, c->txn, DB_FORMS, prefix, fn, ud);

	free(prefix);
	return rc == 0 ? 0 : pw_fail(c->st, PW_ESTORE, "store: reading the forms of %s", app);
}

struct forms_by {
	struct wctx *c;
	store_rec_fn fn;
	void *ud;
	int rc;
};

static int
form_by_visit(const char *key, void *ud)
{
	struct forms_by *f = ud;
	json_t *rec = NULL;
	int stop = 0;

	if (store_rec_get(f->c->store, f->c->txn, DB_FORMS, key, &rec) == 0)
		stop = f->fn(key, rec, f->ud);
	json_decref(rec);
	return stop;
}

int
privacy_forms_by(struct wctx *c, const char *id, store_rec_fn fn, void *ud)
{
	struct forms_by f = {c, fn, ud, 0};

	if (store_index_scan(c->store, c->txn, DB_PERSON_FORMS, id, NULL, NULL, NULL, form_by_visit,
			     &f) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the forms of %s", id);
	return 0;
}

/* Collect seqs into a growing array. */
struct seqs {
	uint64_t *v;
	size_t n, cap;
};

static int
seq_add(uint64_t seq, void *ud)
{
	struct seqs *s = ud;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = seq;
	return 0;
}

/* The events with the seqs collected, loaded in order, as a new array (NULL: a store error). */
static json_t *
load_all(struct wctx *c, const struct seqs *s)
{
	json_t *out = json_array(), *ev;

	for (size_t i = 0; i < s->n; i++) {
		if (store_event_get(c->store, c->txn, s->v[i], &ev) != 0) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, ev);
	}
	return out;
}

json_t *
privacy_app_events(struct wctx *c, const char *app)
{
	struct seqs s = {0};
	json_t *out = NULL;

	if (store_app_event_seqs(c->store, c->txn, app, seq_add, &s) == 0)
		out = load_all(c, &s);
	free(s.v);
	if (out == NULL)
		pw_fail(c->st, PW_ESTORE, "store: reading the events of %s", app);
	return out;
}

static int
app_add(const char *id, void *ud)
{
	json_object_set_new(ud, id, json_true());
	return 0;
}

/* Whether bookings record b lists person id as booked or waiting. */
static int
booked_in(const json_t *b, const char *id)
{
	const char *lists[] = {"booked", "waiting"};
	json_t *e;
	size_t i;

	for (size_t l = 0; l < 2; l++)
		json_array_foreach(json_object_get(b, lists[l]), i,
				   e) if (streq(str(e, "person"), id)) return 1;
	return 0;
}

int
privacy_support_from(struct wctx *c, const json_t *evs, struct holdings *h)
{
	json_t *ev, *r;
	size_t i;

	json_array_foreach(evs, i, ev)
	{
		const char *req = str(json_object_get(ev, "data"), "request");

		if (strncmp(str(ev, "type") ?: "", "support.", 8) != 0 || req == NULL ||
		    json_object_get(h->support, req) != NULL)
			continue;
		r = NULL;
		if (store_rec_get(c->store, c->txn, DB_SUPPORT, req, &r) == 0)
			json_object_set_new(h->support, req, r);
	}
	return 0;
}

/* The bookings records the events name (session.*: "cohort", data "session") that list id. */
static void
bookings_from(struct wctx *c, const json_t *evs, const char *id, struct holdings *h)
{
	json_t *ev, *b;
	size_t i;

	json_array_foreach(evs, i, ev)
	{
		const char *co = str(ev, "cohort"),
			   *s = str(json_object_get(ev, "data"), "session");
		char *key;

		if (strncmp(str(ev, "type") ?: "", "session.", 8) != 0 || co == NULL || s == NULL)
			continue;
		key = xasprintf("%s/%s", co, s);
		b = NULL;
		if (json_object_get(h->bookings, key) == NULL &&
		    store_rec_get(c->store, c->txn, DB_BOOKINGS, key, &b) == 0 && booked_in(b, id))
			json_object_set(h->bookings, key, b);
		json_decref(b);
		free(key);
	}
}

int
privacy_holdings(struct wctx *c, const json_t *p, struct holdings *h)
{
	const char *id = str(p, "id"), *school = str(p, "school"), *k;
	int roles = engine_roles(p), rc;
	json_t *ids = json_object(), *ev, *v;
	struct seqs s = {0};
	size_t i;

	*h = (struct holdings){NULL, json_object(), json_object(), json_object(), json_object()};
	rc = store_person_events(c->store, c->txn, id, seq_add, &s);
	if (rc == 0 && (h->events = load_all(c, &s)) == NULL)
		rc = PW_ESTORE;
	free(s.v);
	json_array_foreach(h->events, i, ev)
	{
		if (str(ev, "app") != NULL)
			json_object_set_new(ids, str(ev, "app"), json_true());
	}
	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_BY_PERSON, id, NULL, NULL, NULL, app_add,
				      ids);
	if (rc == 0 && (roles & ROLE_HOST) && school != NULL) {
		char *key = xasprintf("school:%s", school);

		rc = store_index_scan(c->store, c->txn, DB_BY_PERSON, key, NULL, NULL, NULL,
				      app_add, ids);
		free(key);
	}
	if (rc == 0 && (roles & ROLE_HEADTEACHER) && school != NULL)
		rc = store_index_scan(c->store, c->txn, DB_BY_SCHOOL, school, NULL, NULL, NULL,
				      app_add, ids);
	json_object_foreach(ids, k, v)
	{
		json_t *app = NULL;

		if (rc == 0 && store_rec_get(c->store, c->txn, DB_APPS, k, &app) == 0) {
			if (streq(str(app, "candidate"), id))
				json_object_set(h->own, k, app);
			json_object_set_new(h->apps, k, app);
		}
	}
	json_decref(ids);
	if (rc == 0) {
		privacy_support_from(c, h->events, h);
		bookings_from(c, h->events, id, h);
	}
	return rc == 0 ? 0 : pw_fail(c->st, PW_ESTORE, "store: finding what is held about %s", id);
}

void
privacy_holdings_clear(struct holdings *h)
{
	json_decref(h->events);
	json_decref(h->apps);
	json_decref(h->own);
	json_decref(h->support);
	json_decref(h->bookings);
	*h = (struct holdings){0};
}

/* s as JSON text: quoted, or (inner) without its quotes; NULL for NULL or "". */
static char *
encoded(const char *s, int inner)
{
	json_t *j = s != NULL && *s ? json_string(s) : NULL;
	char *out = j != NULL ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	size_t n;

	json_decref(j);
	if (out != NULL && inner) {
		n = strlen(out);
		memmove(out, out + 1, n - 2);
		out[n - 2] = '\0';
	}
	return out;
}

static int
grep_collect(const char *id, json_t *rec, void *ud)
{
	json_object_set(ud, id, rec);
	return 0;
}

/* The records of db holding one of the n needles (JSON text; NULL: none); frees them. */
static int
grep_needles(struct wctx *c, enum store_db db, char **needles, size_t n, json_t **out)
{
	int rc;

	*out = json_object();
	rc = store_rec_grep(c->store, c->txn, db, (const char *const *)needles, n, grep_collect,
			    *out);
	for (size_t i = 0; i < n; i++)
		free(needles[i]);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
		return pw_fail(c->st, PW_ESTORE, "store: reading %s", "the store");
	}
	return 0;
}

int
privacy_grep(struct wctx *c, enum store_db db, const char *id, const char *name, const char *email,
	     json_t **out)
{
	char *needles[3] = {encoded(id, 0), NULL, NULL};

	if (name != NULL && strlen(name) >= 3)
		needles[1] = encoded(name, 1);
	if (email != NULL && strlen(email) >= 3)
		needles[2] = encoded(email, 1);
	return grep_needles(c, db, needles, 3, out);
}

int
privacy_grep_texts(struct wctx *c, enum store_db db, const char *const *texts, size_t n,
		   json_t **out)
{
	char **needles = xcalloc(n ? n : 1, sizeof *needles);
	int rc;

	for (size_t i = 0; i < n; i++)
		needles[i] = encoded(texts[i], 1);
	rc = grep_needles(c, db, needles, n, out);
	free(needles);
	return rc;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **
privacy_sorted_keys(const json_t *o, size_t *n)
{
	const char **v = xcalloc(json_object_size(o) + 1, sizeof *v), *k;
	json_t *x;

	*n = 0;
	json_object_foreach((json_t *)o, k, x) v[(*n)++] = k;
	qsort(v, *n, sizeof *v, cmp_key);
	return v;
}
