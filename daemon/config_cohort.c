/*
 * config_cohort.c: cohorts (conf/cohorts/NAME.conf). A cohort is one intake
 * of a programme: its places, time zone and start date, its calendar of
 * sessions (an array it owns), its absolute stage deadlines and the window
 * in which notices may be sent, and its calendar rules: the window in which
 * it takes applications, how long an offered place is held and the last
 * date on which freed places are offered. It points at its programme, which
 * must be loaded first (config_programme.c), and must define every session
 * the programme needs.
 */
#include "config_cohort.h"

#include <stdlib.h>
#include <string.h>

#include "config_panel.h"
#include "config_read.h"
#include "config_tracks.h"
#include "util.h"

static void
session_clear(struct session *s)
{
	free(s->id);
	free(s->title);
	free(s->date);
	free(s->start);
	free(s->end);
	free(s->venue);
	free(s->audience);
}

static int
session_load(struct pw_status *st, const char *file, const config_setting_t *g, struct session *s)
{
	static const char *const keys[] = {"id",    "title",	"date",	 "start",  "end",
					   "venue", "audience", "seats", "tracks", NULL};
	int64_t days;
	int a, b;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "a session must be a group { id = ...; }");
	if (conf_known(st, file, g, keys) != 0 || conf_id(st, file, g, "id", 1, &s->id) != 0 ||
	    conf_string(st, file, g, "title", 1, &s->title) != 0 ||
	    conf_string(st, file, g, "date", 1, &s->date) != 0 ||
	    conf_string(st, file, g, "start", 1, &s->start) != 0 ||
	    conf_string(st, file, g, "end", 1, &s->end) != 0 ||
	    conf_string(st, file, g, "venue", 1, &s->venue) != 0 ||
	    conf_string(st, file, g, "audience", 0, &s->audience) != 0 ||
	    conf_int(st, file, g, "seats", 0, 100000, &s->seats) != 0)
		return PW_ECONFIG;
	if (pw_date_parse(s->date, &days) != 0)
		return conf_bad(st, file, config_setting_get_member(g, "date"),
				"must be YYYY-MM-DD");
	if (pw_hhmm_parse(s->start, &a) != 0 || pw_hhmm_parse(s->end, &b) != 0 || b <= a)
		return conf_bad(st, file, config_setting_get_member(g, "end"),
				"start and end must be HH:MM with end after start");
	if (s->audience == NULL)
		s->audience = xstrdup("participants");
	if (strcmp(s->audience, "participants") && strcmp(s->audience, "coaches") &&
	    strcmp(s->audience, "all"))
		return conf_bad(st, file, config_setting_get_member(g, "audience"),
				"must be participants, coaches or all");
	return 0;
}

void
config_cohort_clear(struct cohort *c)
{
	for (size_t i = 0; i < c->nsessions; i++)
		session_clear(&c->sessions[i]);
	free(c->sessions);
	free(c->id);
	free(c->name);
	free(c->file);
	free(c->timezone);
	free(c->starts);
	for (size_t i = 0; i < c->ndeadlines; i++)
		free(c->deadlines[i].date);
	free(c->deadlines);
	free(c->apply_opens);
	free(c->apply_closes);
	free(c->offers_until);
	config_panel_cohort_clear(c);
	memset(c, 0, sizeof *c);
}

static int
cohort_check(struct pw_status *st, const char *file, const config_setting_t *g,
	     const struct cohort *c)
{
	const struct programme *p = c->programme;

	for (size_t i = 0; i < c->nsessions; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->sessions[i].id, c->sessions[j].id) == 0)
				return conf_bad(st, file, config_setting_get_member(g, "sessions"),
						"duplicate session id '%s'", c->sessions[i].id);
	for (size_t i = 0; i < p->nsessions_used; i++)
		if (config_session(c, p->sessions_used[i]) == NULL)
			/* no sessions list at all: name the cohort's line, not just the file */
			return conf_bad(
			    st, file,
			    config_setting_get_member(g, "sessions")
				? config_setting_get_member(g, "sessions")
				: g,
			    "programme '%s' (%s) requires session '%s', which this cohort "
			    "does not define",
			    p->id, p->file, p->sessions_used[i]);
	return 0;
}

