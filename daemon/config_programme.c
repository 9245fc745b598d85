/*
 * config_programme.c: programmes (conf/programmes/NAME.conf). A programme is
 * an ordered array of stages, each with its requirements (a table of the
 * settings each kind takes), a deadline, reminders and escalations; then
 * its notification rules, session notices and alumni follow-up, whose
 * templates config_notify.c loads. The programme owns every string in it;
 * sessions_used borrows the session ids its requirements and deadlines
 * name, which every cohort of the programme must define (config_cohort.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_forms.h"
#include "config_notify.h"
#include "config_panel.h"
#include "config_read.h"
#include "config_support.h"
#include "config_tracks.h"
#include "util.h"

const char *const req_kind_names[REQ_KIND_COUNT] = {
    "submission", "signoff",	 "decision",	  "responses", "attendance",
    "internship", "eligibility", "coach_trained", "panel",     "review",
};

static const char *const op_names[] = {">=", ">", "<=", "<", "==", "!="};

static void
requirement_clear(struct requirement *r)
{
	free(r->doc);
	free(r->category_min);
	for (size_t i = 0; i < r->nsessions; i++)
		free(r->sessions[i]);
	free(r->sessions);
	free(r->fact);
	free(r->school);
	free(r->value_str);
	for (size_t i = 0; i < r->n_one_of; i++)
		free(r->one_of[i]);
	free(r->one_of);
}

static int
role_of(struct pw_status *st, const char *file, const config_setting_t *r, int *role)
{
	const config_setting_t *s = config_setting_get_member(r, "role");

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    proto_role_bit(config_setting_get_string(s)) < 0)
		return conf_bad(
		    st, file, s,
		    "not a role (candidate, headteacher, coach, rater, host, la_adviser, viewer)");
	*role = proto_role_bit(config_setting_get_string(s));
	return 0;
}

static int
requirement_sessions(struct pw_status *st, const char *file, const config_setting_t *r,
		     struct requirement *q)
{
	const config_setting_t *s = config_setting_get_member(r, "sessions");
	int n;

	if (s == NULL)
		return conf_bad(st, file, r, "%s needs 'sessions'", req_kind_names[q->kind]);
	n = config_setting_length(s);
	if ((config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(s) != CONFIG_TYPE_LIST) ||
	    n == 0)
		return conf_bad(st, file, s, "must be a non-empty array of session ids");
	q->sessions = xcalloc((size_t)n, sizeof *q->sessions);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    !pw_id_valid(config_setting_get_string(e)))
			return conf_bad(st, file, s, "element %d is not a session id", i);
		q->sessions[q->nsessions++] = xstrdup(config_setting_get_string(e));
	}
	if (q->min > n)
		return conf_bad(st, file, r, "min %d exceeds the %d sessions listed", q->min, n);
	return 0;
}

static int
requirement_rule(struct pw_status *st, const char *file, const config_setting_t *r,
		 struct requirement *q)
{
	const config_setting_t *v = config_setting_get_member(r, "value");
	char *op = NULL;
	int found = 0;

	if (conf_id(st, file, r, "fact", 0, &q->fact) != 0 ||
	    conf_id(st, file, r, "school", 0, &q->school) != 0 ||
	    config_one_of(st, file, r, q) != 0)
		goto fail;
	if ((q->fact != NULL) == (q->school != NULL)) {
		conf_bad(st, file, r,
			 "an eligibility rule reads one of 'fact' (the candidate's) or 'school' "
			 "(an attribute of their school: phase, lss, ...)");
		goto fail;
	}
	if (q->n_one_of > 0) {
		q->vtype = VAL_STR;
		q->op = OP_EQ;
		if (config_setting_get_member(r, "op") != NULL || v != NULL) {
			conf_bad(st, file, r, "give 'one_of' or 'op' and 'value', not both");
			goto fail;
		}
		return 0;
	}
	if (conf_string(st, file, r, "op", 1, &op))
		goto fail;
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (strcmp(op, op_names[i]) == 0) {
			q->op = (enum rule_op)i;
			found = 1;
		}
	if (!found) {
		conf_bad(st, file, config_setting_get_member(r, "op"),
			 "op must be >=, >, <=, <, == or !=");
		goto fail;
	}
	free(op);
	op = NULL;
	if (v == NULL)
		return conf_bad(st, file, r, "eligibility needs 'value'");
	switch (config_setting_type(v)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		q->value_num = (double)config_setting_get_int64(v);
		return 0;
	case CONFIG_TYPE_FLOAT:
		q->value_num = config_setting_get_float(v);
		return 0;
	case CONFIG_TYPE_BOOL:
		q->vtype = VAL_BOOL;
		q->value_num = config_setting_get_bool(v);
		if (q->op != OP_EQ && q->op != OP_NE)
			return conf_bad(st, file, v,
					"a boolean can only be compared with == or !=");
		return 0;
	case CONFIG_TYPE_STRING:
		q->vtype = VAL_STR;
		q->value_str = xstrdup(config_setting_get_string(v));
		if (q->op != OP_EQ && q->op != OP_NE)
			return conf_bad(st, file, v,
					"a text value can only be compared with == or !=");
		return 0;
	default:
		return conf_bad(st, file, v, "must be a number, a string or a boolean");
	}
fail:
	free(op);
	return PW_ECONFIG;
}

static const char *const req_keys[REQ_KIND_COUNT][9] = {
    [REQ_SUBMISSION] = {"kind", "doc", "form", "role", "tracks", NULL},
    [REQ_SIGNOFF] = {"kind", "role", "tracks", NULL},
    [REQ_DECISION] = {"kind", "role", "capacity", "tracks", NULL},
    [REQ_RESPONSES] = {"kind", "role", "min", "per_category", "tracks", NULL},
    [REQ_ATTENDANCE] = {"kind", "sessions", "min", "tracks", NULL},
    [REQ_INTERNSHIP] = {"kind", "days", "host_lss", "host_same_phase", "tracks", NULL},
    [REQ_ELIGIBILITY] = {"kind", "fact", "school", "op", "value", "one_of", "tracks", NULL},
    [REQ_COACH_TRAINED] = {"kind", "sessions", "min", "tracks", NULL},
    [REQ_PANEL] = {"kind", "capacity", "tracks", NULL},
    [REQ_REVIEW] = {"kind", "role", "not_met", "tracks", NULL},
};

/* A submission names a plain document (doc) or one of the programme's forms (form). */
static int
requirement_form(struct pw_status *st, const char *file, const config_setting_t *r,
		 const struct programme *p, struct requirement *q)
{
	char *form = NULL;

	if (conf_id(st, file, r, "doc", 0, &q->doc) != 0 ||
	    conf_id(st, file, r, "form", 0, &form) != 0) {
		free(form);
		return PW_ECONFIG;
	}
	if ((q->doc != NULL) == (form != NULL)) {
		free(form);
		return conf_bad(st, file, r, "a submission names one of 'doc' or 'form'");
	}
	if (form != NULL) {
		q->doc = form;
		q->form = config_form(p, form);
		if (q->form == NULL)
			return conf_bad(st, file, r, "'%s' is not a form of %s", form, p->id);
		if (q->role < 0)
			q->role = q->form->filled_by;
		else if (q->role != q->form->filled_by)
			return conf_bad(st, file, r, "form '%s' is filled in by the %s", form,
					proto_roles[q->form->filled_by]);
	}
	if (q->role < 0)
		q->role = proto_role_bit("candidate");
	return 0;
}

