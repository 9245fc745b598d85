/*
 * config_panel.h: selection panels, terms and groups in the configuration
 * (config_panel.c). The loader reads a programme's panel emails
 * (panel = { invitation; ready; }) and a cohort's panel (chair and members
 * by person id), terms (for review requirements) and groups (a track's size
 * limits and the school phases it takes), and sessions shared with an
 * earlier cohort (from = "COHORT"); the engine asks who sits on a
 * cohort's panel, which term is which and which group a phase joins.
 */
#ifndef PW_CONFIG_PANEL_H
#define PW_CONFIG_PANEL_H

#include <libconfig.h>

#include "config.h"

/* Read programme group g's panel group into p->panel; required when a stage takes a panel. */
int config_panel_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		      const config_setting_t *g, struct programme *p);

/*
 * Read cohort group g's panel, terms and groups into c (its programme set):
 * a panel is required when the programme has a panel requirement, terms when
 * it has a review requirement; a group names one of the programme's tracks.
 */
int config_panel_cohort_load(struct pw_status *st, const char *file, const config_setting_t *g,
			     struct cohort *c);
void config_panel_cohort_clear(struct cohort *c);

/*
 * A session entry { id; from = "COHORT"; } of a cohort's calendar: the
 * session of that id of an earlier-loaded cohort, copied (title, date,
 * times, venue, audience), so one session belongs to both cohorts: each
 * cohort's calendar, reminders and attendance carry it. The entry may add
 * its own tracks (the caller reads them). Errors name the file and line.
 */
int config_session_shared(const struct pw_config *cfg, struct pw_status *st, const char *file,
			  const config_setting_t *g, struct session *s);

/* Whether person id sits on c's panel (1 or 0). */
int config_panel_member(const struct cohort *c, const char *id);

/* Index of term id in c, or -1. */
int config_term_index(const struct cohort *c, const char *id);

/* c's group of track index track, or NULL. */
const struct cohort_group *config_group(const struct cohort *c, int track);

/* The track index of the group of c that takes school phase phase, or -1. */
int config_group_for_phase(const struct cohort *c, const char *phase);

#endif