/* Absolute deadlines per stage, the deadline time of day, and the sending window. */
static int
cohort_schedule(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const wkeys[] = {"days", "from", "to", NULL};
	const config_setting_t *dl = config_setting_get_member(g, "deadlines");
	const config_setting_t *w = config_setting_get_member(g, "window");
	int64_t d;

	c->deadline_time = 17 * 60;
	c->window_days = 0x7f;
	c->window_from = 0;
	c->window_to = 24 * 60;
	if (conf_hhmm(st, file, g, "deadline_time", &c->deadline_time) != 0)
		return PW_ECONFIG;
	if (dl != NULL && config_setting_type(dl) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, dl, "must be a group { stage = \"YYYY-MM-DD\"; }");
	c->deadlines =
	    xcalloc((size_t)(dl ? config_setting_length(dl) : 0) + 1, sizeof *c->deadlines);
	for (int i = 0; dl != NULL && i < config_setting_length(dl); i++) {
		const config_setting_t *e = config_setting_get_elem(dl, (unsigned)i);
		int k = config_stage_index(c->programme, config_setting_name(e));

		if (k < 0)
			return conf_bad(st, file, e, "not a stage of programme %s",
					c->programme->id);
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    pw_date_parse(config_setting_get_string(e), &d) != 0)
			return conf_bad(st, file, e, "must be a date YYYY-MM-DD");
		c->deadlines[c->ndeadlines].stage = &c->programme->stages[k];
		c->deadlines[c->ndeadlines++].date = xstrdup(config_setting_get_string(e));
	}
	if (w == NULL)
		return 0;
	if (config_setting_type(w) != CONFIG_TYPE_GROUP)
		return conf_bad(
		    st, file, w,
		    "must be { days = \"mon-fri\"; from = \"07:30\"; to = \"18:30\"; }");
	if (conf_known(st, file, w, wkeys) != 0 ||
	    conf_weekdays(st, file, w, "days", &c->window_days) != 0 ||
	    conf_hhmm(st, file, w, "from", &c->window_from) != 0 ||
	    conf_hhmm(st, file, w, "to", &c->window_to) != 0)
		return PW_ECONFIG;
	if (c->window_to <= c->window_from)
		return conf_bad(st, file, w, "'to' must be after 'from'");
	return 0;
}

/* A local date setting (YYYY-MM-DD) of group g, or NULL when absent. */
static int
date_setting(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	     char **out)
{
	int64_t d;

	if (conf_string(st, file, g, name, 0, out) != 0)
		return PW_ECONFIG;
	if (*out != NULL && pw_date_parse(*out, &d) != 0)
		return conf_bad(st, file, config_setting_get_member(g, name),
				"must be a date YYYY-MM-DD");
	return 0;
}

/*
 * The calendar rules: applications = { opens; closes; } (each optional),
 * offer_days, offers_until.
 */
static int
cohort_rules(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const akeys[] = {"opens", "closes", NULL};
	const config_setting_t *a = config_setting_get_member(g, "applications");

	c->offer_days = 7;
	if (conf_int(st, file, g, "offer_days", 1, 365, &c->offer_days) != 0 ||
	    date_setting(st, file, g, "offers_until", &c->offers_until) != 0)
		return PW_ECONFIG;
	if (a == NULL)
		return 0;
	if (config_setting_type(a) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, a,
				"must be { opens = \"YYYY-MM-DD\"; closes = \"YYYY-MM-DD\"; }");
	if (conf_known(st, file, a, akeys) != 0 ||
	    date_setting(st, file, a, "opens", &c->apply_opens) != 0 ||
	    date_setting(st, file, a, "closes", &c->apply_closes) != 0)
		return PW_ECONFIG;
	if (c->apply_opens != NULL && c->apply_closes != NULL &&
	    strcmp(c->apply_opens, c->apply_closes) > 0)
		return conf_bad(st, file, a, "'closes' must not be before 'opens'");
	return 0;
}