/* per_category = { line_manager = 1; ... }: at least so many responses in a 360 category. */
static int
requirement_categories(struct pw_status *st, const char *file, const config_setting_t *r,
		       const struct programme *p, struct requirement *q)
{
	const config_setting_t *g = config_setting_get_member(r, "per_category");

	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "must be a group { CATEGORY = N; ... }");
	q->category_min = xcalloc(p->feedback.ncategories, sizeof *q->category_min);
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		int k = config_feedback_category(p, config_setting_name(m));

		if (k < 0)
			return conf_bad(st, file, m, "not a 360 category of %s", p->id);
		if (conf_int(st, file, g, config_setting_name(m), 0, 100, &q->category_min[k]) != 0)
			return PW_ECONFIG;
	}
	return 0;
}

static int
requirement_load(struct pw_status *st, const char *file, const config_setting_t *r,
		 const struct programme *p, struct requirement *q)
{
	char *kind = NULL;
	int k;

	memset(q, 0, sizeof *q);
	q->role = -1;
	if (config_setting_type(r) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, r, "a requirement must be a group { kind = ...; }");
	if (conf_string(st, file, r, "kind", 1, &kind) != 0)
		return PW_ECONFIG;
	for (k = 0; k < REQ_KIND_COUNT; k++)
		if (strcmp(kind, req_kind_names[k]) == 0)
			break;
	free(kind);
	if (k == REQ_KIND_COUNT)
		return conf_bad(
		    st, file, config_setting_get_member(r, "kind"),
		    "unknown requirement kind (submission, signoff, decision, responses, "
		    "attendance, internship, eligibility, coach_trained, panel, review)");
	q->kind = (enum req_kind)k;
	if (conf_known(st, file, r, req_keys[k]) != 0 || role_of(st, file, r, &q->role) != 0 ||
	    config_tracks_of(st, file, r, p, &q->tracks) != 0)
		return PW_ECONFIG;
	switch (q->kind) {
	case REQ_SUBMISSION:
		return requirement_form(st, file, r, p, q);
	case REQ_SIGNOFF:
		if (q->role < 0)
			q->role = proto_role_bit("headteacher");
		return 0;
	case REQ_DECISION:
		if (q->role < 0)
			q->role = proto_role_bit("la_adviser");
		return conf_bool(st, file, r, "capacity", &q->capacity);
	case REQ_RESPONSES:
		q->role = proto_role_bit("rater");
		q->min = 1;
		if (conf_int(st, file, r, "min", 1, 100, &q->min) != 0)
			return PW_ECONFIG;
		return requirement_categories(st, file, r, p, q);
	case REQ_ATTENDANCE:
		if (conf_int(st, file, r, "min", 1, 1000, &q->min) != 0)
			return PW_ECONFIG;
		return requirement_sessions(st, file, r, q);
	case REQ_INTERNSHIP:
		q->min = 1;
		if (conf_int(st, file, r, "days", 1, 365, &q->min) != 0)
			return PW_ECONFIG;
		if (conf_bool(st, file, r, "host_same_phase", &q->host_same_phase) != 0)
			return PW_ECONFIG;
		return conf_bool(st, file, r, "host_lss", &q->host_lss);
	case REQ_ELIGIBILITY:
		return requirement_rule(st, file, r, q);
	case REQ_COACH_TRAINED:
		if (conf_int(st, file, r, "min", 1, 1000, &q->min) != 0)
			return PW_ECONFIG;
		return requirement_sessions(st, file, r, q);
	case REQ_PANEL: /* the cohort's panel recommends, its chair decides (config_panel.c) */
		return conf_bool(st, file, r, "capacity", &q->capacity);
	case REQ_REVIEW: /* each term of the cohort; min: "not met" reviews that go to the LA */
		if (q->role < 0)
			q->role = proto_role_bit("headteacher");
		q->min = 2;
		return conf_int(st, file, r, "not_met", 1, 100, &q->min);
	case REQ_KIND_COUNT:
		break;
	}
	fatal("requirement kind %d", q->kind);
}

