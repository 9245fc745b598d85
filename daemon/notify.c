/*
 * notify.c: from events to outbox jobs. The catalogue (variables.c) says
 * which events can be notified and which template variables each provides;
 * a programme's rules
 * pick events, recipients (by role, related to the application) and a
 * template. Each recipient gets their own job, so each email is retried,
 * identified (Message-ID) and dead-lettered on its own.
 */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ical.h"
#include "notify_words.h"
#include "schedule.h"
#include "template.h"
#include "token.h"
#include "util.h"
#include "variables.h"

/* Does rule r apply to event ev on app? */
static int
rule_matches(const struct notify_rule *r, const json_t *ev, const json_t *app)
{
	const json_t *data = json_object_get(ev, "data");
	const char *stage = streq(str(ev, "type"), "application.stage_changed") ? str(data, "to")
										: str(ev, "stage");

	if (!streq(r->on, str(ev, "type")))
		return 0;
	if (r->stage != NULL && !streq(r->stage, stage))
		return 0;
	if (r->outcome != NULL && !streq(r->outcome, str(data, "outcome")))
		return 0;
	if (r->route != NULL && !streq(r->route, str(app, "route")))
		return 0;
	return 1;
}

/* Set v[key] to s, or to fallback when s is NULL. */
static void
put(json_t *v, const char *key, const char *s, const char *fallback)
{
	json_object_set_new(v, key, json_string(s != NULL ? s : fallback));
}

/* The name of a person or school (the id if it has none; "" if there is none). */
static const char *
name_of(struct wctx *c, enum store_db db, const char *id, json_t *keep)
{
	json_t *rec = NULL;

	if (id == NULL || store_rec_get(c->store, c->txn, db, id, &rec) != 0)
		return "";
	json_array_append_new(keep, rec);
	return str(rec, "name") ? str(rec, "name") : id;
}

static const char *
stage_name(const struct programme *p, const char *id)
{
	int i = id ? config_stage_index(p, id) : -1;

	return i >= 0 ? p->stages[i].name : "";
}

json_t *
notify_requirements(const struct wctx *c, const json_t *app)
{
	json_t *cand = NULL, *school = NULL, *coach = NULL, *reqs;
	struct engine_ctx e = {
	    .cfg = c->cfg, .now = c->now, .actor_id = c->actor_id, .actor = c->actor};

	if (str(app, "candidate") != NULL)
		store_rec_get(c->store, c->txn, DB_PEOPLE, str(app, "candidate"), &cand);
	e.candidate = cand; /* the eligibility rules read the candidate's facts */
	/* and may read their school; coach_trained reads the coach's training */
	if (str(app, "school") != NULL)
		store_rec_get(c->store, c->txn, DB_SCHOOLS, str(app, "school"), &school);
	if (str(app, "coach") != NULL)
		store_rec_get(c->store, c->txn, DB_PEOPLE, str(app, "coach"), &coach);
	e.school = school;
	e.coach = coach;
	reqs = engine_requirements(&e, app);
	json_decref(cand);
	json_decref(school);
	json_decref(coach);
	return reqs;
}

