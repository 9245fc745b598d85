/*
 * config_panel.c: selection panels, terms and groups. A programme with a
 * panel requirement declares the panel's emails (panel = { invitation;
 * ready; }, templates checked against application.stage_changed and
 * application.panel_ready); each of its cohorts names its panel by person
 * id (panel = { chair; members = [ ... ]; }, the chair one of the members).
 * A cohort's terms (terms = ( { id; name; ends; review_from; }, ... ), in
 * date order) are what a review requirement counts; its groups (groups = ( { track; min;
 * max; phases = [ ... ]; }, ... )) limit the size of a track's group and say
 * which school phases join it when an application names no track. A
 * cohort's session entry { id; from = "COHORT"; } copies that session of a
 * cohort loaded before it: one session in both calendars (a joint day of
 * two cohorts). The cohort owns every string here.
 */
#include "config_panel.h"

#include <stdlib.h>
#include <string.h>

#include "config_notify.h"
#include "config_read.h"
#include "util.h"

static int
stage_kind(const struct programme *p, enum req_kind kind)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].kind == kind)
				return 1;
	return 0;
}

static int
tmpl(struct pw_config *cfg, struct pw_status *st, const char *file, const config_setting_t *g,
     const char *name, const char *on, const struct template **out)
{
	char *id = NULL;
	int rc;

	if (conf_id(st, file, g, name, 1, &id) != 0) {
		free(id);
		return PW_ECONFIG;
	}
	rc = config_notify_template(cfg, st, file, config_setting_get_member(g, name), id, on, out);
	free(id);
	return rc;
}

int
config_panel_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		  const config_setting_t *g, struct programme *p)
{
	static const char *const keys[] = {"invitation", "ready", NULL};
	const config_setting_t *pg = config_setting_get_member(g, "panel");

	if (config_setting_get_member(g, "group_alert") != NULL &&
	    tmpl(cfg, st, file, g, "group_alert", "group.below_min", &p->panel.group_alert) != 0)
		return PW_ECONFIG;

	if (pg == NULL) {
		if (stage_kind(p, REQ_PANEL))
			return conf_bad(st, file, g,
					"a stage takes a panel decision: the programme needs "
					"panel = { invitation = \"...\"; ready = \"...\"; }");
		return 0;
	}
	if (config_setting_type(pg) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, pg, "must be a group { invitation = ...; ready = ...; }");
	if (conf_known(st, file, pg, keys) != 0 ||
	    tmpl(cfg, st, file, pg, "invitation", "application.stage_changed",
		 &p->panel.invitation) != 0 ||
	    tmpl(cfg, st, file, pg, "ready", "application.panel_ready", &p->panel.ready) != 0)
		return PW_ECONFIG;
	return 0;
}

/* A non-empty array of strings (ids when ids) into a new array *out of *n copies. */
static int
strings(struct pw_status *st, const char *file, const config_setting_t *s, int ids, char ***out,
	size_t *n)
{
	int len = config_setting_length(s);

	if ((config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(s) != CONFIG_TYPE_LIST) ||
	    len == 0)
		return conf_bad(st, file, s, "must be a non-empty array of strings");
	*out = xcalloc((size_t)len, sizeof **out);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return conf_bad(st, file, e, "must be a string");
		v = config_setting_get_string(e);
		if (ids && !pw_id_valid(v))
			return conf_bad(st, file, e, "not an id (letters, digits, . _ -)");
		(*out)[(*n)++] = xstrdup(v);
	}
	return 0;
}

static int
panel_load(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const keys[] = {"chair", "members", NULL};
	const config_setting_t *pg = config_setting_get_member(g, "panel"), *m;

	if (pg == NULL) {
		if (stage_kind(c->programme, REQ_PANEL))
			return conf_bad(st, file, g,
					"programme '%s' takes a panel decision: the cohort needs "
					"panel = { chair = \"...\"; members = [ ... ]; }",
					c->programme->id);
		return 0;
	}
	if (config_setting_type(pg) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, pg, "must be a group { chair = ...; members = [...]; }");
	if (conf_known(st, file, pg, keys) != 0 ||
	    conf_id(st, file, pg, "chair", 1, &c->panel_chair) != 0)
		return PW_ECONFIG;
	m = config_setting_get_member(pg, "members");
	if (m == NULL)
		return conf_bad(st, file, pg, "missing setting 'members'");
	if (strings(st, file, m, 1, &c->panel_members, &c->npanel) != 0)
		return PW_ECONFIG;
	for (size_t i = 0; i < c->npanel; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->panel_members[i], c->panel_members[j]) == 0)
				return conf_bad(st, file, m, "member '%s' twice",
						c->panel_members[i]);
	if (!config_panel_member(c, c->panel_chair))
		return conf_bad(st, file, config_setting_get_member(pg, "chair"),
				"the chair '%s' must be one of the members", c->panel_chair);
	return 0;
}

