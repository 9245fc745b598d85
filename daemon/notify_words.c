/*
 * notify_words.c: the words of notifications that depend on the state of
 * the application or on the reader, so that templates, which have no
 * conditionals, still say only what is true: "nomination" or "application"
 * by the route; who withdrew or nominated; whether a cohort is really
 * over-subscribed; "due by ... (in 3 days)" or "was due by ... and is now 2
 * days overdue"; whether a candidate has raters to wait for or must invite
 * them; why an email could not be delivered. Variables that name a person
 * the reader may be ("candidate_you": "you" to the candidate, the name to
 * everyone else) are filled for others here, with the reader's form kept
 * under the hidden key ".you" ({"var": [person, "you"]}); notify_words_reader
 * applies it to each recipient's copy and removes it.
 */
#include "notify_words.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "schedule.h"
#include "template.h"
#include "util.h"

json_t *
notify_words_days(long long n)
{
	char s[48];

	snprintf(s, sizeof s, "%lld day%s", n, n == 1 ? "" : "s");
	return json_string(s);
}

static void
set_text(json_t *v, const char *key, const char *s)
{
	json_object_set_new(v, key, json_string(s != NULL ? s : ""));
}

/* The name of person or school id in db: a new string, the id without a name, NULL without a
 * record. */
static char *
name_get(struct wctx *c, enum store_db db, const char *id, json_t **rec)
{
	json_t *r = NULL;
	char *s;

	*rec = NULL;
	if (id == NULL || store_rec_get(c->store, c->txn, db, id, &r) != 0)
		return NULL;
	s = xstrdup(str(r, "name") ? str(r, "name") : id);
	*rec = r;
	return s;
}

/* Variable key is for everyone else what others says; for person it is mine ("you"). */
static void
reader_form(json_t *v, const char *key, const char *person, const char *mine, const char *others)
{
	json_t *you = json_object_get(v, ".you");

	set_text(v, key, others);
	if (person == NULL)
		return;
	if (you == NULL) {
		you = json_object();
		json_object_set_new(v, ".you", you);
	}
	json_object_set_new(you, key, json_pack("[s, s]", person, mine));
}

void
notify_words_reader(json_t *v, const char *person)
{
	const char *key;
	json_t *f;

	json_object_foreach(json_object_get(v, ".you"), key, f)
	{
		if (streq(json_string_value(json_array_get(f, 0)), person))
			set_text(v, key, json_string_value(json_array_get(f, 1)));
	}
	json_object_del(v, ".you");
}

/* Who someone is, as their reader sees it: "Margaret Lowe, headteacher of Oak Primary". */
static char *
person_phrase(struct wctx *c, const char *id, const json_t *app)
{
	json_t *p = NULL, *school = NULL;
	char *name = name_get(c, DB_PEOPLE, id, &p), *out, *sname;
	int roles = engine_roles(p);

	if (name == NULL) {
		out = xstrdup("the local authority"); /* the operator, or the daemon */
	} else if (streq(id, str(app, "candidate"))) {
		out = xasprintf("%s, the candidate", name);
	} else if ((roles & ROLE_HEADTEACHER) && streq(str(p, "school"), str(app, "school"))) {
		sname = name_get(c, DB_SCHOOLS, str(app, "school"), &school);
		out = xasprintf("%s, headteacher of %s", name, sname ? sname : "the school");
		free(sname);
	} else if (roles & ROLE_LA_ADVISER) {
		out = xasprintf("%s, LA adviser", name);
	} else {
		out = xstrdup(name);
	}
	free(name);
	json_decref(p);
	json_decref(school);
	return out;
}

/* The cohort's places: all taken? Read from this command's cohort states first. */
static void
oversubscribed(struct wctx *c, const struct cohort *co, json_t *v)
{
	json_t *st = c->cstates ? json_incref(json_object_get(c->cstates, co->id)) : NULL;
	json_int_t taken;
	char *s;

	if (st == NULL)
		store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &st);
	taken = json_integer_value(json_object_get(st, "taken"));
	json_decref(st);
	if (co->places <= 0 || taken < co->places) {
		set_text(v, "oversubscribed_note", "");
		return;
	}
	if (co->places == 1)
		s = xasprintf("The one place on %s is taken: more people applied than there are "
			      "places.",
			      co->name);
	else
		s = xasprintf("All %d places on %s are taken: more people applied than there are "
			      "places.",
			      co->places, co->name);
	set_text(v, "oversubscribed_note", s);
	free(s);
}

