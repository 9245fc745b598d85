/*
 * privacy.c: person.erase under UK GDPR: a person's personal data removed
 * or unlinked while ids, events and histories stay (PROTOCOL.md, "Subject
 * access and erasure"), and the part of it the retention purge runs on
 * one application (privacy_erase_app, retention.c). The export is
 * cmd/privacy_export.c; what the person has is found through the indexes
 * by cmd/privacy_find.c, so erasure costs what the person has: the
 * applications their events and relations reach, those applications'
 * forms and the forms they filled in anywhere, their support requests
 * and bookings (cmd/privacy_support.c). The outbox, held digests and
 * sessions, which hold only what is pending or live, are read raw,
 * parsing only the records that hold their id, name or address.
 *
 * Erasure keeps the person's id (events name it; the log is not
 * rewritten) with "erased" and the name "erased person"; removes their
 * email, facts and digest; the free text they wrote and the free text on
 * their own applications (notes, reasons, links, career notes and
 * schools); the content of the forms they filled in and of the forms on
 * their own applications (state "erased"); their self-assessment; the
 * outbox jobs and held digest notices addressed to them (deleted, in any
 * state: a dead job would keep the address); their name and address in
 * the template variables of others' jobs and digests, and the free text of
 * theirs copied there (cmd/privacy_texts.c); the needs they
 * raised and the notes they wrote on support requests; their bookings of
 * sessions not yet started (cancelled, the seat going to the first
 * waiting) and their places on waiting lists; forgets stored replies
 * naming them; revokes their keys and ends their sessions. token.c and
 * cmd/table.c refuse an erased person from then on.
 */
#include "cmd/privacy.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cmd/base.h"
#include "cmd/privacy_find.h"
#include "cmd/privacy_support.h"
#include "cmd/privacy_texts.h"
#include "store_forget.h"
#include "util.h"

#define ERASED_NAME "erased person"

/* x (a string) with email removed and name replaced, or NULL when neither is in it. */
static char *
scrubbed(const json_t *x, const char *name, const char *email)
{
	const char *s = json_string_value(x);
	char *a, *b;

	if (s == NULL)
		return NULL;
	a = pw_str_replace(s, email, "", 0);
	b = pw_str_replace(a ? a : s, name, ERASED_NAME, 0);
	if (b == NULL)
		return a;
	free(a);
	return b;
}

/*
 * Replace the person's name and address in every string inside v (the
 * variables of a job to someone else). Names under 3 characters are left:
 * they would match inside other words. Returns whether anything changed.
 */
static int
scrub(json_t *v, const char *name, const char *email)
{
	const char *k;
	json_t *x;
	size_t i;
	char *n;
	int changed = 0;

	json_object_foreach(v, k, x)
	{
		if ((n = scrubbed(x, name, email)) != NULL) {
			json_object_set_new(v, k, json_string(n));
			changed = 1;
			free(n);
		} else {
			changed |= scrub(x, name, email);
		}
	}
	json_array_foreach(v, i, x)
	{
		if ((n = scrubbed(x, name, email)) != NULL) {
			json_array_set_new(v, i, json_string(n));
			changed = 1;
			free(n);
		} else {
			changed |= scrub(x, name, email);
		}
	}
	return changed;
}

struct erase {
	struct wctx *c;
	const char *id, *name, *email;
	json_t *own;  /* the person's applications as candidate: id -> A */
	json_t *apps; /* every application they stand in: id -> A (own included) */
	json_t *counts;
	int app_only; /* one application's purge (retention): only the forms on it */
	/* What was erased that others' emails may carry (cmd/privacy_texts.c), or NULL. */
	json_t *texts;
};

static void
count(struct erase *e, const char *what)
{
	json_object_set_new(e->counts, what,
			    json_integer(json_integer_value(json_object_get(e->counts, what)) + 1));
}

/* Remove key from o when o was written by the person, or when all is set; 1 if removed. */
static int
drop(json_t *o, const char *key, const char *id, int all)
{
	if (json_object_get(o, key) == NULL || !(all || privacy_by(o, id)))
		return 0;
	json_object_del(o, key);
	return 1;
}

