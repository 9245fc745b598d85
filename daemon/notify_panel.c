/*
 * notify_panel.c: the emails of a panel's decision. Panel members are named
 * by person id in the cohort, not related to an application by a role, so
 * the programme's notification rules cannot reach them: an application
 * that enters a stage with a panel requirement on its track invites each member
 * (panel.invitation, with the variables of application.stage_changed), and
 * the chair hears when every member has recommended (panel.ready, on
 * application.panel_ready). A member who is the application's candidate is
 * not invited to judge it.
 */
#include "notify_panel.h"

#include "config_panel.h"
#include "engine_panel.h"
#include "notify.h"
#include "util.h"

int
notify_panel(struct wctx *c, const json_t *ev)
{
	const char *type = str(ev, "type");
	const struct cohort *co;
	const struct template *t = NULL;
	json_t *app = NULL, *keep, *vars;
	int rc = 0, invite;

	if (type == NULL || str(ev, "app") == NULL || str(ev, "cohort") == NULL)
		return 0;
	invite = streq(type, "application.stage_changed");
	if (!invite && !streq(type, "application.panel_ready"))
		return 0;
	co = config_cohort(c->cfg, str(ev, "cohort"));
	if (co == NULL || co->npanel == 0)
		return 0;
	t = invite ? co->programme->panel.invitation : co->programme->panel.ready;
	if (t == NULL || store_rec_get(c->store, c->txn, DB_APPS, str(ev, "app"), &app) != 0)
		return 0;
	/* Only a stage whose panel requirement applies to the application's track. */
	if (invite &&
	    engine_req_at(co, app, str(json_object_get(ev, "data"), "to"), REQ_PANEL) == NULL) {
		json_decref(app);
		return 0;
	}
	keep = json_array();
	vars = notify_event_vars(c, ev, app, co, keep);
	for (size_t i = 0; i < co->npanel && rc == 0; i++) {
		const char *m = co->panel_members[i];

		if (streq(m, str(app, "candidate")) || (!invite && !streq(m, co->panel_chair)))
			continue;
		if (store_rec_exists(c->store, c->txn, DB_PEOPLE, m))
			rc = notify_person(c, ev, m, "panel", t, vars);
	}
	json_decref(vars);
	json_decref(keep);
	json_decref(app);
	return rc;
}
