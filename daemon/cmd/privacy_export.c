/*
 * privacy_export.c: person.export, everything held about a person under UK
 * GDPR as one JSON document (PROTOCOL.md, "Subject access and erasure").
 *
 * What is held is found through the indexes (cmd/privacy_find.c): the
 * events naming the person (DB_PERSON_EVENTS), the applications those
 * events and their relations reach, their forms (DB_FORMS under "APP/"),
 * the events of their own applications (DB_APP_EVENTS), the support
 * requests and bookings the events name, the forms they filled in
 * (DB_PERSON_FORMS). The outbox, the held digests and the sessions, which
 * hold only what is pending or live, are read raw and only the records
 * holding the person's id are parsed; the keys are few. The cost is the
 * person's, not the store's.
 *
 * An export shows the person's applications as they themselves may see
 * them (cmd_app_view as them): never who rated them, never another
 * rater's answers. A rater's own answers cannot be found at all: they are
 * kept under a random id with no link to the rater (cmd/feedback.c).
 */
#include "cmd/privacy.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cmd/base.h"
#include "cmd/privacy_find.h"
#include "util.h"

#define EXPORT_EVENTS 10000

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

static int
by_seq(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "seq"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "seq"));

	return x < y ? -1 : x > y;
}

/*
 * The events naming id (h->events) and those of its own applications (ownev),
 * merged in seq order, each once, from after on, at most EXPORT_EVENTS.
 */