/* The free text on one application the person wrote, or all of it on their own. */
static int
erase_app(struct erase *e, json_t *app)
{
	int own = streq(str(app, "candidate"), e->id), n = 0;
	const char *k;
	json_t *x;
	size_t i;

	n += drop(json_object_get(app, "withdrawal"), "reason", e->id, own);
	json_object_foreach(json_object_get(app, "decisions"), k, x)
	{
		n += drop(x, "note", e->id, own);
	}
	json_object_foreach(json_object_get(app, "returned"), k, x)
	{
		n += drop(x, "note", e->id, own);
	}
	json_object_foreach(json_object_get(app, "docs"), k, x)
	{
		n += drop(x, "ref", e->id, own);
	}
	json_array_foreach(json_object_get(app, "career"), i, x)
	{
		n += drop(x, "note", e->id, own);
		n += drop(x, "school", e->id, own);
	}
	return n + engine_panel_erase(app, e->id, own); /* panel's and reviews' (engine_panel.c) */
}

static int
erase_apps(struct erase *e)
{
	const char *k;
	json_t *app;
	int rc = 0;

	json_object_foreach(e->apps, k, app)
	{
		json_t *before = json_deep_copy(app);

		if (rc == 0 && erase_app(e, app) > 0) {
			privacy_texts_app(e->texts, k, before, app);
			rc = store_rec_put(e->c->store, e->c->txn, DB_APPS, k, app, e->c->st);
			count(e, "applications");
		}
		json_decref(before);
	}
	return rc;
}

static int
form_collect(const char *key, json_t *f, void *ud)
{
	json_object_set(ud, key, f);
	return 0;
}

/* Form content they filled in, or on their own applications; return notes they wrote. */
static int
erase_forms(struct erase *e)
{
	json_t *forms = json_object(), *f, *r, *app;
	const char *k;
	char at[PW_TIME_LEN];
	size_t i;
	int rc = 0;

	json_object_foreach(e->apps, k, app)
	{
		if (rc == 0)
			rc = privacy_forms(e->c, k, form_collect, forms);
	}
	/* Those they filled in or returned elsewhere (a draft writes no event). */
	if (rc == 0 && !e->app_only)
		rc = privacy_forms_by(e->c, e->id, form_collect, forms);
	json_object_foreach(forms, k, f)
	{
		int own = json_object_get(e->own, str(f, "app") ?: "") != NULL, n = 0;

		if (rc != 0 || (e->app_only && !own))
			continue;
		if ((own || privacy_by(f, e->id)) && !streq(str(f, "state"), "erased")) {
			json_object_del(f, "fields");
			json_object_set_new(f, "state", json_string("erased"));
			json_object_set_new(f, "erased",
					    json_string(pw_time_format(e->c->now, at)));
			count(e, "forms");
			n++;
		}
		json_array_foreach(json_object_get(f, "returns"), i, r)
		{
			json_t *note = json_incref(json_object_get(r, "note"));

			if (drop(r, "note", e->id, own)) {
				privacy_texts_add(e->texts, "app", str(f, "app"), "note",
						  json_string_value(note));
				n++;
			}
			json_decref(note);
		}
		if (n > 0)
			rc = store_rec_put(e->c->store, e->c->txn, DB_FORMS, k, f, e->c->st);
	}
	json_decref(forms);
	return rc;
}

/* Their 360 self-assessments: the answers go (the application keeps that they were given). */
static int
erase_self(struct erase *e)
{
	const char *k;
	json_t *v;
	int rc = 0;

	json_object_foreach(e->own, k, v)
	{
		json_t *self = privacy_self_find(e->c, k);

		if (self != NULL) {
			rc = store_rec_del(e->c->store, e->c->txn, DB_FEEDBACK, str(self, "id"));
			if (rc == 0)
				rc = store_index_del(e->c->store, e->c->txn, DB_APP_FEEDBACK, k,
						     str(self, "id"), NULL);
			count(e, "self_assessments");
		}
		json_decref(self);
		if (rc != 0)
			return pw_fail(e->c->st, PW_ESTORE, "store: erasing a self-assessment");
	}
	return 0;
}

