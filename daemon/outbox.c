/*
 * outbox.c: the daemon's side of the worker protocol. In memory: the
 * workers (routing id, name, capacity, last heard from) and the leases (job
 * held by a worker until a monotonic deadline), plus the messages read and
 * to be sent this turn. In the store: the jobs themselves. A job is pending
 * (in the due index at its next attempt), in flight (leased; out of the due
 * index, in the in-flight index so a restart finds it without reading the
 * whole outbox), or dead; a delivered job is deleted with a notification.sent
 * event.
 */
#include "outbox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "notify.h"
#include "util.h"

#define IDENT_MAX 256

struct worker {
	unsigned char ident[IDENT_MAX];
	size_t ident_len;
	char name[64];
	int capacity; /* jobs it said it can hold */
	double last_seen;
};

struct lease {
	char job[PW_ID_MAX + 1];
	size_t worker;
	double expires;
	int fresh; /* made this turn: undone if the turn does not commit */
};

struct wire {
	unsigned char ident[IDENT_MAX];
	size_t ident_len;
	int delimited; /* the peer put an empty frame before the body */
	char *body;
	size_t len;
};

struct outbox {
	struct worker *workers;
	size_t nworkers;
	struct lease *leases;
	size_t nleases;
	struct wire *in, *out;
	size_t nin, nout;
	int64_t next_due;
	int lease_secs, worker_timeout;
	int resync;
};

struct outbox *
outbox_new(void)
{
	struct outbox *ob = xcalloc(1, sizeof *ob);

	ob->next_due = INT64_MIN; /* unknown until the first turn looks */
	ob->lease_secs = 120;
	ob->worker_timeout = 15;
	return ob;
}

static void
wires_clear(struct wire **w, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*w)[i].body);
	free(*w);
	*w = NULL;
	*n = 0;
}

void
outbox_free(struct outbox **pob)
{
	struct outbox *ob = *pob;

	if (ob == NULL)
		return;
	wires_clear(&ob->in, &ob->nin);
	wires_clear(&ob->out, &ob->nout);
	free(ob->workers);
	free(ob->leases);
	free(ob);
	*pob = NULL;
}

