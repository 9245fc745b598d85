/*
 * feedback_report.c: the 360's commands. The candidate invites colleagues by name,
 * email and category (feedback.invite: each becomes a person with the rater
 * role and no other, and is emailed a link that is their identity); a rater
 * answers the questionnaire (feedback.questionnaire, feedback.respond); the
 * candidate may rate themself; the report is rolled up (feedback.report).
 *
 * Answers are kept apart from the application, in DB_FEEDBACK under a
 * random id that does not lead back to the rater: {"app", "category",
 * "ratings", "comments"}, with no time, listed per application by
 * DB_APP_FEEDBACK (app, id) in the order of the random ids. That a rater
 * responded is in the application's "raters" (for LA advisers and viewers);
 * what they said is nowhere beside their name.
 */
#include "cmd/feedback.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/person.h"
#include "engine_reqs.h"
#include "feedback_report.h"
#include "util.h"

#define NAME_MAX_CHARS 200

static const struct programme *
programme_of(struct wctx *c, const json_t *app)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));

	return co ? co->programme : NULL;
}

/* Whether an invited rater of app already has the address email. */
static int
address_invited(struct wctx *c, const json_t *app, const char *email)
{
	const char *id;
	json_t *r, *p;
	int found = 0;

	json_object_foreach(json_object_get(app, "raters"), id, r)
	{
		if (found)
			break;
		if (store_rec_get(c->store, c->txn, DB_PEOPLE, id, &p) == 0) {
			found = str(p, "email") && strcasecmp(str(p, "email"), email) == 0;
			json_decref(p);
		}
	}
	return found;
}

static int
op_invite(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	const char *name = cmd_arg(op->args, "name"), *email = cmd_arg(op->args, "email");
	char id[32];
	json_t *p;
	uint64_t n;
	int rc;

	if (*name == '\0' || strlen(name) > NAME_MAX_CHARS * 4 || strpbrk(name, "\r\n\t") != NULL)
		return pw_fail(c->st, PW_EINVALID, "'name' must be one line of 1 to %d characters",
			       NAME_MAX_CHARS);
	do {
		if (store_counter_next(c->store, c->txn, "next_rater", &n, c->st) != 0)
			return PW_ESTORE;
		snprintf(id, sizeof id, "R%06llu", (unsigned long long)n);
	} while (store_rec_exists(c->store, c->txn, DB_PEOPLE, id));
	p = json_pack("{s:i, s:s, s:s, s:s, s:[s]}", "v", 1, "id", id, "name", name, "email", email,
		      "roles", "rater");
	rc = engine_invite_rater(e, app, p, cmd_arg(op->args, "category"), out, c->st);
	if (rc == 0 && str(e->candidate, "email") &&
	    strcasecmp(str(e->candidate, "email"), email) == 0)
		rc = pw_fail(c->st, PW_EINVALID, "a candidate cannot rate themself");
	if (rc == 0 && address_invited(c, app, email))
		rc = pw_fail(c->st, PW_EEXISTS, "%s is already invited to rate application %s",
			     email, str(app, "id"));
	if (rc == 0)
		rc = person_add(c, p);
	if (rc == 0)
		rc = cmd_index_person(c, id, app);
	json_decref(p);
	return rc;
}

int
run_feedback_invite(struct wctx *c, const json_t *args, json_t **data)
{
	struct app_op op = {args, NULL, op_invite};

	return cmd_app_command(c, cmd_arg(args, "app"), &op, data);
}

/* Keep answers apart from the application, under a random id. */
static int
response_store(struct wctx *c, const json_t *app, const char *category, const json_t *ratings,
	       const json_t *comments)
{
	unsigned char raw[16];
	char rid[2 * sizeof raw + 1];
	json_t *rec, *rs = json_object(), *cs = json_object(), *v;
	const char *k;
	int rc;

	json_object_foreach((json_t *)ratings, k, v)
	{
		if (json_is_integer(v))
			json_object_set(rs, k, v);
	}
	json_object_foreach((json_t *)comments, k, v)
	{
		if (json_is_string(v) && json_string_length(v) > 0)
			json_object_set(cs, k, v);
	}
	do {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(rid, sizeof rid, raw, sizeof raw);
	} while (store_rec_exists(c->store, c->txn, DB_FEEDBACK, rid));
	rec = json_pack("{s:i, s:s, s:s, s:o, s:o}", "v", 1, "app", str(app, "id"), "category",
			category, "ratings", rs, "comments", cs);
	rc = store_rec_put(c->store, c->txn, DB_FEEDBACK, rid, rec, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_APP_FEEDBACK, str(app, "id"), rid, NULL,
				     c->st);
	json_decref(rec);
	return rc;
}

