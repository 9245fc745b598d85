/*
 * audience.h: the audience of an opportunity or a secondment post
 * (audience.c): an object naming programme, cohort, stage, school phase and
 * status, all optional, and the people it reaches, the candidates of the
 * matching applications. opportunities.c and posts.c both ask it.
 */
#ifndef PW_AUDIENCE_H
#define PW_AUDIENCE_H

#include <jansson.h>

#include "wctx.h"

/*
 * Check audience aud (NULL: everyone in the pool): only the keys programme,
 * cohort, stage, phase and status, each a string (PW_EINVALID), naming a
 * configured cohort and programme (PW_ENOTFOUND); c->st filled.
 */
int audience_check(struct wctx *c, const json_t *aud);

/*
 * Collect into members (person -> true, in the order found: cohort by
 * cohort, then application id) the candidates of the applications aud
 * matches: status aud.status, else active or graduated; the programme,
 * cohort and stage named; a candidate's school of the phase named.
 * 0, or PW_ESTORE with c->st filled.
 */
int audience_members(struct wctx *c, const json_t *aud, json_t *members);

/*
 * Whether person has an email address: what the audience is told is written
 * to them (notify.c writes to no one else), so only they count as told.
 */
int audience_has_email(struct wctx *c, const char *person);

#endif
