/*
 * test_token: person tokens (daemon/token.c) against a real store: minting
 * and verifying each purpose, the length limit, a tampered byte anywhere,
 * expiry, wrong purpose, one use, a stale stage, rotation inside and past
 * the grace, sessions ending at logout and at the loss of every role, and
 * which command an email's action link is for.
 */
#include "unit.h"

#include <sodium.h>

#include "config.h"
#include "store.h"
#include "token.h"
#include "wctx.h"

static char *tmp;
static struct pw_config *cfg;
static struct store *store;
static MDB_txn *txn;
static struct pw_status st;
static struct wctx c;

static const int64_t T0 = 1788249600; /* 2026-09-01T08:00:00Z */

static void
put(enum store_db db, const char *id, json_t *rec)
{
	assert_int_equal(store_rec_put(store, txn, db, id, rec, &st), 0);
	json_decref(rec);
}

static int
setup(void **state)
{
	char *conf, *dbdir;

	(void)state;
	tmp = unit_tmpdir();
	{
		char *p = unit_shipped_programmes(), *co = unit_shipped_cohorts();

		conf = unit_main_conf(tmp, "\ttoken_grace = 3600;\n\tsession_hours = 2;\n", NULL, p,
				      co);
		free(p);
		free(co);
	}
	if (config_load(conf, &cfg, &st) != 0) {
		fprintf(stderr, "config: %s\n", st.msg);
		return -1;
	}
	free(conf);
	dbdir = xasprintf("%s/db", tmp);
	pw_mkdirs(dbdir, 0700);
	assert_int_equal(store_open(dbdir, 64 << 20, &store, &st), 0);
	free(dbdir);
	assert_int_equal(store_txn_begin(store, NULL, 0, &txn, &st), 0);
	memset(&c, 0, sizeof c);
	c.store = store;
	c.txn = txn;
	c.cfg = cfg;
	c.now = T0;
	c.actor_id = "operator";
	c.events = json_array();
	c.st = &st;
	put(DB_PEOPLE, "head-oak",
	    json_pack("{s:s, s:s, s:[s], s:s}", "id", "head-oak", "email", "h@oak.example", "roles",
		      "headteacher", "school", "s-oak"));
	put(DB_APPS, "A000001",
	    json_pack("{s:s, s:s, s:s, s:s}", "id", "A000001", "status", "active", "stage",
		      "signoff", "cohort", "ntp-2026-27"));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_txn_abort(&txn);
	store_close(&store);
	json_decref(c.events);
	config_free(&cfg);
	unit_rmtree(tmp);
	return 0;
}

static void
mint_action(const char *cmd, const char *app, const char *stage, char *tok)
{
	struct token_claims t = {.purpose = TOKEN_ACTION, .cmd = cmd, .stage = stage};

	snprintf(t.person, sizeof t.person, "head-oak");
	snprintf(t.app, sizeof t.app, "%s", app);
	assert_int_equal(token_mint(&c, &t, tok, TOKEN_MAX), 0);
}

static int
verify(const char *tok, struct token_claims *out)
{
	return token_verify(store, txn, cfg, c.now, tok, out, &st);
}

static void
test_round_trip(void **state)
{
	struct token_claims t = {.purpose = TOKEN_LOGIN}, out;
	char tok[TOKEN_MAX];

	(void)state;
	snprintf(t.person, sizeof t.person, "head-oak");
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), 0);
	assert_int_equal(verify(tok, &out), 0);
	assert_int_equal(out.purpose, TOKEN_LOGIN);
	assert_string_equal(out.person, "head-oak");
	assert_int_equal(out.expires, T0 + TOKEN_LOGIN_TTL);
	assert_null(out.cmd);
	assert_true(
	    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	    strlen(tok));

	mint_action("application.signoff", "A000001", "signoff", tok);
	assert_int_equal(verify(tok, &out), 0);
	assert_int_equal(out.purpose, TOKEN_ACTION);
	assert_string_equal(out.cmd, "application.signoff");
	assert_string_equal(out.app, "A000001");
	assert_true(out.stage_tag == token_stage_tag("signoff"));
	assert_int_equal(out.expires, T0 + TOKEN_ACTION_TTL);

	/* Not an action command, or no stage: refused at minting. */
	t.purpose = TOKEN_ACTION;
	t.cmd = "person.update";
	t.stage = "signoff";
	snprintf(t.app, sizeof t.app, "A000001");
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), PW_EINVALID);
}

