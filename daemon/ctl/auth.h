/*
 * auth.h: showing the person-token subcommands of pathwayctl (login,
 * session, logout, whoami, token rotate). The show functions print a reply's
 * data (it stays the caller's) for people.
 */
#ifndef PW_CTL_AUTH_H
#define PW_CTL_AUTH_H

#include <jansson.h>

/* login: the same sentence whether or not anyone has the address. */
void auth_link_show(const json_t *d);

/* session: the session token on a line of its own, then its person and expiry. */
void auth_session_show(const json_t *d);

/* logout: whose session ended. */
void auth_logout_show(const json_t *d);

/* whoami: the person, their roles, the token's purpose, expiry and action. */
void auth_whoami_show(const json_t *d);

/* token rotate: the new secret and until when the previous one is honoured. */
void auth_rotate_show(const json_t *d);

#endif
