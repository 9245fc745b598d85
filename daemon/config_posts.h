/*
 * config_posts.h: private to the configuration loader. The posts group of
 * pathway.conf: the template of each step of a secondment post.
 */
#ifndef PW_CONFIG_POSTS_H
#define PW_CONFIG_POSTS_H

#include <libconfig.h>

#include "config.h"

/*
 * Load group g (NULL: every default) of file into cfg->posts: each
 * template setting an id, its default the setting's name with "_template"
 * dropped and "post-" in front. Every template is checked against the
 * variables of "post". Returns 0 or PW_ECONFIG with st naming the setting.
 */
int config_posts_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		      const config_setting_t *g);

#endif
