/*
 * matching.c: cohort.match_internships, internship brokering's match. The
 * round is every active application of the cohort (holding a place, when
 * the programme has a capacity decision) heading for an internship
 * (engine_internship_req) with none placed yet, in application id order;
 * the hosts are the schools that offered places in the cohort
 * (cohort.set_host) and every school a candidate ranked. A host's places
 * left are its places less the internships of the cohort's active and
 * graduated applications already placed there (by hand or by an earlier
 * match). match.c decides; a dry run shows the placements, the unplaced
 * and why; a confirmed run records every placement (as
 * application.place_internship does, marked "matched"), tells each
 * unplaced candidate, and sums it up in cohort.internships_matched, all in
 * the command's one transaction.
 */
#include "cmd/internship.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "engine_broker.h"
#include "match.h"
#include "util.h"

struct round {
	struct wctx *c;
	const struct cohort *co;
	struct engine_ctx e;
	json_t *ids;	/* every application id of the cohort */
	json_t *apps;	/* the applications in the round, in id order */
	json_t *before; /* school -> internships placed there already */
	json_t *hidx;	/* school -> host index */
	json_t *hids;	/* host ids in index order */
	json_t *cidx;	/* application id -> its index in apps */
};

static void
host_add(struct round *r, const char *school)
{
	if (school != NULL && json_object_get(r->hidx, school) == NULL) {
		json_object_set_new(r->hidx, school, json_integer(0));
		json_array_append_new(r->hids, json_string(school));
	}
}

/* Load the cohort's applications: the round's, and the internships placed already. */
static int
round_load(struct round *r)
{
	struct wctx *c = r->c;
	size_t i;
	json_t *id, *sid;
	const char *school;
	json_t *entry;

	if (store_index_scan(c->store, c->txn, DB_BY_STAGE, r->co->id, NULL, NULL, NULL,
			     store_collect_id, r->ids) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading cohort %s", r->co->id);
	pw_strings_sort(r->ids);
	json_array_foreach(r->ids, i, id)
	{
		json_t *app = NULL;
		const json_t *in;

		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0)
			continue;
		in = json_object_get(app, "internship");
		if (in != NULL && (streq(str(app, "status"), "active") ||
				   streq(str(app, "status"), "graduated"))) {
			json_int_t k =
			    json_integer_value(json_object_get(r->before, str(in, "host_school")));

			json_object_set_new(r->before, str(in, "host_school"), json_integer(k + 1));
		}
		if (engine_match_due(&r->e, app))
			json_array_append(r->apps, app);
		json_decref(app);
	}
	json_array_foreach(r->apps, i, id)
	    json_object_set_new(r->cidx, str(id, "id"), json_integer((json_int_t)i));
	/* The hosts: those that offered places, then those ranked, in id order. */
	json_object_foreach(json_object_get(cmd_cstate(c, r->co->id), "hosts"), school, entry)
	{
		(void)entry;
		host_add(r, school);
	}
	json_array_foreach(r->apps, i, id)
	{
		size_t k;

		json_array_foreach(json_object_get(json_object_get(id, "host_ranking"), "hosts"), k,
				   sid) host_add(r, json_string_value(sid));
	}
	pw_strings_sort(r->hids);
	json_array_foreach(r->hids, i, sid)
	    json_object_set_new(r->hidx, json_string_value(sid), json_integer((json_int_t)i));
	return 0;
}

/* The index of application id in the round (r->cidx), or -1. */
static int
cand_index(const struct round *r, const char *id)
{
	const json_t *v = json_object_get(r->cidx, id);

	return v != NULL ? (int)json_integer_value(v) : -1;
}

static json_t *
host_view(struct round *r, const struct match_host *h, const int *matched, size_t i)
{
	json_t *entry =
	    json_object_get(json_object_get(cmd_cstate(r->c, r->co->id), "hosts"), h->id);
	const json_t *rec = cmd_loaded(r->c, DB_SCHOOLS, h->id);
	json_int_t before = json_integer_value(json_object_get(r->before, h->id));
	json_int_t places = json_integer_value(json_object_get(entry, "places"));
	json_int_t left = places - before - matched[i];

	return json_pack("{s:s, s:s, s:I, s:I, s:i, s:I, s:b}", "school", h->id, "name",
			 str(rec, "name") ?: h->id, "places", places, "placed_before", before,
			 "matched", matched[i], "left", left > 0 ? left : 0, "ranks",
			 h->ranking != NULL);
}

