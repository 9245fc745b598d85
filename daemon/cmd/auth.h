/*
 * auth.h: the person-token commands (cmd/auth.c): login by emailed link,
 * sessions, who is speaking, and rotating the token secret.
 */
#ifndef PW_CMD_AUTH_H
#define PW_CMD_AUTH_H

#include <jansson.h>

#include "wctx.h"

/*
 * auth.link {email}: email a login link to the person with that address, at
 * most daemon.login_links_per_hour times an hour per address, and only when
 * web.base_url is set. The reply is the same whatever happened.
 */
int run_auth_link(struct wctx *c, const json_t *args, json_t **data);

/* auth.session {token}: a login token (used up here) for a session token. */
int run_auth_session(struct wctx *c, const json_t *args, json_t **data);

/* auth.logout [{token}]: end the session of the request's token (or of args.token). */
int run_auth_logout(struct wctx *c, const json_t *args, json_t **data);

/*
 * auth.whoami [{token}]: the person speaking (the request's token's, or
 * args.token's, or the actor), their roles, and the token's purpose and
 * expiry.
 */
int run_auth_whoami(struct wctx *c, const json_t *args, json_t **data);

/* token.rotate: a new current token secret; the old one is honoured for the grace. */
int run_token_rotate(struct wctx *c, const json_t *args, json_t **data);

#endif
