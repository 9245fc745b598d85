/*
 * engine_panel_rules.c: what a record says of its panel, its reviews and
 * its group, read without changing it: the panel and review requirements'
 * predicates, who sits on a cohort's panel, whether the chair may decide,
 * what of the recommendations a reader may see, and a group's size from the
 * cohort state's per-track counters. The record's layout is in
 * engine_panel.h; the commands that write it are engine_panel.c.
 */
#include "engine_panel.h"

#include <stdint.h>
#include <string.h>

#include "config_panel.h"
#include "schedule.h"
#include "util.h"

static const struct cohort *
cohort_of(const struct pw_config *cfg, const json_t *app)
{
	return str(app, "cohort") ? config_cohort(cfg, str(app, "cohort")) : NULL;
}

const struct requirement *
engine_req_at(const struct cohort *co, const json_t *app, const char *stage, enum req_kind kind)
{
	int i = stage != NULL ? config_stage_index(co->programme, stage) : -1;
	int track = config_track_index(co->programme, str(app, "track") ?: "");

	for (size_t j = 0; i >= 0 && j < co->programme->stages[i].nreqs; j++) {
		const struct requirement *q = &co->programme->stages[i].reqs[j];

		if (q->kind == kind &&
		    (q->tracks == 0 || (track >= 0 && (q->tracks & (1u << track)) != 0)))
			return q;
	}
	return NULL;
}

void
engine_panel_count(const struct cohort *co, const json_t *app, int *have, int *need)
{
	const json_t *recs = json_object_get(
	    json_object_get(json_object_get(app, "panel"), str(app, "stage")), "recommendations");

	/* The panel as configured now: a member taken off by a reload no longer counts. */
	*have = *need = 0;
	for (size_t i = 0; i < co->npanel; i++) {
		if (streq(co->panel_members[i], str(app, "candidate")))
			continue;
		(*need)++;
		if (json_object_get(recs, co->panel_members[i]) != NULL)
			(*have)++;
	}
}

int
engine_panel_met(const struct cohort *co, const json_t *app, const struct requirement *q, int *have,
		 int *need)
{
	const json_t *d = json_object_get(json_object_get(app, "decisions"), str(app, "stage"));

	engine_panel_count(co, app, have, need);
	return streq(str(d, "outcome"), "accept") &&
	       (!q->capacity || json_is_true(json_object_get(app, "place")));
}

int
engine_review_met(const struct cohort *co, const json_t *app, const struct requirement *q,
		  int *have, int *need)
{
	const json_t *rv = json_object_get(app, "reviews");

	(void)q;
	*have = 0;
	*need = (int)co->nterms;
	for (size_t i = 0; i < co->nterms; i++)
		if (json_object_get(rv, co->terms[i].id) != NULL)
			(*have)++;
	return *have >= *need && json_object_get(app, "review_attention") == NULL;
}

int64_t
engine_review_opens(const struct cohort *co, size_t k)
{
	int64_t day;

	if (co->terms[k].review_from != NULL && pw_date_parse(co->terms[k].review_from, &day) == 0)
		return day;
	if (co->terms[k].review_from == NULL && k > 0 &&
	    pw_date_parse(co->terms[k - 1].ends, &day) == 0)
		return day + 1;
	return INT64_MIN;
}

void
engine_review_json(const struct cohort *co, const json_t *app, int64_t now, json_t *r)
{
	const json_t *rv = json_object_get(app, "reviews");
	int64_t today = schedule_local_date(co->timezone, now, NULL, NULL);
	int attention = json_object_get(app, "review_attention") != NULL, due = 0;

	for (size_t i = 0; i < co->nterms; i++)
		if (json_object_get(rv, co->terms[i].id) == NULL) {
			json_object_set_new(r, "term", json_string(co->terms[i].id));
			if (co->terms[i].review_from != NULL)
				json_object_set_new(r, "from",
						    json_string(co->terms[i].review_from));
			due = !attention && today >= engine_review_opens(co, i);
			break;
		}
	/* Before its term's date, or while the LA is asked, the review waits on nobody. */
	json_object_set_new(r, "due", json_boolean(due));
	if (attention)
		json_object_set_new(r, "attention", json_true());
}

void
engine_panel_json(const json_t *app, json_t *r)
{
	const json_t *pn = json_object_get(json_object_get(app, "panel"), str(app, "stage"));

	if (json_object_get(pn, "closed") != NULL)
		json_object_set_new(r, "closed", json_true());
}

int
engine_panel_member(const struct engine_ctx *ctx, const json_t *app)
{
	const struct cohort *co = cohort_of(ctx->cfg, app);
	int k;

	if (co == NULL || !config_panel_member(co, ctx->actor_id))
		return 0;
	/* Only an application that reached a panel stage on its track: never a draft before it. */
	k = config_stage_index(co->programme, str(app, "stage") ?: "");
	for (int i = 0; i <= k; i++)
		if (engine_req_at(co, app, co->programme->stages[i].id, REQ_PANEL) != NULL)
			return 1;
	return 0;
}

