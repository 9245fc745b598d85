/*
 * config_cohort.h: private to the configuration loader. Loading one cohort
 * file against the programmes already in a pw_config.
 */
#ifndef PW_CONFIG_COHORT_H
#define PW_CONFIG_COHORT_H

#include "config.h"

/*
 * Load the cohort file path into c. Its programme must be one of cfg's and
 * every session that programme needs must be in its calendar. On success c
 * owns what it holds (free with config_cohort_clear); on error c is cleared
 * and PW_ECONFIG returned with the file, the line and the setting in st.
 */
int config_cohort_load(const struct pw_config *cfg, const char *path, struct cohort *c,
		       struct pw_status *st);
void config_cohort_clear(struct cohort *c);

#endif