/* When the step the event is about is due: the event's deadline, else its stage's. */
static int64_t
deadline_of(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co)
{
	const json_t *data = json_object_get(ev, "data");
	const char *type = str(ev, "type"), *stage = str(app, "stage");
	int64_t dl, entered = c->now;
	int si;

	if (str(data, "deadline") != NULL)
		return pw_time_parse(str(data, "deadline"), &dl) == 0 ? dl : 0;
	if (streq(type, "application.reminded") || streq(type, "application.escalated") ||
	    streq(type, "application.overdue"))
		return 0; /* a repeating reminder of a stage without a deadline */
	if (streq(type, "application.stage_changed"))
		stage = str(data, "to");
	else if (!streq(str(app, "status"), "active") ||
		 pw_time_parse(str(app, "stage_entered") ? str(app, "stage_entered") : "",
			       &entered) != 0)
		return 0;
	si = stage ? config_stage_index(co->programme, stage) : -1;
	return si >= 0 ? schedule_deadline(co, &co->programme->stages[si], entered) : 0;
}

/* deadline, when_due, due_short, days_left, days_overdue. */
static void
due_words(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co, json_t *v)
{
	int64_t dl = deadline_of(c, ev, app, co), today, due;
	char local[64], rel[48];
	char *when, *brief;

	if (dl <= 0) {
		set_text(v, "when_due", "");
		set_text(v, "due_short", "no closing date");
		json_object_set_new(v, "days_left", notify_words_days(0));
		json_object_set_new(v, "days_overdue", notify_words_days(0));
		return;
	}
	schedule_format(co->timezone, dl, local);
	today = schedule_local_date(co->timezone, c->now, NULL, NULL);
	due = schedule_local_date(co->timezone, dl, NULL, NULL);
	set_text(v, "deadline", local);
	json_object_set_new(v, "days_left", notify_words_days(due > today ? due - today : 0));
	json_object_set_new(v, "days_overdue",
			    notify_words_days(c->now >= dl && today > due ? today - due : 0));
	if (c->now < dl) {
		if (due - today > 1)
			snprintf(rel, sizeof rel, "in %lld days", (long long)(due - today));
		else
			snprintf(rel, sizeof rel, "%s", due > today ? "tomorrow" : "today");
		when = xasprintf("It is due by %s (%s).", local, rel);
		brief = xasprintf("due by %s", local);
	} else {
		if (today > due)
			snprintf(rel, sizeof rel, "%lld day%s ", (long long)(today - due),
				 today - due == 1 ? "" : "s");
		else
			rel[0] = '\0';
		when = xasprintf("It was due by %s and is now %soverdue.", local, rel);
		brief = xasprintf("overdue since %s", local);
	}
	set_text(v, "when_due", when);
	set_text(v, "due_short", brief);
	free(when);
	free(brief);
}

/*
 * What a 360 still needs, for the candidate: raters to invite, or responses
 * to come. Below the 360's count_from the number of responses in is not
 * said (as in the candidate's view of the application): counted as raters
 * are invited one at a time, it would tell who answered.
 */
