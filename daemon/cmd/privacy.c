/*
 * privacy.c: a person's data under UK GDPR: person.export, everything held
 * about a person as one JSON document, and person.erase, their personal data
 * removed or unlinked while ids, events and histories stay.
 *
 * Both read the store the same way: full scans of DB_APPS, DB_FORMS,
 * DB_OUTBOX, DB_DIGESTS and DB_TOKENS' sessions (each proportional to what
 * it holds: thousands of records for an authority's year), since free
 * text a person wrote (an LA adviser's notes) can be on any application
 * and no index says who wrote what. The export also reads the whole event
 * log (store_events_since, a page of 1,000 at a time): about 1 s per
 * million events in the daemon's one thread, and at most EXPORT_EVENTS
 * events kept per reply (the rest with "after").
 *
 * An export shows the person's applications as they themselves may see
 * them (cmd_app_view as them): never who rated them, never another
 * rater's answers. A rater's own answers cannot be found at all: they are
 * kept under a random id with no link to the rater (cmd/feedback.c).
 *
 * Erasure keeps the person's id (events name it; the log is not
 * rewritten) with "erased" and the name "erased person"; removes their
 * email, facts and digest; the free text they wrote and the free text on
 * their own applications (notes, reasons, links, career notes and
 * schools); the content of the forms they filled in and of the forms on
 * their own applications (state "erased"); their self-assessment; the
 * outbox jobs and held digest notices addressed to them (deleted, in any
 * state: a dead job would keep the address); their name and address in
 * the template variables of others' jobs and digests; and revokes their
 * keys and ends their sessions. token.c and cmd/table.c refuse an erased
 * person from then on.
 */
#include "cmd/privacy.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cmd/base.h"
#include "util.h"

#define EXPORT_EVENTS 10000
#define ERASED_NAME "erased person"

/* Whether any string inside v (recursively) is exactly id. */
static int
names(const json_t *v, const char *id)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		return streq(json_string_value(v), id);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
		{
			if (names(x, id))
				return 1;
		}
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (names(x, id))
				return 1;
		}
	}
	return 0;
}

/* s with every occurrence of what replaced by with (new string), or NULL when none. */
static char *
replace(const char *s, const char *what, const char *with)
{
	struct pw_buf b = {0};
	const char *at;

	if (what == NULL || strlen(what) < 3 || strstr(s, what) == NULL)
		return NULL;
	pw_buf_adds(&b, "");
	while ((at = strstr(s, what)) != NULL) {
		pw_buf_add(&b, s, (size_t)(at - s));
		pw_buf_adds(&b, with);
		s = at + strlen(what);
	}
	pw_buf_adds(&b, s);
	return b.p;
}

