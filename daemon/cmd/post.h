/*
 * post.h: the commands that change secondment posts (cmd/post.c):
 * post.publish, .apply, .shortlist, .score, .decide, .withdraw. Reading
 * them (post.get, post.list) is cmd/post_view.h.
 */
#ifndef PW_CMD_POST_H
#define PW_CMD_POST_H

#include <jansson.h>

#include "wctx.h"

int run_post_publish(struct wctx *c, const json_t *args, json_t **data);
int run_post_apply(struct wctx *c, const json_t *args, json_t **data);
int run_post_shortlist(struct wctx *c, const json_t *args, json_t **data);
int run_post_score(struct wctx *c, const json_t *args, json_t **data);
int run_post_decide(struct wctx *c, const json_t *args, json_t **data);
int run_post_withdraw(struct wctx *c, const json_t *args, json_t **data);

#endif
