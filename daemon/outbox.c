/*
 * outbox.c: the outbox's turn (outbox.h): recover in-flight jobs no lease
 * covers, act on the workers' messages, expire silent workers and stale
 * leases, and lease due jobs to the workers with the most free credit. The
 * jobs are in the store (outbox_jobs.c), the workers and leases in memory
 * (outbox_workers.c); struct outbox adds what a turn needs to know: the
 * earliest due time (INT64_MIN when it must look), whether leases must be
 * resynced with the store after a turn that did not commit, and the lease
 * and worker timeouts from the configuration.
 */
#include "outbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct outbox *
outbox_new(void)
{
	struct outbox *ob = xcalloc(1, sizeof *ob);

	ob->next_due = INT64_MIN; /* unknown until the first turn looks */
	ob->lease_secs = 120;
	ob->worker_timeout = 15;
	return ob;
}

void
outbox_free(struct outbox **pob)
{
	struct outbox *ob = *pob;

	if (ob == NULL)
		return;
	outbox_wires_clear(&ob->in, &ob->nin);
	outbox_wires_clear(&ob->out, &ob->nout);
	free(ob->workers);
	free(ob->leases);
	free(ob);
	*pob = NULL;
}

int
outbox_has_work(const struct outbox *ob, int64_t now, double mono)
{
	if (ob->nin > 0 || ob->resync || ob->next_due == INT64_MIN)
		return 1;
	if (ob->next_due <= now && outbox_worker_credit(ob) > 0)
		return 1;
	for (size_t w = 0; w < ob->nworkers; w++)
		if (mono - ob->workers[w].last_seen > ob->worker_timeout)
			return 1;
	for (size_t i = 0; i < ob->nleases; i++)
		if (ob->leases[i].expires < mono)
			return 1;
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
	int credit = outbox_worker_credit(ob), rc = 0;

	if (credit <= 0)
		return 0;
	d.max = credit;
	d.n = 0;
	d.ids = xcalloc((size_t)credit, sizeof *d.ids);
	d.ats = xcalloc((size_t)credit, sizeof *d.ats);
	if (store_due_scan(c->store, c->txn, DB_OUTBOX_DUE, c->now, due_collect, &d) != 0)
		rc = PW_ESTORE;
	for (int i = 0; i < d.n && rc == 0; i++) {
		long w = outbox_worker_pick(ob);
		const struct template *t;
		json_t *job = NULL;

		store_due_del(c->store, c->txn, DB_OUTBOX_DUE, d.ats[i], d.ids[i]);
		if (store_rec_get(c->store, c->txn, DB_OUTBOX, d.ids[i], &job) != 0)
			continue; /* an index entry without its job: dropped above */
		t = template_find(c->cfg, str(job, "template"));
		if (t == NULL) {
			rc = outbox_job_kill(c, job, "its template is no longer configured");
			json_decref(job);
			continue;
		}
		/* Given back or timed out, never reported failed: it still ages. */
		if (c->now - json_integer_value(json_object_get(job, "created")) >
		    c->cfg->outbox.lifetime) {
			char *msg = xasprintf(
			    "not delivered within outbox.lifetime_hours (%lld attempts)",
			    (long long)json_integer_value(json_object_get(job, "attempts")));

			rc = outbox_job_kill(c, job, msg);
			free(msg);
			json_decref(job);
			continue;
		}
		rc = outbox_job_lease(c, d.ids[i], job, ob->workers[w].name, ob->lease_secs);
		outbox_lease_grant(ob, (size_t)w, d.ids[i], t, job, mono);
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

		if (rc != 0 || outbox_lease_find(ob, jid) >= 0)
			continue;
		got = store_rec_get(c->store, c->txn, DB_OUTBOX, jid, &job);
		if (got == 0 && streq(str(job, "state"), "inflight"))
			rc = outbox_job_requeue(c, job, c->now);
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
	int rc = resync(ob, c);

	return rc == 0 ? outbox_dead_arm(c) : rc;
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
		rc = outbox_message_apply(ob, c, &ob->in[i], mono);
	outbox_wires_clear(&ob->in, &ob->nin);
	for (size_t w = 0; w < ob->nworkers && rc == 0;) {
		if (mono - ob->workers[w].last_seen > ob->worker_timeout)
			rc = outbox_worker_drop(ob, c, w, "silent past its timeout");
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
			rc = outbox_job_requeue(c, job, c->now);
		json_decref(job);
		outbox_lease_drop(ob, i);
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
			outbox_lease_drop(ob, i);
		else
			i++;
	outbox_wires_clear(&ob->out, &ob->nout);
	ob->resync = 1;
	ob->next_due = INT64_MIN;
}

void
outbox_stats(const struct outbox *ob, int *workers, int *inflight)
{
	*workers = (int)ob->nworkers;
	*inflight = (int)ob->nleases;
}