static int
op_respond(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	   struct engine_out *out)
{
	const char *rater = cmd_arg(op->args, "rater"), *category = "self";
	const json_t *ratings = json_object_get(op->args, "ratings");
	const json_t *comments = json_object_get(op->args, "comments");
	int rc;

	if (rater == NULL && streq(c->actor_id, str(app, "candidate"))) {
		rc = engine_self_assess(e, app, out, c->st);
	} else {
		if (rater == NULL)
			rater = c->actor_id;
		rc = engine_record_response(e, app, rater, out, c->st);
		category = str(json_object_get(json_object_get(app, "raters"), rater), "category");
		if (category == NULL)
			category = "others";
	}
	if (rc == 0)
		rc = feedback_check(programme_of(c, app), ratings, comments, c->st);
	if (rc == 0)
		rc = response_store(c, app, category, ratings, comments);
	return rc;
}

int
run_feedback_respond(struct wctx *c, const json_t *args, json_t **data)
{
	struct app_op op = {args, NULL, op_respond};
	json_t *full = NULL;
	int rc = cmd_app_command(c, cmd_arg(args, "app"), &op, &full);

	/* A rater sees only that their answers were kept, not the application. */
	if (rc == 0)
		*data = json_pack("{s:s, s:b}", "app", cmd_arg(args, "app"), "recorded", 1);
	json_decref(full);
	return rc;
}

/* The index of p's first stage that takes 360 responses, or -1. */
static int
responses_stage(const struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].kind == REQ_RESPONSES)
				return (int)i;
	return -1;
}

/*
 * May the candidate and the coach have the report yet? Once it is ready
 * ("feedback_ready": the application left its 360 stage, or with report =
 * "deadline" that stage's deadline passed), or the application has moved
 * on from that stage.
 */
static int
report_ready(const json_t *app, const struct programme *p, int r)
{
	int at = str(app, "stage") ? config_stage_index(p, str(app, "stage")) : -1;

	return json_object_get(app, "feedback_ready") != NULL || at > r;
}

struct collect {
	struct wctx *c;
	json_t *out;
	int failed;
};

static int
collect_visit(const char *rid, void *ud)
{
	struct collect *k = ud;
	json_t *r;

	if (store_rec_get(k->c->store, k->c->txn, DB_FEEDBACK, rid, &r) != 0) {
		k->failed = 1;
		return 1;
	}
	json_array_append_new(k->out, r);
	return 0;
}

int
run_feedback_report(struct wctx *c, const json_t *args, json_t **data)
{
	const struct programme *p;
	struct engine_ctx e;
	json_t *app, *cand, *report;
	struct collect k = {c, json_array(), 0};
	int rc = cmd_app_load(c, cmd_arg(args, "app"), &app, &cand, &e), r;

	if (rc == 0)
		rc = engine_may_view(&e, app, c->st);
	if (rc != 0)
		goto done;
	p = programme_of(c, app);
	r = p ? responses_stage(p) : -1;
	if (r < 0) {
		rc = pw_fail(c->st, PW_ETRANSITION, "application %s has no 360", str(app, "id"));
		goto done;
	}
	if (!(engine_roles(c->actor) & READERS)) {
		int own = streq(c->actor_id, str(app, "candidate")) ||
			  streq(c->actor_id, str(app, "coach"));

		if (!own) {
			rc = pw_fail(c->st, PW_EFORBIDDEN,
				     "the 360 report of %s is for its candidate, coach and the LA",
				     str(app, "id"));
			goto done;
		}
		if (!report_ready(app, p, r)) {
			rc = pw_fail(c->st, PW_ETRANSITION,
				     "the 360 report of %s is ready once its stage '%s' is "
				     "complete%s",
				     str(app, "id"), p->stages[r].id,
				     p->feedback.report_at_deadline ? " or its deadline has passed"
								    : "");
			goto done;
		}
	}
	if (store_index_scan(c->store, c->txn, DB_APP_FEEDBACK, str(app, "id"), NULL, NULL, NULL,
			     collect_visit, &k) != 0 ||
	    k.failed) {
		rc = pw_fail(c->st, PW_ESTORE, "store: reading the 360 responses");
		goto done;
	}
	report = feedback_report(p, k.out);
	json_object_set_new(report, "app", json_string(str(app, "id")));
	*data = json_pack("{s:o}", "report", report);
done:
	json_decref(k.out);
	json_decref(app);
	json_decref(cand);
	return rc;
}

