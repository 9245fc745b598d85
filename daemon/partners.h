/*
 * partners.h: partner-school support (partners.c). A school asks for support,
 * or an LA adviser asks on its behalf, with the need; an LA adviser pairs
 * the request with an application at the programme's support stage (a
 * deployed LLE), within its capacity and with phase taken into account; the
 * pairing is a relationship with review points; an LA adviser ends it.
 */
#ifndef PW_PARTNERS_H
#define PW_PARTNERS_H

#include <jansson.h>

#include "wctx.h"

/* Emit ev (a support.* event about request r) and mail it with template t to who. */
enum {
	SUPPORT_TO_LLE = 1,    /* the paired application's candidate */
	SUPPORT_TO_SCHOOL = 2, /* the headteachers of the school that asked */
	SUPPORT_TO_LA = 4,     /* every LA adviser */
	SUPPORT_TO_RAISER = 8, /* whoever raised the request */
};
int support_tell(struct wctx *c, json_t *ev, const json_t *r, const struct template *t, int who,
		 const json_t *extra);

/* The applications' active pairings (status "paired") with app, counted. */
int support_active(struct wctx *c, const char *app, int *n);

/* Arm the review points of request r paired now; their timer ids go into r's "reviews". */
int support_reviews_arm(struct wctx *c, json_t *r, const struct cohort *co);

/* Cancel the review points of r not yet due. */
int support_reviews_cancel(struct wctx *c, json_t *r);

/* A due review point (timer t, kind "support_review"): its event and emails. */
int support_review_fire(struct wctx *c, const json_t *t);

#endif