/* The longest claims still make a token under 200 characters. */
static void
test_length(void **state)
{
	struct token_claims t = {
	    .purpose = TOKEN_ACTION,
	    .cmd = "application.record_attendance",
	    .stage = "a-stage-id-of-sixty-four-characters-which-is-the-longest-allowed"};
	char tok[TOKEN_MAX];

	(void)state;
	memset(t.person, 'p', PW_ID_MAX);
	t.person[PW_ID_MAX] = '\0';
	memset(t.app, 'A', TOKEN_APP_MAX);
	t.app[TOKEN_APP_MAX] = '\0';
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), 0);
	assert_true(strlen(tok) < 200);
	t.purpose = TOKEN_SESSION;
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), 0);
	assert_true(strlen(tok) < 200);
	/* A buffer too small is an error, not an overflow. */
	assert_int_equal(token_mint(&c, &t, tok, 40), PW_EINVALID);
}

static void
test_tampered(void **state)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct token_claims out;
	char tok[TOKEN_MAX], bad[TOKEN_MAX + 2];

	(void)state;
	mint_action("application.signoff", "A000001", "signoff", tok);
	for (size_t i = 0; tok[i] != '\0'; i++) {
		strcpy(bad, tok);
		bad[i] = b64[(strchr(b64, tok[i]) - b64 + 1) % 64];
		assert_int_equal(verify(bad, &out), PW_ETOKEN_INVALID);
	}
	strcpy(bad, tok);
	bad[strlen(tok) - 1] = '\0';
	assert_int_equal(verify(bad, &out), PW_ETOKEN_INVALID);
	snprintf(bad, sizeof bad, "%sA", tok);
	assert_int_equal(verify(bad, &out), PW_ETOKEN_INVALID);
	assert_int_equal(verify("", &out), PW_ETOKEN_INVALID);
	assert_int_equal(verify("not a token!", &out), PW_ETOKEN_INVALID);
}

static void
test_expired(void **state)
{
	struct token_claims t = {.purpose = TOKEN_LOGIN, .expires = T0 + 60}, out;
	char tok[TOKEN_MAX];

	(void)state;
	snprintf(t.person, sizeof t.person, "head-oak");
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), 0);
	c.now = T0 + 59;
	assert_int_equal(verify(tok, &out), 0);
	c.now = T0 + 60;
	assert_int_equal(verify(tok, &out), PW_ETOKEN_EXPIRED);
	c.now = T0;
}

static void
test_wrong_purpose(void **state)
{
	struct token_claims t = {.purpose = TOKEN_LOGIN}, out;
	json_t *args = json_pack("{s:s}", "app", "A000001");
	json_t *other = json_pack("{s:s}", "app", "A000002");
	char tok[TOKEN_MAX];

	(void)state;
	snprintf(t.person, sizeof t.person, "head-oak");
	assert_int_equal(token_mint(&c, &t, tok, sizeof tok), 0);
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
			 PW_ETOKEN_WRONG_PURPOSE);
	assert_int_equal(st.code, PW_ETOKEN_WRONG_PURPOSE);
	assert_int_equal(token_request_check(&c, "auth.session", args, tok, &out), 0);

	mint_action("application.signoff", "A000001", "signoff", tok);
	assert_int_equal(token_request_check(&c, "application.withdraw", args, tok, &out),
			 PW_ETOKEN_WRONG_PURPOSE);
	assert_int_equal(token_request_check(&c, "application.signoff", other, tok, &out),
			 PW_ETOKEN_WRONG_PURPOSE);
	assert_int_equal(token_request_check(&c, "auth.session", args, tok, &out),
			 PW_ETOKEN_WRONG_PURPOSE);
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out), 0);
	json_decref(args);
	json_decref(other);
}

static void
test_used_twice(void **state)
{
	json_t *args = json_pack("{s:s}", "app", "A000001");
	struct token_claims out;
	char tok[TOKEN_MAX], tok2[TOKEN_MAX];

	(void)state;
	mint_action("application.signoff", "A000001", "signoff", tok);
	mint_action("application.signoff", "A000001", "signoff", tok2);
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out), 0);
	assert_int_equal(token_request_done(&c, &out), 0);
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
			 PW_ETOKEN_USED);
	/* Another link for the same action is its own token. */
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok2, &out), 0);
	/* The used mark is pruned once its token expired, and then the token is still refused. */
	{
		size_t n = 9;

		assert_int_equal(token_prune(store, txn, T0 + 60, &n), 0);
		assert_int_equal(n, 0);
		assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
				 PW_ETOKEN_USED);
		assert_int_equal(token_prune(store, txn, T0 + TOKEN_ACTION_TTL + 1, &n), 0);
		assert_true(n >= 1);
		c.now = T0 + TOKEN_ACTION_TTL + 1;
		assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
				 PW_ETOKEN_EXPIRED);
		c.now = T0;
	}
	json_decref(args);
}