int
outbox_recv(struct outbox *ob, void *sock, int max)
{
	int got = 0;

	while (got < max) {
		zmq_msg_t f[4];
		int n = 0, more = 1;

		while (more) {
			size_t len = sizeof more;

			zmq_msg_init(&f[n < 4 ? n : 3]);
			if (zmq_msg_recv(&f[n < 4 ? n : 3], sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
				zmq_msg_close(&f[n < 4 ? n : 3]);
				if (n == 0)
					return got;
				break;
			}
			zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len);
			if (n >= 3 && more)
				zmq_msg_close(&f[3]); /* beyond [id, "", body]: dropped below */
			else
				n++;
		}
		got++;
		if (n >= 2 && n <= 3 && zmq_msg_size(&f[0]) <= IDENT_MAX &&
		    (n == 2 || zmq_msg_size(&f[1]) == 0) && !more) {
			struct wire *w;

			ob->in = xrealloc(ob->in, (ob->nin + 1) * sizeof *ob->in);
			w = &ob->in[ob->nin++];
			w->ident_len = zmq_msg_size(&f[0]);
			memcpy(w->ident, zmq_msg_data(&f[0]), w->ident_len);
			w->delimited = n == 3;
			w->len = zmq_msg_size(&f[n - 1]);
			w->body = xmalloc(w->len + 1);
			memcpy(w->body, zmq_msg_data(&f[n - 1]), w->len);
			w->body[w->len] = '\0';
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
	return got;
}

static int
held_by(const struct outbox *ob, size_t w)
{
	int n = 0;

	for (size_t i = 0; i < ob->nleases; i++)
		n += ob->leases[i].worker == w;
	return n;
}

static int
free_credit(const struct outbox *ob)
{
	int n = 0;

	for (size_t w = 0; w < ob->nworkers; w++) {
		int free = ob->workers[w].capacity - held_by(ob, w);

		n += free > 0 ? free : 0; /* a worker may hold more than a lowered credit */
	}
	return n;
}

int
outbox_has_work(const struct outbox *ob, int64_t now, double mono)
{
	if (ob->nin > 0 || ob->resync || ob->next_due == INT64_MIN)
		return 1;
	if (ob->next_due <= now && free_credit(ob) > 0)
		return 1;
	for (size_t w = 0; w < ob->nworkers; w++)
		if (mono - ob->workers[w].last_seen > ob->worker_timeout)
			return 1;
	for (size_t i = 0; i < ob->nleases; i++)
		if (ob->leases[i].expires < mono)
			return 1;
	return 0;
}

/* Queue a message for the peer of wire w (same framing as it used). */
static void
reply(struct outbox *ob, const unsigned char *ident, size_t len, int delimited, json_t *msg)
{
	struct wire *o;

	ob->out = xrealloc(ob->out, (ob->nout + 1) * sizeof *ob->out);
	o = &ob->out[ob->nout++];
	memcpy(o->ident, ident, len);
	o->ident_len = len;
	o->delimited = delimited;
	o->body = proto_encode(msg);
	o->len = strlen(o->body);
	json_decref(msg);
}

static void
reply_error(struct outbox *ob, const struct wire *w, int code, const char *job, const char *msg)
{
	json_t *m =
	    json_pack("{s:s, s:s, s:s}", "type", "error", "code", pw_errcode(code), "message", msg);

	if (job != NULL)
		json_object_set_new(m, "job", json_string(job));
	reply(ob, w->ident, w->ident_len, w->delimited, m);
}

static long
worker_find(const struct outbox *ob, const unsigned char *ident, size_t len)
{
	for (size_t i = 0; i < ob->nworkers; i++)
		if (ob->workers[i].ident_len == len &&
		    memcmp(ob->workers[i].ident, ident, len) == 0)
			return (long)i;
	return -1;
}

static long
lease_find(const struct outbox *ob, const char *job)
{
	for (size_t i = 0; i < ob->nleases; i++)
		if (strcmp(ob->leases[i].job, job) == 0)
			return (long)i;
	return -1;
}

static void
lease_drop(struct outbox *ob, size_t i)
{
	ob->leases[i] = ob->leases[--ob->nleases];
}

static int
emit_job_event(struct wctx *c, const char *type, const json_t *job, json_t *data)
{
	json_t *ev = json_pack("{s:s, s:o}", "type", type, "data", data);
	int rc;

	json_object_set_new(data, "job",
			    json_string(json_string_value(json_object_get(job, "id"))));
	if (json_object_get(job, "app") != NULL)
		json_object_set(ev, "app", json_object_get(job, "app"));
	if (json_object_get(job, "cohort") != NULL)
		json_object_set(ev, "cohort", json_object_get(job, "cohort"));
	rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}

/* Put a job back in the queue at time 'at' (state pending). */
static int
job_requeue(struct wctx *c, json_t *job, int64_t at)
{
	const char *id = str(job, "id");

	json_object_set_new(job, "state", json_string("pending"));
	json_object_set_new(job, "next_attempt", json_integer(at));
	json_object_del(job, "lease");
	if (store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, id) != 0 ||
	    store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st) != 0)
		return PW_ESTORE;
	return store_due_put(c->store, c->txn, DB_OUTBOX_DUE, at, id, c->st);
}