json_t *
notify_todo(const json_t *reqs)
{
	json_t *q, *out;
	char *s = xstrdup("");
	size_t i;

	json_array_foreach(reqs, i, q)
	{
		static const char *const phrases[][2] = {
		    {"signoff", "the sign-off"},
		    {"decision", "the LA's decision"},
		    {"responses", "360 responses"},
		    {"attendance", "sessions attended"},
		    {"internship", "internship days confirmed"},
		    {"eligibility", "the eligibility rules"},
		    {"coach_trained", "the coach's training sessions"},
		    {"panel", "the selection panel's recommendations"},
		    {"review", "the termly reviews"},
		};
		const char *kind = str(q, "kind"), *doc = str(q, "doc"), *what = kind;
		char *n;

		if (json_is_true(json_object_get(q, "met")))
			continue;
		for (size_t k = 0; k < sizeof phrases / sizeof phrases[0]; k++)
			if (streq(kind, phrases[k][0]))
				what = phrases[k][1];
		/* Every member recommended, or the chair closed the panel: the chair decides. */
		if (streq(kind, "panel") && (json_is_true(json_object_get(q, "closed")) ||
					     json_integer_value(json_object_get(q, "have")) >=
						 json_integer_value(json_object_get(q, "need"))))
			n = xasprintf("%s%sthe panel chair's decision", s, *s ? "; " : "");
		else if (doc != NULL)
			n = xasprintf("%s%sthe %s", s, *s ? "; " : "", doc);
		else if (json_integer_value(json_object_get(q, "need")) > 1)
			n = xasprintf("%s%s%s (%lld of %lld)", s, *s ? "; " : "", what,
				      (long long)json_integer_value(json_object_get(q, "have")),
				      (long long)json_integer_value(json_object_get(q, "need")));
		else
			n = xasprintf("%s%s%s", s, *s ? "; " : "", what);
		free(s);
		s = n;
	}
	for (char *u = s; *u != '\0'; u++)
		if (*u == '_')
			*u = ' ';
	out = json_string(s);
	free(s);
	return out;
}

/* How many 360 responses the current stage still needs (never who). */
static int
responses_missing(const json_t *reqs)
{
	json_t *q;
	size_t i;
	int missing = 0;

	json_array_foreach(reqs, i, q)
	{
		if (streq(str(q, "kind"), "responses"))
			missing += (int)(json_integer_value(json_object_get(q, "need")) -
					 json_integer_value(json_object_get(q, "have")));
	}
	return missing > 0 ? missing : 0;
}

/* The career steps recorded since graduation, one per line, newest last. */
static json_t *
career_text(const json_t *app)
{
	char *s = xstrdup("");
	size_t i;
	json_t *step, *out;

	json_array_foreach(json_object_get(app, "career"), i, step)
	{
		const char *at = str(step, "school");
		char *n = xasprintf("%s  %s: %s%s%s\n", s, str(step, "date"), str(step, "role"),
				    at ? ", " : "", at ? at : "");

		free(s);
		s = n;
	}
	out = json_string(*s ? s : "  (nothing recorded yet)\n");
	free(s);
	return out;
}