static json_t *
cand_view(struct round *r, const json_t *app)
{
	const json_t *cand = cmd_loaded(r->c, DB_PEOPLE, str(app, "candidate"));

	return json_pack("{s:s, s:s, s:s, s:s*}", "app", str(app, "id"), "candidate",
			 str(app, "candidate"), "candidate_name", str(cand, "name") ?: "", "track",
			 str(app, "track"));
}

/* Record the match: each placement, each unplaced candidate told, the summary. */
static int
round_confirm(struct round *r, const struct match_cand *mc, size_t nc, const char *start,
	      const char *end, int placed)
{
	struct wctx *c = r->c;
	int rc = 0;

	for (size_t i = 0; i < nc && rc == 0; i++) {
		json_t *app = json_array_get(r->apps, i);
		struct engine_out out;
		struct app_pos was;

		engine_out_init(&out);
		if (mc[i].host >= 0) {
			const char *host = json_string_value(json_array_get(r->hids, mc[i].host));
			char *key = xasprintf("school:%s", host);

			cmd_app_pos(app, &was);
			engine_match_place(&r->e, app, host, start, end, &out);
			rc = cmd_index_person(c, key, app);
			free(key);
			if (rc == 0)
				rc = cmd_app_save(c, app, &was);
		} else {
			engine_match_unplaced(app, match_reason_name(mc[i].reason), &out);
		}
		if (rc == 0)
			rc = cmd_emit_all(c, &out);
		engine_out_clear(&out);
	}
	if (rc == 0) {
		json_t *ev = json_pack("{s:s, s:s, s:{s:i, s:i}}", "type",
				       "cohort.internships_matched", "cohort", r->co->id, "data",
				       "placed", placed, "unplaced", (int)nc - placed);

		rc = wctx_emit(c, ev);
		json_decref(ev);
	}
	return rc;
}