/* The job is dead: keep it for `outbox retry`, say so, and alert the LA. */
static int
job_kill(struct wctx *c, json_t *job, const char *why)
{
	json_object_set_new(job, "state", json_string("dead"));
	json_object_set_new(job, "last_error", json_string(why));
	json_object_del(job, "lease");
	if (store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id")) != 0 ||
	    store_rec_put(c->store, c->txn, DB_OUTBOX, str(job, "id"), job, c->st) != 0)
		return PW_ESTORE;
	log_warn("notification %s to %s is dead: %s", str(job, "id"),
		 str(json_object_get(job, "to"), "email"), why);
	if (emit_job_event(c, "notification.dead", job,
			   json_pack("{s:s, s:s, s:s}", "to",
				     str(json_object_get(job, "to"), "email"), "template",
				     str(job, "template"), "error", why)) != 0)
		return PW_ESTORE;
	return notify_dead(c, job);
}

/* Worker reports. Each returns 0 (done, or refused with an error reply) or PW_ESTORE. */

static int leases_return(struct outbox *ob, struct wctx *c, size_t wi);

static int
on_ready(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	 double mono)
{
	struct worker *wk;

	if (wi < 0) {
		ob->workers = xrealloc(ob->workers, (ob->nworkers + 1) * sizeof *ob->workers);
		wi = (long)ob->nworkers++;
		memset(&ob->workers[wi], 0, sizeof ob->workers[wi]);
		memcpy(ob->workers[wi].ident, w->ident, w->ident_len);
		ob->workers[wi].ident_len = w->ident_len;
	} else if (held_by(ob, (size_t)wi) > 0) {
		/* Rejoining: what it held before is offered again (it has dropped it). */
		int rc = leases_return(ob, c, (size_t)wi);

		if (rc != 0)
			return rc;
	}
	wk = &ob->workers[wi];
	wk->capacity = (int)json_integer_value(json_object_get(m, "credit"));
	if (wk->capacity > 1000)
		wk->capacity = 1000;
	snprintf(wk->name, sizeof wk->name, "%s", str(m, "name") ? str(m, "name") : "worker");
	wk->last_seen = mono;
	log_info("worker %s ready for %d jobs", wk->name, wk->capacity);
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:i, s:i}", "type", "welcome", "protocol", PW_PROTOCOL_VERSION,
			"heartbeat", ob->worker_timeout));
	return 0;
}

static int
on_heartbeat(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	     double mono)
{
	(void)c;
	(void)m;
	(void)mono;
	if (wi < 0) {
		reply_error(ob, w, PW_ETRANSITION, NULL, "say ready first");
		return 0;
	}
	reply(ob, w->ident, w->ident_len, w->delimited, json_pack("{s:s}", "type", "heartbeat"));
	return 0;
}

/* Load the job a report names; refuse (error reply) if it is unknown or not held by wi. */
static int
report_job(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	   int need_lease, json_t **job, long *li)
{
	const char *id = str(m, "job");

	*job = NULL;
	*li = lease_find(ob, id);
	if (store_rec_get(c->store, c->txn, DB_OUTBOX, id, job) != 0 ||
	    strcmp(str(*job, "state"), "dead") == 0) {
		reply_error(ob, w, PW_ENOTFOUND, id,
			    "no such job in flight (unknown, done or dead)");
		json_decref(*job);
		*job = NULL;
		return 0;
	}
	if (need_lease && (wi < 0 || *li < 0 || ob->leases[*li].worker != (size_t)wi)) {
		reply_error(ob, w, PW_ETRANSITION, id, "this worker does not hold the job");
		json_decref(*job);
		*job = NULL;
	}
	return 0;
}

static int
on_done(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	double mono)
{
	json_t *job;
	long li;
	int rc;

	(void)mono;
	report_job(ob, c, w, wi, m, 0, &job, &li);
	if (job == NULL)
		return 0;
	/* Delivered, even if the lease had moved on: delivering it again would duplicate it. */
	if (li >= 0)
		lease_drop(ob, (size_t)li);
	rc =
	    store_due_del(c->store, c->txn, DB_OUTBOX_DUE,
			  json_integer_value(json_object_get(job, "next_attempt")), str(job, "id"));
	if (rc == 0)
		rc = store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id"));
	if (rc == 0)
		rc = store_rec_del(c->store, c->txn, DB_OUTBOX, str(job, "id"));
	if (rc == 0)
		rc = emit_job_event(
		    c, "notification.sent", job,
		    json_pack("{s:s, s:s, s:I}", "to", str(json_object_get(job, "to"), "email"),
			      "template", str(job, "template"), "attempts",
			      json_integer_value(json_object_get(job, "attempts")) + 1));
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:s}", "type", "ack", "job", str(job, "id")));
	json_decref(job);
	return rc;
}

