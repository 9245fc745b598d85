/*
 * token.h: person tokens (DESIGN.md, "Who is speaking", item 3). pathwayd
 * mints and verifies them; nobody else can. A token is URL-safe base64
 * (no padding, under TOKEN_MAX characters) of a small binary claim set and
 * a keyed BLAKE2b MAC (libsodium crypto_generichash, 16 bytes) made with a
 * secret kept in the store's DB_TOKENS database and rotatable. It names its
 * purpose (one action on one application at one stage, a login link, or a
 * session), the person, an expiry and a random nonce.
 *
 * The state tokens need is kept in DB_TOKENS, as JSON records keyed
 * "secret:current" (the id of the current secret), "secret:ID" (a secret:
 * its key, when it was made and when it was retired), "used:NONCE" (a
 * one-use token used), "session:NONCE" (a session: person, roles held at
 * login, expiry, ended) and "rate:HOUR:ADDRESS" (login links sent).
 */
#ifndef PW_TOKEN_H
#define PW_TOKEN_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "config.h"
#include "proto.h"
#include "store.h"
#include "util.h"
#include "wctx.h"

#define TOKEN_VERSION 1
#define TOKEN_MAX 200	   /* a token is shorter; a buffer of TOKEN_MAX holds one with its NUL */
#define TOKEN_NONCE_LEN 12 /* bytes of randomness per token */
#define TOKEN_APP_MAX 24   /* the longest application id an action token may name */
#define TOKEN_ACTION_TTL 2592000 /* an action token lives 30 days (or until its stage ends) */
#define TOKEN_LOGIN_TTL 3600	 /* a login link lives one hour */

enum token_purpose { TOKEN_ACTION = 1, TOKEN_LOGIN = 2, TOKEN_SESSION = 3 };

struct token_claims {
	int version;
	int purpose;	 /* enum token_purpose */
	uint32_t secret; /* the id of the secret that made it */
	char person[PW_ID_MAX + 1];
	const char *cmd;	     /* action: the wire command (a static string), else NULL */
	char app[TOKEN_APP_MAX + 1]; /* action: the application */
	const char *stage;	     /* minting an action: its stage id (decoding leaves it NULL) */
	uint64_t stage_tag;	     /* decoded: the token's tag of that stage (token_stage_tag) */
	int64_t expires;	     /* unix seconds; minting with 0 takes the purpose's default */
	unsigned char nonce[TOKEN_NONCE_LEN];
	int companion; /* checked for a request: the command is one the action's page may
			  also run (token_request_check), which does not use the token up */
};

/*
 * Mint a token for in (purpose, person; for an action cmd, app and stage;
 * expires, or 0 for the default: action 30 days, login 1 hour, session
 * daemon.session_hours) into out (outlen >= TOKEN_MAX), with a fresh nonce,
 * under the current secret (made with randombytes_buf, in c->txn, the first
 * time). Returns 0, or PW_EINVALID (a command that is not an action, an id
 * too long) or PW_ESTORE with c->st filled.
 */
int token_mint(struct wctx *c, const struct token_claims *in, char *out, size_t outlen);

/*
 * Verify token at time now: its form and version, the MAC under a secret the
 * store knows, that secret retired no longer than daemon.token_grace ago,
 * the expiry; for an action or login token that it was not used; for a
 * session that it was not ended (logout) and the person still holds one of
 * the roles they held at login. Fills out. Returns 0 or, with st filled,
 * PW_ETOKEN_INVALID, PW_ETOKEN_EXPIRED (also an ended session),
 * PW_ETOKEN_USED or PW_ESTORE. It writes nothing: txn may be read-only.
 */
int token_verify(struct store *s, MDB_txn *txn, const struct pw_config *cfg, int64_t now,
		 const char *token, struct token_claims *out, struct pw_status *st);

/*
 * For a request to run cmd with args that carries token: verify it and
 * check it may be used for this request. An action token is for its own
 * command on its own application (args.app) only, and only while that
 * application is active at the token's stage (else PW_ETOKEN_STALE); a
 * session token for any command; a login token only for auth.session (else
 * PW_ETOKEN_WRONG_PURPOSE). Sets nothing in c; errors fill c->st.
 */
int token_request_check(struct wctx *c, const char *cmd, const json_t *args, const char *token,
			struct token_claims *out);

/*
 * After the command a token was used for succeeded, in its transaction: an
 * action or login token is marked used, so it works once. 0 or PW_ESTORE.
 */
int token_request_done(struct wctx *c, const struct token_claims *t);

/*
 * Parse the text of a token into out without checking its MAC (for
 * token_verify and the fuzzer). raw (TOKEN_MAX bytes) gets the decoded
 * bytes, *signed_len how many of them the MAC covers. 0 or PW_ETOKEN_INVALID.
 */
int token_decode(const char *token, struct token_claims *out, unsigned char *raw,
		 size_t *signed_len);

/*
 * Make a new current secret; the one it replaces (if any) is retired now and
 * honoured for daemon.token_grace more. *id and *previous (0: none) get the
 * ids. 0 or PW_ESTORE with c->st.
 */
int token_rotate(struct wctx *c, uint32_t *id, uint32_t *previous);

/*
 * Start a session for person: mint a session token into out (TOKEN_MAX) and
 * record the session with the roles the person holds now. *expires gets its
 * expiry. 0, PW_ENOTFOUND (no such person) or PW_ESTORE with c->st.
 */
int token_session_start(struct wctx *c, const char *person, char *out, size_t outlen,
			int64_t *expires);

/* End the session of t (a verified session token). 0 or PW_ESTORE. */
int token_session_end(struct wctx *c, const struct token_claims *t);

/*
 * Delete token state no longer needed at now: one-use marks and sessions
 * whose token has expired (such a token is refused as expired first), and
 * login-link counts of hours gone. *n gets how many. 0 or PW_ESTORE.
 */
int token_prune(struct store *s, MDB_txn *txn, int64_t now, size_t *n);

/* The tag an action token keeps of a stage id (8 bytes of its BLAKE2b hash). */
uint64_t token_stage_tag(const char *stage);

/* The name of a purpose ("action", "login", "session"). */
const char *token_purpose_name(int purpose);

/*
 * The command a person in role should run next on an application, from its
 * current stage's requirements reqs (notify_requirements): the first unmet
 * one that role fulfils (a panel member, role "panel", recommends; a review
 * counts only while its term's review is due). NULL when there is none.
 */
const char *token_action_cmd(const json_t *reqs, const char *role);

/*
 * What {{action_url}} says to person (in role) about app: web.base_url +
 * "/a/" + a fresh action token for token_action_cmd(reqs, role) (for the
 * candidate of an application holding an open offer of a place:
 * application.accept_offer, whose token answers application.decline_offer
 * too, while the offer is open; for an LA adviser while the application has
 * review_attention: application.continue), or, without
 * a base_url or with nothing for them to do, a sentence saying how else to
 * act. *out is the caller's to free. 0 or PW_ESTORE with c->st.
 */
int token_action_url(struct wctx *c, const char *person, const char *role, const json_t *app,
		     const json_t *reqs, char **out);

#endif