static int
round_run(struct round *r, int dry, const char *start, const char *end, json_t **data)
{
	json_t *hosts = json_object_get(cmd_cstate(r->c, r->co->id), "hosts");
	size_t nh = json_array_size(r->hids), nc = json_array_size(r->apps), nprefs = 0;
	struct match_host *mh = xcalloc(nh + 1, sizeof *mh);
	struct match_cand *mc = xcalloc(nc + 1, sizeof *mc);
	int *ints, *matched = xcalloc(nh + 1, sizeof *matched), placed = 0, rc = 0;
	enum match_why *why;
	json_t *pl = json_array(), *un = json_array(), *hv = json_array(), *app;
	size_t i, used = 0, wused = 0;

	for (i = 0; i < nh; i++) /* a host ranks at most every candidate */
		nprefs += nc;
	json_array_foreach(r->apps, i, app) nprefs +=
	    json_array_size(json_object_get(json_object_get(app, "host_ranking"), "hosts"));
	ints = xcalloc(nprefs + 1, sizeof *ints);
	why = xcalloc(nprefs + 1, sizeof *why);
	for (i = 0; i < nh; i++) {
		const char *id = json_string_value(json_array_get(r->hids, i));
		const json_t *rec = cmd_loaded(r->c, DB_SCHOOLS, id),
			     *entry = json_object_get(hosts, id);
		const json_t *rank = json_object_get(entry, "ranking"), *a;
		size_t k;

		mh[i].id = id;
		mh[i].phase = str(rec, "phase");
		mh[i].lss = json_is_true(json_object_get(rec, "lss"));
		mh[i].offered = json_integer_value(json_object_get(entry, "places")) > 0;
		mh[i].places = (int)(json_integer_value(json_object_get(entry, "places")) -
				     json_integer_value(json_object_get(r->before, id)));
		if (rank != NULL) {
			mh[i].ranking = ints + used;
			json_array_foreach(rank, k, a)
			{
				int ci = cand_index(r, json_string_value(a));

				if (ci >= 0)
					ints[used + mh[i].nranking++] = ci;
			}
			used += mh[i].nranking;
		}
	}
	json_array_foreach(r->apps, i, app)
	{
		const struct requirement *q = engine_internship_req(&r->e, app);
		const json_t *own = cmd_loaded(r->c, DB_SCHOOLS, str(app, "school")), *h;
		size_t k;

		mc[i].id = str(app, "id");
		mc[i].school = str(app, "school");
		mc[i].phase = str(own, "phase");
		mc[i].need_lss = q->host_lss;
		mc[i].same_phase = q->host_same_phase;
		mc[i].prefs = ints + used;
		mc[i].why = why + wused;
		json_array_foreach(json_object_get(json_object_get(app, "host_ranking"), "hosts"),
				   k, h)
		{
			ints[used + mc[i].nprefs++] =
			    (int)json_integer_value(json_object_get(r->hidx, json_string_value(h)));
		}
		used += mc[i].nprefs;
		wused += mc[i].nprefs;
	}
	if (match_run(mh, nh, mc, nc) != 0)
		fatal("out of memory");
	json_array_foreach(r->apps, i, app)
	{
		json_t *v = cand_view(r, app);

		if (mc[i].host >= 0) {
			const char *host = mh[mc[i].host].id;

			matched[mc[i].host]++;
			placed++;
			json_object_set_new(v, "host_school", json_string(host));
			json_object_set_new(
			    v, "host_name",
			    json_string(str(cmd_loaded(r->c, DB_SCHOOLS, host), "name") ?: host));
			json_object_set_new(v, "choice", json_integer(mc[i].choice));
			json_array_append_new(pl, v);
		} else {
			json_t *whys = json_array();

			for (size_t k = 0; k < mc[i].nprefs; k++)
				json_array_append_new(
				    whys, json_pack("{s:s, s:s}", "school", mh[mc[i].prefs[k]].id,
						    "why", match_why_name(mc[i].why[k])));
			json_object_set_new(v, "reason",
					    json_string(match_reason_name(mc[i].reason)));
			json_object_set_new(v, "hosts", whys);
			json_array_append_new(un, v);
		}
	}
	for (i = 0; i < nh; i++)
		json_array_append_new(hv, host_view(r, &mh[i], matched, i));
	if (!dry)
		rc = round_confirm(r, mc, nc, start, end, placed);
	if (rc == 0) {
		*data = json_pack("{s:s, s:b, s:o, s:o, s:o}", "cohort", r->co->id, "dry_run", dry,
				  "placements", pl, "unplaced", un, "hosts", hv);
		if (!dry) {
			json_object_set_new(*data, "start", json_string(start));
			json_object_set_new(*data, "end", json_string(end));
		}
	} else {
		json_decref(pl);
		json_decref(un);
		json_decref(hv);
	}
	free(ints);
	free(why);
	free(matched);
	free(mh);
	free(mc);
	return rc;
}

int
run_cohort_match_internships(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *dv = json_object_get(args, "dry_run");
	const char *start = cmd_arg(args, "start"), *end = cmd_arg(args, "end");
	int dry = dv == NULL || json_is_true(dv), rc;
	struct round r = {c,
			  NULL,
			  {0},
			  json_array(),
			  json_array(),
			  json_object(),
			  json_object(),
			  json_array(),
			  json_object()};

	rc = cmd_cohort(c, cmd_arg(args, "cohort"), &r.co);
	if (rc == 0 && !dry && (start == NULL || end == NULL))
		rc = pw_fail(c->st, PW_EINVALID,
			     "a confirmed match needs the internships' 'start' and 'end' dates");
	if (rc == 0 && start != NULL && end != NULL && strcmp(start, end) > 0)
		rc = pw_fail(c->st, PW_EINVALID, "the internships end (%s) before they start (%s)",
			     end, start);
	if (rc == 0) {
		cmd_engine_ctx(c, NULL, &r.e);
		rc = round_load(&r);
	}
	if (rc == 0)
		rc = round_run(&r, dry, start, end, data);
	if (rc == 0 && !dry)
		rc = cmd_cstates_save(c);
	json_decref(r.ids);
	json_decref(r.apps);
	json_decref(r.before);
	json_decref(r.hidx);
	json_decref(r.hids);
	json_decref(r.cidx);
	return rc;
}
