/*
 * token.c: person tokens, minted and verified with libsodium, and the
 * token state of the store's DB_TOKENS database (token.h lists its keys).
 *
 * A token's bytes, before URL-safe base64 without padding:
 *   version (1) | purpose (1) | secret id (4, BE) | expires (8, BE) |
 *   nonce (12) | person length (1) | person |
 *   [action: command index (1) | stage tag (8, BE) | app length (1) | app] |
 *   MAC (16): keyed BLAKE2b of everything before it, with the secret.
 * With ids of at most 64 bytes and applications of at most 24 that is at
 * most 141 bytes, 188 characters. The command is an index into actions[]
 * below (append only: tokens in mailboxes name commands by it).
 */
#include "token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC_LEN 16
#define KEY_LEN 32
#define HEAD_LEN 26 /* version, purpose, secret, expires, nonce */

/* The commands an action token may be for, by index. */
static const char *const actions[] = {
    "application.submit",
    "application.signoff",
    "application.decide",
    "application.record_response",
    "application.record_attendance",
    "application.confirm_internship",
    "application.place_internship",
    "application.accept_offer", /* its link may decline the offer too */
    "feedback.respond",
    "application.recommend", /* a panel member's, from the panel's invitation */
    "application.review",    /* the reviewer's, from the review's reminder */
    "application.continue",  /* the LA's, while reviews not met wait for it */
};

/*
 * What an action link's page may also do with its token, without using it
 * up: read what the action is about, keep a draft of a form, and (the
 * candidate's link to a document) rank internship host schools.
 */
static const char *const companions[][2] = {
    {"application.submit", "application.save_draft"},
    {"application.submit", "form.get"},
    {"application.signoff", "form.get"},
    {"application.submit", "application.rank_hosts"}, /* the candidate's internship choices */
    {"application.submit", "application.host_choices"},
    {"application.recommend", "form.get"}, /* the panel reads the application form */
    {"feedback.respond", "feedback.questionnaire"},
    {"*", "application.get"},
};

/* Whether an action token for action may run cmd as its companion. */
static int
companion_of(const char *action, const char *cmd)
{
	for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++)
		if ((streq(companions[i][0], "*") || streq(companions[i][0], action)) &&
		    streq(companions[i][1], cmd))
			return 1;
	return 0;
}
#define NACTIONS (sizeof actions / sizeof actions[0])

static const char *const purposes[] = {NULL, "action", "login", "session"};

const char *
token_purpose_name(int purpose)
{
	return purpose >= TOKEN_ACTION && purpose <= TOKEN_SESSION ? purposes[purpose] : "none";
}

uint64_t
token_stage_tag(const char *stage)
{
	unsigned char h[8];
	uint64_t x = 0;

	crypto_generichash(h, sizeof h, (const unsigned char *)stage, strlen(stage), NULL, 0);
	for (int i = 0; i < 8; i++)
		x = (x << 8) | h[i];
	return x;
}

static void
be_put(unsigned char *b, uint64_t x, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		b[i] = (unsigned char)(x & 0xff);
		x >>= 8;
	}
}

static uint64_t
be_get(const unsigned char *b, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = (x << 8) | b[i];
	return x;
}

/* The key of a DB_TOKENS record: kind ":" id. */
static void
rec_key(char *buf, size_t n, const char *kind, const char *id)
{
	snprintf(buf, n, "%s:%s", kind, id);
}

static void
nonce_hex(const unsigned char *nonce, char *hex)
{
	sodium_bin2hex(hex, 2 * TOKEN_NONCE_LEN + 1, nonce, TOKEN_NONCE_LEN);
}

