/*
 * config_notify.h: private to the configuration loader. Notification
 * templates (loaded once per pw_config and shared by every setting that
 * names them) and the settings that send them: notification rules and
 * nudges (reminders, escalations, session notices, the alumni follow-up).
 */
#ifndef PW_CONFIG_NOTIFY_H
#define PW_CONFIG_NOTIFY_H

#include <libconfig.h>
#include <stddef.h>

#include "config.h"

/*
 * The template called name (an id) for notifications on event type 'on':
 * loaded from cfg->daemon.templates the first time (cfg owns it), and
 * checked to use only the variables 'on' provides and to be UTF-8. s is the
 * setting that names it (NULL for a default): a template that cannot be
 * read is reported there. Errors name the file and the line.
 */
int config_notify_template(struct pw_config *cfg, struct pw_status *st, const char *file,
			   const config_setting_t *s, const char *name, const char *on,
			   const struct template **out);

/* Free every template of cfg. */
void config_notify_templates_free(struct pw_config *cfg);

/*
 * One notification rule: group g { on; stage; outcome; route; to; template; }.
 * On error r may hold strings: free them with config_notify_rule_clear.
 * Whether r->stage is a stage of the programme is the caller's check.
 */
int config_notify_rule_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			    const config_setting_t *g, struct notify_rule *r);
void config_notify_rule_clear(struct notify_rule *r);

/*
 * One nudge, group g { days; every; at; to; template; urgent; late; }, its
 * template checked against event type 'on'.
 */
int config_notify_nudge_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			     const config_setting_t *g, const char *on, struct nudge *n);

/* A list of nudges (NULL: none): *out gets an array the caller frees, *n its length. */
int config_notify_nudges_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			      const config_setting_t *list, const char *on, struct nudge **out,
			      size_t *n);

#endif