static int
stage_load(struct pw_status *st, const char *file, const config_setting_t *g,
	   const struct programme *p, struct stage *s)
{
	static const char *const keys[] = {"id",       "name",	      "terminal",
					   "requires", "deadline",    "reminders",
					   "tracks",   "escalations", NULL};
	const config_setting_t *reqs;
	unsigned tracks;
	int n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "a stage must be a group { id = ...; }");
	if (conf_known(st, file, g, keys) != 0 || conf_id(st, file, g, "id", 1, &s->id) != 0 ||
	    conf_string(st, file, g, "name", 0, &s->name) != 0 ||
	    conf_bool(st, file, g, "terminal", &s->terminal) != 0 ||
	    config_tracks_of(st, file, g, p, &tracks) != 0)
		return PW_ECONFIG;
	if (s->terminal && tracks != 0)
		return conf_bad(st, file, g, "the terminal stage is every track's");
	if (s->name == NULL)
		s->name = xstrdup(s->id);
	reqs = config_setting_get_member(g, "requires");
	if (reqs == NULL) {
		if (!s->terminal)
			return conf_bad(st, file, g,
					"stage '%s' has no 'requires' and is not terminal", s->id);
		return 0;
	}
	if (s->terminal)
		return conf_bad(st, file, reqs, "a terminal stage has no requirements");
	if (config_setting_type(reqs) != CONFIG_TYPE_LIST || config_setting_length(reqs) == 0)
		return conf_bad(st, file, reqs, "must be a non-empty list ( {...}, {...} )");
	n = config_setting_length(reqs);
	s->reqs = xcalloc((size_t)n, sizeof *s->reqs);
	for (int i = 0; i < n; i++) {
		s->nreqs++;
		if (requirement_load(st, file, config_setting_get_elem(reqs, (unsigned)i), p,
				     &s->reqs[i]) != 0)
			return PW_ECONFIG;
		/* A stage's tracks limit each of its requirements. */
		if (tracks != 0 && (s->reqs[i].tracks & ~tracks) != 0)
			return conf_bad(st, file, config_setting_get_elem(reqs, (unsigned)i),
					"a requirement's tracks must be among its stage's");
		if (tracks != 0 && s->reqs[i].tracks == 0)
			s->reqs[i].tracks = tracks;
	}
	return 0;
}