/* Secret id's key into key; 0, PW_ENOTFOUND or PW_ESTORE. *retired: 0 when current. */
static int
secret_get(struct store *s, MDB_txn *txn, uint32_t id, unsigned char *key, int64_t *retired)
{
	char k[32], idtxt[16];
	json_t *rec = NULL;
	const char *hex;
	size_t n = 0;
	int rc;

	snprintf(idtxt, sizeof idtxt, "%u", id);
	rec_key(k, sizeof k, "secret", idtxt);
	rc = store_rec_get(s, txn, DB_TOKENS, k, &rec);
	if (rc != 0)
		return rc == PW_ENOTFOUND ? rc : PW_ESTORE;
	hex = str(rec, "key");
	rc = hex != NULL && sodium_hex2bin(key, KEY_LEN, hex, strlen(hex), NULL, &n, NULL) == 0 &&
		     n == KEY_LEN
		 ? 0
		 : PW_ESTORE;
	*retired = json_integer_value(json_object_get(rec, "retired"));
	json_decref(rec);
	return rc;
}

/* Make secret id with a fresh random key and make it current. */
static int
secret_new(struct wctx *c, uint32_t id, unsigned char *key)
{
	char k[32], idtxt[16], hex[2 * KEY_LEN + 1];
	json_t *rec;
	int rc;

	randombytes_buf(key, KEY_LEN);
	sodium_bin2hex(hex, sizeof hex, key, KEY_LEN);
	snprintf(idtxt, sizeof idtxt, "%u", id);
	rec_key(k, sizeof k, "secret", idtxt);
	rec = json_pack("{s:i, s:s, s:I}", "v", 1, "key", hex, "created", (json_int_t)c->now);
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, k, rec, c->st);
	json_decref(rec);
	sodium_memzero(hex, sizeof hex);
	if (rc != 0)
		return rc;
	rec = json_pack("{s:i, s:I}", "v", 1, "id", (json_int_t)id);
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, "secret:current", rec, c->st);
	json_decref(rec);
	return rc;
}

