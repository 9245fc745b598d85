/*
 * opportunity.c: reading opportunities (opportunity.get, .list). LA advisers
 * and viewers see who was told ("told": {person: true}); everyone else only
 * how many ("told": n). Publishing and the release to everyone else are in
 * opportunities.c.
 */
#include "cmd/opportunity.h"

#include "cmd/base.h"
#include "util.h"

/* An opportunity record (changed in place) as the actor may see it. */
static void
opp_view(const struct wctx *c, json_t *o)
{
	json_object_del(o, "v");
	if (!(engine_roles(c->actor) & READERS))
		json_object_set_new(
		    o, "told",
		    json_integer((json_int_t)json_object_size(json_object_get(o, "told"))));
}

int
run_opportunity_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *o;
	int rc = cmd_load(c, DB_OPPORTUNITIES, "opportunity", cmd_arg(args, "id"), &o);

	if (rc == 0) {
		opp_view(c, o);
		*data = json_pack("{s:o}", "opportunity", o);
	}
	return rc;
}

struct opp_list {
	const struct wctx *c;
	json_t *out;
};

static int
opp_visit(const char *id, json_t *rec, void *ud)
{
	struct opp_list *l = ud;

	(void)id;
	opp_view(l->c, rec);
	json_array_append(l->out, rec);
	return 0;
}

int
run_opportunity_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct opp_list l = {c, json_array()};

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_OPPORTUNITIES, NULL, opp_visit, &l) != 0) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing opportunities");
	}
	*data = json_pack("{s:o}", "opportunities", l.out);
	return 0;
}