static int
terms_load(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const keys[] = {"id", "name", "ends", "review_from", NULL};
	const config_setting_t *list = config_setting_get_member(g, "terms");
	int64_t prev = 0, d, from;
	int n;

	if (list == NULL) {
		if (stage_kind(c->programme, REQ_REVIEW))
			return conf_bad(st, file, g,
					"programme '%s' reviews each term: the cohort needs "
					"terms = ( { id = \"...\"; ends = \"YYYY-MM-DD\"; }, ... )",
					c->programme->id);
		return 0;
	}
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0)
		return conf_bad(st, file, list, "must be a non-empty list ( { id; ends; }, ... )");
	c->terms = xcalloc((size_t)n, sizeof *c->terms);
	for (int i = 0; i < n; i++) {
		const config_setting_t *t = config_setting_get_elem(list, (unsigned)i);
		struct term *tm = &c->terms[c->nterms++];

		if (config_setting_type(t) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, t,
					"a term must be a group { id = ...; ends = ...; }");
		if (conf_known(st, file, t, keys) != 0 ||
		    conf_id(st, file, t, "id", 1, &tm->id) != 0 ||
		    conf_string(st, file, t, "name", 0, &tm->name) != 0 ||
		    conf_string(st, file, t, "ends", 1, &tm->ends) != 0 ||
		    conf_string(st, file, t, "review_from", 0, &tm->review_from) != 0)
			return PW_ECONFIG;
		if (tm->name == NULL)
			tm->name = xstrdup(tm->id);
		if (pw_date_parse(tm->ends, &d) != 0 || d <= prev)
			return conf_bad(st, file, config_setting_get_member(t, "ends"),
					"must be YYYY-MM-DD, after the previous term's");
		if (tm->review_from != NULL &&
		    (pw_date_parse(tm->review_from, &from) != 0 || from > d))
			return conf_bad(st, file, config_setting_get_member(t, "review_from"),
					"must be YYYY-MM-DD, not after the term ends");
		prev = d;
		if (config_term_index(c, tm->id) != i)
			return conf_bad(st, file, t, "duplicate term id '%s'", tm->id);
	}
	return 0;
}

static int
groups_load(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const keys[] = {"track", "min", "max", "phases", NULL};
	const config_setting_t *list = config_setting_get_member(g, "groups");
	int64_t day;
	int n;

	if (conf_string(st, file, g, "groups_check", 0, &c->groups_check) != 0)
		return PW_ECONFIG;
	if (c->groups_check != NULL && (pw_date_parse(c->groups_check, &day) != 0 || list == NULL ||
					c->programme->panel.group_alert == NULL))
		return conf_bad(st, file, config_setting_get_member(g, "groups_check"),
				"must be YYYY-MM-DD, with groups in the cohort and group_alert (a "
				"template) in programme '%s'",
				c->programme->id);
	if (list == NULL)
		return 0;
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0)
		return conf_bad(st, file, list,
				"must be a non-empty list ( { track; min; max; }, ... )");
	c->groups = xcalloc((size_t)n, sizeof *c->groups);
	for (int i = 0; i < n; i++) {
		const config_setting_t *t = config_setting_get_elem(list, (unsigned)i);
		struct cohort_group *gr = &c->groups[c->ngroups++];
		const config_setting_t *ph;
		char *track = NULL;

		if (config_setting_type(t) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, t, "a group must be a group { track = ...; }");
		gr->min = 0;
		gr->max = 0;
		if (conf_known(st, file, t, keys) != 0 ||
		    conf_id(st, file, t, "track", 1, &track) != 0 ||
		    conf_int(st, file, t, "min", 0, 100000, &gr->min) != 0 ||
		    conf_int(st, file, t, "max", 1, 100000, &gr->max) != 0) {
			free(track);
			return PW_ECONFIG;
		}
		gr->track = config_track_index(c->programme, track);
		free(track);
		if (gr->track < 0)
			return conf_bad(st, file, config_setting_get_member(t, "track"),
					"not a track of programme '%s'", c->programme->id);
		if (config_group(c, gr->track) != gr)
			return conf_bad(st, file, t, "a second group for the same track");
		if (gr->max > 0 && gr->min > gr->max)
			return conf_bad(st, file, config_setting_get_member(t, "min"),
					"min is more than max");
		ph = config_setting_get_member(t, "phases");
		if (ph != NULL && strings(st, file, ph, 0, &gr->phases, &gr->nphases) != 0)
			return PW_ECONFIG;
	}
	return 0;
}

