/*
 * table.c: the API's command table, as data: each wire command's name, the
 * roles that may issue it at all, its flags, its argument schema and the
 * function that runs it (in the file of its noun). Running a command checks
 * its arguments against the schema and the actor's role, in that order,
 * before the command itself looks up ids and state.
 */
#include "cmd/cmd.h"

#include <string.h>

#include "cmd/application.h"
#include "cmd/audit.h"
#include "cmd/auth.h"
#include "cmd/base.h"
#include "cmd/booking.h"
#include "cmd/coach.h"
#include "cmd/cohort.h"
#include "cmd/events.h"
#include "cmd/feedback.h"
#include "cmd/form.h"
#include "cmd/host_choices.h"
#include "cmd/internship.h"
#include "cmd/outcomes.h"
#include "cmd/key.h"
#include "cmd/mine.h"
#include "cmd/opportunity.h"
#include "cmd/post.h"
#include "cmd/post_privacy.h"
#include "cmd/post_view.h"
#include "cmd/panel.h"
#include "cmd/person.h"
#include "cmd/privacy.h"
#include "cmd/support.h"
#include "cmd/system.h"
#include "opportunities.h"
#include "retention.h"
#include "util.h"

int
cmd_actor_load(struct store *s, MDB_txn *txn, const struct pw_config *cfg, const char *id,
	       json_t **actor, struct pw_status *st)
{
	int rc;

	if (strcmp(id, cfg->daemon.operator_id) == 0) {
		*actor = json_pack("{s:s, s:s, s:[s]}", "id", id, "name", "Operator", "roles",
				   "la_adviser");
		return 0;
	}
	if (strcmp(id, "web") == 0) { /* pathway-web before anyone has logged in */
		*actor = json_pack("{s:s, s:s, s:[]}", "id", id, "name", "pathway-web", "roles");
		return 0;
	}
	if (strcmp(id, "viewer") == 0) {
		*actor =
		    json_pack("{s:s, s:s, s:[s]}", "id", id, "name", "Viewer", "roles", "viewer");
		return 0;
	}
	rc = store_rec_get(s, txn, DB_PEOPLE, id, actor);
	if (rc == PW_ENOTFOUND)
		return pw_fail(st, PW_EUNKNOWN_ACTOR, "no person '%s'", id);
	if (rc != 0)
		return pw_fail(st, PW_ESTORE, "store: reading person %s", id);
	if (json_object_get(*actor, "erased") != NULL) { /* person.erase: nobody acts as them */
		json_decref(*actor);
		*actor = NULL;
		return pw_fail(st, PW_EUNKNOWN_ACTOR, "person '%s' was erased", id);
	}
	return 0;
}

