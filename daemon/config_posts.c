/*
 * config_posts.c: the posts group of pathway.conf, posts = { advert_template;
 * received_template; ... }: the email of each step of a secondment post
 * (posts.c), in the order of enum post_tmpl. Each defaults to the template
 * named for its step (post-advert, post-received, ...). And retention_years
 * (0 to 100, default 6): how long an ended post's applications keep their
 * personal content (post_retention.c).
 */
#include "config_posts.h"

#include <stdlib.h>

#include "config_notify.h"
#include "config_read.h"
#include "util.h"

static const struct {
	const char *setting;
	const char *def;
} settings[POST_T_COUNT] = {
    [POST_T_ADVERT] = {"advert_template", "post-advert"},
    [POST_T_RECEIVED] = {"received_template", "post-received"},
    [POST_T_CLOSED] = {"closed_template", "post-closed"},
    [POST_T_SHORTLISTED] = {"shortlisted_template", "post-shortlisted"},
    [POST_T_NOT_SHORTLISTED] = {"not_shortlisted_template", "post-not-shortlisted"},
    [POST_T_PANEL] = {"panel_template", "post-panel"},
    [POST_T_SCORED] = {"scored_template", "post-scored"},
    [POST_T_APPOINTED] = {"appointed_template", "post-appointed"},
    [POST_T_NOT_APPOINTED] = {"not_appointed_template", "post-not-appointed"},
    [POST_T_DECIDED] = {"decided_template", "post-decided"},
    [POST_T_RELEASED] = {"released_template", "post-released"},
    [POST_T_WITHDRAWN] = {"withdrawn_template", "post-withdrawn"},
};

int
config_posts_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		  const config_setting_t *g)
{
	const char *keys[POST_T_COUNT + 2];

	for (int i = 0; i < POST_T_COUNT; i++)
		keys[i] = settings[i].setting;
	keys[POST_T_COUNT] = "retention_years";
	keys[POST_T_COUNT + 1] = NULL;
	if (g != NULL && conf_known(st, file, g, keys) != 0)
		return PW_ECONFIG;
	/* An ended post's applications: post_retention.c. */
	cfg->posts.retention_years = 6;
	if (g != NULL &&
	    conf_int(st, file, g, "retention_years", 0, 100, &cfg->posts.retention_years) != 0)
		return PW_ECONFIG;
	for (int i = 0; i < POST_T_COUNT; i++) {
		char *id = NULL;
		int rc = g != NULL ? conf_id(st, file, g, settings[i].setting, 0, &id) : 0;

		if (rc == 0)
			rc = config_notify_template(
			    cfg, st, file,
			    id != NULL ? config_setting_get_member(g, settings[i].setting) : NULL,
			    id != NULL ? id : settings[i].def, "post", &cfg->posts.t[i]);
		free(id);
		if (rc != 0)
			return PW_ECONFIG;
	}
	return 0;
}