/*
 * Jobs to them go, in any state (pending, in flight: a worker's late report
 * is then not_found; dead: it would keep the address); others' jobs lose
 * their name and address. Digest notices likewise.
 */
static int
erase_outbox(struct erase *e)
{
	struct wctx *c = e->c;
	json_t *all = NULL, *job;
	const char *k;
	int rc = privacy_grep(c, DB_OUTBOX, e->id, e->name, e->email, &all);

	json_object_foreach(all, k, job)
	{
		if (rc != 0)
			break;
		if (streq(str(json_object_get(job, "to"), "person"), e->id)) {
			store_due_del(c->store, c->txn, DB_OUTBOX_DUE,
				      json_integer_value(json_object_get(job, "next_attempt")), k);
			store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, k);
			rc = store_rec_del(c->store, c->txn, DB_OUTBOX, k);
			count(e, "jobs");
		} else if (scrub(json_object_get(job, "vars"), e->name, e->email))
			rc = store_rec_put(c->store, c->txn, DB_OUTBOX, k, job, c->st);
	}
	json_decref(all);
	all = NULL;
	if (rc == 0)
		rc = store_rec_del(c->store, c->txn, DB_DIGESTS, e->id);
	if (rc == 0)
		rc = privacy_grep(c, DB_DIGESTS, NULL, e->name, e->email, &all);
	json_object_foreach(all, k, job)
	{
		if (rc == 0 && scrub(job, e->name, e->email))
			rc = store_rec_put(c->store, c->txn, DB_DIGESTS, k, job, c->st);
	}
	json_decref(all);
	return rc == 0 ? 0 : pw_fail(c->st, PW_ESTORE, "store: erasing from the outbox");
}

/* Their keys revoked (key.revoked each), their sessions ended. */
static int
erase_access(struct erase *e)
{
	struct wctx *c = e->c;
	json_t *keys = NULL, *k, *all = NULL, *s;
	const char *id;
	size_t i;
	int rc = access_key_list(c, &keys);

	json_array_foreach(keys, i, k)
	{
		json_t *rec = NULL;

		if (rc != 0)
			break;
		if (!streq(str(k, "person"), e->id) || str(k, "revoked") != NULL)
			continue;
		rc = access_key_revoke(c, str(k, "id"), &rec);
		json_decref(rec);
		count(e, "keys");
	}
	json_decref(keys);
	if (rc == 0)
		rc = privacy_grep(c, DB_TOKENS, e->id, NULL, NULL, &all);
	json_object_foreach(all, id, s)
	{
		if (rc != 0)
			break;
		if (strncmp(id, "session:", 8) != 0 || !streq(str(s, "person"), e->id) ||
		    json_object_get(s, "ended") != NULL)
			continue;
		json_object_set_new(s, "ended", json_integer((json_int_t)c->now));
		rc = store_rec_put(c->store, c->txn, DB_TOKENS, id, s, c->st);
		count(e, "sessions");
	}
	json_decref(all);
	return rc;
}

/*
 * Stored replies (kept idempotency_hours for resends) that name them, their
 * address or one of their applications are forgotten now (store_forget.c).
 */
static int
erase_replies(struct erase *e)
{
	size_t n = json_object_size(e->own) + 3, i = 3, forgotten = 0;
	const char **words = xcalloc(n, sizeof *words);
	const char *k;
	json_t *v;
	int rc;

	words[0] = e->id;
	words[1] = e->name;
	words[2] = e->email;
	json_object_foreach(e->own, k, v)
	{
		words[i++] = k;
	}
	rc = store_requests_forget(e->c->store, e->c->txn, words, n, &forgotten);
	free(words);
	if (rc != 0)
		return pw_fail(e->c->st, PW_ESTORE, "store: forgetting stored replies");
	if (forgotten > 0)
		json_object_set_new(e->counts, "replies", json_integer((json_int_t)forgotten));
	return 0;
}