/* The variables an event on app provides; the recipient's are added per job. */
static json_t *
event_vars(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co,
	   json_t *keep)
{
	const json_t *data = json_object_get(ev, "data");
	const json_t *in = json_object_get(app, "internship");
	const struct programme *p = co->programme;
	const struct cohort *from =
	    config_cohort(c->cfg, str(data, "from_cohort") ? str(data, "from_cohort") : "");
	json_t *v = json_object(), *pos = json_object_get(data, "position");
	json_t *reqs = notify_requirements(c, app);
	char date[PW_TIME_LEN];

	pw_time_format(c->now, date);
	date[10] = '\0';
	put(v, "candidate_name", name_of(c, DB_PEOPLE, str(app, "candidate"), keep), "");
	put(v, "school_name", name_of(c, DB_SCHOOLS, str(app, "school"), keep), "");
	put(v, "cohort_name", co->name, "");
	put(v, "programme_name", p->name, "");
	put(v, "stage_name", stage_name(p, str(app, "stage")), "");
	put(v, "app_id", str(app, "id"), "");
	json_object_set_new(v, "todo", notify_todo(reqs));
	put(v, "route", str(app, "route"), "");
	put(v, "doc", str(data, "doc"), "");
	put(v, "from_stage_name", stage_name(p, str(data, "from")), "");
	put(v, "outcome", str(data, "outcome"), "");
	json_object_set_new(v, "position", pos ? json_incref(pos) : json_string(""));
	put(v, "rater_name", name_of(c, DB_PEOPLE, str(data, "rater"), keep), "");
	put(v, "host_school_name", name_of(c, DB_SCHOOLS, str(in, "host_school"), keep), "");
	put(v, "internship_start", str(in, "start"), "");
	put(v, "internship_end", str(in, "end"), "");
	json_object_set_new(v, "days",
			    json_integer(json_integer_value(json_object_get(data, "days"))));
	put(v, "coach_name", name_of(c, DB_PEOPLE, str(app, "coach"), keep), "");
	/* Free text is kept in the record, never on the event stream. */
	put(v, "reason", str(json_object_get(app, "withdrawal"), "reason"), "no reason given");
	put(v, "from_cohort_name", from ? from->name : NULL, "");
	if (str(data, "rater") != NULL) { /* the 360: how long it takes, how answers are shown */
		int k = config_feedback_category(p, str(data, "category") ?: "others");

		int th = k >= 0 ? p->feedback.categories[k].threshold : 3;
		char *how;

		json_object_set_new(v, "minutes", json_integer(p->feedback.minutes));
		put(v, "category_name", k >= 0 ? p->feedback.categories[k].name : NULL, "");
		json_object_set_new(v, "threshold", json_integer(th));
		/* What the report will show of this rater's answers (feedback_report.c). */
		how = th <= 1 ? xasprintf("You were asked as their %s: your ratings are shown as "
					  "that group's, and so can be told apart. Your comments "
					  "are shown without your name, among the others'.",
					  k >= 0 ? p->feedback.categories[k].name : "colleague")
			      : xasprintf("Your ratings are shown only as an average with those of "
					  "at least %d other colleagues, and your comments without "
					  "your name, in no telling order.",
					  th - 1);
		json_object_set_new(v, "shown_as", json_string(how));
		free(how);
	}
	if (str(data, "form") != NULL) { /* application.returned: the form and why */
		const struct form *fm = config_form(p, str(data, "form"));

		put(v, "form_title", fm ? fm->title : str(data, "form"), "");
		put(v, "note",
		    str(json_object_get(json_object_get(app, "returned"), str(data, "form")),
			"note"),
		    "");
	}
	put(v, "graduation_date", str(app, "graduated") ? str(app, "graduated") : date, "");
	json_object_set_new(v, "career", career_text(app));
	put(v, "deadline", str(data, "deadline_local"), "");
	put(v, "offer_expires", str(data, "expires_local"), ""); /* application.place_offered */
	json_object_set_new(v, "missing", json_integer(responses_missing(reqs)));
	/* A panel's and the reviews' counts (engine_panel.c), and the term's name. */
	for (const char *const *k =
		 (const char *const[]){"recommended", "members", "not_met", NULL};
	     *k != NULL; k++)
		json_object_set_new(v, *k,
				    json_integer(json_integer_value(json_object_get(data, *k))));
	put(v, "term_name", str(data, "term"), "");
	for (size_t i = 0; i < co->nterms; i++)
		if (streq(co->terms[i].id, str(data, "term")))
			put(v, "term_name", co->terms[i].name, "");
	/* The deadline, day counts and the words that depend on the state or the reader. */
	notify_words_event(c, ev, app, co, reqs, v);
	json_decref(reqs);
	return v;
}

struct recipients {
	struct wctx *c;
	int role;
	json_t *people; /* person id -> role name, in the order found */
};

static void
recipient_add(struct recipients *r, const char *id)
{
	if (id != NULL && json_object_get(r->people, id) == NULL)
		json_object_set_new(r->people, id, json_string(proto_roles[r->role]));
}

static int
recipient_visit(const char *id, void *ud)
{
	recipient_add(ud, id);
	return 0;
}

