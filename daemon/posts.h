/*
 * posts.h: secondment posts (PROTOCOL.md, "secondment posts"). A post is advertised
 * to an internal audience first, applied for, shortlisted, scored by its
 * panel against its essential criteria and decided by the panel's chair:
 * an appointment, or, when nobody is appointable, release to external
 * advertising (once), after which anyone with a person record may apply.
 * This file owns the records, the audience, the emails, the timers of the
 * closing date and of the internal window, and the release; the commands
 * are cmd/post.c.
 */
#ifndef PW_POSTS_H
#define PW_POSTS_H

#include <jansson.h>

#include "wctx.h"

/* A score against one criterion: 0 (not met) to POSTS_SCORE_MAX (met in full). */
#define POSTS_SCORE_MAX 3
/* An appointee's mean score on every essential criterion is at least this. */
#define POSTS_PASS_MARK 2

/* The post id and its record (a new reference), or PW_ENOTFOUND / PW_ESTORE with c->st filled. */
int posts_load(struct wctx *c, const char *id, json_t **post);
/*
 * Store post under its id, and put its retention timer where it belongs
 * (post_retention_arm: armed once the post has ended). 0 or PW_ESTORE.
 */
int posts_save(struct wctx *c, const json_t *post);

/* The key of person's application to post in its round ("POST/ROUND/PERSON"); free it. */
char *posts_app_key(const char *post, const char *round, const char *person);
/*
 * The applications of post's round: a new object person -> application
 * record. 0 or PW_ESTORE.
 */
int posts_apps(struct wctx *c, const char *post, const char *round, json_t **out);

/* The template variables of post, with the extras (may be NULL) laid over them. */
json_t *posts_vars(struct wctx *c, const json_t *post, const json_t *extra);
/* Email person (in role) template t of cfg->posts for event ev. */
int posts_tell(struct wctx *c, const json_t *ev, const json_t *post, const char *person,
	       const char *role, enum post_tmpl t, const json_t *extra);
/* Email every LA adviser template t. */
int posts_tell_la(struct wctx *c, const json_t *ev, const json_t *post, enum post_tmpl t,
		  const json_t *extra);
/* Email every panel member template t. */
int posts_tell_panel(struct wctx *c, const json_t *ev, const json_t *post, enum post_tmpl t,
		     const json_t *extra);

/*
 * Arm post's timer 'what' ("close" or "window") for its current round at
 * 'at'; its id goes to post's "timers" {what: id}. The caller saves post.
 */
int posts_arm(struct wctx *c, json_t *post, const char *what, int64_t at);
/*
 * Delete every timer of post still armed (those in its "timers"; one that
 * has fired is gone already) and forget their ids: the post is withdrawn,
 * appointed, or its round has ended. The caller saves post. 0 or PW_ESTORE.
 */
int posts_disarm(struct wctx *c, json_t *post);

/*
 * The current round of post ends with nobody appointed, for reason
 * ("none_appointable", "none_shortlisted", "no_applications",
 * "window_ended"): the internal round is released to external advertising
 * (applications open to everyone until external_days on), the external one
 * leaves the post unfilled. Applications of the round not yet ended become
 * not_appointed and their applicants are told; the round's timers are
 * deleted. post is changed in place; the caller saves it. 0 or PW_ESTORE.
 */
int posts_round_ends(struct wctx *c, json_t *post, const char *reason);

/* A due post timer t ("close": applications close; "window": the internal window ends). */
int posts_fire(struct wctx *c, const json_t *t);

#endif
