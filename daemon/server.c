/*
 * server.c: the daemon's one thread. It owns the configuration, the store,
 * the ZeroMQ context and the api (ROUTER) and events (PUB) sockets. A loop
 * turn reads up to max_batch requests, validates each, runs the valid ones
 * in child transactions of one write transaction, commits once (group
 * commit: one fsync for the batch), and only then sends the replies and
 * publishes the batch's events. Nothing is shared with any other thread.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cmd/cmd.h"
#include "engine.h"
#include "outbox.h"
#include "timers.h"
#include "timers_fire.h"
#include "timers_sync.h"
#include "config.h"
#include "store.h"
#include "util.h"

#define MAX_FRAMES 5 /* routing id + up to 3 empty frames + the request */
#define PRUNE_EVERY 3600

struct server {
	char *conf_path;
	struct pw_config *cfg;
	struct store *store;
	int lock_fd;
	void *zctx;
	void *api;
	void *pub;
	void *workers;
	struct outbox *outbox;
	int64_t last_prune;
	struct pw_clock clock;
	int64_t next_timer; /* earliest armed timer; INT64_MIN: unknown, look */
	int sync_sessions;  /* the calendars may have changed: re-sync session timers */
};

/* One request of a batch, from receipt to reply. */
struct pending {
	zmq_msg_t frames[MAX_FRAMES];
	int nframes;
	struct pw_request req;
	const struct cmd_entry *cmd;
	json_t *reply;
	json_t *events;	  /* to publish once the batch has committed */
	int needs_commit; /* the reply was read in the batch's transaction: void if it fails */
};

static int
store_lock(struct server *s, struct pw_status *st)
{
	char *path = xasprintf("%s/pathwayd.lock", s->cfg->daemon.db);

	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		pw_fail(st, PW_ESTORE, "%s: %s", path,
			errno == EWOULDBLOCK ? "another pathwayd is serving this store"
					     : strerror(errno));
		free(path);
		return PW_ESTORE;
	}
	free(path);
	return 0;
}

struct check {
	const struct pw_config *cfg;
	struct pw_status *st;
	struct store *store;
	MDB_txn *txn;
	int rc;
};

/* Every cohort and stage the store holds applications in must be configured. */
static int
check_cohort(const char *id, json_t *state, void *ud)
{
	static const char *const statuses[] = {"waitlisted", "rejected", "withdrawn", "graduated",
					       NULL};
	struct check *k = ud;
	const struct cohort *c = config_cohort(k->cfg, id);
	const char *pos;
	json_t *n;
	size_t i;

	if (json_integer_value(json_object_get(state, "total")) == 0)
		return 0;
	if (c == NULL) {
		k->rc = pw_fail(k->st, PW_ECONFIG,
				"the store holds applications in cohort '%s', which the "
				"configuration no longer defines",
				id);
		return 1;
	}
	json_object_foreach(json_object_get(state, "counts"), pos, n)
	{
		int known = config_stage_index(c->programme, pos) >= 0;

		for (int i = 0; statuses[i] != NULL; i++)
			known |= strcmp(statuses[i], pos) == 0;
		if (!known) {
			k->rc = pw_fail(k->st, PW_ECONFIG,
					"the store holds applications of cohort '%s' at stage "
					"'%s', which programme '%s' (%s) no longer defines",
					id, pos, c->programme->id, c->programme->file);
			return 1;
		}
	}
	/* A place offered from the waiting list moves on from the stage it waited at. */
	json_array_foreach(json_object_get(state, "waiting"), i, n)
	{
		json_t *app = NULL;
		const char *stage;

		if (store_rec_get(k->store, k->txn, DB_APPS, json_string_value(n), &app) != 0)
			continue;
		stage = json_string_value(json_object_get(app, "stage"));
		if (stage == NULL || config_stage_index(c->programme, stage) < 0) {
			k->rc = pw_fail(k->st, PW_ECONFIG,
					"application %s of cohort '%s' waits for a place at stage "
					"'%s', which programme '%s' (%s) no longer defines",
					json_string_value(n), id, stage ? stage : "",
					c->programme->id, c->programme->file);
			json_decref(app);
			return 1;
		}
		json_decref(app);
	}
	return 0;
}