static void
export_events(struct wctx *c, const char *id, const struct holdings *h, const json_t *ownev,
	      uint64_t after, json_t *doc)
{
	size_t n = json_array_size(h->events) + json_array_size(ownev), m = 0, i;
	json_t **all = xcalloc(n + 1, sizeof *all), *out = json_array(), *ev;
	uint64_t scanned = 0, last = after, prev = 0;
	int full = 0;

	json_array_foreach(h->events, i, ev) all[m++] = ev;
	json_array_foreach(ownev, i, ev) all[m++] = ev;
	qsort(all, m, sizeof *all, by_seq);
	for (i = 0; i < m; i++) {
		uint64_t seq = (uint64_t)json_integer_value(json_object_get(all[i], "seq"));
		const json_t *app = json_object_get(h->own, str(all[i], "app") ?: "");
		json_t *v;

		if (seq <= after || seq == prev)
			continue;
		if (json_array_size(out) >= EXPORT_EVENTS) {
			full = 1;
			break;
		}
		prev = last = seq;
		scanned++;
		v = app != NULL ? event_for(all[i], id, app, c->cfg) : json_deep_copy(all[i]);
		if (v != NULL)
			json_array_append_new(out, v);
	}
	free(all);
	json_object_set_new(doc, "events", out);
	json_object_set_new(doc, "events_scanned", json_integer((json_int_t)scanned));
	json_object_set_new(doc, "events_next",
			    full ? json_integer((json_int_t)last) : json_null());
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
	const char **ks;
	size_t i, n;
	int rc = privacy_grep(c, DB_OUTBOX, id, NULL, NULL, &all);

	ks = privacy_sorted_keys(all, &n);
	for (i = 0; i < n; i++) {
		r = json_object_get(all, ks[i]);
		if (streq(str(json_object_get(r, "to"), "person"), id))
			json_array_append_new(jobs, job_view(r));
	}
	free(ks);
	json_decref(all);
	all = NULL;
	if (rc == 0)
		rc = privacy_grep(c, DB_TOKENS, id, NULL, NULL, &all);
	ks = privacy_sorted_keys(all, &n);
	for (i = 0; i < n; i++) {
		r = json_object_get(all, ks[i]);
		if (strncmp(ks[i], "session:", 8) == 0 && streq(str(r, "person"), id)) {
			json_t *s = json_deep_copy(r);

			json_object_del(s, "v");
			json_object_del(s, "roles");
			json_array_append_new(sess, s);
		}
	}
	free(ks);
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

/* Their bookings of sessions ({"cohort", "session", "status", "position"?, "at", "by"}). */
static json_t *
export_bookings(const struct holdings *h, const char *id)
{
	json_t *out = json_array(), *b, *e;
	const char **ks, *lists[] = {"booked", "waiting"};
	size_t n, i, j;

	ks = privacy_sorted_keys(h->bookings, &n);
	for (i = 0; i < n; i++) {
		b = json_object_get(h->bookings, ks[i]);
		for (size_t l = 0; l < 2; l++)
			json_array_foreach(json_object_get(b, lists[l]), j, e)
			{
				json_t *o;

				if (!streq(str(e, "person"), id))
					continue;
				o = json_pack("{s:s, s:s, s:s, s:O, s:O}", "cohort",
					      str(b, "cohort"), "session", str(b, "session"),
					      "status", lists[l], "at", json_object_get(e, "at"),
					      "by", json_object_get(e, "by"));
				if (l == 1)
					json_object_set_new(o, "position",
							    json_integer((json_int_t)j + 1));
				json_array_append_new(out, o);
			}
	}
	free(ks);
	return out;
}

/* The support requests they raised, serve as the paired LLE, or wrote on, as stored. */
static json_t *
export_support(const struct holdings *h)
{
	json_t *out = json_array(), *r;
	const char **ks;
	size_t n;

	ks = privacy_sorted_keys(h->support, &n);
	for (size_t i = 0; i < n; i++) {
		r = json_deep_copy(json_object_get(h->support, ks[i]));
		json_object_del(r, "v");
		json_array_append_new(out, r);
	}
	free(ks);
	return out;
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

struct forms_by {
	const char *id;
	json_t *own, *mine, *others, *seen;
};

/* A form they filled in: onto their own application's entry, or among others'. */
static int
form_take(const char *key, json_t *f, void *ud)
{
	struct forms_by *fb = ud;
	json_t *e = json_object_get(fb->mine, str(f, "app") ?: "");

	if (!privacy_by(f, fb->id) || json_object_get(fb->seen, key) != NULL)
		return 0;
	json_object_set_new(fb->seen, key, json_true());
	if (e != NULL)
		json_array_append_new(json_object_get(e, "forms"), form_view(f));
	else
		json_array_append_new(fb->others, form_view(f));
	return 0;
}

/* Their own applications as they see them, with their forms and self-assessment. */
static json_t *
export_own(struct wctx *c, const json_t *p, const struct holdings *h, json_t *mine)
{
	struct wctx sv = *c; /* the applications as the person themself may see them */
	const char *id = str(p, "id"), **ks;
	json_t *list = json_array();
	size_t n;

	sv.actor = (json_t *)p;
	sv.actor_id = id;
	ks = privacy_sorted_keys(h->own, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *app = json_object_get(h->own, ks[i]), *e = json_object(),
		       *self = privacy_self_find(c, ks[i]), *v;

		if (config_cohort(c->cfg, str(app, "cohort")) != NULL)
			v = cmd_app_view(&sv, app, p);
		else {
			v = json_deep_copy(app);
			json_object_del(v, "v");
			cmd_app_redact(&sv, v);
		}
		json_object_set_new(e, "application", v);
		json_object_set_new(e, "forms", json_array());
		if (self != NULL) {
			json_t *r = json_object_get(self, "rec");

			json_object_set_new(e, "self_assessment",
					    json_pack("{s:O, s:O}", "ratings",
						      json_object_get(r, "ratings"), "comments",
						      json_object_get(r, "comments")));
		}
		json_decref(self);
		json_object_set_new(mine, ks[i], e);
		json_array_append(list, e);
	}
	free(ks);
	c->loaded = sv.loaded;
	return list;
}

int
run_person_export(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "id"), **ks;
	json_t *p = NULL, *doc = NULL, *mine = json_object(), *ownev = json_array(), *list,
	       *rel = json_array(), *inv = json_array();
	struct forms_by fb = {id, NULL, mine, json_array(), json_object()};
	struct holdings h = {0};
	char at[PW_TIME_LEN];
	size_t n, i;
	int rc;

	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(c->actor_id, id))
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s may not export the data of %s", c->actor_id,
			     id);
	else
		rc = cmd_load(c, DB_PEOPLE, "person", id, &p);
	if (rc == 0)
		rc = privacy_holdings(c, p, &h);
	if (rc != 0)
		goto done;
	list = export_own(c, p, &h, mine);
	ks = privacy_sorted_keys(h.apps, &n);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *app = json_object_get(h.apps, ks[i]), *evs;

		if (json_object_get(h.own, ks[i]) != NULL) {
			if ((evs = privacy_app_events(c, ks[i])) == NULL)
				rc = PW_ESTORE;
			json_array_extend(ownev, evs);
			json_decref(evs);
		} else
			export_relations(p, app, rel, inv);
		if (rc == 0)
			rc = privacy_forms(c, ks[i], form_take, &fb);
	}
	free(ks);
	if (rc == 0) /* those on applications they neither stand in nor acted on (drafts) */
		rc = privacy_forms_by(c, id, form_take, &fb);
	if (rc == 0)
		privacy_support_from(c, ownev, &h);
	doc = json_pack("{s:s, s:o, s:o, s:O, s:O, s:O, s:s}", "generated",
			pw_time_format(c->now, at), "person", json_deep_copy(p), "applications",
			list, "forms_on_others_applications", fb.others, "relations", rel,
			"rater_invitations", inv, "rater_answers",
			"answers you gave as a rater are kept without a link to you (under a "
			"random id, with no time): they cannot be found, shown or erased as yours");
	json_object_del(json_object_get(doc, "person"), "v");
	json_object_set_new(doc, "bookings", export_bookings(&h, id));
	json_object_set_new(doc, "support_requests", export_support(&h));
	if (rc == 0) {
		export_events(c, id, &h, ownev,
			      (uint64_t)json_integer_value(json_object_get(args, "after")), doc);
		rc = export_rest(c, id, doc);
	}
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.exported", "person", id);
	if (rc == 0)
		*data = json_pack("{s:o}", "export", json_incref(doc));
done:
	json_decref(doc);
	json_decref(p);
	json_decref(mine);
	json_decref(ownev);
	json_decref(rel);
	json_decref(inv);
	json_decref(fb.others);
	json_decref(fb.seen);
	privacy_holdings_clear(&h);
	return rc;
}