int
privacy_erase_app(struct wctx *c, json_t *app, json_t *counts)
{
	struct erase e = {
	    c, str(app, "candidate"), NULL, NULL, json_object(), json_object(), counts,
	    1, json_object()};
	json_t *before = json_deep_copy(app);
	int rc;

	json_object_set(e.own, str(app, "id"), app);
	json_object_set(e.apps, str(app, "id"), app);
	if (erase_app(&e, app) > 0) {
		privacy_texts_app(e.texts, str(app, "id"), before, app);
		count(&e, "applications");
	}
	rc = erase_forms(&e);
	if (rc == 0)
		rc = erase_self(&e);
	/* Its text in emails still queued, to anyone (the candidate is not erased here). */
	if (rc == 0)
		rc = privacy_texts_scrub(c, e.texts, NULL, counts);
	json_decref(before);
	json_decref(e.texts);
	json_decref(e.own);
	json_decref(e.apps);
	return rc;
}

int
privacy_erase_person(struct wctx *c, const char *id, json_t *counts, json_t **person)
{
	struct erase e = {c, id, NULL, NULL, NULL, NULL, counts, 0, json_object()};
	struct holdings h = {0};
	json_t *p = NULL, *v, *support = NULL;
	char at[PW_TIME_LEN];
	int rc = cmd_load(c, DB_PEOPLE, "person", id, &p);

	if (rc == 0 && json_object_get(p, "erased") != NULL)
		rc = pw_fail(c->st, PW_ETRANSITION, "person %s was erased at %s", id,
			     str(p, "erased"));
	if (rc == 0)
		rc = privacy_holdings(c, p, &h);
	if (rc != 0)
		goto done;
	e.name = str(p, "name");
	e.email = str(p, "email");
	e.own = h.own;
	e.apps = h.apps;
	rc = erase_apps(&e);
	if (rc == 0)
		rc = erase_forms(&e);
	if (rc == 0)
		rc = erase_self(&e);
	if (rc == 0) {
		support = json_deep_copy(h.support);
		rc = privacy_erase_support(c, id, h.support, counts);
		privacy_texts_support(e.texts, support, h.support);
	}
	if (rc == 0)
		rc = privacy_erase_bookings(c, id, h.bookings, counts);
	/* Their text in others' emails before their name there: it may hold the name. */
	if (rc == 0)
		rc = privacy_texts_scrub(c, e.texts, id, counts);
	if (rc == 0)
		rc = erase_outbox(&e);
	if (rc == 0)
		rc = erase_access(&e);
	if (rc == 0)
		rc = erase_replies(&e);
	if (rc != 0)
		goto done;
	/* The record last: e.name and e.email point into it until now. */
	v = json_pack("{s:i, s:s, s:s, s:s, s:O}", "v", 1, "id", id, "name", ERASED_NAME, "erased",
		      pw_time_format(c->now, at), "roles", json_object_get(p, "roles"));
	if (str(p, "school") != NULL)
		json_object_set(v, "school", json_object_get(p, "school"));
	if (json_object_get(p, "training") != NULL)
		json_object_set(v, "training", json_object_get(p, "training"));
	json_decref(p);
	p = v;
	rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.erased", "person", id);
	if (rc == 0) {
		json_object_del(p, "v");
		if (person != NULL)
			*person = json_incref(p);
	}
done:
	json_decref(p);
	json_decref(support);
	json_decref(e.texts);
	privacy_holdings_clear(&h);
	return rc;
}

int
run_person_erase(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *counts = json_object(), *p = NULL;
	int rc = privacy_erase_person(c, cmd_arg(args, "id"), counts, &p);

	if (rc == 0)
		*data = json_pack("{s:o, s:O}", "person", p, "erased", counts);
	json_decref(counts);
	return rc;
}