static int64_t
backoff(const struct outbox_conf *o, int attempts)
{
	double d = o->retry_min * pow(2.0, attempts > 30 ? 30 : attempts - 1);

	return d > o->retry_max ? o->retry_max : (int64_t)d;
}

static int
on_retry(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	 double mono)
{
	const char *why = str(m, "error") ? str(m, "error") : "temporary failure";
	json_t *job;
	int64_t next, attempts;
	long li;
	int rc;

	(void)mono;
	report_job(ob, c, w, wi, m, 1, &job, &li);
	if (job == NULL)
		return 0;
	lease_drop(ob, (size_t)li);
	attempts = json_integer_value(json_object_get(job, "attempts")) + 1;
	json_object_set_new(job, "attempts", json_integer(attempts));
	json_object_set_new(job, "last_error", json_string(why));
	next = c->now + backoff(&c->cfg->outbox, (int)attempts);
	if (next - json_integer_value(json_object_get(job, "created")) > c->cfg->outbox.lifetime) {
		char *msg = xasprintf("expired after %lld attempts; last error: %s",
				      (long long)attempts, why);

		rc = job_kill(c, job, msg);
		free(msg);
	} else {
		char at[PW_TIME_LEN]; /* UTC ISO 8601, like every time in the protocol */

		rc = job_requeue(c, job, next);
		if (rc == 0)
			rc = emit_job_event(c, "notification.retrying", job,
					    json_pack("{s:I, s:s, s:s}", "attempts", attempts,
						      "next_attempt", pw_time_format(next, at),
						      "error", why));
	}
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:s}", "type", "ack", "job", str(job, "id")));
	json_decref(job);
	return rc;
}

static int
on_fail(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	double mono)
{
	json_t *job;
	long li;
	int rc;

	(void)mono;
	report_job(ob, c, w, wi, m, 1, &job, &li);
	if (job == NULL)
		return 0;
	lease_drop(ob, (size_t)li);
	json_object_set_new(job, "attempts",
			    json_integer(json_integer_value(json_object_get(job, "attempts")) + 1));
	rc = job_kill(c, job, str(m, "error") ? str(m, "error") : "permanent failure");
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:s}", "type", "ack", "job", str(job, "id")));
	json_decref(job);
	return rc;
}

static int
on_release(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	   double mono)
{
	json_t *job;
	long li;
	int rc;

	(void)mono;
	report_job(ob, c, w, wi, m, 1, &job, &li);
	if (job == NULL)
		return 0;
	lease_drop(ob, (size_t)li);
	rc = job_requeue(c, job, c->now);
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:s}", "type", "ack", "job", str(job, "id")));
	json_decref(job);
	return rc;
}

/* Put every job worker wi holds back in the queue, due now. */
static int
leases_return(struct outbox *ob, struct wctx *c, size_t wi)
{
	size_t i = 0;

	while (i < ob->nleases) {
		json_t *job = NULL;

		if (ob->leases[i].worker != wi) {
			i++;
			continue;
		}
		if (store_rec_get(c->store, c->txn, DB_OUTBOX, ob->leases[i].job, &job) == 0 &&
		    job_requeue(c, job, c->now) != 0) {
			json_decref(job);
			return PW_ESTORE;
		}
		json_decref(job);
		lease_drop(ob, i);
	}
	return 0;
}