static void
responses_words(const json_t *app, const json_t *reqs, int count_from, json_t *v)
{
	long long need = 0, have = 0,
		  invited = (long long)json_object_size(json_object_get(app, "raters"));
	long long missing;
	int any = 0;
	char *head, *advice;
	json_t *q;
	size_t i;

	json_array_foreach(reqs, i, q)
	{
		if (streq(str(q, "kind"), "responses")) {
			any = 1;
			need += json_integer_value(json_object_get(q, "need"));
			have += json_integer_value(json_object_get(q, "have"));
		}
	}
	missing = need > have ? need - have : 0;
	if (!any || missing == 0) {
		head = xstrdup(any ? "every response needed is in" : "");
		advice = xstrdup(any ? "Every response the evaluation needs is in." : "");
	} else if (invited == 0) {
		head = xstrdup("please invite your colleagues");
		advice = xasprintf("You have not invited anyone to give you feedback yet. The "
				   "evaluation needs %lld response%s: please invite at least %lld "
				   "colleague%s who know%s your work.",
				   need, need == 1 ? "" : "s", need, need == 1 ? "" : "s",
				   need == 1 ? "s" : "");
	} else if (invited < need) {
		head = xstrdup("please invite more colleagues");
		advice = xasprintf(
		    "You have invited %lld colleague%s, and the evaluation needs %lld "
		    "response%s: please invite at least %lld more.",
		    invited, invited == 1 ? "" : "s", need, need == 1 ? "" : "s", need - invited);
	} else if (have < count_from) {
		head = xasprintf("fewer than %d responses so far", count_from);
		advice =
		    xasprintf("Fewer than %d of the %lld responses the evaluation needs are in "
			      "so far. We have reminded the colleagues who have not answered; "
			      "you may like to invite another colleague too.",
			      count_from, need);
	} else {
		head = xasprintf("%lld response%s still to come", missing, missing == 1 ? "" : "s");
		advice = xasprintf("%lld more response%s %s still to come. We have reminded the "
				   "colleagues concerned; you may like to invite another colleague "
				   "too.",
				   missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
	}
	set_text(v, "responses_headline", head);
	set_text(v, "responses_advice", advice);
	free(head);
	free(advice);
}

void
notify_words_event(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co,
		   const json_t *reqs, json_t *v)
{
	const json_t *data = json_object_get(ev, "data");
	const char *type = str(ev, "type"), *cand = str(app, "candidate");
	json_t *rec = NULL;
	char *name = name_get(c, DB_PEOPLE, cand, &rec), *s;

	json_decref(rec);
	set_text(v, "application_word",
		 streq(str(app, "route"), "nomination") ? "nomination" : "application");
	reader_form(v, "candidate_you", cand, "you", name ? name : "");
	s = xasprintf("%s's", name ? name : "the candidate");
	reader_form(v, "candidate_your", cand, "your", s);
	free(s);
	free(name);
	name = name_get(c, DB_PEOPLE, str(app, "coach"), &rec);
	json_decref(rec);
	reader_form(v, "coach_you", str(app, "coach"), "you", name ? name : "");
	free(name);
	if (streq(type, "application.withdrawn")) {
		const char *by = str(json_object_get(app, "withdrawal"), "by");

		s = person_phrase(c, by, app);
		reader_form(v, "withdrawn_by", by, "you", s);
		free(s);
	}
	if (streq(type, "application.created")) {
		s = person_phrase(c, str(ev, "actor"), app);
		reader_form(v, "nominated_by", str(ev, "actor"), "you", s);
		free(s);
	}
	if (streq(type, "application.decided"))
		oversubscribed(c, co, v);
	if (streq(type, "application.school_changed")) {
		name = name_get(c, DB_SCHOOLS, str(data, "from"), &rec);
		json_decref(rec);
		set_text(v, "from_school_name", name ? name : str(data, "from"));
		free(name);
	}
	set_text(v, "cohort_starts", co->starts);
	due_words(c, ev, app, co, v);
	responses_words(app, reqs, co->programme->feedback.count_from, v);
}

/* The reason a job died, in words its reader can act on. */
static const char *
failed_reason(const char *err)
{
	static const struct {
		const char *in, *why;
	} reasons[] = {
	    {"recipient's address is not a valid",
	     "the email address is not a valid address: please correct it"},
	    {"From address", "the mailer's From address (mailer.from) is not a valid address"},
	    {"RCPT failed",
	     "the receiving mail server refused the address: it may be mistyped, or the "
	     "mailbox may be closed or full"},
	    {"outbox.lifetime_hours",
	     "it could not be delivered in the time allowed (outbox.lifetime_hours): the mail "
	     "server could not be reached, or kept asking to try again later"},
	    {"template is no longer configured",
	     "its template is no longer in the configuration, so it cannot be written"},
	    {"(SMTP 5", "the mail server refused the email and will not accept it if tried again"},
	};

	for (size_t i = 0; err != NULL && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strstr(err, reasons[i].in) != NULL)
			return reasons[i].why;
	return "the mail server did not accept it";
}

json_t *
notify_words_failed(struct wctx *c, const json_t *job)
{
	const json_t *to = json_object_get(job, "to");
	const char *role = str(to, "role"), *err = str(job, "last_error");
	char *subject = NULL;
	json_t *v;

	for (size_t i = 0; i < c->cfg->ntemplates; i++)
		if (streq(c->cfg->templates[i]->name, str(job, "template")))
			subject = tmpl_render(c->cfg->templates[i]->subject,
					      json_object_get(job, "vars"), 0);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s}", "app_id",
		      str(job, "app") ? str(job, "app") : "-", "failed_to",
		      str(to, "email") ? str(to, "email") : "", "failed_template",
		      str(job, "template") ? str(job, "template") : "", "failed_error",
		      err ? err : "", "failed_job", str(job, "id") ? str(job, "id") : "",
		      "failed_attempts", json_object_get(job, "attempts"), "failed_name",
		      str(to, "name") ? str(to, "name") : "", "failed_role",
		      streq(role, "la_adviser") ? "LA adviser"
		      : role			? role
						: "",
		      "failed_subject", subject ? subject : "(a notification)", "failed_reason",
		      failed_reason(err));
	free(subject);
	return v;
}