/* x (a string) with email removed and name replaced, or NULL when neither is in it. */
static char *
scrubbed(const json_t *x, const char *name, const char *email)
{
	const char *s = json_string_value(x);
	char *a, *b;

	if (s == NULL)
		return NULL;
	a = replace(s, email, "");
	b = replace(a ? a : s, name, ERASED_NAME);
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

/* Collect every record of a database (id -> record) so it can be changed after the scan. */
static int
collect(const char *id, json_t *rec, void *ud)
{
	json_object_set(ud, id, rec);
	return 0;
}

static int
scan_all(struct wctx *c, enum store_db db, json_t **out)
{
	*out = json_object();
	if (store_rec_scan(c->store, c->txn, db, NULL, collect, *out) != 0) {
		json_decref(*out);
		*out = NULL;
		return pw_fail(c->st, PW_ESTORE, "store: reading %s", "the store");
	}
	return 0;
}

static int
by(const json_t *o, const char *id)
{
	return streq(str(o, "by"), id);
}

/* The 360 self-assessment of an application (its "self" response), as {"id", "rec"}. */
struct self_find {
	struct wctx *c;
	json_t *found; /* {"id", "rec"} */
};

static int
self_check(const char *rid, void *ud)
{
	struct self_find *f = ud;
	json_t *r = NULL;

	if (store_rec_get(f->c->store, f->c->txn, DB_FEEDBACK, rid, &r) == 0 &&
	    streq(str(r, "category"), "self")) {
		f->found = json_pack("{s:s, s:o}", "id", rid, "rec", r);
		return 1;
	}
	json_decref(r);
	return 0;
}

static json_t *
self_find(struct wctx *c, const char *app)
{
	struct self_find f = {c, NULL};

	store_index_scan(c->store, c->txn, DB_APP_FEEDBACK, app, NULL, NULL, NULL, self_check, &f);
	return f.found;
}

/* ---- person.export ---- */

/*
 * An event of the person's own application as they may read it (as
 * application.history shows it to a candidate): no notification events
 * but their own, no response_recorded, no other actor's id.
 */
static json_t *
event_for(const json_t *ev, const char *id, const json_t *app, const struct pw_config *cfg)
{
	const char *type = str(ev, "type"), *who = str(ev, "actor");
	json_t *v;

	if (streq(type, "application.response_recorded") ||
	    (strncmp(type, "notification.", 13) == 0 &&
	     !streq(str(json_object_get(ev, "data"), "person"), id)))
		return NULL;
	v = json_deep_copy(ev);
	if (who != NULL && !streq(who, id) && !streq(who, str(app, "coach")) &&
	    !streq(who, "pathwayd") && !streq(who, cfg->daemon.operator_id))
		json_object_del(v, "actor");
	return v;
}

/* The events naming id (actor or a value of its data), and those of its own applications. */
static int
export_events(struct wctx *c, const char *id, const json_t *own, uint64_t after, json_t *doc)
{
	json_t *out = json_array(), *page = NULL, *ev;
	uint64_t scanned = 0, last = after;
	size_t i;
	int full = 0;

	do {
		json_decref(page);
		page = NULL;
		if (store_events_since(c->store, c->txn, last, 1000, &page) != 0) {
			json_decref(out);
			return pw_fail(c->st, PW_ESTORE, "store: reading the event log");
		}
		json_array_foreach(page, i, ev)
		{
			const json_t *app = json_object_get(own, str(ev, "app") ?: "");
			json_t *v = NULL;

			if (json_array_size(out) >= EXPORT_EVENTS) {
				full = 1;
				break;
			}
			last = (uint64_t)json_integer_value(json_object_get(ev, "seq"));
			scanned++;
			if (app != NULL)
				v = event_for(ev, id, app, c->cfg);
			else if (streq(str(ev, "actor"), id) ||
				 names(json_object_get(ev, "data"), id))
				v = json_deep_copy(ev);
			if (v != NULL)
				json_array_append_new(out, v);
		}
	} while (!full && json_array_size(page) > 0);
	json_decref(page);
	json_object_set_new(doc, "events", out);
	json_object_set_new(doc, "events_scanned", json_integer((json_int_t)scanned));
	json_object_set_new(doc, "events_next",
			    full ? json_integer((json_int_t)last) : json_null());
	return 0;
}

/* A job as the export shows it: its personal links not shown (tokens are for their use alone). */
static json_t *
job_view(const json_t *job)
{
	json_t *v = json_deep_copy(job), *vars = json_object_get(v, "vars");

	json_object_del(v, "v");
	if (json_object_get(vars, "action_url") != NULL)
		json_object_set_new(vars, "action_url",
				    json_string("(a personal link, not shown)"));
	if (json_object_get(vars, "login_url") != NULL)
		json_object_set_new(vars, "login_url", json_string("(a personal link, not shown)"));
	return v;
}

/* The other records: jobs, held digest notices, keys (public halves), sessions (no tokens). */
static int
export_rest(struct wctx *c, const char *id, json_t *doc)
{
	json_t *all = NULL, *jobs = json_array(), *sess = json_array(), *keys = NULL, *mine, *r,
	       *d = NULL;
	const char *k;
	size_t i;
	int rc = scan_all(c, DB_OUTBOX, &all);

	json_object_foreach(all, k, r)
	{
		if (streq(str(json_object_get(r, "to"), "person"), id))
			json_array_append_new(jobs, job_view(r));
	}
	json_decref(all);
	all = NULL;
	if (rc == 0)
		rc = scan_all(c, DB_TOKENS, &all);
	json_object_foreach(all, k, r)
	{
		if (strncmp(k, "session:", 8) == 0 && streq(str(r, "person"), id)) {
			json_t *s = json_deep_copy(r);

			json_object_del(s, "v");
			json_object_del(s, "roles");
			json_array_append_new(sess, s);
		}
	}
	json_decref(all);
	mine = json_array();
	if (rc == 0 && (rc = access_key_list(c, &keys)) == 0)
		json_array_foreach(keys, i, r)
		{
			if (streq(str(r, "person"), id)) {
				json_object_del(r, "v");
				json_array_append(mine, r);
			}
		}
	json_decref(keys);
	if (store_rec_get(c->store, c->txn, DB_DIGESTS, id, &d) == 0)
		json_object_del(d, "v");
	json_object_set_new(doc, "outbox", jobs);
	json_object_set_new(doc, "digest_held", d ? d : json_null());
	json_object_set_new(doc, "keys", mine);
	json_object_set_new(doc, "sessions", sess);
	return rc;
}

/* A form record as the export shows it. */
static json_t *
form_view(const json_t *f)
{
	json_t *v = json_deep_copy(f);

	json_object_del(v, "v");
	return v;
}

/* What the person stands in to one application other than as its candidate. */
static void
export_relations(const json_t *p, const json_t *app, json_t *rel, json_t *invites)
{
	const char *id = str(p, "id"), *school = str(p, "school");
	const json_t *rater = json_object_get(json_object_get(app, "raters"), id);
	int roles = engine_roles(p);

	if (streq(str(app, "coach"), id))
		json_array_append_new(
		    rel, json_pack("{s:s, s:s}", "app", str(app, "id"), "as", "coach"));
	if ((roles & ROLE_HEADTEACHER) && school != NULL && streq(str(app, "school"), school))
		json_array_append_new(
		    rel, json_pack("{s:s, s:s}", "app", str(app, "id"), "as", "headteacher"));
	if ((roles & ROLE_HOST) && school != NULL &&
	    streq(str(json_object_get(app, "internship"), "host_school"), school))
		json_array_append_new(rel,
				      json_pack("{s:s, s:s}", "app", str(app, "id"), "as", "host"));
	if (rater != NULL) {
		json_t *r = json_deep_copy(rater);

		json_object_del(r, "name");
		json_object_set_new(r, "app", json_string(str(app, "id")));
		json_array_append_new(invites, r);
	}
}

int
run_person_export(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "id");
	json_t *p = NULL, *apps = NULL, *forms = NULL, *doc, *own = json_object(), *mine,
	       *others = json_array(), *rel = json_array(), *inv = json_array(), *app, *f, *list;
	struct wctx sv;
	const char *k;
	char at[PW_TIME_LEN];
	int rc;

	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(c->actor_id, id))
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s may not export the data of %s", c->actor_id,
			     id);
	else
		rc = cmd_load(c, DB_PEOPLE, "person", id, &p);
	if (rc == 0)
		rc = scan_all(c, DB_APPS, &apps);
	if (rc == 0)
		rc = scan_all(c, DB_FORMS, &forms);
	if (rc != 0)
		goto done;
	sv = *c; /* the applications as the person themself may see them */
	sv.actor = p;
	sv.actor_id = id;
	mine = json_object();
	json_object_foreach(apps, k, app)
	{
		if (streq(str(app, "candidate"), id)) {
			json_t *e = json_object(), *self = self_find(c, k);
			json_t *v = config_cohort(c->cfg, str(app, "cohort"))
					? cmd_app_view(&sv, app, p)
					: json_deep_copy(app);

			if (config_cohort(c->cfg, str(app, "cohort")) == NULL) {
				json_object_del(v, "v");
				cmd_app_redact(&sv, v);
			}
			json_object_set_new(e, "application", v);
			json_object_set_new(e, "forms", json_array());
			if (self != NULL) {
				json_t *r = json_object_get(self, "rec");

				json_object_set_new(e, "self_assessment",
						    json_pack("{s:O, s:O}", "ratings",
							      json_object_get(r, "ratings"),
							      "comments",
							      json_object_get(r, "comments")));
			}
			json_decref(self);
			json_object_set(own, k, app);
			json_object_set_new(mine, k, e);
		} else
			export_relations(p, app, rel, inv);
	}
	c->loaded = sv.loaded;
	json_object_foreach(forms, k, f)
	{
		json_t *e = json_object_get(mine, str(f, "app") ?: "");

		if (!by(f, id))
			continue;
		if (e != NULL)
			json_array_append_new(json_object_get(e, "forms"), form_view(f));
		else
			json_array_append_new(others, form_view(f));
	}
	list = json_array();
	json_object_foreach(mine, k, f)
	{
		json_array_append(list, f);
	}
	json_decref(mine);
	doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "generated",
			pw_time_format(c->now, at), "person", p, "applications", list,
			"forms_on_others_applications", others, "relations", rel,
			"rater_invitations", inv, "rater_answers",
			"answers you gave as a rater are kept without a link to you (under a "
			"random id, with no time): they cannot be found, shown or erased as yours");
	p = NULL;
	others = rel = inv = NULL;
	json_object_del(json_object_get(doc, "person"), "v");
	rc = export_events(c, id, own, (uint64_t)json_integer_value(json_object_get(args, "after")),
			   doc);
	if (rc == 0)
		rc = export_rest(c, id, doc);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.exported", "person", id);
	if (rc == 0)
		*data = json_pack("{s:o}", "export", doc);
	else
		json_decref(doc);
