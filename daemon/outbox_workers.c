/*
 * outbox_workers.c: the daemon's side of the worker protocol (PROTOCOL.md,
 * "Worker protocol"), in memory. The workers (routing id, name, credit, last
 * heard from) and the leases (job id, the worker holding it, a monotonic
 * deadline) are arrays in struct outbox, indexed by position: a lease names
 * its worker by index, so dropping a worker moves the last one into its
 * place and renumbers its leases. Messages read this turn (in) and to send
 * after the commit (out) are arrays of struct wire, one frame set each.
 * What a message does to a job in the store is outbox_jobs.c's.
 */
#include "outbox_internal.h"

#include "access.h"
#include "rehearse.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "util.h"

void
outbox_wires_clear(struct wire **w, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*w)[i].body);
	free(*w);
	*w = NULL;
	*n = 0;
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
			snprintf(w->key, sizeof w->key, "%s",
				 zmq_msg_gets(&f[n - 1], "User-Id")
				     ? zmq_msg_gets(&f[n - 1], "User-Id")
				     : "");
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
	return got;
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
	outbox_wires_clear(&ob->out, &ob->nout);
}

static int
held_by(const struct outbox *ob, size_t w)
{
	int n = 0;

	for (size_t i = 0; i < ob->nleases; i++)
		n += ob->leases[i].worker == w;
	return n;
}

int
outbox_worker_credit(const struct outbox *ob)
{
	int n = 0;

	for (size_t w = 0; w < ob->nworkers; w++) {
		int free = ob->workers[w].capacity - held_by(ob, w);

		n += free > 0 ? free : 0; /* a worker may hold more than a lowered credit */
	}
	return n;
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

long
outbox_worker_pick(const struct outbox *ob)
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

long
outbox_lease_find(const struct outbox *ob, const char *job)
{
	for (size_t i = 0; i < ob->nleases; i++)
		if (strcmp(ob->leases[i].job, job) == 0)
			return (long)i;
	return -1;
}

void
outbox_lease_drop(struct outbox *ob, size_t i)
{
	ob->leases[i] = ob->leases[--ob->nleases];
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

	const char *lease = str(json_object_get(job, "lease"), "until");
	int64_t until;
	char date[PW_TIME_LEN];

	/* The daemon's clock as it offers the job (its lease began now): the email's Date. */
	if (lease != NULL && pw_time_parse(lease, &until) == 0)
		json_object_set_new(json_object_get(m, "job"), "date",
				    json_string(pw_time_format(until - lease_secs, date)));
	if (t->html != NULL)
		json_object_set_new(json_object_get(json_object_get(m, "job"), "template"), "html",
				    json_string(t->html));
	if (json_object_get(job, "attachments") != NULL)
		json_object_set(json_object_get(m, "job"), "attachments",
				json_object_get(job, "attachments"));
	return m;
}

void
outbox_lease_grant(struct outbox *ob, size_t w, const char *id, const struct template *t,
		   const json_t *job, double mono)
{
	struct lease *l;

	ob->leases = xrealloc(ob->leases, (ob->nleases + 1) * sizeof *ob->leases);
	l = &ob->leases[ob->nleases++];
	snprintf(l->job, sizeof l->job, "%s", id);
	l->worker = w;
	l->expires = mono + ob->lease_secs;
	l->fresh = 1;
	reply(ob, ob->workers[w].ident, ob->workers[w].ident_len, 0,
	      job_message(t, job, ob->lease_secs));
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
		    outbox_job_requeue(c, job, c->now) != 0) {
			json_decref(job);
			return PW_ESTORE;
		}
		json_decref(job);
		outbox_lease_drop(ob, i);
	}
	return 0;
}

int
outbox_worker_drop(struct outbox *ob, struct wctx *c, size_t wi, const char *why)
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

/* Worker messages. Each returns 0 (done, or refused with an error reply) or PW_ESTORE. */

