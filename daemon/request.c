/*
 * request.c: one request of the api socket, from receipt to reply. The
 * frames are read whole (a routing id, empty delimiters, the JSON body),
 * decoded and checked, then run in a child transaction of the batch's:
 * the principal the transport names, the actor it may act as, a resend
 * answered from the stored reply, the command itself, its reply stored
 * under its request id. A refusal for want of permission is audited.
 */
#include "request.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "json_enc.h"
#include "token.h"
#include "util.h"

/* Receive one whole message without waiting; 0 when there is none. */
int
request_recv(const struct request_env *e, struct pending *p)
{
	int more = 1, n = 0;

	memset(p, 0, sizeof *p);
	while (more) {
		zmq_msg_t m;
		size_t len = sizeof more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, e->api, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			break;
		}
		zmq_getsockopt(e->api, ZMQ_RCVMORE, &more, &len);
		if (n < MAX_FRAMES)
			p->frames[p->nframes++] = m;
		else
			zmq_msg_close(&m);
		n++;
	}
	if (n > MAX_FRAMES)
		p->nframes = -p->nframes; /* too many frames: answered malformed, to the identity */
	return n;
}

void
request_clear(struct pending *p)
{
	for (int i = 0; i < abs(p->nframes); i++)
		zmq_msg_close(&p->frames[i]);
	proto_request_clear(&p->req);
	free(p->reply_text);
	json_decref(p->reply);
	json_decref(p->events);
}

void
request_fail(struct pending *p, int code, const char *msg)
{
	json_decref(p->reply);
	free(p->reply_text);
	p->reply_text = NULL;
	p->reply = proto_reply_err(p->req.id, code, msg);
}

/* Check the frames and decode the request; on failure set the error reply. */
int
request_decode(const struct request_env *e, struct pending *p)
{
	struct pw_status st = {0, ""};
	zmq_msg_t *body = &p->frames[p->nframes - 1];

	for (int i = 1; i < p->nframes - 1; i++)
		if (zmq_msg_size(&p->frames[i]) != 0) {
			request_fail(p, PW_EMALFORMED,
				     "frames before the request must be empty delimiters");
			return PW_EMALFORMED;
		}
	if (p->nframes < 2) {
		request_fail(p, PW_EMALFORMED, "empty message");
		return PW_EMALFORMED;
	}
	if (proto_request_decode(zmq_msg_data(body), zmq_msg_size(body), e->cfg->daemon.max_message,
				 &p->req, &st) != 0) {
		request_fail(p, st.code, st.msg);
		return st.code;
	}
	p->cmd = cmd_find(p->req.cmd);
	if (p->cmd != NULL && (p->cmd->flags & CMD_MANUAL_CLOCK) && !e->clock->manual)
		p->cmd = NULL; /* a real deployment cannot move time */
	if (p->cmd == NULL) {
		pw_fail(&st, PW_EUNKNOWN_CMD, "no command '%s'", p->req.cmd);
		request_fail(p, st.code, st.msg);
		return st.code;
	}
	return 0;
}

/* Who a request speaks for: the principal, the person acted as, the token used. */
struct who {
	struct principal pr;
	const char *actor;
	const char *via;
	int has_token;
	struct token_claims tok;
	char scope[2 * PW_ID_MAX + 16]; /* idempotency: principal/actor */
};

