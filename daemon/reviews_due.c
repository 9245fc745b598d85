/*
 * reviews_due.c: a term's review falling due. Entering a stage with a
 * review requirement on the application's track arms one timer per term
 * of the cohort that has a review_from date (timers_stage_arm, timers.c),
 * at 09:00 local that day
 * (or when the cohort's sending window next opens);
 * when it fires, an application still waiting for that term's review emits
 * application.review_due, which the programme's notification rules send to
 * the reviewer (the headteacher). Leaving the stage cancels the timers; a
 * reload or restart that changes a term's review_from re-arms them
 * (timers_sync.c: the dates are part of the stage's timing).
 */
#include "reviews_due.h"

#include <string.h>

#include "config_panel.h"
#include "engine_panel.h"
#include "util.h"

int
reviews_due(struct wctx *c, const json_t *t)
{
	int k = (int)json_integer_value(json_object_get(t, "index"));
	const struct cohort *co;
	json_t *app = NULL, *ev;
	int has, rc;

	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app") ?: "", &app) != 0)
		return 0;
	co = config_cohort(c->cfg, str(app, "cohort") ?: "");
	/* Only a review requirement that applies to the application's track. */
	has = co != NULL && engine_req_at(co, app, str(app, "stage"), REQ_REVIEW) != NULL;
	if (!has || !streq(str(app, "status"), "active") ||
	    !streq(str(t, "stage"), str(app, "stage")) || k < 0 || (size_t)k >= co->nterms ||
	    json_object_get(json_object_get(app, "reviews"), co->terms[k].id) != NULL) {
		json_decref(app);
		return 0;
	}
	ev =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type", "application.review_due", "app",
		      str(app, "id"), "cohort", str(app, "cohort"), "school", str(app, "school"),
		      "stage", str(app, "stage"), "data", "term", co->terms[k].id);
	rc = wctx_emit(c, ev);
	json_decref(ev);
	json_decref(app);
	return rc;
}
