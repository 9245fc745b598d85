/*
 * server.c: the daemon's one thread. It owns the configuration, the store,
 * the ZeroMQ context and the api (ROUTER) and events (PUB) sockets. A loop
 * turn reads up to max_batch requests (waiting a moment for more when
 * recent turns carried more than it has: group.c), validates each, runs the
 * valid ones in child transactions of one write transaction, commits once
 * (group commit: one fsync for the batch), and only then sends the replies
 * and publishes the batch's events. Nothing is shared with any other thread.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "access.h"
#include "cmd/cmd.h"
#include "engine.h"
#include "group.h"
#include "outbox.h"
#include "request.h"
#include "rehearse.h"
#include "service.h"
#include "timers.h"
#include "timers_fire.h"
#include "timers_sync.h"
#include "token.h"
#include "config.h"
#include "store.h"
#include "util.h"

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
	struct access *access;
	char events_bound[256]; /* the events endpoint as bound (wildcards resolved): to rebind */
	int rebind_events;	/* a key was revoked: drop every subscriber, let them reconnect */
	struct request_env env; /* what each request needs: follows reloads */
	struct pending *batch;	/* a turn's requests: kept, not cleared, between turns */
	int batch_cap;
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
	/* A place offered from the waiting list moves on from the stage it waited at:
	 * every application waiting, or holding an offer, needs its stage. */
	json_t *waiting = json_deep_copy(json_object_get(state, "waiting"));

	json_array_extend(waiting, json_object_get(state, "offered"));
	json_array_foreach(waiting, i, n)
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
			json_decref(waiting);
			return 1;
		}
		json_decref(app);
	}
	json_decref(waiting);
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
	size_t len;

	s->zctx = zmq_ctx_new();
	/* ZAP first: a CURVE socket bound before its handler would admit no one. */
	if (access_open(s->zctx, s->store, s->cfg, &s->access, st) != 0)
		return PW_ECONFIG;
	s->api = zmq_socket(s->zctx, ZMQ_ROUTER);
	s->pub = zmq_socket(s->zctx, ZMQ_PUB);
	s->workers = zmq_socket(s->zctx, ZMQ_ROUTER);
	zmq_setsockopt(s->api, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(s->api, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s->api, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s->pub, ZMQ_SNDHWM, &pubhwm, sizeof pubhwm);
	zmq_setsockopt(s->pub, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s->workers, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(s->workers, ZMQ_LINGER, &linger, sizeof linger);
	/*
	 * A ROUTER drops what does not fit under a peer's high-water mark. Room
	 * for a worker's whole credit (at most 1000 jobs) and an ack for each of
	 * its reports, so no job frame is ever dropped.
	 */
	zmq_setsockopt(s->workers, ZMQ_SNDHWM, &workers_hwm, sizeof workers_hwm);
	access_serve(s->access, s->api, "api");
	access_serve(s->access, s->pub, "events");
	access_serve(s->access, s->workers, "workers");
	if (access_bind(s->access, s->api, d->api, st) != 0 ||
	    access_bind(s->access, s->pub, d->events, st) != 0 ||
	    access_bind(s->access, s->workers, d->workers, st) != 0) {
		char msg[PW_MSG_LEN];

		snprintf(msg, sizeof msg, "%s", st->msg);
		return pw_fail(st, PW_ECONFIG, "%s: daemon: %s", s->cfg->file, msg);
	}
	len = sizeof s->events_bound;
	zmq_getsockopt(s->pub, ZMQ_LAST_ENDPOINT, s->events_bound, &len);
	s->env = (struct request_env){s->store, s->cfg, &s->clock, s->access, s->api};
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
	if (config_load(conf_path, &s->cfg, st) != 0 || rehearse_config(s->cfg, st) != 0)
		goto fail;
	log_set_level(s->cfg->daemon.log_level);
	if (store_open(s->cfg->daemon.db, s->cfg->daemon.map_size, &s->store, st) != 0 ||
	    store_lock(s, st) != 0 || rehearse_store(s->store, s->cfg, st) != 0 ||
	    store_matches(s->store, s->cfg, st) != 0 || clock_open(s, st) != 0 ||
	    sockets_open(s, st) != 0 || outbox_open(s, st) != 0)
		goto fail;
	group_start(clock_now(&s->clock));
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
	free(s->batch);
	access_close(&s->access);
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

	if (config_load(s->conf_path, &cfg, st) != 0 || rehearse_config(cfg, st) != 0) {
		config_free(&cfg);
		return PW_ECONFIG;
	}
	if (store_matches(s->store, cfg, st) != 0) {
		config_free(&cfg);
		return PW_ECONFIG;
	}
	n = &cfg->daemon;
	if (strcmp(o->api, n->api) || strcmp(o->events, n->events) ||
	    strcmp(o->workers, n->workers) || strcmp(o->db, n->db) || o->map_size != n->map_size ||
	    o->max_message != n->max_message || o->curve != n->curve ||
	    strcmp(o->curve_key, n->curve_key) || strcmp(o->operator_key, n->operator_key))
		log_warn("reload: api, events, workers, db, map_size_mb, max_message, security, "
			 "curve_key and operator_key take effect at the next start");
	free(n->api);
	free(n->events);
	free(n->workers);
	free(n->db);
	free(n->curve_key);
	free(n->operator_key);
	cfg->daemon.curve = o->curve;
	cfg->daemon.curve_key = xstrdup(o->curve_key);
	cfg->daemon.operator_key = xstrdup(o->operator_key);
	cfg->daemon.api = xstrdup(o->api);
	cfg->daemon.events = xstrdup(o->events);
	cfg->daemon.workers = xstrdup(o->workers);
	cfg->daemon.db = xstrdup(o->db);
	cfg->daemon.map_size = o->map_size;
	cfg->daemon.max_message = o->max_message; /* the sockets' limit is set at start */
	config_free(&s->cfg);
	s->cfg = cfg;
	s->env.cfg = cfg;
	access_reload(s->access, cfg);
	s->sync_sessions = 1;
	s->next_timer = INT64_MIN;
	log_set_level(cfg->daemon.log_level);
	log_info("reloaded %s: %zu programmes, %zu cohorts", s->conf_path, cfg->nprogrammes,
		 cfg->ncohorts);
	return 0;
}

/* Send each [topic, canonical bytes] of events (wctx_emit made them) on the stream. */
static void
publish(struct server *s, json_t *events)
{
	static const char revoked[] = "/key.revoked";
	size_t i, n;
	json_t *ev;

	json_array_foreach(events, i, ev)
	{
		const char *topic = json_string_value(json_array_get(ev, 0));
		json_t *body = json_array_get(ev, 1);

		if (topic == NULL || !json_is_string(body))
			continue;
		n = strlen(topic);
		if (n >= sizeof revoked - 1 &&
		    strcmp(topic + n - (sizeof revoked - 1), revoked) == 0)
			s->rebind_events = 1;
		zmq_send(s->pub, topic, n, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(s->pub, json_string_value(body), json_string_length(body), ZMQ_DONTWAIT);
	}
}

static void
batch_commit_failed(struct pending *batch, int n, const char *why)
{
	log_error("commit failed: %s", why);
	for (int i = 0; i < n; i++) {
		if (!batch[i].needs_commit)
			continue;
		request_fail(&batch[i], PW_EINTERNAL, why);
		json_array_clear(batch[i].events);
	}
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
 * A subscriber cannot be refused a message (a SUB socket sends none the
 * daemon could check), so when a key is revoked every subscriber is dropped
 * by unbinding the events socket and binding it again: the others reconnect
 * at once (and catch up with events.since, as after any gap); the revoked
 * key's handshake is refused by ZAP.
 */
static void
events_rebind(struct server *s)
{
	struct pw_status st = {0, ""};

	s->rebind_events = 0;
	if (!s->cfg->daemon.curve)
		return;
	if (zmq_unbind(s->pub, s->events_bound) != 0 ||
	    access_bind(s->access, s->pub, s->cfg->daemon.events, &st) != 0) {
		log_error("events: cannot bind %s again after a key was revoked: %s",
			  s->cfg->daemon.events, st.msg[0] ? st.msg : zmq_strerror(zmq_errno()));
		return;
	}
	log_info("events: a key was revoked: every subscriber reconnects");
}

/*
 * The followers of the last commit: when recent turns carried more requests
 * than this one has read, wait for the rest, at most the budget group.c
 * allows (none for a lone client), without spinning: the api socket's
 * ZMQ_FD wakes the wait, ZMQ_EVENTS says whether a message is there.
 */
static int
gather(struct server *s, struct pending *batch, int n, int max)
{
	double budget = group_budget(n, max, s->cfg->daemon.commit_wait_us), t0, end, now;
	int want = group_want(max), start = n, fd = -1;
	size_t len = sizeof fd;

	if (budget <= 0)
		return n;
	t0 = mono_now();
	end = t0 + budget;
	zmq_getsockopt(s->api, ZMQ_FD, &fd, &len);
	for (;;) {
		int events = 0;
		struct pollfd pfd = {fd, POLLIN, 0};
		struct timespec ts;

		while (n < max && request_recv(&s->env, &batch[n]) > 0)
			n++;
		now = mono_now();
		if (n >= want || now >= end)
			break;
		len = sizeof events;
		zmq_getsockopt(s->api, ZMQ_EVENTS, &events, &len);
		if (events & ZMQ_POLLIN)
			continue;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((end - now) * 1e9);
		ppoll(&pfd, 1, &ts, NULL);
	}
	group_waited(mono_now() - t0, n, n - start, n < want);
	return n;
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
	struct pending *batch;
	struct pw_status st = {0, ""};
	double mono = mono_now(), committing;
	MDB_txn *txn = NULL;
	struct wctx sys;

	memset(&sys, 0, sizeof sys);
	if (s->batch_cap < max) { /* request_recv clears each slot it fills */
		free(s->batch);
		s->batch = xcalloc((size_t)max, sizeof *s->batch);
		s->batch_cap = max;
	}
	batch = s->batch;
	while (n < max && request_recv(&s->env, &batch[n]) > 0)
		n++;
	n = gather(s, batch, n, max);
	outbox_recv(s->outbox, s->workers, max);
	if (n == 0 && !outbox_has_work(s->outbox, clock_now(&s->clock), mono) &&
	    s->next_timer > clock_now(&s->clock) && !s->sync_sessions)
		goto done;
	if (store_txn_begin(s->store, NULL, 0, &txn, &st) != 0) {
		for (int i = 0; i < n; i++)
			if (batch[i].nframes > 0)
				request_fail(&batch[i], PW_EINTERNAL, st.msg);
		outbox_rollback(s->outbox);
		goto send;
	}
	for (int i = 0; i < n; i++) {
		struct pending *p = &batch[i];

		if (p->nframes < 0)
			request_fail(p, PW_EMALFORMED, "a request has at most 4 frames");
		if (p->nframes <= 0 || request_decode(&s->env, p) != 0)
			continue;
		if (p->cmd->flags & CMD_OUTSIDE_TXN)
			request_check_outside(&s->env, txn, p);
		else
			request_apply(&s->env, txn, p);
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
	committing = mono_now();
	if (store_txn_commit(&txn, &st) != 0) {
		batch_commit_failed(batch, n, st.msg);
		outbox_rollback(s->outbox);
		s->next_timer = INT64_MIN;
		json_array_clear(sys.events);
	} else if (n > 0) {
		group_committed(n, mono_now() - committing);
	}
send:
	for (int i = 0; i < n; i++) {
		struct pending *p = &batch[i];

		if (p->cmd != NULL && (p->cmd->flags & CMD_OUTSIDE_TXN) && p->reply == NULL)
			request_outside(&s->env, p);
		request_send(&s->env, p);
		if (p->events != NULL)
			publish(s, p->events);
	}
	outbox_send(s->outbox, s->workers);
	if (sys.events != NULL)
		publish(s, sys.events);
	if (s->rebind_events)
		events_rebind(s);
done:
	json_decref(sys.events);
	for (int i = 0; i < n; i++)
		request_clear(&batch[i]);
}

static void
prune_requests(struct server *s, int64_t now)
{
	struct pw_status st;
	MDB_txn *txn = NULL;
	size_t n = 0, tokens = 0;

	s->last_prune = now;
	if (store_txn_begin(s->store, NULL, 0, &txn, &st) != 0)
		return;
	if (store_requests_prune(s->store, txn,
				 now - (int64_t)s->cfg->daemon.idempotency_hours * 3600, &n) != 0 ||
	    token_prune(s->store, txn, now, &tokens) != 0) {
		store_txn_abort(&txn);
		return;
	}
	if (store_txn_commit(&txn, &st) != 0)
		log_warn("pruning request ids: %s", st.msg);
	else if (n > 0 || tokens > 0)
		log_info("pruned %zu request ids older than %d hours, %zu spent token records", n,
			 s->cfg->daemon.idempotency_hours, tokens);
}

/* Answer the handshakes waiting for ZAP; publish the refusals audited. */
static void
zap_turn(struct server *s)
{
	json_t *events = json_array();
	int zevents = 0;
	size_t len = sizeof zevents;

	do {
		access_zap_answer(s->access, events);
		zmq_getsockopt(access_zap_socket(s->access), ZMQ_EVENTS, &zevents, &len);
	} while (zevents & ZMQ_POLLIN);
	publish(s, events);
	json_decref(events);
}

int
server_run(struct server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
	zmq_pollitem_t items[] = {{s->api, 0, ZMQ_POLLIN, 0},
				  {s->workers, 0, ZMQ_POLLIN, 0},
				  {access_zap_socket(s->access), 0, ZMQ_POLLIN, 0}};
	int nitems = access_zap_socket(s->access) != NULL ? 3 : 2;

	prune_requests(s, clock_now(&s->clock));
	log_info("ready");
	service_ready("serving");
	while (!*stop) {
		struct pw_status st = {0, ""};
		int64_t now;
		int rc;

		service_watchdog();
		if (*reload) {
			*reload = 0;
			if (server_reload(s, &st) != 0)
				log_error("reload refused, keeping the running configuration: %s",
					  st.msg);
		}
		rc = zmq_poll(items, nitems, 250);
		if (rc < 0 && zmq_errno() != EINTR)
			fatal("zmq_poll: %s", zmq_strerror(zmq_errno()));
		if (nitems == 3 && (items[2].revents & ZMQ_POLLIN))
			zap_turn(s);
		turn(s);
		now = clock_now(&s->clock);
		if (now - s->last_prune >= PRUNE_EVERY)
			prune_requests(s, now);
	}
	return 0;
}
