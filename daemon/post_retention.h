/*
 * post_retention.h: how long the applications to an ended secondment post
 * keep their personal content (post_retention.c): pathway.conf's
 * posts.retention_years after the post ended (appointed, unfilled or
 * withdrawn), then the statements and the panel's notes are purged. One
 * durable timer per ended post (kind "post_retention", id
 * POST_RETENTION_PREFIX + the post's id).
 */
#ifndef PW_POST_RETENTION_H
#define PW_POST_RETENTION_H

#include <jansson.h>
#include <stdint.h>

#include "wctx.h"

#define POST_RETENTION_PREFIX "T-post-retention-"

/* When post ended (appointment.at, ended.at, withdrawn.at), or 0 when it has not. */
int64_t post_retention_ended(const json_t *post);

/*
 * When post's applications are to be purged: its end plus
 * posts.retention_years, same month, day and time. 0 when it has not
 * ended, is purged already or the setting is 0 (kept). The end goes to
 * *ended when not NULL.
 */
int64_t post_retention_due(const struct pw_config *cfg, const json_t *post, int64_t *ended);

/*
 * Put post's retention timer where post_retention_due wants it: armed,
 * moved, or deleted when nothing is due. Run whenever a post is saved
 * (posts_save) and for every post at start-up and after a reload.
 */
int post_retention_arm(struct wctx *c, const json_t *post);

/* post_retention_arm for every post (start-up, reload: the setting may have changed). */
int post_retention_sync(struct wctx *c);

/* A post_retention timer t fell due: purge the post's applications (post.purged). */
int post_retention_purge(struct wctx *c, const json_t *t);

/*
 * retention.list: append to out the applications of timer t's post, each
 * {"post", "round", "person", "status", "ended", "purge_at"}, while out
 * holds fewer than limit. 0 or PW_ESTORE.
 */
int post_retention_list(struct wctx *c, const json_t *t, int64_t due, json_t *out, size_t limit);

#endif
