/*
 * opportunity.c: reading opportunities (opportunity.get, .list), with the
 * number of people told rather than who they are. Publishing and the
 * release to everyone else are in opportunities.c.
 */
#include "cmd/opportunity.h"

#include "cmd/base.h"
#include "util.h"

int
run_opportunity_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *o;
	int rc = cmd_load(c, DB_OPPORTUNITIES, "opportunity", cmd_arg(args, "id"), &o);

	if (rc == 0) {
		json_object_del(o, "v");
		json_object_set_new(
		    o, "told",
		    json_integer((json_int_t)json_object_size(json_object_get(o, "told"))));
		*data = json_pack("{s:o}", "opportunity", o);
	}
	return rc;
}

static int
opp_visit(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_object_del(rec, "v");
	json_object_set_new(
	    rec, "told", json_integer((json_int_t)json_object_size(json_object_get(rec, "told"))));
	json_array_append(ud, rec);
	return 0;
}

int
run_opportunity_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_OPPORTUNITIES, NULL, opp_visit, arr) != 0) {
		json_decref(arr);
		return pw_fail(c->st, PW_ESTORE, "store: listing opportunities");
	}
	*data = json_pack("{s:o}", "opportunities", arr);
	return 0;
}
