/*
 * auth.c: the commands of person tokens (token.c does the cryptography and
 * keeps their state): auth.link emails a login link, rate-limited per
 * address and hour by "rate:HOUR:ADDRESS" records in DB_TOKENS; auth.session
 * trades a login token for a session; auth.logout ends one (session.ended
 * tells pathway-web to end its live streams); auth.whoami says
 * who is speaking; token.rotate makes a new secret.
 */
#include "cmd/auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/base.h"
#include "notify.h"
#include "token.h"

#define LINK_SENT "if a person has this address, a login link is on its way to it"

/* Count one more link to address this hour; *allowed says whether it is within the limit. */
static int
rate_take(struct wctx *c, const char *address, int *allowed)
{
	char key[320];
	json_t *rec = NULL;
	json_int_t n;
	int rc;

	snprintf(key, sizeof key, "rate:%lld:%s", (long long)(c->now / 3600), address);
	for (char *p = key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	store_rec_get(c->store, c->txn, DB_TOKENS, key, &rec);
	n = json_integer_value(json_object_get(rec, "n"));
	json_decref(rec);
	*allowed = n < c->cfg->daemon.login_links_per_hour;
	if (!*allowed)
		return 0;
	rec = json_pack("{s:i, s:I, s:I}", "v", 1, "n", n + 1, "hour", (json_int_t)(c->now / 3600));
	rc = store_rec_put(c->store, c->txn, DB_TOKENS, key, rec, c->st);
	json_decref(rec);
	return rc;
}

struct by_email {
	const char *email;
	char id[PW_ID_MAX + 1];
};

static int
email_visit(const char *id, json_t *rec, void *ud)
{
	struct by_email *b = ud;
	const char *e = str(rec, "email");

	if (e == NULL || strcasecmp(e, b->email) != 0)
		return 0;
	snprintf(b->id, sizeof b->id, "%s", id);
	return 1;
}

int
run_auth_link(struct wctx *c, const json_t *args, json_t **data)
{
	struct token_claims t = {.purpose = TOKEN_LOGIN};
	struct by_email b = {cmd_arg(args, "email"), ""};
	char tok[TOKEN_MAX];
	json_t *ev, *vars;
	char *url;
	int allowed, rc;

	*data = json_pack("{s:s}", "note", LINK_SENT);
	if (c->cfg->web.base_url == NULL) {
		log_info("auth.link: no web.base_url is set, so no login link is sent");
		return 0;
	}
	rc = rate_take(c, b.email, &allowed);
	if (rc != 0 || !allowed)
		return rc;
	if (store_rec_scan(c->store, c->txn, DB_PEOPLE, NULL, email_visit, &b) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading people");
	if (b.id[0] == '\0')
		return 0;
	snprintf(t.person, sizeof t.person, "%s", b.id);
	rc = token_mint(c, &t, tok, sizeof tok);
	if (rc != 0)
		return rc;
	url = xasprintf("%s/login/%s", c->cfg->web.base_url, tok);
	ev = json_pack("{s:s}", "type", "auth.link");
	vars = json_pack("{s:s, s:s}", "login_url", url, "link_expires", "one hour");
	rc = notify_person(c, ev, b.id, "person", c->cfg->web.login, vars);
	json_decref(vars);
	json_decref(ev);
	free(url);
	return rc;
}

int
run_auth_session(struct wctx *c, const json_t *args, json_t **data)
{
	struct token_claims t;
	char tok[TOKEN_MAX], at[PW_TIME_LEN];
	int64_t expires;
	int rc;

	rc = token_verify(c->store, c->txn, c->cfg, c->now, cmd_arg(args, "token"), &t, c->st);
	if (rc != 0)
		return rc;
	if (t.purpose != TOKEN_LOGIN)
		return pw_fail(c->st, PW_ETOKEN_WRONG_PURPOSE,
			       "auth.session takes a login token, not a %s token",
			       token_purpose_name(t.purpose));
	rc = token_request_done(c, &t);
	if (rc == 0)
		rc = token_session_start(c, t.person, tok, sizeof tok, &expires);
	if (rc != 0)
		return rc;
	*data = json_pack("{s:s, s:s, s:s}", "token", tok, "person", t.person, "expires",
			  pw_time_format(expires, at));
	return 0;
}

/* The token a command is about: the request's, else args.token verified into *mine. */
static int
token_of(struct wctx *c, const json_t *args, struct token_claims *mine,
	 const struct token_claims **out)
{
	const char *tok = cmd_arg(args, "token");
	int rc;

	*out = c->token;
	if (*out != NULL || tok == NULL)
		return 0;
	rc = token_verify(c->store, c->txn, c->cfg, c->now, tok, mine, c->st);
	if (rc == 0)
		*out = mine;
	return rc;
}

int
run_auth_logout(struct wctx *c, const json_t *args, json_t **data)
{
	const struct token_claims *t;
	struct token_claims mine;
	int rc = token_of(c, args, &mine, &t);

	if (rc != 0)
		return rc;
	if (t == NULL)
		return pw_fail(
		    c->st, PW_EINVALID,
		    "auth.logout ends the session of the request's token: there is none");
	if (t->purpose != TOKEN_SESSION)
		return pw_fail(c->st, PW_ETOKEN_WRONG_PURPOSE,
			       "auth.logout takes a session token, not a %s token",
			       token_purpose_name(t->purpose));
	rc = token_session_end(c, t);
	if (rc == 0) /* pathway-web ends the session's live streams on it */
		rc = wctx_emit_simple(c, "session.ended", "person", t->person);
	if (rc == 0)
		*data = json_pack("{s:s, s:b}", "person", t->person, "ended", 1);
	return rc;
}

int
run_auth_whoami(struct wctx *c, const json_t *args, json_t **data)
{
	const struct token_claims *t;
	struct token_claims mine;
	char at[PW_TIME_LEN];
	json_t *p = NULL;
	int rc = token_of(c, args, &mine, &t);

	if (rc != 0)
		return rc;
	if (t == NULL || streq(t->person, c->actor_id))
		p = json_incref(c->actor);
	else
		rc = cmd_load(c, DB_PEOPLE, "person", t->person, &p);
	if (rc != 0)
		return rc;
	*data = json_pack("{s:s, s:O, s:O, s:s}", "person", t ? t->person : c->actor_id, "name",
			  json_object_get(p, "name") ? json_object_get(p, "name") : json_null(),
			  "roles",
			  json_object_get(p, "roles") ? json_object_get(p, "roles") : json_null(),
			  "purpose", t ? token_purpose_name(t->purpose) : "none");
	if (t != NULL)
		json_object_set_new(*data, "expires", json_string(pw_time_format(t->expires, at)));
	if (t != NULL && t->purpose == TOKEN_ACTION)
		json_object_set_new(*data, "action",
				    json_pack("{s:s, s:s}", "cmd", t->cmd, "app", t->app));
	if (c->via != NULL)
		json_object_set_new(*data, "via", json_string(c->via));
	json_decref(p);
	return 0;
}

int
run_token_rotate(struct wctx *c, const json_t *args, json_t **data)
{
	char at[PW_TIME_LEN];
	uint32_t id, previous;
	json_t *ev;
	int rc;

	(void)args;
	rc = token_rotate(c, &id, &previous);
	if (rc != 0)
		return rc;
	*data = json_pack("{s:I, s:I}", "secret", (json_int_t)id, "previous", (json_int_t)previous);
	if (previous != 0)
		json_object_set_new(
		    *data, "previous_until",
		    json_string(pw_time_format(c->now + c->cfg->daemon.token_grace, at)));
	ev = json_pack("{s:s, s:{s:I}}", "type", "token.rotated", "data", "secret", (json_int_t)id);
	rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}
