/*
 * config_tracks.h: private to the configuration loader. A programme's
 * tracks (middle and senior leaders), the track lists that limit a stage or
 * a requirement to some of them, and the lists of values an eligibility
 * rule accepts (one_of). See config_tracks.c.
 */
#ifndef PW_CONFIG_TRACKS_H
#define PW_CONFIG_TRACKS_H

#include <libconfig.h>

#include "config.h"

/*
 * Load tracks = ( { id; name; }, ... ) of a programme (list may be NULL:
 * none) into p->tracks. 0, or PW_ECONFIG with the file, line and setting.
 */
int config_tracks_load(struct pw_status *st, const char *file, const config_setting_t *list,
		       struct programme *p);
void config_tracks_clear(struct programme *p);

/*
 * Member "tracks" of group g (a stage or a requirement), an array of track
 * ids of p, into bits (bit i: track i); absent leaves *bits 0. Every id must
 * be a track p declares (PW_ECONFIG otherwise).
 */
int config_tracks_of(struct pw_status *st, const char *file, const config_setting_t *g,
		     const struct programme *p, unsigned *bits);

/*
 * one_of = [ "primary", "special" ] of an eligibility rule r, into q->one_of
 * (strings, non-empty). 0 when absent (q->n_one_of stays 0).
 */
int config_one_of(struct pw_status *st, const char *file, const config_setting_t *r,
		  struct requirement *q);

#endif