/* Record a refusal (code) in the audit log, in its own child transaction. */
static void
audit_refusal(const struct request_env *e, MDB_txn *txn, struct wctx *c, const struct pending *p,
	      const struct who *w, int code)
{
	const char *app = json_string_value(json_object_get(p->req.args, "app"));
	const char *cohort = json_string_value(json_object_get(p->req.args, "cohort"));
	struct pw_status st;
	json_t *ev;

	c->st = &st;
	if (store_txn_begin(e->store, txn, 0, &c->txn, &st) != 0)
		return;
	ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "audit.refused", "data", "cmd", p->req.cmd,
		       "code", pw_errcode(code));
	if (w->pr.name[0] != '\0')
		json_object_set_new(json_object_get(ev, "data"), "principal",
				    json_string(w->pr.name));
	if (w->pr.key[0] != '\0')
		json_object_set_new(json_object_get(ev, "data"), "key", json_string(w->pr.key));
	if (app != NULL && pw_id_valid(app)) {
		static const char *const keys[] = {"cohort", "school", "stage", NULL};
		json_t *rec = NULL;

		/* Under the application's cohort, like every event about it. */
		json_object_set_new(ev, "app", json_string(app));
		if (store_rec_get(e->store, c->txn, DB_APPS, app, &rec) == 0)
			for (int i = 0; keys[i] != NULL; i++)
				if (json_is_string(json_object_get(rec, keys[i])))
					json_object_set(ev, keys[i], json_object_get(rec, keys[i]));
		json_decref(rec);
	} else if (cohort != NULL && config_cohort(e->cfg, cohort) != NULL) {
		json_object_set_new(ev, "cohort", json_string(cohort));
	}
	if (wctx_emit(c, ev) == 0)
		store_txn_commit(&c->txn, &st);
	else
		store_txn_abort(&c->txn);
	json_decref(ev);
}

/*
 * Who the request speaks for (PROTOCOL.md, "Security"): the principal its
 * transport names, then the person it acts as. A token names its person; the
 * operator names anyone in 'actor'; a person's key is that person; a viewer
 * key reads as the built-in viewer; a web key acts only with a token.
 * c must have store, txn, cfg, now and st.
 */
static int
request_who(const struct request_env *e, struct pending *p, struct wctx *c, struct who *w)
{
	const char *actor = p->req.actor;
	int g, rc;

	memset(w, 0, sizeof *w);
	rc = access_principal(e->access, c->txn, &p->frames[p->nframes - 1], &w->pr, c->st);
	if (rc != 0)
		return rc;
	g = w->pr.grant;
	w->via = g == GRANT_OPERATOR ? "operator" : g == GRANT_WEB ? "web" : NULL;
	if (p->req.token != NULL && g != GRANT_MAILER) {
		rc = token_request_check(c, p->req.cmd, p->req.args, p->req.token, &w->tok);
		if (rc != 0)
			return rc;
		w->has_token = 1;
		w->actor = w->tok.person;
		if (actor != NULL && strcmp(actor, w->actor) != 0)
			return pw_fail(c->st, PW_EFORBIDDEN,
				       "the token is %s's; it cannot act as %s", w->actor, actor);
	} else if (g == GRANT_OPERATOR) {
		w->actor = actor;
		if (actor == NULL)
			return pw_fail(c->st, PW_EINVALID, "'actor' must be a person id");
	} else if (g == GRANT_PERSON) {
		w->actor = w->pr.person;
		if (actor != NULL && strcmp(actor, w->actor) != 0)
			return pw_fail(c->st, PW_EFORBIDDEN, "key %s acts only as %s, not as %s",
				       w->pr.key, w->actor, actor);
	} else if (g == GRANT_VIEWER) {
		w->actor = "viewer";
		if (actor != NULL && strcmp(actor, w->actor) != 0)
			return pw_fail(c->st, PW_EFORBIDDEN, "key %s reads as the viewer only",
				       w->pr.key);
		if (p->cmd->flags & CMD_WRITES)
			return pw_fail(c->st, PW_EFORBIDDEN,
				       "key %s is a viewer's: it may only read", w->pr.key);
	} else if (g == GRANT_WEB && (p->cmd->flags & CMD_ANONYMOUS)) {
		w->actor = "web"; /* asking for a login link, or trading one for a session */
		if (actor != NULL && strcmp(actor, w->actor) != 0)
			return pw_fail(c->st, PW_EFORBIDDEN,
				       "key %s acts as a person only by token", w->pr.key);
	} else if (g == GRANT_WEB) {
		return pw_fail(c->st, PW_EUNAUTHENTICATED,
			       "key %s is pathway-web's: it acts only with a person's token",
			       w->pr.key);
	} else {
		return pw_fail(c->st, PW_EFORBIDDEN, "key %s may not use the api", w->pr.key);
	}
	if ((p->cmd->flags & CMD_OPERATOR) && (g != GRANT_OPERATOR || w->has_token))
		return pw_fail(c->st, PW_EFORBIDDEN, "only the operator may run %s", p->cmd->name);
	snprintf(w->scope, sizeof w->scope, "%s/%s", w->pr.name, w->actor);
	return 0;
}

