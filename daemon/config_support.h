/*
 * config_support.h: private to the configuration loader. A programme's
 * partner-school support (support = { ... }) and bookable sessions'
 * emails (bookings = { ... }).
 */
#ifndef PW_CONFIG_SUPPORT_H
#define PW_CONFIG_SUPPORT_H

#include <libconfig.h>

#include "config.h"

/* Read the support and bookings groups of programme group g into p (absent: not declared). */
int config_support_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			const config_setting_t *g, struct programme *p);
void config_support_clear(struct programme *p);

#endif