int
run_feedback_questionnaire(struct wctx *c, const json_t *args, json_t **data)
{
	const struct programme *p;
	struct engine_ctx e;
	json_t *app, *cand, *qs, *out, *mine, *scale;
	int rc = cmd_app_load(c, cmd_arg(args, "app"), &app, &cand, &e), self, k;

	if (rc == 0)
		rc = engine_may_view(&e, app, c->st);
	if (rc != 0)
		goto done;
	p = programme_of(c, app);
	if (p == NULL) {
		rc = pw_fail(c->st, PW_ETRANSITION,
			     "application %s is in a cohort the configuration no longer has",
			     str(app, "id"));
		goto done;
	}
	mine = json_object_get(json_object_get(app, "raters"), c->actor_id);
	self = streq(c->actor_id, str(app, "candidate"));
	if (mine == NULL && !self && !(engine_roles(c->actor) & READERS)) {
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s is not a rater of application %s",
			     c->actor_id, str(app, "id"));
		goto done;
	}
	qs = json_array();
	for (size_t i = 0; i < p->feedback.nquestions; i++)
		json_array_append_new(qs, json_pack("{s:s, s:s}", "id", p->feedback.questions[i].id,
						    "text", p->feedback.questions[i].text));
	scale = json_pack("{s:i}", "max", p->feedback.scale_max);
	if (p->feedback.labels != NULL) {
		json_t *l = json_array();

		for (size_t i = 0; i < p->feedback.nlabels; i++)
			json_array_append_new(l, json_string(p->feedback.labels[i]));
		json_object_set_new(scale, "labels", l);
	}
	out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:b}", "app", str(app, "id"),
			"candidate_name", str(cand, "name") ? str(cand, "name") : "", "programme",
			p->name, "scale", scale, "questions", qs, "minutes", p->feedback.minutes,
			"self_assessment", self ? p->feedback.self_assessment : 0);
	k = mine ? config_feedback_category(p, str(mine, "category") ? str(mine, "category")
								     : "others")
		 : -1;
	if (k >= 0) {
		const struct feedback_category *cat = &p->feedback.categories[k];

		json_object_set_new(out, "category",
				    json_pack("{s:s, s:s, s:i}", "id", cat->id, "name", cat->name,
					      "threshold", cat->threshold));
		json_object_set_new(out, "responded",
				    json_boolean(json_object_get(mine, "responded") != NULL));
	} else if (self) {
		json_object_set_new(out, "responded",
				    json_boolean(json_object_get(app, "self_assessment") != NULL));
	}
	if (self || (engine_roles(c->actor) & READERS)) { /* whom they may invite, and as what */
		json_t *cats = json_array();

		for (size_t i = 0; i < p->feedback.ncategories; i++) {
			const struct feedback_category *fc = &p->feedback.categories[i];

			json_array_append_new(cats, json_pack("{s:s, s:s}", "id", fc->id, "name",
							      fc->name ? fc->name : fc->id));
		}
		json_object_set_new(out, "categories", cats);
	}
	*data = json_pack("{s:o}", "questionnaire", out);
done:
	json_decref(app);
	json_decref(cand);
	return rc;
}
