/*
 * post.h: showing the replies about secondment posts; the data stays the
 * caller's.
 */
#ifndef PW_CTL_POST_H
#define PW_CTL_POST_H

#include <jansson.h>

/* post publish, get, shortlist, decide, withdraw: one post and the applications shown. */
void post_show(const json_t *d);

/* post list: the posts as a table. */
void post_list_show(const json_t *d);

/* post apply, post score: one application. */
void post_app_show(const json_t *d);

#endif
