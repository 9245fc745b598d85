/*
 * config_forms.h: private to the configuration loader. A programme's forms
 * and its 360 questionnaire (config_forms.c).
 */
#ifndef PW_CONFIG_FORMS_H
#define PW_CONFIG_FORMS_H

#include <libconfig.h>

#include "config.h"

/* forms = ( {...}, ... ) of the programme group, into p->forms (list may be NULL). */
int config_forms_load(struct pw_status *st, const char *file, const config_setting_t *list,
		      struct programme *p);

/* feedback = { ... } into p->feedback; NULL gives the defaults (no questionnaire). */
int config_feedback_load(struct pw_status *st, const char *file, const config_setting_t *g,
			 struct programme *p);

/* Free what the two loaders made. */
void config_forms_clear(struct programme *p);

#endif