/* The fingerprint of a request's command, arguments and token: a reused id is told apart. */
static void
request_sum(const struct pending *p, char out[33])
{
	char *args = pw_json_dumps(p->req.args, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char h[16];
	crypto_generichash_state g;

	crypto_generichash_init(&g, NULL, 0, sizeof h);
	crypto_generichash_update(&g, (const unsigned char *)p->req.cmd, strlen(p->req.cmd) + 1);
	crypto_generichash_update(&g, (const unsigned char *)args, strlen(args) + 1);
	if (p->req.token != NULL)
		crypto_generichash_update(&g, (const unsigned char *)p->req.token,
					  strlen(p->req.token));
	crypto_generichash_final(&g, h, sizeof h);
	sodium_bin2hex(out, 33, h, sizeof h);
	free(args);
}

/*
 * A resend of a request whose one-use token its first sending used: the
 * token is spent, but the same principal sending the same id, command,
 * arguments and token gets the first reply, as any resend does. Only the
 * token's exact text matches the stored fingerprint, so its person (read
 * without the MAC here) cannot be forged into another's reply.
 */
static int
request_resent(const struct request_env *e, MDB_txn *txn, struct pending *p, struct who *w)
{
	unsigned char raw[TOKEN_MAX];
	struct token_claims t;
	json_t *stored = NULL;
	size_t len;
	char sum[33];

	if (!(p->cmd->flags & CMD_WRITES) || token_decode(p->req.token, &t, raw, &len) != 0)
		return 0;
	snprintf(w->scope, sizeof w->scope, "%s/%s", w->pr.name, t.person);
	request_sum(p, sum);
	if (store_request_get(e->store, txn, w->scope, p->req.id, sum, &stored) != 0)
		return 0;
	p->reply = stored;
	p->needs_commit = 1;
	return 1;
}

/*
 * Resolve who speaks and load the actor, in c (a context on txn). On a
 * refusal the error reply is set, and a forbidden or unauthenticated one is
 * audited; returns non-zero.
 */
static int
request_enter(const struct request_env *e, MDB_txn *txn, struct pending *p, struct wctx *c,
	      struct who *w)
{
	int rc;

	c->store = e->store;
	c->txn = txn;
	c->cfg = e->cfg;
	c->now = clock_now(e->clock);
	c->clock = e->clock;
	c->events = json_array();
	rc = request_who(e, p, c, w);
	if (rc == PW_ETOKEN_USED && request_resent(e, txn, p, w))
		return rc; /* answered: the first reply */
	if (rc == 0)
		rc = cmd_actor_load(e->store, txn, e->cfg, w->actor, &c->actor, c->st);
	/* cmd_run checks the role after the arguments; backup runs without it. */
	if (rc == 0 && (p->cmd->flags & CMD_OUTSIDE_TXN) && !cmd_allowed(p->cmd, c->actor))
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s may not run %s", w->actor, p->cmd->name);
	c->actor_id = w->actor;
	c->via = w->via;
	c->principal = &w->pr;
	c->token = w->has_token ? &w->tok : NULL;
	if (rc == 0)
		return 0;
	request_fail(p, rc, c->st->msg);
	if (rc == PW_EFORBIDDEN || rc == PW_EUNAUTHENTICATED) {
		if (c->actor_id == NULL)
			c->actor_id = w->pr.name[0] ? w->pr.name : "unknown";
		audit_refusal(e, txn, c, p, w, rc);
		p->needs_commit = 1;
	}
	return rc;
}

/* Run one decoded request inside the batch transaction. */
void
request_apply(const struct request_env *e, MDB_txn *txn, struct pending *p)
{
	struct pw_status st = {0, ""};
	struct wctx c = {.st = &st};
	json_t *data = NULL, *stored = NULL;
	char sum[33];
	struct who w;
	int rc;

	if (request_enter(e, txn, p, &c, &w) != 0)
		goto done;
	if (p->cmd->flags & CMD_WRITES) {
		request_sum(p, sum);
		rc = store_request_get(e->store, txn, w.scope, p->req.id, sum, &stored);
		if (rc == 0) {
			p->reply = stored;   /* a resend: the first reply, applied once */
			p->needs_commit = 1; /* the first may be in this very batch */
			goto done;
		}
		if (rc == PW_EINVALID) {
			request_fail(p, PW_EINVALID,
				     "request id reused: it was sent before with another command "
				     "or other arguments");
			goto done;
		}
	}
	c.txn = NULL;
	rc = store_txn_begin(e->store, txn, 0, &c.txn, &st);
	if (rc == 0)
		rc = cmd_run(p->cmd, &c, p->req.args, &data);
	if (rc == 0 && w.has_token)
		rc = token_request_done(&c, &w.tok);
	if (rc == 0) {
		p->reply = proto_reply_ok(p->req.id, data);
		data = NULL;
		if (p->cmd->flags & CMD_WRITES) { /* encoded once: stored, and later sent */
			p->reply_text = proto_encode(p->reply);
			rc = store_request_put_text(e->store, c.txn, w.scope, p->req.id, sum,
						    p->reply_text, c.now, &st);
		}
		if (rc == 0)
			rc = store_txn_commit(&c.txn, &st);
	}
	if (rc != 0) {
		store_txn_abort(&c.txn);
		json_array_clear(c.events);
		request_fail(p, rc, st.msg);
		if (rc == PW_EFORBIDDEN)
			audit_refusal(e, txn, &c, p, &w, rc);
	}
	/* Reads too: they may have seen this batch's writes, which a failed commit undoes. */
	p->needs_commit = 1;
done:
	json_decref(p->events);
	p->events = c.events;
	json_decref(c.actor);
	json_decref(data);
}

/*
 * A command that runs outside the transaction (backup) is checked inside it
 * first: the principal, the actor and its role; a refusal is audited like
 * any other. The rest run after the commit.
 */
void
request_check_outside(const struct request_env *e, MDB_txn *txn, struct pending *p)
{
	struct pw_status st = {0, ""};
	struct wctx c = {.st = &st};
	struct who w;

	request_enter(e, txn, p, &c, &w);
	json_decref(p->events);
	p->events = c.events;
	json_decref(c.actor);
}

void
request_send(const struct request_env *e, struct pending *p)
{
	char *body;

	if (p->nframes == 0 || p->reply == NULL)
		return;
	body = p->reply_text != NULL ? p->reply_text : proto_encode(p->reply);
	for (int i = 0; i < (p->nframes < 0 ? 1 : p->nframes - 1); i++)
		zmq_send(e->api, zmq_msg_data(&p->frames[i]), zmq_msg_size(&p->frames[i]),
			 ZMQ_SNDMORE | ZMQ_DONTWAIT);
	/* A peer that does not read its replies loses them; it resends by id. */
	zmq_send(e->api, body, strlen(body), ZMQ_DONTWAIT);
	if (body != p->reply_text)
		free(body);
}

/*
 * Run the commands that work outside a transaction (backup), after the
 * commit; the actor and the role were checked in the transaction.
 */
void
request_outside(const struct request_env *e, struct pending *p)
{
	struct pw_status st = {0, ""};
	json_t *data = NULL;
	int rc = proto_args_check(p->req.args, p->cmd->args, &st);

	if (rc == 0)
		rc = cmd_run_outside(p->cmd, e->store, e->cfg, p->req.args, &data, &st);
	json_decref(p->reply);
	free(p->reply_text);
	p->reply_text = NULL;
	p->reply =
	    rc == 0 ? proto_reply_ok(p->req.id, data) : proto_reply_err(p->req.id, rc, st.msg);
}