/* The current secret (made on first use): its id and key. */
static int
secret_current(struct wctx *c, uint32_t *id, unsigned char *key)
{
	json_t *cur = NULL;
	int64_t retired;
	int rc;

	if (sodium_init() < 0)
		fatal("libsodium cannot start");
	rc = store_rec_get(c->store, c->txn, DB_TOKENS, "secret:current", &cur);
	if (rc == PW_ENOTFOUND) {
		*id = 1;
		return secret_new(c, *id, key);
	}
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the token secret");
	*id = (uint32_t)json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	if (secret_get(c->store, c->txn, *id, key, &retired) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: the current token secret is missing");
	return 0;
}

int
token_rotate(struct wctx *c, uint32_t *id, uint32_t *previous)
{
	unsigned char key[KEY_LEN];
	char k[32], idtxt[16];
	json_t *cur = NULL, *old = NULL;
	int rc;

	if (sodium_init() < 0)
		fatal("libsodium cannot start");
	*previous = 0;
	if (store_rec_get(c->store, c->txn, DB_TOKENS, "secret:current", &cur) == 0)
		*previous = (uint32_t)json_integer_value(json_object_get(cur, "id"));
	json_decref(cur);
	snprintf(idtxt, sizeof idtxt, "%u", *previous);
	rec_key(k, sizeof k, "secret", idtxt);
	if (*previous != 0 && store_rec_get(c->store, c->txn, DB_TOKENS, k, &old) == 0) {
		json_object_set_new(old, "retired", json_integer((json_int_t)c->now));
		rc = store_rec_put(c->store, c->txn, DB_TOKENS, k, old, c->st);
		json_decref(old);
		if (rc != 0)
			return rc;
	}
	*id = *previous + 1;
	rc = secret_new(c, *id, key);
	sodium_memzero(key, sizeof key);
	return rc;
}

static int
action_index(const char *cmd)
{
	for (size_t i = 0; cmd != NULL && i < NACTIONS; i++)
		if (strcmp(actions[i], cmd) == 0)
			return (int)i;
	return -1;
}

/* Encode in (with nonce) under secret id/key into out. */
static int
encode(const struct token_claims *in, const unsigned char *nonce, uint32_t id,
       const unsigned char *key, char *out, size_t outlen, struct pw_status *st)
{
	unsigned char b[TOKEN_MAX];
	size_t n = 0, plen = strlen(in->person), alen = in->app[0] ? strlen(in->app) : 0;
	int ai = action_index(in->cmd);

	if (in->purpose < TOKEN_ACTION || in->purpose > TOKEN_SESSION || !pw_id_valid(in->person))
		return pw_fail(st, PW_EINVALID, "a token needs a purpose and a person id");
	if (in->purpose == TOKEN_ACTION &&
	    (ai < 0 || in->stage == NULL || alen == 0 || alen > TOKEN_APP_MAX))
		return pw_fail(st, PW_EINVALID,
			       "an action token needs an action command, a stage and an "
			       "application id of at most %d bytes",
			       TOKEN_APP_MAX);
	b[n++] = TOKEN_VERSION;
	b[n++] = (unsigned char)in->purpose;
	be_put(b + n, id, 4);
	n += 4;
	be_put(b + n, (uint64_t)in->expires, 8);
	n += 8;
	memcpy(b + n, nonce, TOKEN_NONCE_LEN);
	n += TOKEN_NONCE_LEN;
	b[n++] = (unsigned char)plen;
	memcpy(b + n, in->person, plen);
	n += plen;
	if (in->purpose == TOKEN_ACTION) {
		b[n++] = (unsigned char)ai;
		be_put(b + n, token_stage_tag(in->stage), 8);
		n += 8;
		b[n++] = (unsigned char)alen;
		memcpy(b + n, in->app, alen);
		n += alen;
	}
	crypto_generichash(b + n, MAC_LEN, b, n, key, KEY_LEN);
	n += MAC_LEN;
	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > outlen)
		return pw_fail(st, PW_EINVALID, "no room for the token");
	sodium_bin2base64(out, outlen, b, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

/* Mint in with a fresh nonce (copied to nonce_out when not NULL). */
static int
mint(struct wctx *c, const struct token_claims *in, unsigned char *nonce_out, char *out,
     size_t outlen)
{
	static const int64_t ttl[] = {0, TOKEN_ACTION_TTL, TOKEN_LOGIN_TTL, 0};
	unsigned char key[KEY_LEN], nonce[TOKEN_NONCE_LEN];
	struct token_claims t = *in;
	uint32_t id = 0;
	int rc = secret_current(c, &id, key);

	if (rc != 0)
		return rc;
	if (t.expires == 0 && t.purpose >= TOKEN_ACTION && t.purpose <= TOKEN_SESSION)
		t.expires = c->now + (t.purpose == TOKEN_SESSION
					  ? (int64_t)c->cfg->daemon.session_hours * 3600
					  : ttl[t.purpose]);
	randombytes_buf(nonce, sizeof nonce);
	rc = encode(&t, nonce, id, key, out, outlen, c->st);
	sodium_memzero(key, sizeof key);
	if (rc == 0 && nonce_out != NULL)
		memcpy(nonce_out, nonce, sizeof nonce);
	return rc;
}

int
token_mint(struct wctx *c, const struct token_claims *in, char *out, size_t outlen)
{
	return mint(c, in, NULL, out, outlen);
}

/* A length-prefixed id at b[*n], at most max bytes, into out. */
static int
take_id(const unsigned char *b, size_t len, size_t *n, size_t max, char *out)
{
	size_t k;

	if (*n >= len)
		return -1;
	k = b[(*n)++];
	if (k == 0 || k > max || *n + k > len)
		return -1;
	memcpy(out, b + *n, k);
	out[k] = '\0';
	*n += k;
	return pw_id_valid(out) ? 0 : -1;
}

int
token_decode(const char *token, struct token_claims *out, unsigned char *raw, size_t *signed_len)
{
	size_t len = 0, n = HEAD_LEN, tlen = strlen(token);

	memset(out, 0, sizeof *out);
	if (tlen >= TOKEN_MAX ||
	    sodium_base642bin(raw, TOKEN_MAX, token, tlen, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len < HEAD_LEN + 2 + MAC_LEN)
		return PW_ETOKEN_INVALID;
	len -= MAC_LEN;
	out->version = raw[0];
	out->purpose = raw[1];
	out->secret = (uint32_t)be_get(raw + 2, 4);
	out->expires = (int64_t)be_get(raw + 6, 8);
	memcpy(out->nonce, raw + 14, TOKEN_NONCE_LEN);
	if (out->version != TOKEN_VERSION || out->purpose < TOKEN_ACTION ||
	    out->purpose > TOKEN_SESSION || take_id(raw, len, &n, PW_ID_MAX, out->person) != 0)
		return PW_ETOKEN_INVALID;
	if (out->purpose == TOKEN_ACTION) {
		if (n + 9 > len || raw[n] >= NACTIONS)
			return PW_ETOKEN_INVALID;
		out->cmd = actions[raw[n]];
		out->stage_tag = be_get(raw + n + 1, 8);
		n += 9;
		if (take_id(raw, len, &n, TOKEN_APP_MAX, out->app) != 0)
			return PW_ETOKEN_INVALID;
	}
	if (n != len)
		return PW_ETOKEN_INVALID;
	*signed_len = len;
	return 0;
}

static int
bad(struct pw_status *st, int code, const char *why)
{
	return pw_fail(st, code, "%s", why);
}

/* Whether person was erased (person.erase): every token made for them is refused. */
static int
person_erased(struct store *s, MDB_txn *txn, const char *person)
{
	json_t *p = NULL;
	int erased = store_rec_get(s, txn, DB_PEOPLE, person, &p) == 0 &&
		     json_object_get(p, "erased") != NULL;

	json_decref(p);
	return erased;
}

/* A session: not ended, and the person still holds a role they held at login. */
static int
session_check(struct store *s, MDB_txn *txn, const struct token_claims *t, struct pw_status *st)
{
	char k[64], hex[2 * TOKEN_NONCE_LEN + 1];
	json_t *rec = NULL, *p = NULL, *r;
	int roles = 0, rc;
	size_t i;

	nonce_hex(t->nonce, hex);
	rec_key(k, sizeof k, "session", hex);
	rc = store_rec_get(s, txn, DB_TOKENS, k, &rec);
	if (rc == PW_ENOTFOUND)
		return bad(st, PW_ETOKEN_INVALID, "no such session");
	if (rc != 0)
		return pw_fail(st, PW_ESTORE, "store: reading a session");
	if (json_object_get(rec, "ended") != NULL)
		rc = bad(st, PW_ETOKEN_EXPIRED, "the session has ended (logged out)");
	else if (store_rec_get(s, txn, DB_PEOPLE, t->person, &p) != 0)
		rc = bad(st, PW_ETOKEN_EXPIRED, "the session's person no longer exists");
	if (rc == 0) {
		json_array_foreach(json_object_get(p, "roles"), i, r)
		{
			int bit = proto_role_bit(json_string_value(r) ? json_string_value(r) : "");

			roles |= bit >= 0 ? 1 << bit : 0;
		}
		if ((roles & (int)json_integer_value(json_object_get(rec, "roles"))) == 0)
			rc = bad(st, PW_ETOKEN_EXPIRED,
				 "the session has ended: its person no longer holds the roles "
				 "they logged in with");
	}
	json_decref(p);
	json_decref(rec);
	return rc;
}

int
token_verify(struct store *s, MDB_txn *txn, const struct pw_config *cfg, int64_t now,
	     const char *token, struct token_claims *out, struct pw_status *st)
{
	unsigned char raw[TOKEN_MAX], key[KEY_LEN], mac[MAC_LEN];
	char k[64], hex[2 * TOKEN_NONCE_LEN + 1];
	int64_t retired = 0;
	size_t len;
	int rc;

	if (token_decode(token, out, raw, &len) != 0)
		return bad(st, PW_ETOKEN_INVALID, "the token is malformed");
	rc = secret_get(s, txn, out->secret, key, &retired);
	if (rc == PW_ENOTFOUND)
		return bad(st, PW_ETOKEN_INVALID, "the token was made with an unknown secret");
	if (rc != 0)
		return pw_fail(st, PW_ESTORE, "store: reading the token secret");
	crypto_generichash(mac, MAC_LEN, raw, len, key, KEY_LEN);
	sodium_memzero(key, sizeof key);
	if (sodium_memcmp(mac, raw + len, MAC_LEN) != 0)
		return bad(st, PW_ETOKEN_INVALID, "the token's signature does not match");
	if (retired != 0 && now > retired + cfg->daemon.token_grace)
		return bad(st, PW_ETOKEN_INVALID,
			   "the token was made with a secret retired longer ago than the grace");
	if (now >= out->expires)
		return bad(st, PW_ETOKEN_EXPIRED, "the token has expired");
	if (person_erased(s, txn, out->person))
		return bad(st, PW_ETOKEN_EXPIRED, "the token's person was erased");
	if (out->purpose == TOKEN_SESSION)
		return session_check(s, txn, out, st);
	nonce_hex(out->nonce, hex);
	rec_key(k, sizeof k, "used", hex);
	if (store_rec_exists(s, txn, DB_TOKENS, k))
		return bad(st, PW_ETOKEN_USED, "the token was already used");
	return 0;
}

/*
 * Whether app waits on an answer to an open offer of a place: waitlisted,
 * with an "offer" not yet closed (engine_offers.c).
 */
static int
offer_open(const json_t *app)
{
	const json_t *o = json_object_get(app, "offer");

	return streq(str(app, "status"), "waitlisted") && o != NULL &&
	       json_object_get(o, "result") == NULL;
}

/*
 * An action token's application must still be active at the token's stage;
 * an offer's, still waiting on that offer at that stage.
 */
static int
action_current(struct wctx *c, const struct token_claims *t)
{
	json_t *app = NULL;
	int rc = store_rec_get(c->store, c->txn, DB_APPS, t->app, &app);
	int offer = streq(t->cmd, "application.accept_offer");

	if (rc != 0 && rc != PW_ENOTFOUND)
		return pw_fail(c->st, PW_ESTORE, "store: reading application %s", t->app);
	if (rc == 0 && (offer ? offer_open(app) : streq(str(app, "status"), "active")) &&
	    str(app, "stage") != NULL && token_stage_tag(str(app, "stage")) == t->stage_tag)
		rc = 0;
	else
		rc = pw_fail(c->st, PW_ETOKEN_STALE,
			     "application %s is no longer at the stage this link was for", t->app);
	json_decref(app);
	return rc;
}

int
token_request_check(struct wctx *c, const char *cmd, const json_t *args, const char *token,
		    struct token_claims *out)
{
	int rc = token_verify(c->store, c->txn, c->cfg, c->now, token, out, c->st);

	if (rc != 0)
		return rc;
	switch (out->purpose) {
	case TOKEN_LOGIN:
		if (!streq(cmd, "auth.session"))
			return pw_fail(c->st, PW_ETOKEN_WRONG_PURPOSE,
				       "a login token is only for auth.session");
		return 0;
	case TOKEN_ACTION:
		/*
		 * Any link's page may describe its own token and read the cohort
		 * it draws the application in (stage names, time zone, sessions).
		 */
		if (streq(cmd, "auth.whoami") || streq(cmd, "cohort.get")) {
			out->companion = 1;
			return action_current(c, out);
		}
		out->companion = companion_of(out->cmd, cmd);
		/*
		 * The link that offers a place answers the offer either way; a
		 * sign-off link may send a form back for changes instead.
		 */
		if ((!streq(cmd, out->cmd) && !out->companion &&
		     !(streq(out->cmd, "application.accept_offer") &&
		       streq(cmd, "application.decline_offer")) &&
		     !(streq(out->cmd, "application.signoff") &&
		       streq(cmd, "application.return"))) ||
		    !streq(str(args, "app"), out->app))
			return pw_fail(c->st, PW_ETOKEN_WRONG_PURPOSE,
				       "this token is for %s on application %s only", out->cmd,
				       out->app);
		return action_current(c, out);
	default:
		return 0;
	}
}

/* Record that the token with nonce was used (kept until it expires). */
static int
mark_used(struct wctx *c, const struct token_claims *t)
{
	char k[64], hex[2 * TOKEN_NONCE_LEN + 1];
	json_t *rec = json_pack("{s:i, s:I, s:I}", "v", 1, "at", (json_int_t)c->now, "expires",
				(json_int_t)t->expires);
	int rc;

	nonce_hex(t->nonce, hex);
	rec_key(k, sizeof k, "used", hex);
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, k, rec, c->st);
	json_decref(rec);
	return rc;
}

int
token_request_done(struct wctx *c, const struct token_claims *t)
{
	if ((t->purpose == TOKEN_ACTION && !t->companion) || t->purpose == TOKEN_LOGIN)
		return mark_used(c, t);
	return 0;
}

int
token_session_start(struct wctx *c, const char *person, char *out, size_t outlen, int64_t *expires)
{
	struct token_claims t = {.purpose = TOKEN_SESSION};
	unsigned char nonce[TOKEN_NONCE_LEN];
	char k[64], hex[2 * TOKEN_NONCE_LEN + 1];
	json_t *p = NULL, *r, *rec;
	int roles = 0, rc;
	size_t i;

	if (store_rec_get(c->store, c->txn, DB_PEOPLE, person, &p) != 0)
		return pw_fail(c->st, PW_ENOTFOUND, "no person '%s'", person);
	json_array_foreach(json_object_get(p, "roles"), i, r)
	{
		int bit = proto_role_bit(json_string_value(r) ? json_string_value(r) : "");

		roles |= bit >= 0 ? 1 << bit : 0;
	}
	json_decref(p);
	snprintf(t.person, sizeof t.person, "%s", person);
	t.expires = c->now + (int64_t)c->cfg->daemon.session_hours * 3600;
	rc = mint(c, &t, nonce, out, outlen);
	if (rc != 0)
		return rc;
	nonce_hex(nonce, hex);
	rec_key(k, sizeof k, "session", hex);
	rec = json_pack("{s:i, s:s, s:i, s:I, s:I}", "v", 1, "person", person, "roles", roles,
			"created", (json_int_t)c->now, "expires", (json_int_t)t.expires);
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, k, rec, c->st);
	json_decref(rec);
	*expires = t.expires;
	return rc;
}

int
token_session_end(struct wctx *c, const struct token_claims *t)
{
	char k[64], hex[2 * TOKEN_NONCE_LEN + 1];
	json_t *rec = NULL;
	int rc;

	nonce_hex(t->nonce, hex);
	rec_key(k, sizeof k, "session", hex);
	if (store_rec_get(c->store, c->txn, DB_TOKENS, k, &rec) != 0)
		return 0;
	json_object_set_new(rec, "ended", json_integer((json_int_t)c->now));
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, k, rec, c->st);
	json_decref(rec);
	return rc;
}