int
engine_panel_may_decide(const struct engine_ctx *ctx, const json_t *app, const json_t *cstate,
			const char *outcome, struct pw_status *st)
{
	const struct cohort *co = cohort_of(ctx->cfg, app);
	const json_t *pn = json_object_get(json_object_get(app, "panel"), str(app, "stage"));
	int have, need, track;
	const struct cohort_group *g;

	if (co == NULL || co->panel_chair == NULL || !streq(co->panel_chair, ctx->actor_id))
		return pw_fail(st, PW_EFORBIDDEN,
			       "%s may not decide on application %s: the panel's chair decides",
			       ctx->actor_id, str(app, "id"));
	engine_panel_count(co, app, &have, &need);
	if (have < need && json_object_get(pn, "closed") == NULL)
		return pw_fail(st, PW_ETRANSITION,
			       "application %s: %d of the panel's %d members have recommended; "
			       "the chair decides once all have or the panel is closed",
			       str(app, "id"), have, need);
	track = config_track_index(co->programme, str(app, "track") ?: "");
	g = track >= 0 ? config_group(co, track) : NULL;
	if (streq(outcome, "accept") && g != NULL && g->max > 0 &&
	    engine_group_size(co, cstate, track) >= g->max)
		return pw_fail(st, PW_EFULL, "the %s group of %s is full (%d)",
			       co->programme->tracks[track].id, co->id, g->max);
	return 0;
}

/* Free text (a review's note, a continuation's reason) is for LA advisers and its author. */
static void
text_redact(const char *actor_id, int actor_roles, json_t *o, const char *key)
{
	if (!(actor_roles & ROLE_LA_ADVISER) && !streq(str(o, "by"), actor_id))
		json_object_del(o, key);
}

void
engine_panel_redact(const struct pw_config *cfg, const char *actor_id, int actor_roles,
		    int see_reviews, json_t *v)
{
	const struct cohort *co = cohort_of(cfg, v);
	const char *stage, *member;
	json_t *pn, *r;
	size_t i;

	json_object_foreach(json_object_get(v, "reviews"), stage, r)
	{
		text_redact(actor_id, actor_roles, r, "note");
		if (!see_reviews)
			json_object_del(r, "outcome");
	}
	if (!see_reviews) { /* what the reviews found: appraisal data */
		json_object_del(v, "reviews_not_met");
		json_object_del(v, "review_attention");
		json_object_del(v, "continuations");
	}
	json_array_foreach(json_object_get(v, "continuations"), i, r)
	{
		text_redact(actor_id, actor_roles, r, "reason");
	}
	if ((actor_roles & ROLE_LA_ADVISER) || (co != NULL && config_panel_member(co, actor_id) &&
						!streq(str(v, "candidate"), actor_id)))
		return;
	json_object_foreach(json_object_get(v, "panel"), stage, pn)
	{
		json_object_foreach(json_object_get(pn, "recommendations"), member, r)
		{
			json_object_del(r, "outcome");
			json_object_del(r, "reason");
		}
	}
}

int
engine_group_size(const struct cohort *co, const json_t *cstate, int track)
{
	const struct programme *p = co->programme;
	const json_t *counts =
	    json_object_get(json_object_get(cstate, "tracks"), p->tracks[track].id);
	size_t from = 0;
	json_int_t n;

	/* Past the first stage that takes a place (its decision), or graduated. */
	for (size_t i = 0; i < p->nstages && from == 0; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].capacity)
				from = i + 1;
	n = json_integer_value(json_object_get(counts, "graduated"));
	for (size_t i = from; from > 0 && i + 1 < p->nstages; i++)
		n += json_integer_value(json_object_get(counts, p->stages[i].id));
	return (int)n;
}

const char *
engine_group_track(const struct cohort *co, const json_t *school)
{
	int k = config_group_for_phase(co, str(school, "phase"));

	return k >= 0 ? co->programme->tracks[k].id : NULL;
}

json_t *
engine_groups_report(const struct cohort *co, const json_t *cstate)
{
	json_t *o = json_object();

	for (size_t i = 0; i < co->ngroups; i++) {
		const struct cohort_group *g = &co->groups[i];
		int n = engine_group_size(co, cstate, g->track);
		json_t *r =
		    json_pack("{s:i, s:i, s:b}", "size", n, "min", g->min, "below_min", n < g->min);

		if (g->max > 0)
			json_object_set_new(r, "max", json_integer(g->max));
		json_object_set_new(o, co->programme->tracks[g->track].id, r);
	}
	return o;
}

/* Remove o[key] when all is set or the person wrote it (who names the writer); 1 if removed. */
static int
drop_text(json_t *o, const char *key, const char *who, const char *person, int all)
{
	if (json_object_get(o, key) == NULL || !(all || streq(who, person)))
		return 0;
	json_object_del(o, key);
	return 1;
}

int
engine_panel_erase(json_t *app, const char *person, int all)
{
	const char *stage, *k;
	json_t *pn, *r;
	size_t i;
	int n = 0;

	json_object_foreach(json_object_get(app, "panel"), stage, pn)
	{
		json_object_foreach(json_object_get(pn, "recommendations"), k, r)
		{
			n += drop_text(r, "reason", k, person, all);
		}
	}
	json_object_foreach(json_object_get(app, "reviews"), k, r)
	{
		n += drop_text(r, "note", str(r, "by"), person, all);
	}
	json_array_foreach(json_object_get(app, "continuations"), i, r)
	{
		n += drop_text(r, "reason", str(r, "by"), person, all);
	}
	return n;
}