static void
test_stale(void **state)
{
	json_t *args = json_pack("{s:s}", "app", "A000001");
	struct token_claims out;
	char tok[TOKEN_MAX];

	(void)state;
	mint_action("application.signoff", "A000001", "signoff", tok);
	put(DB_APPS, "A000001",
	    json_pack("{s:s, s:s, s:s}", "id", "A000001", "status", "active", "stage",
		      "selection"));
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
			 PW_ETOKEN_STALE);
	/* Back at the stage but withdrawn: still stale. */
	put(DB_APPS, "A000001",
	    json_pack("{s:s, s:s, s:s}", "id", "A000001", "status", "withdrawn", "stage",
		      "signoff"));
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
			 PW_ETOKEN_STALE);
	json_decref(args);
	mint_action("application.signoff", "A999999", "signoff", tok);
	args = json_pack("{s:s}", "app", "A999999");
	assert_int_equal(token_request_check(&c, "application.signoff", args, tok, &out),
			 PW_ETOKEN_STALE);
	json_decref(args);
}

static void
test_rotation(void **state)
{
	struct token_claims out;
	char old[TOKEN_MAX], fresh[TOKEN_MAX];
	uint32_t id, prev;

	(void)state;
	mint_action("application.signoff", "A000001", "signoff", old);
	assert_int_equal(verify(old, &out), 0);
	assert_int_equal(out.secret, 1);
	c.now = T0 + 100;
	assert_int_equal(token_rotate(&c, &id, &prev), 0);
	assert_int_equal(id, 2);
	assert_int_equal(prev, 1);
	mint_action("application.signoff", "A000001", "signoff", fresh);
	assert_int_equal(verify(fresh, &out), 0);
	assert_int_equal(out.secret, 2);
	/* Inside the grace (3600 s after the rotation) the old secret still counts. */
	c.now = T0 + 100 + 3600;
	assert_int_equal(verify(old, &out), 0);
	c.now = T0 + 100 + 3601;
	assert_int_equal(verify(old, &out), PW_ETOKEN_INVALID);
	assert_int_equal(verify(fresh, &out), 0);
	c.now = T0;
}

static void
test_unknown_secret(void **state)
{
	struct token_claims out;
	char tok[TOKEN_MAX];

	(void)state;
	mint_action("application.signoff", "A000001", "signoff", tok);
	assert_int_equal(store_rec_del(store, txn, DB_TOKENS, "secret:1"), 0);
	assert_int_equal(verify(tok, &out), PW_ETOKEN_INVALID);
}

static void
test_session(void **state)
{
	struct token_claims out;
	char tok[TOKEN_MAX];
	int64_t exp;

	(void)state;
	assert_int_equal(token_session_start(&c, "head-oak", tok, sizeof tok, &exp), 0);
	assert_int_equal(exp, T0 + 2 * 3600);
	assert_int_equal(verify(tok, &out), 0);
	assert_int_equal(out.purpose, TOKEN_SESSION);
	assert_int_equal(token_request_check(&c, "application.list", NULL, tok, &out), 0);
	/* Sessions are not one-use. */
	assert_int_equal(token_request_done(&c, &out), 0);
	assert_int_equal(verify(tok, &out), 0);
	/* A new role and the old one gone: the session ends. */
	put(DB_PEOPLE, "head-oak",
	    json_pack("{s:s, s:[s]}", "id", "head-oak", "roles", "headteacher"));
	assert_int_equal(verify(tok, &out), 0);
	put(DB_PEOPLE, "head-oak", json_pack("{s:s, s:[s]}", "id", "head-oak", "roles", "coach"));
	assert_int_equal(verify(tok, &out), PW_ETOKEN_EXPIRED);
	put(DB_PEOPLE, "head-oak",
	    json_pack("{s:s, s:[s]}", "id", "head-oak", "roles", "headteacher"));
	/* Logout. */
	assert_int_equal(verify(tok, &out), 0);
	assert_int_equal(token_session_end(&c, &out), 0);
	assert_int_equal(verify(tok, &out), PW_ETOKEN_EXPIRED);
	/* Expiry. */
	assert_int_equal(token_session_start(&c, "head-oak", tok, sizeof tok, &exp), 0);
	c.now = exp;
	assert_int_equal(verify(tok, &out), PW_ETOKEN_EXPIRED);
	c.now = T0;
	/* A session token made by hand has no session behind it. */
	out.purpose = TOKEN_SESSION;
	assert_int_equal(token_mint(&c, &out, tok, sizeof tok), 0);
	assert_int_equal(verify(tok, &out), PW_ETOKEN_INVALID);
}