/* Argument schemas. */
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}
static const struct proto_field a_none[] = {END};
static const struct proto_field a_clock_set[] = {{"now", PT_STRING, 1, NULL}, END};
static const struct proto_field a_clock_adv[] = {{"seconds", PT_INT, 1, NULL}, END};
static const struct proto_field a_backup[] = {
    {"path", PT_STRING, 1, NULL}, {"compact", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person[] = {
    {"id", PT_ID, 1, NULL},	  {"name", PT_STRING, 1, NULL},
    {"email", PT_EMAIL, 1, NULL}, {"roles", PT_ROLES, 1, NULL},
    {"school", PT_ID, 0, NULL},	  {"facts", PT_FACTS, 0, NULL},
    {"digest", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person_upd[] = {
    {"id", PT_ID, 1, NULL},	  {"name", PT_STRING, 0, NULL},
    {"email", PT_EMAIL, 0, NULL}, {"roles", PT_ROLES, 0, NULL},
    {"school", PT_ID, 0, NULL},	  {"facts", PT_FACTS, 0, NULL},
    {"digest", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person_digest[] = {
    {"id", PT_ID, 1, NULL}, {"digest", PT_BOOL, 1, NULL}, END};
static const struct proto_field a_id[] = {{"id", PT_ID, 1, NULL}, END};
static const struct proto_field a_export[] = {
    {"id", PT_ID, 1, NULL}, {"after", PT_INT, 0, NULL}, END};
static const struct proto_field a_person_list[] = {
    {"role", PT_ENUM, 0, "candidate|headteacher|coach|rater|host|la_adviser|viewer"},
    {"school", PT_ID, 0, NULL},
    END};
#define PHASES "primary|secondary|special|all-through"
static const struct proto_field a_school[] = {
    {"id", PT_ID, 1, NULL},    {"name", PT_STRING, 1, NULL}, {"phase", PT_ENUM, 0, PHASES},
    {"lss", PT_BOOL, 0, NULL}, {"email", PT_EMAIL, 0, NULL}, END};
static const struct proto_field a_school_upd[] = {
    {"id", PT_ID, 1, NULL},    {"name", PT_STRING, 0, NULL}, {"phase", PT_ENUM, 0, PHASES},
    {"lss", PT_BOOL, 0, NULL}, {"email", PT_EMAIL, 0, NULL}, END};
static const struct proto_field a_cohort[] = {{"cohort", PT_ID, 1, NULL}, END};
static const struct proto_field a_create[] = {{"cohort", PT_ID, 1, NULL},
					      {"candidate", PT_ID, 1, NULL},
					      {"route", PT_ENUM, 0, "interest|nomination"},
					      {"override", PT_BOOL, 0, NULL},
					      {"track", PT_ID, 0, NULL},
					      END};
static const struct proto_field a_app[] = {{"app", PT_ID, 1, NULL}, END};
static const struct proto_field a_history[] = {
    {"app", PT_ID, 1, NULL}, {"after", PT_INT, 0, NULL}, {"limit", PT_INT, 0, NULL}, END};
static const struct proto_field a_list[] = {
    {"cohort", PT_ID, 0, NULL},
    {"stage", PT_ID, 0, NULL},
    {"school", PT_ID, 0, NULL},
    {"status", PT_ENUM, 0, "active|waitlisted|rejected|withdrawn|graduated"},
    {"overdue", PT_BOOL, 0, NULL},
    {"track", PT_ID, 0, NULL},
    {"summary", PT_BOOL, 0, NULL},
    {"limit", PT_INT, 0, NULL},
    {"after", PT_ID, 0, NULL},
    END};
static const struct proto_field a_submit[] = {{"app", PT_ID, 1, NULL},
					      {"doc", PT_ID, 1, NULL},
					      {"ref", PT_STRING, 0, NULL},
					      {"fields", PT_OBJECT, 0, NULL},
					      END};
static const struct proto_field a_draft[] = {
    {"app", PT_ID, 1, NULL}, {"form", PT_ID, 1, NULL}, {"fields", PT_OBJECT, 1, NULL}, END};
static const struct proto_field a_return[] = {
    {"app", PT_ID, 1, NULL}, {"form", PT_ID, 1, NULL}, {"note", PT_STRING, 1, NULL}, END};
static const struct proto_field a_form[] = {{"app", PT_ID, 1, NULL}, {"form", PT_ID, 1, NULL}, END};
static const struct proto_field a_fb_invite[] = {{"app", PT_ID, 1, NULL},
						 {"name", PT_STRING, 1, NULL},
						 {"email", PT_EMAIL, 1, NULL},
						 {"category", PT_ID, 0, NULL},
						 END};
static const struct proto_field a_fb_respond[] = {{"app", PT_ID, 1, NULL},
						  {"rater", PT_ID, 0, NULL},
						  {"ratings", PT_OBJECT, 0, NULL},
						  {"comments", PT_OBJECT, 0, NULL},
						  END};
static const struct proto_field a_decide[] = {{"app", PT_ID, 1, NULL},
					      {"outcome", PT_ENUM, 1, "accept|waitlist|reject"},
					      {"note", PT_STRING, 0, NULL},
					      END};
static const struct proto_field a_rater[] = {
    {"app", PT_ID, 1, NULL}, {"rater", PT_ID, 1, NULL}, {"category", PT_ID, 0, NULL}, END};
static const struct proto_field a_response[] = {
    {"app", PT_ID, 1, NULL}, {"rater", PT_ID, 1, NULL}, END};
static const struct proto_field a_attend[] = {
    {"app", PT_ID, 1, NULL}, {"session", PT_ID, 1, NULL}, {"present", PT_BOOL, 1, NULL}, END};
static const struct proto_field a_place[] = {{"app", PT_ID, 1, NULL},
					     {"host_school", PT_ID, 1, NULL},
					     {"start", PT_DATE, 1, NULL},
					     {"end", PT_DATE, 1, NULL},
					     END};
static const struct proto_field a_confirm[] = {
    {"app", PT_ID, 1, NULL}, {"days", PT_INT, 1, NULL}, END};
static const struct proto_field a_coach[] = {
    {"app", PT_ID, 1, NULL}, {"coach", PT_ID, 1, NULL}, END};
static const struct proto_field a_recommend[] = {{"app", PT_ID, 1, NULL},
						 {"outcome", PT_ENUM, 1, "accept|waitlist|reject"},
						 {"reason", PT_STRING, 1, NULL},
						 END};
static const struct proto_field a_review[] = {{"app", PT_ID, 1, NULL},
					      {"term", PT_ID, 1, NULL},
					      {"outcome", PT_ENUM, 1, "met|not_met"},
					      {"note", PT_STRING, 0, NULL},
					      END};
static const struct proto_field a_continue[] = {{"app", PT_ID, 1, NULL},
						{"decision", PT_ENUM, 1, "continue|withdraw"},
						{"reason", PT_STRING, 1, NULL},
						END};
static const struct proto_field a_withdraw[] = {
    {"app", PT_ID, 1, NULL}, {"reason", PT_STRING, 0, NULL}, END};
static const struct proto_field a_defer[] = {
    {"app", PT_ID, 1, NULL}, {"cohort", PT_ID, 1, NULL}, END};
static const struct proto_field a_progress[] = {
    {"app", PT_ID, 1, NULL},	{"role", PT_STRING, 1, NULL}, {"school", PT_STRING, 0, NULL},
    {"date", PT_DATE, 1, NULL}, {"note", PT_STRING, 0, NULL}, END};
static const struct proto_field a_training[] = {{"cohort", PT_ID, 1, NULL},
						{"session", PT_ID, 1, NULL},
						{"coach", PT_ID, 1, NULL},
						{"present", PT_BOOL, 1, NULL},
						END};
static const struct proto_field a_register[] = {{"cohort", PT_ID, 1, NULL},
						{"session", PT_ID, 1, NULL},
						{"present", PT_IDS, 0, NULL},
						{"absent", PT_IDS, 0, NULL},
						END};
static const struct proto_field a_outbox_list[] = {{"state", PT_ENUM, 0, "pending|inflight|dead"},
						   {"limit", PT_INT, 0, NULL},
						   {"after", PT_ID, 0, NULL},
						   {"vars", PT_BOOL, 0, NULL},
						   END};
static const struct proto_field a_outbox_retry[] = {{"job", PT_ID, 1, NULL}, END};
static const struct proto_field a_post_publish[] = {{"id", PT_ID, 1, NULL},
						    {"title", PT_STRING, 1, NULL},
						    {"host", PT_ID, 1, NULL},
						    {"description", PT_STRING, 1, NULL},
						    {"person_spec", PT_STRING, 0, NULL},
						    {"criteria", PT_OBJECT, 1, NULL},
						    {"audience", PT_FACTS, 0, NULL},
						    {"panel", PT_IDS, 1, NULL},
						    {"chair", PT_ID, 1, NULL},
						    {"closes", PT_DATE, 1, NULL},
						    {"internal_until", PT_DATE, 1, NULL},
						    {"external_days", PT_INT, 0, NULL},
						    END};
static const struct proto_field a_post[] = {{"post", PT_ID, 1, NULL}, END};
static const struct proto_field a_post_apply[] = {
    {"post", PT_ID, 1, NULL}, {"statement", PT_STRING, 1, NULL}, {"person", PT_ID, 0, NULL}, END};
static const struct proto_field a_post_shortlist[] = {
    {"post", PT_ID, 1, NULL}, {"applicants", PT_IDS, 1, NULL}, END};
static const struct proto_field a_post_score[] = {{"post", PT_ID, 1, NULL},
						  {"applicant", PT_ID, 1, NULL},
						  {"scores", PT_OBJECT, 1, NULL},
						  {"notes", PT_OBJECT, 0, NULL},
						  END};
static const struct proto_field a_post_decide[] = {
    {"post", PT_ID, 1, NULL},	       {"outcome", PT_ENUM, 1, "appoint|none"},
    {"applicant", PT_ID, 0, NULL},     {"start", PT_DATE, 0, NULL},
    {"objective", PT_STRING, 0, NULL}, END};
static const struct proto_field a_opportunity[] = {{"id", PT_ID, 1, NULL},
						   {"title", PT_STRING, 1, NULL},
						   {"description", PT_STRING, 1, NULL},
						   {"link", PT_STRING, 0, NULL},
						   {"audience", PT_FACTS, 0, NULL},
						   {"early_days", PT_INT, 1, NULL},
						   END};
static const struct proto_field a_email[] = {{"email", PT_EMAIL, 1, NULL}, END};
static const struct proto_field a_token[] = {{"token", PT_STRING, 1, NULL}, END};
static const struct proto_field a_token_opt[] = {{"token", PT_STRING, 0, NULL}, END};
static const struct proto_field a_key_add[] = {
    {"public", PT_STRING, 1, NULL},
    {"person", PT_ID, 0, NULL},
    {"service", PT_ENUM, 0, "operator|mailer|web|viewer"},
    {"note", PT_STRING, 0, NULL},
    END};
static const struct proto_field a_key[] = {{"key", PT_ID, 1, NULL}, END};
static const struct proto_field a_since[] = {
    {"after", PT_INT, 1, NULL}, {"limit", PT_INT, 0, NULL}, END};
static const struct proto_field a_retention[] = {
    {"limit", PT_INT, 0, NULL}, {"dry_run", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_audit[] = {
    {"from", PT_INT, 0, NULL}, {"limit", PT_INT, 0, NULL}, END};
static const struct proto_field a_rank_hosts[] = {
    {"app", PT_ID, 1, NULL}, {"hosts", PT_IDS, 1, NULL}, END};
static const struct proto_field a_set_host[] = {{"cohort", PT_ID, 1, NULL},
						{"school", PT_ID, 1, NULL},
						{"places", PT_INT, 1, NULL},
						{"ranking", PT_IDS, 0, NULL},
						END};
static const struct proto_field a_match[] = {{"cohort", PT_ID, 1, NULL},
					     {"dry_run", PT_BOOL, 0, NULL},
					     {"start", PT_DATE, 0, NULL},
					     {"end", PT_DATE, 0, NULL},
					     END};
static const struct proto_field a_support_req[] = {
    {"cohort", PT_ID, 1, NULL}, {"school", PT_ID, 0, NULL}, {"need", PT_STRING, 1, NULL}, END};
static const struct proto_field a_support_pair[] = {
    {"request", PT_ID, 1, NULL}, {"app", PT_ID, 1, NULL}, {"override", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_support_note[] = {
    {"request", PT_ID, 1, NULL}, {"note", PT_STRING, 0, NULL}, END};
static const struct proto_field a_support[] = {{"request", PT_ID, 1, NULL}, END};
static const struct proto_field a_support_list[] = {
    {"cohort", PT_ID, 0, NULL}, {"status", PT_ENUM, 0, "open|paired|ended|closed"}, END};
static const struct proto_field a_booking[] = {
    {"cohort", PT_ID, 1, NULL}, {"session", PT_ID, 1, NULL}, {"person", PT_ID, 0, NULL}, END};

#define W CMD_WRITES
#define APP_ROLES (ROLE_ANY & ~ROLE_VIEWER)
static const struct cmd_entry cmds[] = {
    {"system.ping", ROLE_ANY, 0, a_none, run_ping},
    {"system.stats", READERS, 0, a_none, run_stats},
    {"system.backup", ROLE_LA_ADVISER, CMD_OUTSIDE_TXN, a_backup, NULL},
    {"clock.set", ROLE_LA_ADVISER, W | CMD_MANUAL_CLOCK, a_clock_set, run_clock_set},
    {"clock.advance", ROLE_LA_ADVISER, W | CMD_MANUAL_CLOCK, a_clock_adv, run_clock_advance},
    {"person.create", ROLE_LA_ADVISER, W, a_person, run_person_create},
    {"person.update", ROLE_LA_ADVISER, W, a_person_upd, run_person_update},
    {"person.digest", APP_ROLES, W, a_person_digest, run_person_digest},
    {"person.get", ROLE_ANY, 0, a_id, run_person_get},
    {"person.list", READERS, 0, a_person_list, run_person_list},
    {"person.export", APP_ROLES, W, a_export, run_person_export_posts},
    {"person.erase", ROLE_LA_ADVISER, W, a_id, run_person_erase_posts},
    {"retention.list", READERS, 0, a_retention, run_retention_list},
    {"school.create", ROLE_LA_ADVISER, W, a_school, run_school_create},
    {"school.update", ROLE_LA_ADVISER, W, a_school_upd, run_school_update},
    {"school.get", ROLE_ANY, 0, a_id, run_school_get},
    {"school.list", ROLE_ANY, 0, a_none, run_school_list},
    {"cohort.list", ROLE_ANY, 0, a_none, run_cohort_list},
    {"cohort.get", ROLE_ANY, 0, a_cohort, run_cohort_get},
    {"cohort.report", READERS, 0, a_cohort, run_cohort_report},
    {"application.create", ROLE_CANDIDATE | ROLE_HEADTEACHER, W, a_create, run_app_create},
    {"application.get", ROLE_ANY, 0, a_app, run_app_get},
    {"application.list", READERS | ROLE_HEADTEACHER, 0, a_list, run_app_list},
    {"application.history", ROLE_ANY, 0, a_history, run_app_history},
    {"application.mine", APP_ROLES, 0, a_none, run_app_mine},
    {"application.submit", APP_ROLES, W, a_submit, run_app_op},
    {"application.signoff", APP_ROLES, W, a_app, run_app_op},
    {"application.decide", APP_ROLES, W, a_decide, run_app_op},
    {"application.recommend", APP_ROLES, W, a_recommend, run_app_recommend},
    {"application.close_panel", APP_ROLES, W, a_app, run_app_close_panel},
    {"application.review", APP_ROLES, W, a_review, run_app_review},
    {"application.continue", 0, W, a_continue, run_app_continue},
    {"application.invite_rater", ROLE_CANDIDATE, W, a_rater, run_app_op},
    {"application.record_response", ROLE_RATER, W, a_response, run_app_op},
    {"application.save_draft", APP_ROLES, W, a_draft, run_form_save_draft},
    {"application.return", APP_ROLES, W, a_return, run_app_op},
    {"form.get", APP_ROLES, 0, a_form, run_form_get},
    {"feedback.invite", ROLE_CANDIDATE, W, a_fb_invite, run_feedback_invite},
    {"feedback.respond", ROLE_RATER | ROLE_CANDIDATE, W, a_fb_respond, run_feedback_respond},
    {"feedback.questionnaire", ROLE_ANY, 0, a_app, run_feedback_questionnaire},
    {"feedback.report", ROLE_ANY, 0, a_app, run_feedback_report},
    {"application.record_attendance", ROLE_COACH, W, a_attend, run_app_op},
    {"application.place_internship", ROLE_COACH, W, a_place, run_app_op},
    {"application.confirm_internship", ROLE_HOST, W, a_confirm, run_app_op},
    {"application.assign_coach", 0, W, a_coach, run_app_op},
    {"application.withdraw", ROLE_CANDIDATE | ROLE_HEADTEACHER, W, a_withdraw, run_app_op},
    {"application.defer", 0, W, a_defer, run_app_op},
    {"application.record_progression", ROLE_CANDIDATE | ROLE_HEADTEACHER | ROLE_COACH, W,
     a_progress, run_app_op},
    {"application.accept_offer", ROLE_CANDIDATE, W, a_app, run_offer_accept},
    {"application.decline_offer", ROLE_CANDIDATE, W, a_app, run_offer_decline},
    {"attendance.record", 0, W, a_register, run_attendance_record},
    {"coach.record_training", 0, W, a_training, run_coach_record_training},
    {"application.rank_hosts", ROLE_CANDIDATE, W, a_rank_hosts, run_app_rank_hosts},
    {"application.host_choices", ROLE_CANDIDATE | READERS, 0, a_app, run_app_host_choices},
    {"cohort.set_host", ROLE_HOST, W, a_set_host, run_cohort_set_host},
    {"cohort.hosts", READERS | ROLE_HOST, 0, a_cohort, run_cohort_hosts},
    {"cohort.match_internships", 0, W, a_match, run_cohort_match_internships},
    {"cohort.outcomes", READERS, 0, a_cohort, run_cohort_outcomes},
    {"events.since", READERS, 0, a_since, run_events_since},
    {"audit.verify", ROLE_LA_ADVISER, 0, a_audit, run_audit_verify},
    {"outbox.list", READERS, 0, a_outbox_list, run_outbox_list},
    {"opportunity.publish", ROLE_LA_ADVISER, W, a_opportunity, opportunity_publish},
    {"opportunity.get", ROLE_ANY, 0, a_id, run_opportunity_get},
    {"opportunity.list", ROLE_ANY, 0, a_none, run_opportunity_list},
    {"post.publish", ROLE_LA_ADVISER, W, a_post_publish, run_post_publish},
    {"post.apply", APP_ROLES, W, a_post_apply, run_post_apply},
    {"post.shortlist", APP_ROLES, W, a_post_shortlist, run_post_shortlist},
    {"post.score", APP_ROLES, W, a_post_score, run_post_score},
    {"post.decide", APP_ROLES, W, a_post_decide, run_post_decide},
    {"post.withdraw", ROLE_LA_ADVISER, W, a_post, run_post_withdraw},
    {"post.get", ROLE_ANY, 0, a_post, run_post_get},
    {"post.list", ROLE_ANY, 0, a_none, run_post_list},
    {"outbox.retry", ROLE_LA_ADVISER, W, a_outbox_retry, run_outbox_retry},
    {"key.add", ROLE_LA_ADVISER, W | CMD_OPERATOR, a_key_add, run_key_add},
    {"key.list", ROLE_LA_ADVISER, CMD_OPERATOR, a_none, run_key_list},
    {"key.revoke", ROLE_LA_ADVISER, W | CMD_OPERATOR, a_key, run_key_revoke},
    {"auth.link", ROLE_ANY, W | CMD_ANONYMOUS, a_email, run_auth_link},
    {"auth.session", ROLE_ANY, W | CMD_ANONYMOUS, a_token, run_auth_session},
    {"auth.logout", ROLE_ANY, W, a_token_opt, run_auth_logout},
    {"auth.whoami", ROLE_ANY, 0, a_token_opt, run_auth_whoami},
    {"token.rotate", ROLE_LA_ADVISER, W, a_none, run_token_rotate},
    {"support.request", ROLE_HEADTEACHER, W, a_support_req, run_support_request},
    {"support.pair", 0, W, a_support_pair, run_support_pair},
    {"support.review", ROLE_CANDIDATE, W, a_support_note, run_support_review},
    {"support.end", 0, W, a_support_note, run_support_end},
    {"support.get", ROLE_ANY, 0, a_support, run_support_get},
    {"support.list", ROLE_ANY, 0, a_support_list, run_support_list},
    {"session.book", APP_ROLES, W, a_booking, run_session_book},
    {"session.cancel_booking", APP_ROLES, W, a_booking, run_session_cancel_booking},
    {"session.bookings", ROLE_ANY, 0, a_booking, run_session_bookings},
};

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
cmd_allowed(const struct cmd_entry *e, const json_t *actor)
{
	int roles = engine_roles(actor);

	if (e->flags & CMD_ANONYMOUS)
		return 1;

	return (roles & ROLE_LA_ADVISER) || (roles & e->roles);
}

int
cmd_run(const struct cmd_entry *e, struct wctx *c, const json_t *args, json_t **data)
{
	int rc;

	*data = NULL;
	rc = proto_args_check(args, e->args, c->st);
	if (rc != 0)
		return rc;
	if (!cmd_allowed(e, c->actor))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not run %s", c->actor_id, e->name);
	application_op_select(e->name);
	c->cstates = json_object();
	c->loaded = json_object();
	rc = e->run(c, args, data);
	json_decref(c->cstates);
	c->cstates = NULL;
	json_decref(c->loaded);
	c->loaded = NULL;
	if (rc != 0) {
		json_decref(*data);
		*data = NULL;
	}
	return rc;
}

int
cmd_run_outside(const struct cmd_entry *e, struct store *s, const struct pw_config *cfg,
		const json_t *args, json_t **data, struct pw_status *st)
{
	if (strcmp(e->name, "system.backup") != 0)
		fatal("%s does not run outside a transaction", e->name);
	return run_backup(s, cfg->daemon.backup_dir, args, data, st);
}
