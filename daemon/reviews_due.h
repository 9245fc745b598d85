/*
 * reviews_due.h: a term's review falling due (reviews_due.c).
 */
#ifndef PW_REVIEWS_DUE_H
#define PW_REVIEWS_DUE_H

#include <jansson.h>

#include "wctx.h"

/*
 * Timer t (kind "review", index: the term) fell due: an application still
 * active at a stage with a review requirement, whose review of that term is
 * not recorded, gets application.review_due {"term"} (the programme's rules
 * tell whom). Anything else: nothing. 0 or the store's error.
 */
int reviews_due(struct wctx *c, const json_t *t);

#endif