const char *
token_action_cmd(const json_t *reqs, const char *role)
{
	/* Which command fulfils which kind of requirement, for whom ("" = its own role). */
	static const char *const fulfil[][3] = {
	    {"submission", "", "application.submit"},
	    {"signoff", "", "application.signoff"},
	    {"decision", "", "application.decide"},
	    {"responses", "rater", "feedback.respond"},
	    {"attendance", "coach", "application.record_attendance"},
	    {"internship", "host", "application.confirm_internship"},
	    {"panel", "panel", "application.recommend"},
	    {"review", "", "application.review"},
	};
	const json_t *q;
	size_t i;

	json_array_foreach(reqs, i, q)
	{
		if (json_is_true(json_object_get(q, "met")))
			continue;
		/* A review not due yet (or while the LA is asked) waits on nobody. */
		if (streq(str(q, "kind"), "review") && !json_is_true(json_object_get(q, "due")))
			continue;
		for (size_t k = 0; k < sizeof fulfil / sizeof fulfil[0]; k++) {
			const char *who = fulfil[k][1][0] ? fulfil[k][1] : str(q, "role");

			if (streq(str(q, "kind"), fulfil[k][0]) && streq(who, role))
				return fulfil[k][2];
		}
	}
	return NULL;
}

#define NO_WEB                                                                                     \
	"(no web address is set up: reply to this email, or ask your LA adviser, who can "         \
	"record it with pathwayctl)"
