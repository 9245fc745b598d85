/*
 * engine_broker.c: internship brokering's rules on one application. A
 * candidate heading for an internship (a stage with an internship
 * requirement for their track, now or later) ranks host schools in
 * "host_ranking"; the requirement's host_lss and host_same_phase limit
 * which schools they may rank, as they limit the match (match.c). The
 * match's placements are recorded here as application.place_internship's
 * are, with "matched" saying how they were made.
 */
#include "engine_broker.h"

#include <string.h>

#include "engine_base.h"
#include "engine_reqs.h"
#include "util.h"

const struct requirement *
engine_internship_req(const struct engine_ctx *ctx, const json_t *app)
{
	const struct cohort *co = config_cohort(ctx->cfg, str(app, "cohort"));
	int i = co ? config_stage_index(co->programme, str(app, "stage")) : -1;

	if (co == NULL || i < 0)
		return NULL;
	for (size_t s = (size_t)i; s < co->programme->nstages; s++) {
		const struct stage *sg = &co->programme->stages[s];

		for (size_t k = 0; k < sg->nreqs; k++)
			if (sg->reqs[k].kind == REQ_INTERNSHIP &&
			    engine_req_applies(ctx, app, &sg->reqs[k]))
				return &sg->reqs[k];
	}
	return NULL;
}

int
engine_match_due(const struct engine_ctx *ctx, const json_t *app)
{
	const struct cohort *co = config_cohort(ctx->cfg, str(app, "cohort"));

	return co != NULL && streq(str(app, "status"), "active") &&
	       json_object_get(app, "internship") == NULL &&
	       (!engine_capacity_stage(co->programme) ||
		json_is_true(json_object_get(app, "place"))) &&
	       engine_internship_req(ctx, app) != NULL;
}

/* Whether a host of phase may take a candidate of a school of phase own. */
static int
phase_fits(const char *host, const char *own)
{
	return streq(host, "all-through") || (host != NULL && streq(host, own));
}

const char *
engine_host_unfit(const struct requirement *q, const json_t *host, const json_t *own)
{
	if (q->host_lss && !json_is_true(json_object_get(host, "lss")))
		return "not_lss";
	if (q->host_same_phase && !phase_fits(str(host, "phase"), str(own, "phase")))
		return "phase";
	return NULL;
}

int
engine_rank_hosts(const struct engine_ctx *ctx, json_t *app, const json_t *hosts, const json_t *own,
		  struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q;
	json_t *ids, *h, *rank;
	size_t i, n = json_array_size(hosts);
	int rc;

	if (!engine_related(ctx, app, ROLE_CANDIDATE))
		return engine_forbid(ctx, app, "rank the host schools of", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	q = engine_internship_req(ctx, app);
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "application %s has no internship ahead of it",
			       str(app, "id"));
	if (json_object_get(app, "internship") != NULL)
		return pw_fail(st, PW_ETRANSITION, "the internship of application %s is placed",
			       str(app, "id"));
	if (n == 0 || n > BROKER_RANK_MAX)
		return pw_fail(st, PW_EINVALID, "'hosts' must name 1 to %d schools",
			       BROKER_RANK_MAX);
	ids = json_array();
	json_array_foreach(hosts, i, h)
	{
		const char *id = str(h, "id");
		const char *msg = NULL;

		for (size_t j = 0; j < i; j++)
			if (streq(str(json_array_get(hosts, j), "id"), id))
				msg = "is named twice";
		if (msg == NULL && streq(id, str(app, "school")))
			msg = "is the candidate's own school";
		if (msg == NULL && engine_host_unfit(q, h, own) != NULL)
			msg = streq(engine_host_unfit(q, h, own), "not_lss")
				  ? "is not a Lead Succession School"
				  : "is not of the phase of the candidate's school";
		if (msg != NULL) {
			json_decref(ids);
			return pw_fail(st, PW_EINVALID, "host school %s %s", id, msg);
		}
		json_array_append_new(ids, json_string(id));
	}
	rank = engine_stamp(ctx);
	json_object_set_new(rank, "hosts", ids);
	json_object_set_new(app, "host_ranking", rank);
	engine_emit(out, app, "application.hosts_ranked", json_pack("{s:i}", "hosts", (int)n));
	return 0;
}

void
engine_match_place(const struct engine_ctx *ctx, json_t *app, const char *host, const char *start,
		   const char *end, struct engine_out *out)
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:i}", "host_school", host, "start", start, "end",
			       end, "days_completed", 0);

	engine_set_time(ctx, in, "matched");
	json_object_set_new(app, "internship", in);
	engine_emit(out, app, "application.internship_placed",
		    json_pack("{s:s, s:s, s:s}", "host_school", host, "start", start, "end", end));
}

void
engine_match_unplaced(json_t *app, const char *reason, struct engine_out *out)
{
	engine_emit(out, app, "application.internship_unplaced",
		    json_pack("{s:s}", "reason", reason));
}