static void
stage_clear(struct stage *s)
{
	free(s->deadline_session);
	free(s->reminders);
	free(s->escalations);
	for (size_t i = 0; i < s->nreqs; i++)
		requirement_clear(&s->reqs[i]);
	free(s->reqs);
	free(s->id);
	free(s->name);
}

static int
programme_rules(struct pw_config *cfg, struct pw_status *st, const char *file,
		const config_setting_t *list, struct programme *p)
{
	int n;

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return conf_bad(st, file, list, "must be a list ( {...}, {...} )");
	n = config_setting_length(list);
	p->rules = xcalloc((size_t)n + 1, sizeof *p->rules);
	for (int i = 0; i < n; i++) {
		struct notify_rule *r = &p->rules[p->nrules++];

		if (config_notify_rule_load(cfg, st, file,
					    config_setting_get_elem(list, (unsigned)i), r) != 0)
			return PW_ECONFIG;
		if (r->stage != NULL && config_stage_index(p, r->stage) < 0)
			return conf_bad(st, file, config_setting_get_elem(list, (unsigned)i),
					"stage '%s' is not a stage of %s", r->stage, p->id);
	}
	return 0;
}

/* Deadlines, reminders and escalations of each stage (needs templates, so after the stages). */
static int
programme_schedules(struct pw_config *cfg, struct pw_status *st, const char *file,
		    const config_setting_t *stages, struct programme *p)
{
	static const char *const dl_keys[] = {"days", "session", NULL};

	for (size_t i = 0; i < p->nstages; i++) {
		const config_setting_t *g = config_setting_get_elem(stages, (unsigned)i);
		const config_setting_t *dl = config_setting_get_member(g, "deadline");
		struct stage *s = &p->stages[i];

		if (dl != NULL && config_setting_type(dl) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, dl,
					"must be { days = N; } or { session = \"ID\"; }");
		if (dl != NULL &&
		    (conf_known(st, file, dl, dl_keys) != 0 ||
		     conf_int(st, file, dl, "days", 1, 3650, &s->deadline_days) != 0 ||
		     conf_string(st, file, dl, "session", 0, &s->deadline_session) != 0))
			return PW_ECONFIG;
		if (dl != NULL && (s->deadline_days > 0) == (s->deadline_session != NULL))
			return conf_bad(st, file, dl, "give one of 'days' or 'session'");
		if (s->deadline_session != NULL) {
			p->sessions_used =
			    xrealloc(p->sessions_used, (p->nsessions_used + 1) * sizeof(char *));
			p->sessions_used[p->nsessions_used++] = s->deadline_session;
		}
		if (config_notify_nudges_load(
			cfg, st, file, config_setting_get_member(g, "reminders"),
			"application.reminded", &s->reminders, &s->nreminders) != 0 ||
		    config_notify_nudges_load(
			cfg, st, file, config_setting_get_member(g, "escalations"),
			"application.escalated", &s->escalations, &s->nescalations) != 0)
			return PW_ECONFIG;
		for (size_t k = 0; k < s->nescalations; k++)
			if (s->escalations[k].every != 0 || s->escalations[k].days < 0)
				return conf_bad(
				    st, file, config_setting_get_member(g, "escalations"),
				    "an escalation is 'days' (>= 0) after the deadline");
	}
	return 0;
}