#define NO_ACTION "(nothing for you to do online at this step)"

int
token_action_url(struct wctx *c, const char *person, const char *role, const json_t *app,
		 const json_t *reqs, char **out)
{
	struct token_claims t = {.purpose = TOKEN_ACTION};
	char tok[TOKEN_MAX];
	int rc;

	*out = NULL;
	/* An open offer of a place is its candidate's to answer, before anything else. */
	if (offer_open(app) && streq(role, "candidate"))
		t.cmd = "application.accept_offer";
	else if (json_object_get(app, "review_attention") != NULL && streq(role, "la_adviser"))
		t.cmd = "application.continue"; /* reviews not met wait for the LA */
	else
		t.cmd = token_action_cmd(reqs, role);
	t.stage = str(app, "stage");
	if (c->cfg->web.base_url == NULL) {
		*out = xstrdup(NO_WEB);
		return 0;
	}
	if (t.cmd == NULL || t.stage == NULL ||
	    !(streq(str(app, "status"), "active") || streq(t.cmd, "application.accept_offer")) ||
	    str(app, "id") == NULL || strlen(str(app, "id")) > TOKEN_APP_MAX ||
	    !pw_id_valid(person)) {
		*out = xstrdup(NO_ACTION);
		return 0;
	}
	snprintf(t.person, sizeof t.person, "%s", person);
	snprintf(t.app, sizeof t.app, "%s", str(app, "id"));
	rc = token_mint(c, &t, tok, sizeof tok);
	if (rc == 0)
		*out = xasprintf("%s/a/%s", c->cfg->web.base_url, tok);
	return rc;
}