static int
on_ready(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	 double mono)
{
	struct worker *wk;
	int rehearsing = json_is_true(json_object_get(m, "rehearsal"));
	json_t *welcome;

	/* A rehearsal's mail stays in its directory: only a rehearsing worker joins it, and a
	 * rehearsing worker never takes a live daemon's jobs. */
	if (rehearsing != (rehearse_dir() != NULL)) {
		reply_error(ob, w, PW_EINVALID, NULL,
			    rehearsing
				? "pathwayd is not rehearsing: a rehearsal's worker gets "
				  "no live jobs"
				: "pathwayd is rehearsing: only a worker that keeps the mail "
				  "in the rehearsal's directory joins (pathway-mailer "
				  "--rehearse DIR)");
		return 0;
	}
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
	welcome = json_pack("{s:s, s:i, s:i}", "type", "welcome", "protocol", PW_PROTOCOL_VERSION,
			    "heartbeat", ob->worker_timeout);
	if (rehearse_dir() != NULL)
		json_object_set_new(welcome, "rehearsal", json_string(rehearse_dir()));
	reply(ob, w->ident, w->ident_len, w->delimited, welcome);
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

/*
 * Load the job a report names, if it is leased to worker wi; otherwise
 * refuse with the reply an unknown job gets (*job NULL). The same reply
 * whether the job exists or not: job ids are sequential, and a peer must
 * learn nothing from guessing them.
 */
static void
report_job(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	   json_t **job, long *li)
{
	const char *id = str(m, "job");

	*job = NULL;
	*li = outbox_lease_find(ob, id);
	if (wi < 0 || *li < 0 || ob->leases[*li].worker != (size_t)wi ||
	    store_rec_get(c->store, c->txn, DB_OUTBOX, id, job) != 0 ||
	    strcmp(str(*job, "state"), "dead") == 0) {
		reply_error(ob, w, PW_ENOTFOUND, id,
			    "no such job in flight for this worker (unknown, done, dead or "
			    "leased to another)");
		json_decref(*job);
		*job = NULL;
	}
}

/* What a report on a job does to it (an outbox_job_* call). */
typedef int (*report_fn)(struct wctx *c, json_t *job, const json_t *m);

static int
report_done(struct wctx *c, json_t *job, const json_t *m)
{
	(void)m;
	return outbox_job_done(c, job);
}

static int
report_retry(struct wctx *c, json_t *job, const json_t *m)
{
	return outbox_job_retry(c, job, str(m, "error") ? str(m, "error") : "temporary failure");
}

static int
report_fail(struct wctx *c, json_t *job, const json_t *m)
{
	return outbox_job_fail(c, job, str(m, "error") ? str(m, "error") : "permanent failure");
}

static int
report_release(struct wctx *c, json_t *job, const json_t *m)
{
	(void)m;
	return outbox_job_requeue(c, job, c->now);
}

/*
 * A report on the job m names: done, retry, fail or release, accepted only
 * from the worker holding the job's lease. A late done from a worker whose
 * lease moved on is refused like any other: the job may then be delivered
 * twice, which at-least-once allows (its Message-ID shows it), while
 * nobody but the holder can make a job count as sent.
 */
static int
on_report(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
	  report_fn fn)
{
	json_t *job;
	long li;
	int rc;

	report_job(ob, c, w, wi, m, &job, &li);
	if (job == NULL)
		return 0;
	outbox_lease_drop(ob, (size_t)li);
	rc = fn(c, job, m);
	reply(ob, w->ident, w->ident_len, w->delimited,
	      json_pack("{s:s, s:s}", "type", "ack", "job", str(job, "id")));
	json_decref(job);
	return rc;
}

static int
on_bye(struct outbox *ob, struct wctx *c, const struct wire *w, long wi, const json_t *m,
       double mono)
{
	(void)w;
	(void)m;
	(void)mono;
	return wi < 0 ? 0 : outbox_worker_drop(ob, c, (size_t)wi, "said goodbye");
}

#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}
static const struct proto_field f_ready[] = {
    {"type", PT_STRING, 1, NULL},  {"name", PT_STRING, 0, NULL},    {"credit", PT_INT, 1, NULL},
    {"protocol", PT_INT, 0, NULL}, {"rehearsal", PT_BOOL, 0, NULL}, END};
static const struct proto_field f_plain[] = {{"type", PT_STRING, 1, NULL}, END};
static const struct proto_field f_job[] = {
    {"type", PT_STRING, 1, NULL}, {"job", PT_ID, 1, NULL}, END};
static const struct proto_field f_report[] = {
    {"type", PT_STRING, 1, NULL}, {"job", PT_ID, 1, NULL}, {"error", PT_STRING, 0, NULL}, END};

/* A message either acts on the worker (fn) or reports on a job (report). */
static const struct {
	const char *type;
	const struct proto_field *fields;
	int (*fn)(struct outbox *, struct wctx *, const struct wire *, long, const json_t *,
		  double);
	report_fn report;
} handlers[] = {
    {"ready", f_ready, on_ready, NULL},	   {"heartbeat", f_plain, on_heartbeat, NULL},
    {"done", f_job, NULL, report_done},	   {"retry", f_report, NULL, report_retry},
    {"fail", f_report, NULL, report_fail}, {"release", f_job, NULL, report_release},
    {"bye", f_plain, on_bye, NULL},
};

int
outbox_message_apply(struct outbox *ob, struct wctx *c, const struct wire *w, double mono)
{
	struct pw_status st = {0, ""};
	long wi = worker_find(ob, w->ident, w->ident_len);
	json_t *m = json_loadb(w->body, w->len, JSON_REJECT_DUPLICATES, NULL);
	const char *type = str(m, "type");
	int rc = 0;

	if (wi >= 0)
		ob->workers[wi].last_seen = mono;
	/* A key revoked since the worker connected: refused from its next message, its jobs
	 * given back for another worker. */
	if (w->key[0] != '\0' && access_key_live(c->store, c->txn, w->key, &st) != 0) {
		if (wi >= 0)
			rc = outbox_worker_drop(ob, c, (size_t)wi, st.msg);
		reply_error(ob, w, PW_EUNAUTHENTICATED, NULL, st.msg);
		json_decref(m);
		return rc;
	}
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
		else if (handlers[i].fn != NULL)
			rc = handlers[i].fn(ob, c, w, wi, m, mono);
		else
			rc = on_report(ob, c, w, wi, m, handlers[i].report);
		json_decref(m);
		return rc;
	}
	reply_error(ob, w, PW_EUNKNOWN_CMD, NULL, "unknown worker message type");
	json_decref(m);
	return 0;
}