/* alumni = { to = [ "candidate" ]; template = "alumni-update"; }: yearly, on the anniversary. */
static int
programme_alumni(struct pw_config *cfg, struct pw_status *st, const char *file,
		 const config_setting_t *g, struct programme *p)
{
	if (g == NULL)
		return 0;
	if (config_notify_nudge_load(cfg, st, file, g, "application.alumni", &p->alumni) != 0)
		return PW_ECONFIG;
	if (p->alumni.every != 0 || config_setting_get_member(g, "days") != NULL)
		return conf_bad(st, file, g,
				"the alumni follow-up is yearly: give only to, template, at");
	return 0;
}

/* The sessions group: calendar, reminder, absent, updated; each { to; template; ... }. */
static int
programme_sessions(struct pw_config *cfg, struct pw_status *st, const char *file,
		   const config_setting_t *g, struct programme *p)
{
	static const char *const keys[] = {"calendar", "reminder", "absent", "updated", NULL};
	struct nudge *slot[] = {&p->session_calendar, &p->session_reminder, &p->session_absent,
				&p->session_updated};
	static const char *const on[] = {"session.calendar", "session.reminder", "session.absent",
					 "session.updated"};

	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP || conf_known(st, file, g, keys) != 0)
		return config_setting_type(g) != CONFIG_TYPE_GROUP
			   ? conf_bad(st, file, g, "must be a group { calendar = {...}; ... }")
			   : PW_ECONFIG;
	for (int i = 0; i < 4; i++) {
		const config_setting_t *e = config_setting_get_member(g, keys[i]);

		if (e == NULL)
			continue;
		if (config_notify_nudge_load(cfg, st, file, e, on[i], slot[i]) != 0)
			return PW_ECONFIG;
		if (i == 1 && config_setting_get_member(e, "days") == NULL)
			return conf_bad(st, file, e,
					"a session reminder needs 'days' before the session");
	}
	return 0;
}

void
config_programme_clear(struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		stage_clear(&p->stages[i]);
	free(p->stages);
	free(p->sessions_used);
	for (size_t i = 0; i < p->nrules; i++)
		config_notify_rule_clear(&p->rules[i]);
	free(p->rules);
	config_forms_clear(p);
	config_tracks_clear(p);
	config_support_clear(p);
	free(p->id);
	free(p->name);
	free(p->file);
	memset(p, 0, sizeof *p);
}

/*
 * Record each session an attendance or coach_trained requirement names, once
 * (borrowed strings), and which records other than the application and its
 * candidate the requirements read (the school, the coach).
 */
static void
programme_index_sessions(struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++) {
			const struct requirement *q = &p->stages[i].reqs[j];

			if (q->school != NULL)
				p->uses_school = 1;
			if (q->kind == REQ_COACH_TRAINED)
				p->uses_coach = 1;

			for (size_t k = 0; k < q->nsessions; k++) {
				size_t m;

				for (m = 0; m < p->nsessions_used; m++)
					if (strcmp(p->sessions_used[m], q->sessions[k]) == 0)
						break;
				if (m < p->nsessions_used)
					continue;
				p->sessions_used = xrealloc(
				    p->sessions_used, (p->nsessions_used + 1) * sizeof(char *));
				p->sessions_used[p->nsessions_used++] = q->sessions[k];
			}
		}
}

static int
programme_check(struct pw_status *st, const char *file, const config_setting_t *stages,
		struct programme *p)
{
	int capacity = 0;