struct prune {
	int64_t now;
	json_t *ids;
};

/* Token state past its use: a used mark or a session after its token expired, an old hour's count.
 */
static int
prune_visit(const char *id, json_t *rec, void *ud)
{
	struct prune *p = ud;
	json_int_t expires = json_integer_value(json_object_get(rec, "expires"));
	json_int_t hour = json_integer_value(json_object_get(rec, "hour"));

	if (((strncmp(id, "used:", 5) == 0 || strncmp(id, "session:", 8) == 0) &&
	     expires < p->now) ||
	    (strncmp(id, "rate:", 5) == 0 && hour < p->now / 3600))
		json_array_append_new(p->ids, json_string(id));
	return 0;
}

int
token_prune(struct store *s, MDB_txn *txn, int64_t now, size_t *n)
{
	struct prune p = {now, json_array()};
	size_t i;
	json_t *id;
	int rc = store_rec_scan(s, txn, DB_TOKENS, NULL, prune_visit, &p);

	*n = 0;
	json_array_foreach(p.ids, i, id)
	{
		if (rc == 0)
			rc = store_rec_del(s, txn, DB_TOKENS, json_string_value(id));
		if (rc == 0)
			(*n)++;
	}
	json_decref(p.ids);
	return rc == 0 ? 0 : PW_ESTORE;
}