/* Give back every job worker wi holds, then forget the worker. */
static int
worker_drop(struct outbox *ob, struct wctx *c, size_t wi, const char *why)
{
	size_t i = 0;
	int held = held_by(ob, wi);

	if (held > 0)
		log_warn("worker %s: %s; its %d job(s) are offered again", ob->workers[wi].name,
			 why, held);
	else
		log_info("worker %s: %s", ob->workers[wi].name, why);
	if (leases_return(ob, c, wi) != 0)
		return PW_ESTORE;
	for (i = 0; i < ob->nleases; i++)
		if (ob->leases[i].worker == ob->nworkers - 1)
			ob->leases[i].worker = wi;
	ob->workers[wi] = ob->workers[--ob->nworkers];
	return 0;
}

static int
on_bye(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
       double mono)
{
	(void)w;
	(void)m;
	(void)mono;
	return wi < 0 ? 0 : worker_drop(ob, c, (size_t)wi, "said goodbye");
}

#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}
static const struct proto_field f_ready[] = {{"type", PT_STRING, 1, NULL},
					     {"name", PT_STRING, 0, NULL},
					     {"credit", PT_INT, 1, NULL},
					     {"protocol", PT_INT, 0, NULL},
					     END};
static const struct proto_field f_plain[] = {{"type", PT_STRING, 1, NULL}, END};
static const struct proto_field f_job[] = {
    {"type", PT_STRING, 1, NULL}, {"job", PT_ID, 1, NULL}, END};
static const struct proto_field f_report[] = {
    {"type", PT_STRING, 1, NULL}, {"job", PT_ID, 1, NULL}, {"error", PT_STRING, 0, NULL}, END};

static const struct {
	const char *type;
	const struct proto_field *fields;
	int (*fn)(struct outbox *, struct wctx *, const struct wire *, long, const json_t *,
		  double);
} handlers[] = {
    {"ready", f_ready, on_ready}, {"heartbeat", f_plain, on_heartbeat},
    {"done", f_job, on_done},	  {"retry", f_report, on_retry},
    {"fail", f_report, on_fail},  {"release", f_job, on_release},
    {"bye", f_plain, on_bye},
};

static int
message_apply(struct outbox *ob, struct wctx *c, const struct wire *w, double mono)
{
	struct pw_status st = {0, ""};
	long wi = worker_find(ob, w->ident, w->ident_len);
	json_t *m = json_loadb(w->body, w->len, JSON_REJECT_DUPLICATES, NULL);
	const char *type = str(m, "type");
	int rc = 0;

	if (wi >= 0)
		ob->workers[wi].last_seen = mono;
	if (!json_is_object(m) || type == NULL) {
		reply_error(ob, w, PW_EMALFORMED, NULL,
			    "a worker message is a JSON object with a type");
		json_decref(m);
		return 0;
	}
	for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
		if (strcmp(handlers[i].type, type) != 0)
			continue;
		if (proto_args_check(m, handlers[i].fields, &st) != 0)
			reply_error(ob, w, st.code, NULL, st.msg);
		else
			rc = handlers[i].fn(ob, c, w, wi, m, mono);
		json_decref(m);
		return rc;
	}
	reply_error(ob, w, PW_EUNKNOWN_CMD, NULL, "unknown worker message type");
	json_decref(m);
	return 0;
}

struct due {
	char (*ids)[PW_ID_MAX + 1];
	int64_t *ats;
	int n, max;
};

static int
due_collect(int64_t at, const char *id, void *ud)
{
	struct due *d = ud;

	snprintf(d->ids[d->n], sizeof d->ids[d->n], "%s", id);
	d->ats[d->n++] = at;
	return d->n == d->max;
}

/* The worker with the most free credit, or -1. */
static long
worker_pick(const struct outbox *ob)
{
	long best = -1;
	int most = 0;

	for (size_t w = 0; w < ob->nworkers; w++) {
		int free = ob->workers[w].capacity - held_by(ob, w);

		if (free > most) {
			most = free;
			best = (long)w;
		}
	}
	return best;
}

