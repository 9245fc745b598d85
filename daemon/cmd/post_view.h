/*
 * post_view.h: reading secondment posts (cmd/post_view.c): what each
 * reader sees of a post and its applications, the panel's scores summed
 * up, post.get and post.list.
 */
#ifndef PW_CMD_POST_VIEW_H
#define PW_CMD_POST_VIEW_H

#include <jansson.h>

#include "wctx.h"

/* How the actor stands to a post. */
enum post_reader {
	POST_HIDDEN,	/* may not see it: the internal round, outside its audience */
	POST_PUBLIC,	/* its audience, or anyone once released: the advert and its state */
	POST_APPLICANT, /* applied to it: the advert, the outcome, their own applications */
	POST_PANEL,	/* on its panel: everything, scores as post_app_view says */
	POST_FULL,	/* LA advisers and viewers: everything */
};

/* How the actor (c->actor_id, c->actor) stands to post; apps: every application (person -> [A]). */
enum post_reader post_reader_of(const struct wctx *c, const json_t *post, const json_t *apps);

/* Whether the actor is on post's panel. */
int post_on_panel(const json_t *post, const char *person);

/*
 * Whether every panel member has scored every shortlisted applicant of the
 * current round (apps: that round's applications, person -> A) against
 * every criterion.
 */
int post_scoring_complete(const json_t *post, const json_t *apps);

/*
 * Whether application app meets every essential criterion: the mean of the
 * panel's scores on each is at least POSTS_PASS_MARK (no score: not met).
 */
int post_meets(const json_t *post, const json_t *app);

/* The post as reader r may see it (a new object). */
json_t *post_view(const json_t *post, enum post_reader r);

/*
 * Application app as reader r (the actor 'me') may see it, or NULL when
 * they may not: an applicant sees their own without scores; a panel member
 * their own scores, and everyone's with the means once complete (the
 * round's scoring is complete); LA advisers and viewers everything.
 */
json_t *post_app_view(const json_t *post, const json_t *app, enum post_reader r, const char *me,
		      int complete);

/*
 * Every application to post in both rounds (a new object: person -> array
 * of applications, the internal round's first). 0 or PW_ESTORE.
 */
int post_all_apps(struct wctx *c, const json_t *post, json_t **out);

/*
 * post.get's data for the actor: {"post", "applications"} as they may see
 * them (a new object), or NULL when they may not see the post. all: every
 * application (post_all_apps).
 */
json_t *post_reply(struct wctx *c, const json_t *post, const json_t *all);

/*
 * Load post id for a command on it: PW_ENOTFOUND ("no post 'ID'"), the
 * same answer, both when there is no such post and when the actor may not
 * see it (POST_HIDDEN), so nobody learns which post ids exist; *post is a
 * new reference on success, NULL otherwise.
 */
int post_load_seen(struct wctx *c, const char *id, json_t **post);

/* post.get, post.list. */
int run_post_get(struct wctx *c, const json_t *args, json_t **data);
int run_post_list(struct wctx *c, const json_t *args, json_t **data);

#endif