/* Everyone in role bit 'role' related to the application (see PROTOCOL.md, Roles). */
static int
recipients_of(struct recipients *r, const json_t *ev, const json_t *app)
{
	struct wctx *c = r->c;
	const char *role = proto_roles[r->role];
	const char *host = str(json_object_get(app, "internship"), "host_school");

	switch (1 << r->role) {
	case ROLE_CANDIDATE:
		recipient_add(r, str(app, "candidate"));
		return 0;
	case ROLE_COACH:
		recipient_add(r, str(app, "coach"));
		return 0;
	case ROLE_RATER:
		if (str(json_object_get(ev, "data"), "rater") != NULL) {
			recipient_add(r, str(json_object_get(ev, "data"), "rater"));
		} else {
			/* Reminders go to the raters who have not responded yet. */
			const char *rater;
			json_t *rs;

			json_object_foreach(json_object_get(app, "raters"), rater, rs)
			{
				if (json_object_get(rs, "responded") == NULL)
					recipient_add(r, rater);
			}
		}
		return 0;
	case ROLE_HEADTEACHER:
		return store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, role, str(app, "school"),
					NULL, NULL, recipient_visit, r);
	case ROLE_HOST:
		if (host == NULL)
			return 0;
		return store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, role, host, NULL, NULL,
					recipient_visit, r);
	case ROLE_LA_ADVISER:
		return store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, role, "", NULL, NULL,
					recipient_visit, r);
	default:
		return 0; /* viewers are dashboards, not mailboxes */
	}
}

/*
 * Does this notice wait for the person's daily digest instead? Headteachers
 * and LA advisers may choose the digest; alerts about failed notifications,
 * messages with attachments and the digest itself still go at once.
 */
static int
digest_holds(const struct wctx *c, const json_t *p, const char *role, const struct template *t,
	     const json_t *attachments)
{
	return json_is_true(json_object_get(p, "digest")) &&
	       (streq(role, "headteacher") || streq(role, "la_adviser")) && attachments == NULL &&
	       t != c->cfg->outbox.failed && t != c->cfg->digest.tmpl;
}

/* Keep a notice (its subject, rendered now) for person's next digest. */
static int
digest_hold(struct wctx *c, const char *person, const struct template *t, const json_t *ev,
	    const json_t *vars)
{
	json_t *d = NULL, *notices;
	char *subject = tmpl_render(t->subject, vars, 0);
	int rc;

	if (store_rec_get(c->store, c->txn, DB_DIGESTS, person, &d) != 0)
		d = json_pack("{s:i, s:[]}", "v", 1, "notices");
	notices = json_object_get(d, "notices");
	json_array_append_new(notices, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)c->now,
						 "subject", subject, "template", t->name));
	if (str(ev, "app") != NULL)
		json_object_set_new(json_array_get(notices, json_array_size(notices) - 1), "app",
				    json_string(str(ev, "app")));
	rc = store_rec_put(c->store, c->txn, DB_DIGESTS, person, d, c->st);
	json_decref(d);
	free(subject);
	return rc;
}

static int
is_action_url(const char *name, void *ud)
{
	(void)ud;
	return strcmp(name, "action_url") == 0;
}

/*
 * When t uses {{action_url}}: this recipient's own link to act on the
 * event's application (a fresh one-use action token), or words saying how
 * else to act (token_action_url).
 */
static int
action_url_put(struct wctx *c, const struct template *t, const json_t *ev, const char *person,
	       const char *role, json_t *v)
{
	json_t *app = NULL, *reqs = NULL;
	size_t bad;
	char *text;
	int rc;

	if (tmpl_vars(t->text, is_action_url, NULL, &bad) <= 0 &&
	    (t->html == NULL || tmpl_vars(t->html, is_action_url, NULL, &bad) <= 0))
		return 0;
	if (str(ev, "app") != NULL)
		store_rec_get(c->store, c->txn, DB_APPS, str(ev, "app"), &app);
	if (app != NULL)
		reqs = notify_requirements(c, app);
	rc = token_action_url(c, person, role, app, reqs, &text);
	if (rc == 0)
		put(v, "action_url", text, "");
	free(text);
	json_decref(reqs);
	json_decref(app);
	return rc;
}