static void
test_action_cmd(void **state)
{
	json_t *reqs = json_pack("[{s:s, s:b, s:s}, {s:s, s:b, s:s}, {s:s, s:b}, {s:s, s:b}]",
				 "kind", "submission", "met", 0, "role", "headteacher", "kind",
				 "signoff", "met", 0, "role", "headteacher", "kind", "internship",
				 "met", 0, "kind", "attendance", "met", 0);

	(void)state;
	assert_string_equal(token_action_cmd(reqs, "headteacher"), "application.submit");
	json_object_set_new(json_array_get(reqs, 0), "met", json_true());
	assert_string_equal(token_action_cmd(reqs, "headteacher"), "application.signoff");
	assert_string_equal(token_action_cmd(reqs, "host"), "application.confirm_internship");
	assert_string_equal(token_action_cmd(reqs, "coach"), "application.record_attendance");
	assert_null(token_action_cmd(reqs, "candidate"));
	json_decref(reqs);
}

static void
test_action_url(void **state)
{
	json_t *app =
	    json_pack("{s:s, s:s, s:s}", "id", "A000001", "status", "active", "stage", "signoff");
	json_t *reqs =
	    json_pack("[{s:s, s:b, s:s}]", "kind", "signoff", "met", 0, "role", "headteacher");
	struct token_claims out;
	char *text;

	(void)state;
	/* Without a base_url: words, no token. */
	assert_int_equal(token_action_url(&c, "head-oak", "headteacher", app, reqs, &text), 0);
	assert_null(strstr(text, "/a/"));
	assert_non_null(strstr(text, "LA adviser"));
	free(text);
	cfg->web.base_url = xstrdup("https://pathway.example.org");
	assert_int_equal(token_action_url(&c, "head-oak", "headteacher", app, reqs, &text), 0);
	assert_int_equal(strncmp(text, "https://pathway.example.org/a/", 30), 0);
	assert_int_equal(verify(text + 30, &out), 0);
	assert_string_equal(out.cmd, "application.signoff");
	free(text);
	assert_int_equal(token_action_url(&c, "cand", "candidate", app, reqs, &text), 0);
	assert_null(strstr(text, "/a/"));
	free(text);
	free(cfg->web.base_url);
	cfg->web.base_url = NULL;
	json_decref(app);
	json_decref(reqs);
}

/* web.base_url must be an http(s) URL; a trailing slash is dropped. */
static void
test_config_web(void **state)
{
	char *p = unit_shipped_programmes(), *co = unit_shipped_cohorts(), *conf, *text, *more;
	struct pw_config *w = NULL;

	(void)state;
	conf = unit_main_conf(tmp, NULL, NULL, p, co);
	text = unit_read(conf);
	more = xasprintf("%sweb = { base_url = \"https://pw.example.org/\"; };\n", text);
	free(unit_write(tmp, "pathway.conf", more));
	assert_int_equal(config_load(conf, &w, &st), 0);
	assert_string_equal(w->web.base_url, "https://pw.example.org");
	assert_string_equal(w->web.login->name, "login-link");
	assert_int_equal(w->daemon.token_grace, 7 * 86400);
	assert_int_equal(w->daemon.login_links_per_hour, 5);
	config_free(&w);
	free(more);
	more = xasprintf("%sweb = {\n\tbase_url = \"ftp://pw.example.org\";\n};\n", text);
	free(unit_write(tmp, "pathway.conf", more));
	assert_int_equal(config_load(conf, &w, &st), PW_ECONFIG);
	assert_non_null(strstr(st.msg, "base_url"));
	assert_non_null(strstr(st.msg, "http"));
	free(more);
	free(text);
	free(conf);
	free(p);
	free(co);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_purpose, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_used_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_action_cmd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_action_url, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_web, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