static int
store_matches(struct store *store, const struct pw_config *cfg, struct pw_status *st)
{
	struct check k = {cfg, st, store, NULL, 0};
	MDB_txn *txn = NULL;
	int rc = store_txn_begin(store, NULL, 1, &txn, st);

	if (rc != 0)
		return rc;
	k.txn = txn;
	if (store_rec_scan(store, txn, DB_COHORTS, NULL, check_cohort, &k) != 0)
		k.rc = pw_fail(st, PW_ESTORE, "store: reading cohorts");
	store_txn_abort(&txn);
	return k.rc;
}

/* A manual clock resumes where the store last saw it, never before clock_start. */
static int
clock_open(struct server *s, struct pw_status *st)
{
	MDB_txn *txn = NULL;
	json_t *saved = NULL;
	char t[PW_TIME_LEN];

	s->clock.manual = s->cfg->daemon.clock_manual;
	if (!s->clock.manual)
		return 0;
	s->clock.now = s->cfg->daemon.clock_start;
	if (store_txn_begin(s->store, NULL, 1, &txn, st) != 0)
		return PW_ESTORE;
	if (store_rec_get(s->store, txn, DB_META, "clock", &saved) == 0 &&
	    json_integer_value(json_object_get(saved, "now")) > s->clock.now)
		s->clock.now = json_integer_value(json_object_get(saved, "now"));
	json_decref(saved);
	store_txn_abort(&txn);
	log_info("manual clock at %s", pw_time_format(s->clock.now, t));
	return 0;
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The context for work the daemon does on its own (outbox, timers). */
static struct wctx
system_ctx(struct server *s, MDB_txn *txn, struct pw_status *st)
{
	struct wctx c;

	memset(&c, 0, sizeof c);
	c.store = s->store;
	c.txn = txn;
	c.cfg = s->cfg;
	c.now = clock_now(&s->clock);
	c.clock = &s->clock;
	c.actor_id = "pathwayd";
	c.events = json_array();
	c.st = st;
	return c;
}

/* A restart forgets every lease: in-flight jobs are offered again at once. */
static int
outbox_open(struct server *s, struct pw_status *st)
{
	MDB_txn *txn = NULL;
	struct wctx c;
	int rc;

	s->outbox = outbox_new();
	rc = store_txn_begin(s->store, NULL, 0, &txn, st);
	if (rc != 0)
		return rc;
	c = system_ctx(s, txn, st);
	rc = outbox_recover(s->outbox, &c);
	json_decref(c.events);
	if (rc != 0) {
		store_txn_abort(&txn);
		return rc;
	}
	return store_txn_commit(&txn, st);
}

static int
sockets_open(struct server *s, struct pw_status *st)
{
	const struct daemon_conf *d = &s->cfg->daemon;
	int64_t maxmsg = (int64_t)d->max_message * 16;
	int hwm = 1000, pubhwm = 100000, workers_hwm = 100000, linger = 0;

	s->zctx = zmq_ctx_new();
	s->api = zmq_socket(s->zctx, ZMQ_ROUTER);
	s->pub = zmq_socket(s->zctx, ZMQ_PUB);
	zmq_setsockopt(s->api, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(s->api, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s->api, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s->pub, ZMQ_SNDHWM, &pubhwm, sizeof pubhwm);
	zmq_setsockopt(s->pub, ZMQ_LINGER, &linger, sizeof linger);
	if (pw_endpoint_prepare(d->api) != 0 || zmq_bind(s->api, d->api) != 0)
		return pw_fail(st, PW_ECONFIG, "%s: daemon.api: cannot bind %s: %s", s->cfg->file,
			       d->api, zmq_strerror(zmq_errno()));
	if (pw_endpoint_prepare(d->events) != 0 || zmq_bind(s->pub, d->events) != 0)
		return pw_fail(st, PW_ECONFIG, "%s: daemon.events: cannot bind %s: %s",
			       s->cfg->file, d->events, zmq_strerror(zmq_errno()));
	s->workers = zmq_socket(s->zctx, ZMQ_ROUTER);
	zmq_setsockopt(s->workers, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(s->workers, ZMQ_LINGER, &linger, sizeof linger);
	/*
	 * A ROUTER drops what does not fit under a peer's high-water mark. Room
	 * for a worker's whole credit (at most 1000 jobs) and an ack for each of
	 * its reports, so no job frame is ever dropped.
	 */
	zmq_setsockopt(s->workers, ZMQ_SNDHWM, &workers_hwm, sizeof workers_hwm);
	if (pw_endpoint_prepare(d->workers) != 0 || zmq_bind(s->workers, d->workers) != 0)
		return pw_fail(st, PW_ECONFIG, "%s: daemon.workers: cannot bind %s: %s",
			       s->cfg->file, d->workers, zmq_strerror(zmq_errno()));
	return 0;
}

int
server_open(const char *conf_path, struct server **out, struct pw_status *st)
{
	struct server *s = xcalloc(1, sizeof *s);

	*out = NULL;
	s->lock_fd = -1;
	s->next_timer = INT64_MIN;
	s->sync_sessions = 1;
	s->conf_path = xstrdup(conf_path);
	if (config_load(conf_path, &s->cfg, st) != 0)
		goto fail;
	log_set_level(s->cfg->daemon.log_level);
	if (store_open(s->cfg->daemon.db, s->cfg->daemon.map_size, &s->store, st) != 0 ||
	    store_lock(s, st) != 0 || store_matches(s->store, s->cfg, st) != 0 ||
	    clock_open(s, st) != 0 || sockets_open(s, st) != 0 || outbox_open(s, st) != 0)
		goto fail;
	log_info("pathwayd %s: serving %s on %s, events on %s; %zu programmes, %zu cohorts",
		 PW_VERSION, s->cfg->daemon.db, s->cfg->daemon.api, s->cfg->daemon.events,
		 s->cfg->nprogrammes, s->cfg->ncohorts);
	*out = s;
	return 0;
fail:
	server_close(&s);
	return PW_ECONFIG;
}

void
server_close(struct server **ps)
{
	struct server *s = *ps;

	if (s == NULL)
		return;
	if (s->api != NULL)
		zmq_close(s->api);
	if (s->pub != NULL)
		zmq_close(s->pub);
	if (s->workers != NULL)
		zmq_close(s->workers);
	outbox_free(&s->outbox);
	if (s->zctx != NULL)
		zmq_ctx_term(s->zctx);
	store_close(&s->store);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	config_free(&s->cfg);
	free(s->conf_path);
	free(s);
	*ps = NULL;
}

int
server_reload(struct server *s, struct pw_status *st)
{
	struct pw_config *cfg = NULL;
	const struct daemon_conf *o = &s->cfg->daemon, *n;

	if (config_load(s->conf_path, &cfg, st) != 0)
		return PW_ECONFIG;
	if (store_matches(s->store, cfg, st) != 0) {
		config_free(&cfg);
		return PW_ECONFIG;
	}
	n = &cfg->daemon;
	if (strcmp(o->api, n->api) || strcmp(o->events, n->events) ||
	    strcmp(o->workers, n->workers) || strcmp(o->db, n->db) || o->map_size != n->map_size ||
	    o->max_message != n->max_message)
		log_warn("reload: api, events, workers, db, map_size_mb and max_message take "
			 "effect at the next start");
	free(n->api);
	free(n->events);
	free(n->workers);
	free(n->db);
	cfg->daemon.api = xstrdup(o->api);
	cfg->daemon.events = xstrdup(o->events);
	cfg->daemon.workers = xstrdup(o->workers);
	cfg->daemon.db = xstrdup(o->db);
	cfg->daemon.map_size = o->map_size;
	cfg->daemon.max_message = o->max_message; /* the sockets' limit is set at start */
	config_free(&s->cfg);
	s->cfg = cfg;
	s->sync_sessions = 1;
	s->next_timer = INT64_MIN;
	log_set_level(cfg->daemon.log_level);
	log_info("reloaded %s: %zu programmes, %zu cohorts", s->conf_path, cfg->nprogrammes,
		 cfg->ncohorts);
	return 0;
}

/* Receive one whole message without waiting; 0 when there is none. */
static int
pending_recv(struct server *s, struct pending *p)
{
	int more = 1, n = 0;

	memset(p, 0, sizeof *p);
	while (more) {
		zmq_msg_t m;
		size_t len = sizeof more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->api, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			break;
		}
		zmq_getsockopt(s->api, ZMQ_RCVMORE, &more, &len);
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

static void
pending_clear(struct pending *p)
{
	for (int i = 0; i < abs(p->nframes); i++)
		zmq_msg_close(&p->frames[i]);
	proto_request_clear(&p->req);
	json_decref(p->reply);
	json_decref(p->events);
}

static void
reply_err(struct pending *p, int code, const char *msg)
{
	json_decref(p->reply);
	p->reply = proto_reply_err(p->req.id, code, msg);
}

/* Check the frames and decode the request; on failure set the error reply. */
static int
pending_decode(struct server *s, struct pending *p)
{
	struct pw_status st = {0, ""};
	zmq_msg_t *body = &p->frames[p->nframes - 1];

	for (int i = 1; i < p->nframes - 1; i++)
		if (zmq_msg_size(&p->frames[i]) != 0) {
			reply_err(p, PW_EMALFORMED,
				  "frames before the request must be empty delimiters");
			return PW_EMALFORMED;
		}
	if (p->nframes < 2) {
		reply_err(p, PW_EMALFORMED, "empty message");
		return PW_EMALFORMED;
	}
	if (proto_request_decode(zmq_msg_data(body), zmq_msg_size(body), s->cfg->daemon.max_message,
				 &p->req, &st) != 0) {
		reply_err(p, st.code, st.msg);
		return st.code;
	}
	p->cmd = cmd_find(p->req.cmd);
	if (p->cmd != NULL && (p->cmd->flags & CMD_MANUAL_CLOCK) && !s->clock.manual)
		p->cmd = NULL; /* a real deployment cannot move time */
	if (p->cmd == NULL) {
		pw_fail(&st, PW_EUNKNOWN_CMD, "no command '%s'", p->req.cmd);
		reply_err(p, st.code, st.msg);
		return st.code;
	}
	return 0;
}

/* Record a refusal in the audit log, in its own child transaction. */
static void
audit_refusal(struct server *s, MDB_txn *txn, struct wctx *c, const struct pending *p)
{
	const char *app = json_string_value(json_object_get(p->req.args, "app"));
	const char *cohort = json_string_value(json_object_get(p->req.args, "cohort"));
	struct pw_status st;
	json_t *ev;

	c->st = &st;
	if (store_txn_begin(s->store, txn, 0, &c->txn, &st) != 0)
		return;
	ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "audit.refused", "data", "cmd", p->req.cmd,
		       "code", pw_errcode(PW_EFORBIDDEN));
	if (app != NULL && pw_id_valid(app)) {
		static const char *const keys[] = {"cohort", "school", "stage", NULL};
		json_t *rec = NULL;

		/* Under the application's cohort, like every event about it. */
		json_object_set_new(ev, "app", json_string(app));
		if (store_rec_get(s->store, c->txn, DB_APPS, app, &rec) == 0)
			for (int i = 0; keys[i] != NULL; i++)
				if (json_is_string(json_object_get(rec, keys[i])))
					json_object_set(ev, keys[i], json_object_get(rec, keys[i]));
		json_decref(rec);
	} else if (cohort != NULL && config_cohort(s->cfg, cohort) != NULL) {
		json_object_set_new(ev, "cohort", json_string(cohort));
	}
	if (wctx_emit(c, ev) == 0)
		store_txn_commit(&c->txn, &st);
	else
		store_txn_abort(&c->txn);
	json_decref(ev);
}

/* Run one decoded request inside the batch transaction. */
static void
pending_apply(struct server *s, MDB_txn *txn, struct pending *p)
{
	int64_t now = clock_now(&s->clock);
	struct pw_status st = {0, ""};
	struct wctx c;
	json_t *actor = NULL, *data = NULL, *stored = NULL;
	int rc;

	memset(&c, 0, sizeof c);
	rc = cmd_actor_load(s->store, txn, s->cfg, p->req.actor, &actor, &st);
	if (rc != 0) {
		reply_err(p, rc, st.msg);
		return;
	}
	if ((p->cmd->flags & CMD_WRITES) &&
	    store_request_get(s->store, txn, p->req.actor, p->req.id, &stored) == 0) {
		p->reply = stored;   /* a resend: the first reply, applied once */
		p->needs_commit = 1; /* the first may be in this very batch */
		json_decref(actor);
		return;
	}
	c = (struct wctx){.store = s->store,
			  .cfg = s->cfg,
			  .now = now,
			  .clock = &s->clock,
			  .actor_id = p->req.actor,
			  .actor = actor,
			  .events = json_array(),
			  .st = &st};
	rc = store_txn_begin(s->store, txn, 0, &c.txn, &st);
	if (rc == 0)
		rc = cmd_run(p->cmd, &c, p->req.args, &data);
	if (rc == 0) {
		p->reply = proto_reply_ok(p->req.id, data);
		data = NULL;
		if (p->cmd->flags & CMD_WRITES)
			rc = store_request_put(s->store, c.txn, p->req.actor, p->req.id, p->reply,
					       now, &st);
		if (rc == 0)
			rc = store_txn_commit(&c.txn, &st);
	}
	if (rc != 0) {
		store_txn_abort(&c.txn);
		json_array_clear(c.events);
		reply_err(p, rc, st.msg);
		if (rc == PW_EFORBIDDEN)
			audit_refusal(s, txn, &c, p);
	}
	/* Reads too: they may have seen this batch's writes, which a failed commit undoes. */
	p->needs_commit = 1;
	p->events = c.events;
	json_decref(actor);
	json_decref(data);
}

static void
pending_send(struct server *s, struct pending *p)
{
	char *body;

	if (p->nframes == 0 || p->reply == NULL)
		return;
	body = proto_encode(p->reply);
	for (int i = 0; i < (p->nframes < 0 ? 1 : p->nframes - 1); i++)
		zmq_send(s->api, zmq_msg_data(&p->frames[i]), zmq_msg_size(&p->frames[i]),
			 ZMQ_SNDMORE | ZMQ_DONTWAIT);
	/* A peer that does not read its replies loses them; it resends by id. */
	zmq_send(s->api, body, strlen(body), ZMQ_DONTWAIT);
	free(body);
}

static void
publish(struct server *s, json_t *events)
{
	size_t i;
	json_t *ev;

	json_array_foreach(events, i, ev)
	{
		const char *cohort = json_string_value(json_object_get(ev, "cohort"));
		char *topic = xasprintf("%s/%s", cohort ? cohort : "-",
					json_string_value(json_object_get(ev, "type")));
		char *body = proto_encode(ev);

		zmq_send(s->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(s->pub, body, strlen(body), ZMQ_DONTWAIT);
		free(topic);
		free(body);
	}
}

static void
batch_commit_failed(struct pending *batch, int n, const char *why)
{
	log_error("commit failed: %s", why);
	for (int i = 0; i < n; i++) {
		if (!batch[i].needs_commit)
			continue;
		reply_err(&batch[i], PW_EINTERNAL, why);
		json_array_clear(batch[i].events);
	}
}

/*
 * A command that runs outside the transaction (backup) is checked inside it
 * first: an unknown actor or one without the role is refused here, and the
 * refusal is audited like any other. The rest run after the commit.
 */
static void
pending_check_outside(struct server *s, MDB_txn *txn, struct pending *p)
{
	struct pw_status st = {0, ""};
	json_t *actor = NULL;
	struct wctx c;
	int rc = cmd_actor_load(s->store, txn, s->cfg, p->req.actor, &actor, &st);

	if (rc != 0) {
		reply_err(p, rc, st.msg);
		return;
	}
	if (!cmd_allowed(p->cmd, actor)) {
		c = (struct wctx){.store = s->store,
				  .cfg = s->cfg,
				  .now = clock_now(&s->clock),
				  .clock = &s->clock,
				  .actor_id = p->req.actor,
				  .actor = actor,
				  .events = json_array(),
				  .st = &st};
		pw_fail(&st, PW_EFORBIDDEN, "%s may not run %s", p->req.actor, p->cmd->name);
		reply_err(p, PW_EFORBIDDEN, st.msg);
		audit_refusal(s, txn, &c, p);
		p->events = c.events;
		p->needs_commit = 1;
	}
	json_decref(actor);
}

/*
 * Run the commands that work outside a transaction (backup), after the
 * commit; the actor and the role were checked in the transaction.
 */
static void
pending_outside(struct server *s, struct pending *p)
{
	struct pw_status st = {0, ""};
	json_t *data = NULL;
	int rc = proto_args_check(p->req.args, p->cmd->args, &st);

	if (rc == 0)
		rc = cmd_run_outside(p->cmd, s->store, p->req.args, &data, &st);
	json_decref(p->reply);
	p->reply =
	    rc == 0 ? proto_reply_ok(p->req.id, data) : proto_reply_err(p->req.id, rc, st.msg);
}

/*
 * Fire what is due (a bounded number per turn, so requests are never
 * starved), then note the earliest timer left.
 */
static int
timers_turn(struct server *s, struct wctx *sys)
{
	int fired = 0, rc = 0;

	if (s->sync_sessions) {
		rc = timers_sessions_sync(sys);
		if (rc == 0)
			rc = timers_digest_sync(sys);
		if (rc == 0)
			s->sync_sessions = 0;
	}
	/* This turn's commands may have armed a timer that is already due (a stage
	 * entered after its deadline): it fires now, before the next request. */
	if (rc == 0 && timers_next(s->store, sys->txn, &s->next_timer) != 0)
		s->next_timer = INT64_MAX;
	if (rc == 0 && s->next_timer <= sys->now)
		rc = timers_fire(sys, 1000, &fired);
	if (rc == 0 && fired > 0)
		log_debug("fired %d timers", fired);
	if (rc == 0 && timers_next(s->store, sys->txn, &s->next_timer) != 0)
		s->next_timer = INT64_MAX;
	return rc;
}

/*
 * One loop turn: read a batch of requests and the workers' messages, apply
 * them all and dispatch due jobs in one write transaction, commit once, then
 * reply, send jobs and publish.
 */
static void
turn(struct server *s)
{
	int max = s->cfg->daemon.max_batch, n = 0;
	struct pending *batch = xcalloc((size_t)max, sizeof *batch);
	struct pw_status st = {0, ""};
	double mono = mono_now();
	MDB_txn *txn = NULL;
	struct wctx sys;

	memset(&sys, 0, sizeof sys);
	while (n < max && pending_recv(s, &batch[n]) > 0)
		n++;
	outbox_recv(s->outbox, s->workers, max);
	if (n == 0 && !outbox_has_work(s->outbox, clock_now(&s->clock), mono) &&
	    s->next_timer > clock_now(&s->clock) && !s->sync_sessions)
		goto done;
	if (store_txn_begin(s->store, NULL, 0, &txn, &st) != 0) {
		for (int i = 0; i < n; i++)
			if (batch[i].nframes > 0)
				reply_err(&batch[i], PW_EINTERNAL, st.msg);
		outbox_rollback(s->outbox);
		goto send;
	}
	for (int i = 0; i < n; i++) {
		struct pending *p = &batch[i];

		if (p->nframes < 0)
			reply_err(p, PW_EMALFORMED, "a request has at most 4 frames");
		if (p->nframes <= 0 || pending_decode(s, p) != 0)
			continue;
		if (p->cmd->flags & CMD_OUTSIDE_TXN)
			pending_check_outside(s, txn, p);
		else
			pending_apply(s, txn, p);
	}
	sys = system_ctx(s, txn, &st);
	if (timers_turn(s, &sys) != 0 || outbox_apply(s->outbox, &sys, mono) != 0) {
		/* The whole turn is abandoned: its requests are told to retry, nothing is kept. */
		log_error("timers or outbox: %s", st.msg);
		s->next_timer = INT64_MIN;
		store_txn_abort(&txn);
		outbox_rollback(s->outbox);
		batch_commit_failed(batch, n, "the store failed; retry the request");
		json_array_clear(sys.events);
		goto send;
	}
	if (store_txn_commit(&txn, &st) != 0) {
		batch_commit_failed(batch, n, st.msg);
		outbox_rollback(s->outbox);
		s->next_timer = INT64_MIN;
		json_array_clear(sys.events);
	}
send:
	for (int i = 0; i < n; i++) {
		struct pending *p = &batch[i];

		if (p->cmd != NULL && (p->cmd->flags & CMD_OUTSIDE_TXN) && p->reply == NULL)
			pending_outside(s, p);
		pending_send(s, p);
		if (p->events != NULL)
			publish(s, p->events);
	}
	outbox_send(s->outbox, s->workers);
	if (sys.events != NULL)
		publish(s, sys.events);
done:
	json_decref(sys.events);
	for (int i = 0; i < n; i++)
		pending_clear(&batch[i]);
	free(batch);
}

static void
prune_requests(struct server *s, int64_t now)
{
	struct pw_status st;
	MDB_txn *txn = NULL;
	size_t n = 0;

	s->last_prune = now;
	if (store_txn_begin(s->store, NULL, 0, &txn, &st) != 0)
		return;
	if (store_requests_prune(s->store, txn,
				 now - (int64_t)s->cfg->daemon.idempotency_hours * 3600, &n) != 0) {
		store_txn_abort(&txn);
		return;
	}
	if (store_txn_commit(&txn, &st) != 0)
		log_warn("pruning request ids: %s", st.msg);
	else if (n > 0)
		log_info("pruned %zu request ids older than %d hours", n,
			 s->cfg->daemon.idempotency_hours);
}

int
server_run(struct server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
	zmq_pollitem_t items[] = {{s->api, 0, ZMQ_POLLIN, 0}, {s->workers, 0, ZMQ_POLLIN, 0}};

	prune_requests(s, clock_now(&s->clock));
	log_info("ready");
	while (!*stop) {
		struct pw_status st = {0, ""};
		int64_t now;
		int rc;

		if (*reload) {
			*reload = 0;
			if (server_reload(s, &st) != 0)
				log_error("reload refused, keeping the running configuration: %s",
					  st.msg);
		}
		rc = zmq_poll(items, 2, 250);
		if (rc < 0 && zmq_errno() != EINTR)
			fatal("zmq_poll: %s", zmq_strerror(zmq_errno()));
		turn(s);
		now = clock_now(&s->clock);
		if (now - s->last_prune >= PRUNE_EVERY)
			prune_requests(s, now);
	}
	return 0;
}