/* Write one job for one recipient (or hold it for their digest). */
static int
job_write(struct wctx *c, const struct template *t, const json_t *ev, const char *person,
	  const char *role, const json_t *vars, const json_t *attachments)
{
	const char *tmpl = t->name;
	json_t *p = NULL, *job, *v;
	char id[32];
	uint64_t n;
	int rc;

	if (store_rec_get(c->store, c->txn, DB_PEOPLE, person, &p) != 0 ||
	    str(p, "email") == NULL) {
		json_decref(p);
		return 0; /* nobody to write to: the event log still has it */
	}
	if (digest_holds(c, p, role, t, attachments)) {
		v = json_deep_copy(vars);
		notify_words_reader(v, person);
		put(v, "recipient_name", str(p, "name"), person);
		put(v, "recipient_role", streq(role, "la_adviser") ? "LA adviser" : role, "");
		rc = digest_hold(c, person, t, ev, v);
		json_decref(v);
		json_decref(p);
		return rc;
	}
	if (store_counter_next(c->store, c->txn, "next_job", &n, c->st) != 0) {
		json_decref(p);
		return PW_ESTORE;
	}
	snprintf(id, sizeof id, "J%09llu", (unsigned long long)n);
	v = json_deep_copy(vars);
	notify_words_reader(v, person);
	put(v, "recipient_name", str(p, "name"), person);
	put(v, "recipient_role", streq(role, "la_adviser") ? "LA adviser" : role, "");
	if (action_url_put(c, t, ev, person, role, v) != 0) {
		json_decref(v);
		json_decref(p);
		return PW_ESTORE;
	}
	job = json_pack("{s:i, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:i, s:I, s:I}", "v", 1,
			"id", id, "state", "pending", "template", tmpl, "to", "person", person,
			"name", str(p, "name") ? str(p, "name") : person, "email", str(p, "email"),
			"role", role, "vars", v, "attempts", 0, "created", (json_int_t)c->now,
			"next_attempt", (json_int_t)c->now);
	if (json_object_get(ev, "seq") != NULL)
		json_object_set(job, "event", json_object_get(ev, "seq"));
	if (str(ev, "app") != NULL)
		put(job, "app", str(ev, "app"), "");
	if (str(ev, "cohort") != NULL)
		put(job, "cohort", str(ev, "cohort"), "");
	if (attachments != NULL)
		json_object_set(job, "attachments", (json_t *)attachments);
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_OUTBOX_DUE, c->now, id, c->st);
	json_decref(job);
	json_decref(p);
	return rc;
}

/* One job per person in roles 'to' related to app, with template t. */
/* As notify_roles, skipping (and then adding) the people in seen when it is not NULL. */
static int
notify_roles_once(struct wctx *c, const json_t *ev, const json_t *app, const json_t *vars, int to,
		  const struct template *t, const json_t *attachments, json_t *seen)
{
	struct recipients rs = {c, 0, json_object()};
	const char *person;
	json_t *role;
	int rc = 0;

	for (rs.role = 0; proto_roles[rs.role] != NULL && rc == 0; rs.role++)
		if (to & (1 << rs.role))
			rc = recipients_of(&rs, ev, app);
	json_object_foreach(rs.people, person, role)
	{
		if (seen != NULL && json_object_get(seen, person) != NULL)
			continue;
		if (seen != NULL)
			json_object_set_new(seen, person, json_true());
		if (rc == 0)
			rc =
			    job_write(c, t, ev, person, json_string_value(role), vars, attachments);
	}
	json_decref(rs.people);
	return rc;
}

static int
notify_roles(struct wctx *c, const json_t *ev, const json_t *app, const json_t *vars, int to,
	     const struct template *t, const json_t *attachments)
{
	return notify_roles_once(c, ev, app, vars, to, t, attachments, NULL);
}

/* Session notices. The cohort state keeps each session's SEQUENCE under "sessions". */

struct cal {
	const json_t *seqs; /* session id -> {"seq"} */
	const char *only;   /* one session, or NULL for every session for participants */
	const struct cohort *co;
	const char *track; /* the application's track: sessions for other tracks are left out */
	int any_track;	   /* leave none out by track (a booked session) */
};

static int
cal_want(const struct session *s, void *ud)
{
	const struct cal *k = ud;

	if (!k->any_track && !config_session_for(k->co, s, k->track))
		return 0;
	if (k->only != NULL)
		return strcmp(s->id, k->only) == 0;
	return strcmp(s->audience, "coaches") != 0;
}

