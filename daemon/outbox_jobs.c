/*
 * outbox_jobs.c: a notification job's states in the store. A job is a JSON
 * record under its id in DB_OUTBOX ("to", "template", "vars", "attempts",
 * "created", "next_attempt", "state", ...). It is pending (state "pending",
 * and in DB_OUTBOX_DUE under its next attempt), in flight (state
 * "inflight", "lease" says to whom and until when, and in
 * DB_OUTBOX_INFLIGHT so a restart finds it without reading the whole
 * outbox), or dead (kept for `outbox retry`); a delivered job is deleted.
 * Each move writes the record and its index entries and says so as an
 * event. Which worker holds a job, in memory, is outbox_workers.c's.
 */
#include "outbox_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "util.h"

static int
job_emit(struct wctx *c, const char *type, const json_t *job, json_t *data)
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

/*
 * A worker's error as an event tells it: with the recipient's address (an
 * SMTP server's "550 <jo@school.example> unknown" quotes it) replaced by
 * their person id, as events carry ids, never email addresses. The job
 * keeps the error as it came (outbox.list).
 */
static json_t *
job_error(const json_t *job, const char *why)
{
	const json_t *to = json_object_get(job, "to");
	const char *email = str(to, "email"), *person = str(to, "person"), *at;
	struct pw_buf b = {0};
	json_t *out;

	if (email == NULL || *email == '\0' || person == NULL)
		return json_string(why);
	pw_buf_adds(&b, "");
	while ((at = strcasestr(why, email)) != NULL) {
		pw_buf_add(&b, why, (size_t)(at - why));
		pw_buf_adds(&b, person);
		why = at + strlen(email);
	}
	pw_buf_adds(&b, why);
	out = json_string(b.p);
	free(b.p);
	return out;
}

int
outbox_job_requeue(struct wctx *c, json_t *job, int64_t at)
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

int
outbox_job_lease(struct wctx *c, const char *id, json_t *job, const char *worker, int lease_secs)
{
	char until[PW_TIME_LEN];
	int rc;

	json_object_set_new(job, "state", json_string("inflight"));
	json_object_set_new(job, "lease",
			    json_pack("{s:s, s:s}", "worker", worker, "until",
				      pw_time_format(c->now + lease_secs, until)));
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, id, c->st);
	return rc;
}

int
outbox_job_kill(struct wctx *c, json_t *job, const char *why)
{
	json_object_set_new(job, "state", json_string("dead"));
	json_object_set_new(job, "last_error", json_string(why));
	json_object_del(job, "lease");
	if (store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id")) != 0 ||
	    store_rec_put(c->store, c->txn, DB_OUTBOX, str(job, "id"), job, c->st) != 0)
		return PW_ESTORE;
	log_warn("notification %s to %s is dead: %s", str(job, "id"),
		 str(json_object_get(job, "to"), "email"), why);
	if (job_emit(c, "notification.dead", job,
		     json_pack("{s:s, s:s, s:o}", "person",
			       str(json_object_get(job, "to"), "person"), "template",
			       str(job, "template"), "error", job_error(job, why))) != 0)
		return PW_ESTORE;
	return notify_dead(c, job);
}

int
outbox_job_done(struct wctx *c, json_t *job)
{
	int rc =
	    store_due_del(c->store, c->txn, DB_OUTBOX_DUE,
			  json_integer_value(json_object_get(job, "next_attempt")), str(job, "id"));

	if (rc == 0)
		rc = store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id"));
	if (rc == 0)
		rc = store_rec_del(c->store, c->txn, DB_OUTBOX, str(job, "id"));
	if (rc == 0)
		rc = job_emit(c, "notification.sent", job,
			      json_pack("{s:s, s:s, s:I}", "person",
					str(json_object_get(job, "to"), "person"), "template",
					str(job, "template"), "attempts",
					json_integer_value(json_object_get(job, "attempts")) + 1));
	return rc;
}

static int64_t
backoff(const struct outbox_conf *o, int attempts)
{
	double d = o->retry_min * pow(2.0, attempts > 30 ? 30 : attempts - 1);

	return d > o->retry_max ? o->retry_max : (int64_t)d;
}

int
outbox_job_retry(struct wctx *c, json_t *job, const char *why)
{
	int64_t next, attempts;
	int rc;

	attempts = json_integer_value(json_object_get(job, "attempts")) + 1;
	json_object_set_new(job, "attempts", json_integer(attempts));
	json_object_set_new(job, "last_error", json_string(why));
	next = c->now + backoff(&c->cfg->outbox, (int)attempts);
	if (next - json_integer_value(json_object_get(job, "created")) > c->cfg->outbox.lifetime) {
		char *msg = xasprintf("expired after %lld attempts; last error: %s",
				      (long long)attempts, why);

		rc = outbox_job_kill(c, job, msg);
		free(msg);
	} else {
		char at[PW_TIME_LEN]; /* UTC ISO 8601, like every time in the protocol */

		rc = outbox_job_requeue(c, job, next);
		if (rc == 0)
			rc = job_emit(c, "notification.retrying", job,
				      json_pack("{s:I, s:s, s:o}", "attempts", attempts,
						"next_attempt", pw_time_format(next, at), "error",
						job_error(job, why)));
	}
	return rc;
}

int
outbox_job_fail(struct wctx *c, json_t *job, const char *why)
{
	json_object_set_new(job, "attempts",
			    json_integer(json_integer_value(json_object_get(job, "attempts")) + 1));
	return outbox_job_kill(c, job, why);
}