static json_t *
job_message(const struct template *t, const json_t *job, int lease_secs)
{
	json_t *m = json_pack("{s:s, s:{s:O, s:I, s:I, s:O, s:O, s:{s:s, s:s, s:s}}}", "type",
			      "job", "job", "id", json_object_get(job, "id"), "attempt",
			      json_integer_value(json_object_get(job, "attempts")) + 1, "lease",
			      (json_int_t)lease_secs, "to", json_object_get(job, "to"), "vars",
			      json_object_get(job, "vars"), "template", "name", t->name, "subject",
			      t->subject, "text", t->text);

	if (t->html != NULL)
		json_object_set_new(json_object_get(json_object_get(m, "job"), "template"), "html",
				    json_string(t->html));
	if (json_object_get(job, "attachments") != NULL)
		json_object_set(json_object_get(m, "job"), "attachments",
				json_object_get(job, "attachments"));
	return m;
}

static const struct template *
template_find(const struct pw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntemplates; i++)
		if (strcmp(cfg->templates[i]->name, name) == 0)
			return cfg->templates[i];
	return NULL;
}

/* Lease due jobs to workers with free credit. */
static int
dispatch(struct outbox *ob, struct wctx *c, double mono)
{
	struct due d;
	int credit = free_credit(ob), rc = 0;

	if (credit <= 0)
		return 0;
	d.max = credit;
	d.n = 0;
	d.ids = xcalloc((size_t)credit, sizeof *d.ids);
	d.ats = xcalloc((size_t)credit, sizeof *d.ats);
	if (store_due_scan(c->store, c->txn, DB_OUTBOX_DUE, c->now, due_collect, &d) != 0)
		rc = PW_ESTORE;
	for (int i = 0; i < d.n && rc == 0; i++) {
		long w = worker_pick(ob);
		const struct template *t;
		struct lease *l;
		char until[PW_TIME_LEN];
		json_t *job = NULL;

		store_due_del(c->store, c->txn, DB_OUTBOX_DUE, d.ats[i], d.ids[i]);
		if (store_rec_get(c->store, c->txn, DB_OUTBOX, d.ids[i], &job) != 0)
			continue; /* an index entry without its job: dropped above */
		t = template_find(c->cfg, str(job, "template"));
		if (t == NULL) {
			rc = job_kill(c, job, "its template is no longer configured");
			json_decref(job);
			continue;
		}
		/* Given back or timed out, never reported failed: it still ages. */
		if (c->now - json_integer_value(json_object_get(job, "created")) >
		    c->cfg->outbox.lifetime) {
			char *msg = xasprintf(
			    "not delivered within outbox.lifetime_hours (%lld attempts)",
			    (long long)json_integer_value(json_object_get(job, "attempts")));

			rc = job_kill(c, job, msg);
			free(msg);
			json_decref(job);
			continue;
		}
		json_object_set_new(job, "state", json_string("inflight"));
		json_object_set_new(job, "lease",
				    json_pack("{s:s, s:s}", "worker", ob->workers[w].name, "until",
					      pw_time_format(c->now + ob->lease_secs, until)));
		rc = store_rec_put(c->store, c->txn, DB_OUTBOX, d.ids[i], job, c->st);
		if (rc == 0)
			rc =
			    store_due_put(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, d.ids[i], c->st);
		ob->leases = xrealloc(ob->leases, (ob->nleases + 1) * sizeof *ob->leases);
		l = &ob->leases[ob->nleases++];
		snprintf(l->job, sizeof l->job, "%s", d.ids[i]);
		l->worker = (size_t)w;
		l->expires = mono + ob->lease_secs;
		l->fresh = 1;
		reply(ob, ob->workers[w].ident, ob->workers[w].ident_len, 0,
		      job_message(t, job, ob->lease_secs));
		json_decref(job);
	}
	free(d.ids);
	free(d.ats);
	return rc;
}