static int
cal_seq(const struct session *s, void *ud)
{
	const struct cal *k = ud;

	return (int)json_integer_value(json_object_get(json_object_get(k->seqs, s->id), "seq"));
}

/*
 * The attachments array holding the cohort's calendar for track (or one
 * session of it, only; with track NULL too, whatever the session's tracks).
 */
json_t *
notify_calendar(struct wctx *c, const struct cohort *co, const char *only, const char *track)
{
	json_t *state = NULL, *att;
	struct cal k;
	char *ics, *name;

	store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &state);
	k.seqs = json_object_get(state, "sessions");
	k.any_track = only != NULL && track == NULL;
	k.only = only;
	k.co = co;
	k.track = track;
	ics = ical_calendar(co, cal_want, cal_seq, &k, c->now);
	name = only ? xasprintf("%s-%s.ics", co->id, only) : xasprintf("%s.ics", co->id);
	att = json_pack("[{s:s, s:s, s:s}]", "filename", name, "type",
			"text/calendar; charset=UTF-8; method=PUBLISH", "content", ics);
	free(ics);
	free(name);
	json_decref(state);
	return att;
}

static void
session_vars(json_t *v, const struct cohort *co, const struct session *s)
{
	char when[64];

	put(v, "session_id", s->id, "");
	put(v, "session_title", s->title, "");
	schedule_format_date(co->timezone, ical_session_start(co, s), when);
	put(v, "session_date", when, "");
	put(v, "session_start", s->start, "");
	put(v, "session_end", s->end, "");
	put(v, "session_venue", s->venue, "");
}

/* The sessions still to come (from 'from' on): a newcomer's calendar leaves out the past. */
static json_t *
sessions_text(const struct cohort *co, int64_t from, const char *track)
{
	char *s = xstrdup(""), when[64];
	json_t *out;

	for (size_t i = 0; i < co->nsessions; i++) {
		const struct session *ss = &co->sessions[i];
		char *n;

		if (strcmp(ss->audience, "coaches") == 0 || ical_session_start(co, ss) < from ||
		    !config_session_for(co, ss, track))
			continue;
		schedule_format_date(co->timezone, ical_session_start(co, ss), when);
		n = xasprintf("%s  %-5s %s, %s-%s, %s\n", s, ss->id, when, ss->start, ss->end,
			      ss->venue);
		free(s);
		s = n;
	}
	out = json_string(s);
	free(s);
	return out;
}

/* Calendar when a place is taken; follow-up when recorded absent. */
static int
session_notices(struct wctx *c, const json_t *ev, const struct cohort *co, const json_t *app)
{
	const struct programme *p = co->programme;
	const json_t *data = json_object_get(ev, "data");
	const char *type = str(ev, "type");
	json_t *keep, *vars, *att = NULL;
	int rc, calendar, absent;

	if (app == NULL)
		return 0;
	calendar = p->session_calendar.to != 0 && json_is_true(json_object_get(app, "place")) &&
		   (streq(type, "application.offer_accepted") ||
		    (streq(type, "application.decided") && streq(str(data, "outcome"), "accept")));
	absent = p->session_absent.to != 0 && streq(type, "application.attendance_recorded") &&
		 json_is_false(json_object_get(data, "present"));
	if (!calendar && !absent)
		return 0;
	keep = json_array();
	vars = event_vars(c, ev, app, co, keep);
	if (calendar) {
		json_object_set_new(vars, "sessions", sessions_text(co, c->now, str(app, "track")));
		att = notify_calendar(c, co, NULL, str(app, "track"));
		rc = notify_roles(c, ev, app, vars, p->session_calendar.to,
				  p->session_calendar.tmpl, att);
	} else {
		session_vars(vars, co, config_session(co, str(data, "session")));
		rc = notify_roles(c, ev, app, vars, p->session_absent.to, p->session_absent.tmpl,
				  NULL);
	}
	json_decref(att);
	json_decref(vars);
	json_decref(keep);
	return rc;
}