done:
	json_decref(p);
	json_decref(apps);
	json_decref(forms);
	json_decref(own);
	json_decref(others);
	json_decref(rel);
	json_decref(inv);
	return rc;
}

/* ---- person.erase ---- */

struct erase {
	struct wctx *c;
	const char *id, *name, *email;
	json_t *own; /* the person's applications as candidate: id -> true */
	json_t *counts;
	int app_only; /* one application's purge (retention): only the forms on it */
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
	if (json_object_get(o, key) == NULL || !(all || by(o, id)))
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
	return n;
}

static int
erase_apps(struct erase *e)
{
	json_t *apps = NULL, *app;
	const char *k;
	int rc = scan_all(e->c, DB_APPS, &apps);

	json_object_foreach(apps, k, app)
	{
		if (rc != 0)
			break;
		if (streq(str(app, "candidate"), e->id))
			json_object_set_new(e->own, k, json_true());
		if (erase_app(e, app) > 0) {
			rc = store_rec_put(e->c->store, e->c->txn, DB_APPS, k, app, e->c->st);
			count(e, "applications");
		}
	}
	json_decref(apps);
	return rc;
}

/* Form content they filled in, or on their own applications; return notes they wrote. */
static int
erase_forms(struct erase *e)
{
	json_t *forms = NULL, *f, *r;
	const char *k;
	char at[PW_TIME_LEN];
	size_t i;
	int rc = scan_all(e->c, DB_FORMS, &forms);

	json_object_foreach(forms, k, f)
	{
		int own = json_object_get(e->own, str(f, "app") ?: "") != NULL, n = 0;

		if (rc != 0 || (e->app_only && !own))
			continue;
		if ((own || by(f, e->id)) && !streq(str(f, "state"), "erased")) {
			json_object_del(f, "fields");
			json_object_set_new(f, "state", json_string("erased"));
			json_object_set_new(f, "erased",
					    json_string(pw_time_format(e->c->now, at)));
			count(e, "forms");
			n++;
		}
		json_array_foreach(json_object_get(f, "returns"), i, r)
		{
			n += drop(r, "note", e->id, own);
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
		json_t *self = self_find(e->c, k);

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
	int rc = scan_all(c, DB_OUTBOX, &all);

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
		rc = scan_all(c, DB_DIGESTS, &all);
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
		rc = scan_all(c, DB_TOKENS, &all);
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

int
privacy_erase_app(struct wctx *c, json_t *app, json_t *counts)
{
	struct erase e = {c, str(app, "candidate"), NULL, NULL, json_object(), counts, 1};
	int rc;

	json_object_set_new(e.own, str(app, "id"), json_true());
	if (erase_app(&e, app) > 0)
		count(&e, "applications");
	rc = erase_forms(&e);
	if (rc == 0)
		rc = erase_self(&e);
	json_decref(e.own);
	return rc;
}

int
privacy_erase_person(struct wctx *c, const char *id, json_t *counts, json_t **person)
{
	struct erase e = {c, id, NULL, NULL, json_object(), counts, 0};
	json_t *p = NULL, *v;
	char at[PW_TIME_LEN];
	int rc = cmd_load(c, DB_PEOPLE, "person", id, &p);

	if (rc == 0 && json_object_get(p, "erased") != NULL)
		rc = pw_fail(c->st, PW_ETRANSITION, "person %s was erased at %s", id,
			     str(p, "erased"));
	if (rc != 0)
		goto done;
	e.name = str(p, "name");
	e.email = str(p, "email");
	rc = erase_apps(&e);
	if (rc == 0)
		rc = erase_forms(&e);
	if (rc == 0)
		rc = erase_self(&e);
	if (rc == 0)
		rc = erase_outbox(&e);
	if (rc == 0)
		rc = erase_access(&e);
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
	json_decref(e.own);
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