	for (size_t i = 0; i < p->nstages; i++) {
		const config_setting_t *g = config_setting_get_elem(stages, (unsigned)i);

		for (size_t j = 0; j < i; j++)
			if (strcmp(p->stages[i].id, p->stages[j].id) == 0)
				return conf_bad(st, file, config_setting_get_member(g, "id"),
						"duplicate stage id '%s'", p->stages[i].id);
		if (p->stages[i].terminal && i + 1 != p->nstages)
			return conf_bad(st, file, g, "only the last stage may be terminal");
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].capacity && capacity++)
				return conf_bad(st, file, g, "only one decision may take a place");
	}
	if (!p->stages[p->nstages - 1].terminal)
		return conf_bad(st, file, stages,
				"the last stage must be terminal (e.g. graduated)");
	return 0;
}

int
config_programme_load(struct pw_config *cfg, const char *path, struct programme *p,
		      struct pw_status *st)
{
	static const char *const top[] = {"programme", NULL};
	static const char *const keys[] = {"id",
					   "name",
					   "stages",
					   "notifications",
					   "sessions",
					   "alumni",
					   "forms",
					   "feedback",
					   "tracks",
					   "deadline_grace_days",
					   "retention_years",
					   "support",
					   "bookings",
					   "panel",
					   "group_alert",
					   NULL};
	config_t c;
	const config_setting_t *g, *stages;
	int n, rc = PW_ECONFIG;

	memset(p, 0, sizeof *p);
	if (conf_open(&c, path, st) != 0)
		return PW_ECONFIG;
	p->file = xstrdup(path);
	if (conf_known(st, path, config_root_setting(&c), top) != 0)
		goto done;
	g = config_lookup(&c, "programme");
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_bad(st, path, g, "missing group 'programme = { ... };'");
		goto done;
	}
	p->deadline_grace_days = 7;
	p->retention_years = 6; /* an ended application's personal data: retention.c */
	if (conf_known(st, path, g, keys) != 0 || conf_id(st, path, g, "id", 1, &p->id) != 0 ||
	    conf_string(st, path, g, "name", 0, &p->name) != 0 ||
	    conf_int(st, path, g, "deadline_grace_days", 0, 365, &p->deadline_grace_days) != 0 ||
	    conf_int(st, path, g, "retention_years", 0, 100, &p->retention_years) != 0)
		goto done;
	if (p->name == NULL)
		p->name = xstrdup(p->id);
	stages = config_setting_get_member(g, "stages");
	if (stages == NULL || config_setting_type(stages) != CONFIG_TYPE_LIST ||
	    config_setting_length(stages) == 0) {
		conf_bad(st, path, stages ? stages : g, "'stages' must be a non-empty list");
		goto done;
	}
	if (config_tracks_load(st, path, config_setting_get_member(g, "tracks"), p) != 0 ||
	    config_forms_load(st, path, config_setting_get_member(g, "forms"), p) != 0 ||
	    config_feedback_load(st, path, config_setting_get_member(g, "feedback"), p) != 0)
		goto done;
	n = config_setting_length(stages);
	p->stages = xcalloc((size_t)n, sizeof *p->stages);
	for (int i = 0; i < n; i++) {
		p->nstages++;
		if (stage_load(st, path, config_setting_get_elem(stages, (unsigned)i), p,
			       &p->stages[i]) != 0)
			goto done;
	}
	if (programme_check(st, path, stages, p) != 0 ||
	    programme_rules(cfg, st, path, config_setting_get_member(g, "notifications"), p) != 0)
		goto done;
	programme_index_sessions(p);
	if (programme_schedules(cfg, st, path, stages, p) != 0 ||
	    programme_sessions(cfg, st, path, config_setting_get_member(g, "sessions"), p) != 0 ||
	    programme_alumni(cfg, st, path, config_setting_get_member(g, "alumni"), p) != 0 ||
	    config_support_load(cfg, st, path, g, p) != 0 ||
	    config_panel_load(cfg, st, path, g, p) != 0)
		goto done;
	rc = 0;
done:
	config_destroy(&c);
	if (rc != 0)
		config_programme_clear(p);
	return rc;
}

const struct programme *
config_programme(const struct pw_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nprogrammes; i++)
		if (strcmp(cfg->programmes[i].id, id) == 0)
			return &cfg->programmes[i];
	return NULL;
}

int
config_stage_index(const struct programme *p, const char *id)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (strcmp(p->stages[i].id, id) == 0)
			return (int)i;
	return -1;
}