int
notify_session(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co,
	       const struct session *s, const struct nudge *n, int with_ics, json_t *seen)
{
	json_t *keep, *vars, *att;
	int to = n->to, rc;

	/* A session for some tracks is told only about applications on them. */
	if (app != NULL && !config_session_for(co, s, str(app, "track")))
		return 0;
	keep = json_array();
	vars = event_vars(c, ev, app, co, keep);
	att = with_ics ? notify_calendar(c, co, s->id, str(app, "track")) : NULL;

	/* A coaches' session is for coaches; a participants' session for participants. */
	if (strcmp(s->audience, "coaches") == 0)
		to &= ROLE_COACH;
	session_vars(vars, co, s);
	rc = notify_roles_once(c, ev, app, vars, to, n->tmpl, att, seen);
	json_decref(att);
	json_decref(vars);
	json_decref(keep);
	return rc;
}

/*
 * The roles a rule tells of ev: its own, except that a form sent back
 * (application.returned) is told only to the role that fills that form in.
 */
static int
rule_to(const struct cohort *co, const struct notify_rule *r, const json_t *ev)
{
	const struct form *fm;

	if (!streq(str(ev, "type"), "application.returned"))
		return r->to;
	fm = config_form(co->programme, str(json_object_get(ev, "data"), "form") ?: "");
	return fm ? r->to & (1 << fm->filled_by) : 0;
}

int
notify_event(struct wctx *c, const json_t *ev)
{
	const struct cohort *co = config_cohort(c->cfg, str(ev, "cohort") ? str(ev, "cohort") : "");
	json_t *app = NULL, *keep, *vars = NULL;
	int rc = 0;

	if (co == NULL || str(ev, "app") == NULL ||
	    store_rec_get(c->store, c->txn, DB_APPS, str(ev, "app"), &app) != 0)
		return 0;
	keep = json_array();
	for (size_t i = 0; i < co->programme->nrules && rc == 0; i++) {
		const struct notify_rule *r = &co->programme->rules[i];

		if (!rule_matches(r, ev, app))
			continue;
		if (vars == NULL)
			vars = event_vars(c, ev, app, co, keep);
		rc = notify_roles(c, ev, app, vars, rule_to(co, r, ev), r->tmpl, NULL);
	}
	if (rc == 0)
		rc = session_notices(c, ev, co, app);
	json_decref(app);
	json_decref(keep);
	json_decref(vars);
	return rc;
}

int
notify_nudge(struct wctx *c, const json_t *ev, const json_t *app, int to, const struct template *t)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));
	json_t *keep = json_array(), *vars;
	int rc;

	if (co == NULL) {
		json_decref(keep);
		return 0;
	}
	vars = event_vars(c, ev, app, co, keep);
	rc = notify_roles(c, ev, app, vars, to, t, NULL);
	json_decref(vars);
	json_decref(keep);
	return rc;
}

int
notify_dead(struct wctx *c, const json_t *job)
{
	const struct template *t = c->cfg->outbox.failed;
	json_t *vars, *ev;
	int rc;

	if (streq(str(job, "template"), t->name))
		return 0; /* an alert about an alert would never end */
	ev = json_pack("{s:s}", "type", "notification.dead");
	if (str(job, "app") != NULL)
		put(ev, "app", str(job, "app"), "");
	vars = notify_words_failed(c, job);
	rc = notify_roles(c, ev, NULL, vars, ROLE_LA_ADVISER, t, NULL);
	json_decref(vars);
	json_decref(ev);
	return rc;
}

json_t *
notify_event_vars(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co,
		  json_t *keep)
{
	return event_vars(c, ev, app, co, keep);
}

int
notify_person(struct wctx *c, const json_t *ev, const char *person, const char *role,
	      const struct template *t, const json_t *vars)
{
	return job_write(c, t, ev, person, role, vars, NULL);
}

int
notify_person_att(struct wctx *c, const json_t *ev, const char *person, const char *role,
		  const struct template *t, const json_t *vars, const json_t *attachments)
{
	return job_write(c, t, ev, person, role, vars, attachments);
}