static int
inflight_visit(int64_t at, const char *id, void *ud)
{
	(void)at;
	json_array_append_new(ud, json_string(id));
	return 0;
}

/*
 * Every in-flight job that no lease here covers goes back to the queue now.
 * The in-flight index holds only leased jobs, so start-up does not read the
 * whole outbox.
 */
static int
resync(struct outbox *ob, struct wctx *c)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc =
	    store_due_scan(c->store, c->txn, DB_OUTBOX_INFLIGHT, INT64_MAX, inflight_visit, ids);

	json_array_foreach(ids, i, id)
	{
		const char *jid = json_string_value(id);
		json_t *job = NULL;
		int got;

		if (rc != 0 || lease_find(ob, jid) >= 0)
			continue;
		got = store_rec_get(c->store, c->txn, DB_OUTBOX, jid, &job);
		if (got == 0 && streq(str(job, "state"), "inflight"))
			rc = job_requeue(c, job, c->now);
		else if (got == 0 || got == PW_ENOTFOUND) /* a stale entry: the job moved on */
			rc = store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, jid);
		else
			rc = got;
		json_decref(job);
	}
	json_decref(ids);
	if (rc == 0)
		ob->resync = 0;
	return rc;
}

int
outbox_recover(struct outbox *ob, struct wctx *c)
{
	return resync(ob, c);
}

int
outbox_apply(struct outbox *ob, struct wctx *c, double mono)
{
	int rc = 0;

	ob->lease_secs = c->cfg->outbox.lease;
	ob->worker_timeout = c->cfg->outbox.worker_timeout;
	for (size_t i = 0; i < ob->nleases; i++)
		ob->leases[i].fresh = 0;
	if (ob->resync)
		rc = resync(ob, c);
	for (size_t i = 0; i < ob->nin && rc == 0; i++)
		rc = message_apply(ob, c, &ob->in[i], mono);
	wires_clear(&ob->in, &ob->nin);
	for (size_t w = 0; w < ob->nworkers && rc == 0;) {
		if (mono - ob->workers[w].last_seen > ob->worker_timeout)
			rc = worker_drop(ob, c, w, "silent past its timeout");
		else
			w++;
	}
	for (size_t i = 0; i < ob->nleases && rc == 0;) {
		json_t *job = NULL;

		if (ob->leases[i].expires >= mono) {
			i++;
			continue;
		}
		log_warn("job %s: lease expired; offered again", ob->leases[i].job);
		if (store_rec_get(c->store, c->txn, DB_OUTBOX, ob->leases[i].job, &job) == 0)
			rc = job_requeue(c, job, c->now);
		json_decref(job);
		lease_drop(ob, i);
	}
	if (rc == 0)
		rc = dispatch(ob, c, mono);
	if (rc == 0 && store_due_first(c->store, c->txn, DB_OUTBOX_DUE, &ob->next_due) != 0)
		ob->next_due = INT64_MAX;
	return rc;
}

void
outbox_rollback(struct outbox *ob)
{
	for (size_t i = 0; i < ob->nleases;)
		if (ob->leases[i].fresh)
			lease_drop(ob, i);
		else
			i++;
	wires_clear(&ob->out, &ob->nout);
	ob->resync = 1;
	ob->next_due = INT64_MIN;
}

void
outbox_send(struct outbox *ob, void *sock)
{
	for (size_t i = 0; i < ob->nout; i++) {
		struct wire *o = &ob->out[i];

		zmq_send(sock, o->ident, o->ident_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		if (o->delimited)
			zmq_send(sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sock, o->body, o->len, ZMQ_DONTWAIT);
	}
	wires_clear(&ob->out, &ob->nout);
}

void
outbox_stats(const struct outbox *ob, int *workers, int *inflight)
{
	*workers = (int)ob->nworkers;
	*inflight = (int)ob->nleases;
}