int
config_panel_cohort_load(struct pw_status *st, const char *file, const config_setting_t *g,
			 struct cohort *c)
{
	if (panel_load(st, file, g, c) != 0 || terms_load(st, file, g, c) != 0 ||
	    groups_load(st, file, g, c) != 0)
		return PW_ECONFIG;
	return 0;
}

void
config_panel_cohort_clear(struct cohort *c)
{
	free(c->panel_chair);
	for (size_t i = 0; i < c->npanel; i++)
		free(c->panel_members[i]);
	free(c->panel_members);
	for (size_t i = 0; i < c->nterms; i++) {
		free(c->terms[i].id);
		free(c->terms[i].name);
		free(c->terms[i].ends);
		free(c->terms[i].review_from);
	}
	free(c->terms);
	for (size_t i = 0; i < c->ngroups; i++) {
		for (size_t j = 0; j < c->groups[i].nphases; j++)
			free(c->groups[i].phases[j]);
		free(c->groups[i].phases);
	}
	free(c->groups);
	free(c->groups_check);
	c->groups_check = NULL;
	c->panel_chair = NULL;
	c->panel_members = NULL;
	c->npanel = 0;
	c->terms = NULL;
	c->nterms = 0;
	c->groups = NULL;
	c->ngroups = 0;
}

int
config_session_shared(const struct pw_config *cfg, struct pw_status *st, const char *file,
		      const config_setting_t *g, struct session *s)
{
	static const char *const keys[] = {"id", "from", "tracks", NULL};
	const struct cohort *from;
	const struct session *o;
	char *cid = NULL;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "a session must be a group { id = ...; }");
	if (conf_known(st, file, g, keys) != 0 || conf_id(st, file, g, "id", 1, &s->id) != 0 ||
	    conf_id(st, file, g, "from", 1, &cid) != 0) {
		free(cid);
		return PW_ECONFIG;
	}
	/* The cohorts loaded so far (config_cohort and config_session are above this file). */
	from = NULL;
	for (size_t i = 0; i < cfg->ncohorts && from == NULL; i++)
		if (strcmp(cfg->cohorts[i].id, cid) == 0)
			from = &cfg->cohorts[i];
	free(cid);
	if (from == NULL)
		return conf_bad(st, file, config_setting_get_member(g, "from"),
				"not a cohort listed before this one");
	o = NULL;
	for (size_t i = 0; i < from->nsessions && o == NULL; i++)
		if (strcmp(from->sessions[i].id, s->id) == 0)
			o = &from->sessions[i];
	if (o == NULL)
		return conf_bad(st, file, g, "cohort '%s' has no session '%s'", from->id, s->id);
	s->title = xstrdup(o->title);
	s->date = xstrdup(o->date);
	s->start = xstrdup(o->start);
	s->end = xstrdup(o->end);
	s->venue = xstrdup(o->venue);
	s->audience = xstrdup(o->audience);
	return 0;
}

int
config_panel_member(const struct cohort *c, const char *id)
{
	for (size_t i = 0; id != NULL && i < c->npanel; i++)
		if (strcmp(c->panel_members[i], id) == 0)
			return 1;
	return 0;
}

int
config_term_index(const struct cohort *c, const char *id)
{
	for (size_t i = 0; id != NULL && i < c->nterms; i++)
		if (c->terms[i].id != NULL && strcmp(c->terms[i].id, id) == 0)
			return (int)i;
	return -1;
}

const struct cohort_group *
config_group(const struct cohort *c, int track)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i].track == track)
			return &c->groups[i];
	return NULL;
}

int
config_group_for_phase(const struct cohort *c, const char *phase)
{
	for (size_t i = 0; phase != NULL && i < c->ngroups; i++)
		for (size_t j = 0; j < c->groups[i].nphases; j++)
			if (strcmp(c->groups[i].phases[j], phase) == 0)
				return c->groups[i].track;
	return -1;
}
