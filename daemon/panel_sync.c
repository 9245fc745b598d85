/*
 * panel_sync.c: keeping the panel members' index in step with the
 * configuration. An application entering a panel stage is indexed under
 * each member of its cohort's panel (DB_BY_PERSON, for application.mine);
 * at start-up and after each reload the applications waiting at a panel
 * stage (on a track its panel requirement applies to) are indexed under
 * every member of the panel as configured now, so a member added by a
 * reload finds them. A member taken off keeps index entries, which give
 * nothing: application.mine shows only what the reader may view, and a panel member's access is
 * decided from the configuration (engine_panel_member), never from the index.
 */
#include "panel_sync.h"

#include "config_panel.h"
#include "engine_panel.h"
#include "engine_reqs.h"
#include "util.h"

/* Index the applications at stage s of cohort co under each member of its panel. */
static int
stage_sync(struct wctx *c, const struct cohort *co, const struct stage *s)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, s->id, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id)
	{
		json_t *app = NULL;
		int applies;

		if (rc != 0 ||
		    store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0)
			continue;
		/* Only an application on a track the stage's panel requirement names. */
		applies = engine_req_at(co, app, s->id, REQ_PANEL) != NULL;
		json_decref(app);
		for (size_t m = 0; applies && rc == 0 && m < co->npanel; m++)
			rc = store_index_put(c->store, c->txn, DB_BY_PERSON, co->panel_members[m],
					     json_string_value(id), NULL, c->st);
	}
	json_decref(ids);
	return rc ? PW_ESTORE : 0;
}

int
panel_index_sync(struct wctx *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		const struct cohort *co = &c->cfg->cohorts[i];

		for (size_t k = 0; co->npanel > 0 && k < co->programme->nstages && rc == 0; k++)
			if (engine_stage_has(&co->programme->stages[k], REQ_PANEL))
				rc = stage_sync(c, co, &co->programme->stages[k]);
	}
	return rc;
}
