/*
 * config_support.c: a programme's partner-school support and its bookable
 * sessions' emails.
 *
 *   support = { stage = "deployed"; name = "..."; capacity = 1;
 *               capacity_fact = "partner_capacity"; phase = "match";
 *               review_every = 42; reviews = 3; review_at = "09:00";
 *               requested = "T"; paired = "T"; review = "T"; ended = "T"; };
 *   bookings = { reminder_days = 2; reminder_at = "09:00";
 *                confirmed = "T"; waitlisted = "T"; cancelled = "T"; reminder = "T"; };
 *
 * The templates are checked against the events that send them
 * (variables.c). The programme owns the strings.
 */
#include "config_support.h"

#include <stdlib.h>
#include <string.h>

#include "config_notify.h"
#include "config_read.h"
#include "util.h"

static int
tmpl(struct pw_config *cfg, struct pw_status *st, const char *file, const config_setting_t *g,
     const char *name, const char *on, const struct template **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char *id = NULL;
	int rc;

	if (conf_id(st, file, g, name, 1, &id) != 0) {
		free(id);
		return PW_ECONFIG;
	}
	rc = config_notify_template(cfg, st, file, s, id, on, out);
	free(id);
	return rc;
}

static int
support_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	     const config_setting_t *g, struct programme *p)
{
	static const char *const keys[] = {"stage",	"name",		"capacity", "capacity_fact",
					   "phase",	"review_every", "reviews",  "review_at",
					   "requested", "paired",	"review",   "ended",
					   NULL};
	struct support_conf *s = &p->support;
	char *phase = NULL;
	int rc = PW_ECONFIG;
	size_t k;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "must be a group { stage = ...; }");
	s->declared = 1;
	s->capacity = 1;
	s->review_at = 9 * 60;
	if (conf_known(st, file, g, keys) != 0 ||
	    conf_id(st, file, g, "stage", 1, &s->stage) != 0 ||
	    conf_string(st, file, g, "name", 0, &s->name) != 0 ||
	    conf_int(st, file, g, "capacity", 1, 100, &s->capacity) != 0 ||
	    conf_id(st, file, g, "capacity_fact", 0, &s->capacity_fact) != 0 ||
	    conf_id(st, file, g, "phase", 0, &phase) != 0 ||
	    conf_int(st, file, g, "review_every", 0, 366, &s->review_every) != 0 ||
	    conf_int(st, file, g, "reviews", 0, 52, &s->reviews) != 0 ||
	    conf_hhmm(st, file, g, "review_at", &s->review_at) != 0)
		goto done;
	for (k = 0; k < p->nstages && strcmp(p->stages[k].id, s->stage) != 0; k++)
		;
	if (k == p->nstages) {
		conf_bad(st, file, config_setting_get_member(g, "stage"),
			 "no stage '%s' in this programme", s->stage);
		goto done;
	}
	if (phase == NULL || strcmp(phase, "match") == 0)
		s->phase = SUPPORT_PHASE_MATCH;
	else if (strcmp(phase, "warn") == 0)
		s->phase = SUPPORT_PHASE_WARN;
	else if (strcmp(phase, "any") == 0)
		s->phase = SUPPORT_PHASE_ANY;
	else {
		conf_bad(st, file, config_setting_get_member(g, "phase"),
			 "must be match, warn or any");
		goto done;
	}
	if ((s->reviews > 0) != (s->review_every > 0)) {
		conf_bad(st, file, g, "review_every and reviews go together");
		goto done;
	}
	if (s->name == NULL)
		s->name = xstrdup("Support");
	if (tmpl(cfg, st, file, g, "requested", "support.requested", &s->requested) != 0 ||
	    tmpl(cfg, st, file, g, "paired", "support.paired", &s->paired) != 0 ||
	    tmpl(cfg, st, file, g, "review", "support.review_due", &s->review) != 0 ||
	    tmpl(cfg, st, file, g, "ended", "support.ended", &s->ended) != 0)
		goto done;
	rc = 0;
done:
	free(phase);
	return rc;
}

static int
bookings_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	      const config_setting_t *g, struct programme *p)
{
	static const char *const keys[] = {
	    "reminder_days", "reminder_at", "confirmed", "waitlisted",
	    "cancelled",     "reminder",    NULL};
	struct booking_conf *b = &p->bookings;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "must be a group { confirmed = ...; }");
	b->declared = 1;
	b->reminder_at = 9 * 60;
	if (conf_known(st, file, g, keys) != 0 ||
	    conf_int(st, file, g, "reminder_days", 0, 60, &b->reminder_days) != 0 ||
	    conf_hhmm(st, file, g, "reminder_at", &b->reminder_at) != 0 ||
	    tmpl(cfg, st, file, g, "confirmed", "session.booked", &b->confirmed) != 0 ||
	    tmpl(cfg, st, file, g, "waitlisted", "session.booking_waitlisted", &b->waitlisted) !=
		0 ||
	    tmpl(cfg, st, file, g, "cancelled", "session.booking_cancelled", &b->cancelled) != 0 ||
	    tmpl(cfg, st, file, g, "reminder", "session.booking_reminder", &b->reminder) != 0)
		return PW_ECONFIG;
	return 0;
}

int
config_support_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		    const config_setting_t *g, struct programme *p)
{
	const config_setting_t *s = config_setting_get_member(g, "support");
	const config_setting_t *b = config_setting_get_member(g, "bookings");

	if (s != NULL && support_load(cfg, st, file, s, p) != 0)
		return PW_ECONFIG;
	if (b != NULL && bookings_load(cfg, st, file, b, p) != 0)
		return PW_ECONFIG;
	return 0;
}

void
config_support_clear(struct programme *p)
{
	free(p->support.stage);
	free(p->support.name);
	free(p->support.capacity_fact);
	memset(&p->support, 0, sizeof p->support);
	memset(&p->bookings, 0, sizeof p->bookings);
}