int
config_cohort_load(const struct pw_config *cfg, const char *path, struct cohort *c,
		   struct pw_status *st)
{
	static const char *const top[] = {"cohort", NULL};
	static const char *const keys[] = {
	    "id",	    "programme", "name",	  "places", "timezone",	    "starts",
	    "sessions",	    "deadlines", "deadline_time", "window", "applications", "offer_days",
	    "offers_until", "panel",	 "terms",	  "groups", "groups_check", NULL};
	config_t cf;
	const config_setting_t *g, *ss;
	char *prog = NULL;
	int64_t days;
	int rc = PW_ECONFIG;

	memset(c, 0, sizeof *c);
	if (conf_open(&cf, path, st) != 0)
		return PW_ECONFIG;
	c->file = xstrdup(path);
	if (conf_known(st, path, config_root_setting(&cf), top) != 0)
		goto done;
	g = config_lookup(&cf, "cohort");
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_bad(st, path, g, "missing group 'cohort = { ... };'");
		goto done;
	}
	if (conf_known(st, path, g, keys) != 0 || conf_id(st, path, g, "id", 1, &c->id) != 0 ||
	    conf_string(st, path, g, "programme", 1, &prog) != 0 ||
	    conf_string(st, path, g, "name", 0, &c->name) != 0 ||
	    conf_int(st, path, g, "places", 0, 100000, &c->places) != 0 ||
	    conf_string(st, path, g, "timezone", 0, &c->timezone) != 0 ||
	    conf_string(st, path, g, "starts", 1, &c->starts) != 0)
		goto done;
	if (config_setting_get_member(g, "places") == NULL) {
		conf_bad(st, path, g, "missing setting 'places'");
		goto done;
	}
	if (pw_date_parse(c->starts, &days) != 0) {
		conf_bad(st, path, config_setting_get_member(g, "starts"), "must be YYYY-MM-DD");
		goto done;
	}
	c->programme = config_programme(cfg, prog);
	if (c->programme == NULL) {
		conf_bad(st, path, config_setting_get_member(g, "programme"),
			 "unknown programme '%s'", prog);
		goto done;
	}
	if (c->name == NULL)
		c->name = xstrdup(c->id);
	if (c->timezone == NULL)
		c->timezone = xstrdup("Europe/London");
	if (conf_zone(st, path, g, c->timezone) != 0)
		goto done;
	ss = config_setting_get_member(g, "sessions");
	if (ss != NULL) {
		if (config_setting_type(ss) != CONFIG_TYPE_LIST) {
			conf_bad(st, path, ss, "must be a list ( {...}, {...} )");
			goto done;
		}
		c->sessions = xcalloc((size_t)config_setting_length(ss) + 1, sizeof *c->sessions);
		for (int i = 0; i < config_setting_length(ss); i++) {
			c->nsessions++;
			const config_setting_t *e = config_setting_get_elem(ss, (unsigned)i);

			/* { id; from = "COHORT"; }: a session shared with an earlier cohort */
			if ((config_setting_get_member(e, "from") != NULL
				 ? config_session_shared(cfg, st, path, e, &c->sessions[i])
				 : session_load(st, path, e, &c->sessions[i])) != 0 ||
			    config_tracks_of(st, path, config_setting_get_elem(ss, (unsigned)i),
					     c->programme, &c->sessions[i].tracks) != 0)
				goto done;
		}
	}
	if (cohort_check(st, path, g, c) != 0 || cohort_schedule(st, path, g, c) != 0 ||
	    cohort_rules(st, path, g, c) != 0 || config_panel_cohort_load(st, path, g, c) != 0)
		goto done;
	rc = 0;
done:
	free(prog);
	config_destroy(&cf);
	if (rc != 0)
		config_cohort_clear(c);
	return rc;
}

const struct cohort *
config_cohort(const struct pw_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ncohorts; i++)
		if (strcmp(cfg->cohorts[i].id, id) == 0)
			return &cfg->cohorts[i];
	return NULL;
}

const struct session *
config_session(const struct cohort *c, const char *id)
{
	for (size_t i = 0; i < c->nsessions; i++)
		if (strcmp(c->sessions[i].id, id) == 0)
			return &c->sessions[i];
	return NULL;
}

int
config_session_for(const struct cohort *c, const struct session *s, const char *track)
{
	int k;

	if (s->tracks == 0)
		return 1;
	k = track != NULL ? config_track_index(c->programme, track) : -1;
	return k >= 0 && (s->tracks & (1u << k)) != 0;
}
