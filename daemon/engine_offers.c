/*
 * engine_offers.c: offering a freed place to the first application on a
 * cohort's waiting list whose group (its track's, when the cohort has
 * groups with a max) has room, counting the places already offered to the
 * group; the runner (offers.c) passes over those whose group is full, which
 * keep their turn. The stage's decision or panel takes the place. The
 * application stays waitlisted and gets
 * "offer": {"made", "expires"}; the cohort state lists it under "offered"
 * and the place is held for it. Its candidate (through the link in the
 * email) or an LA adviser accepts it (the place is taken, a decision is
 * recorded and the application advances, as an accept decision would) or
 * declines it (the application is withdrawn); unanswered, it expires
 * (the offer-expiry timer, offers.c) and the application stays waitlisted,
 * off the list, for the LA. A declined or expired offer passes the place
 * on (engine_place_pass). The offer keeps its "result" and "at" once closed.
 */
#include "engine.h"

#include "engine_base.h"
#include "engine_calendar.h"
#include "engine_places.h"
#include "engine_reqs.h"
#include "schedule.h"
#include "util.h"

/* The application's open offer, or PW_ETRANSITION. */
static int
offer_open(const json_t *app, struct pw_status *st)
{
	if (streq(str(app, "status"), "waitlisted") && engine_offer_is_open(app))
		return 0;
	return pw_fail(st, PW_ETRANSITION, "application %s has no open offer of a place",
		       str(app, "id"));
}

/* Only its candidate or an LA adviser answers an offer. */
static int
offer_answerer(const struct engine_ctx *ctx, const json_t *app, const char *what,
	       struct pw_status *st)
{
	if (engine_related(ctx, app, ROLE_CANDIDATE))
		return 0;
	return pw_fail(st, PW_EFORBIDDEN, "%s may not %s the place offered to application %s",
		       ctx->actor_id, what, str(app, "id"));
}

/* An offer past its expiry waits for its timer: it can no longer be answered. */
static int
offer_current(const struct engine_ctx *ctx, const json_t *app, struct pw_status *st)
{
	int64_t expires;

	if (pw_time_parse(str(json_object_get(app, "offer"), "expires"), &expires) == 0 &&
	    ctx->now >= expires)
		return pw_fail(st, PW_ETRANSITION,
			       "the place offered to application %s expired at %s", str(app, "id"),
			       str(json_object_get(app, "offer"), "expires"));
	return 0;
}

/* The requirement of app's stage whose decision takes a place: a decision or a panel. */
static const struct requirement *
place_req(const struct engine_ctx *ctx, const json_t *app)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_DECISION, NULL);

	return q != NULL ? q : engine_stage_req(ctx, app, REQ_PANEL, NULL);
}

/* A group at its max (its members, and with_offers the places offered to it) takes no one. */
static int
group_room(const struct cohort *co, const json_t *cstate, const json_t *app, int with_offers,
	   struct pw_status *st)
{
	if (engine_group_room(co, cstate, app, with_offers))
		return 0;
	return pw_fail(st, PW_EFULL, "the %s group of %s is full", str(app, "track"), co->id);
}

int
engine_offer_place(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		   struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q = place_req(ctx, app);
	const struct cohort *co = engine_app_cohort(ctx, app);
	char made[PW_TIME_LEN], until[PW_TIME_LEN], local[64];
	int64_t expires;

	if (!streq(str(app, "status"), "waitlisted") || q == NULL || !q->capacity ||
	    engine_offer_is_open(app))
		return pw_fail(st, PW_ETRANSITION, "application %s is not waiting for a place",
			       str(app, "id"));
	if (!engine_offers_open(ctx, co))
		return pw_fail(st, PW_ETRANSITION,
			       "cohort %s offers no places after %s: the LA decides", co->id,
			       co->offers_until);
	if (engine_places_held(cstate) >= co->places)
		return pw_fail(st, PW_EFULL, "cohort %s has no place left (%d places)", co->id,
			       co->places);
	if (group_room(co, cstate, app, 1, st) != 0)
		return PW_EFULL;
	expires = engine_offer_expiry(ctx, co);
	engine_offer_track(cstate, app);
	engine_waiting_remove(cstate, str(app, "id"));
	json_array_append_new(engine_offered(cstate), json_string(str(app, "id")));
	json_object_set_new(app, "offer",
			    json_pack("{s:s, s:s}", "made", pw_time_format(ctx->now, made),
				      "expires", pw_time_format(expires, until)));
	engine_emit(out, app, "application.place_offered",
		    json_pack("{s:s, s:s}", "expires", until, "expires_local",
			      schedule_format(co->timezone, expires, local)));
	return 0;
}

int
engine_offer_accept(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		    struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q = place_req(ctx, app);
	json_t *d;
	int rc = offer_answerer(ctx, app, "accept", st);

	if (rc == 0)
		rc = offer_open(app, st);
	if (rc == 0)
		rc = offer_current(ctx, app, st);
	if (rc == 0 && (q == NULL || !q->capacity))
		rc = pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no place",
			     str(app, "stage"), str(app, "id"));
	/* Its group may have filled since (a lower max on reload): cohort_full, still open. */
	if (rc == 0)
		rc = group_room(engine_app_cohort(ctx, app), cstate, app, 0, st);
	if (rc == 0)
		rc = engine_place_take(ctx, app, cstate, q, st); /* the place held for it */
	if (rc != 0)
		return rc;
	json_object_set_new(app, "status", json_string("active"));
	d = engine_stamp(ctx);
	json_object_set_new(d, "outcome", json_string("accept"));
	json_object_set_new(d, "note",
			    json_string("accepted the place offered from the waiting list"));
	if (json_object_get(app, "decisions") == NULL)
		json_object_set_new(app, "decisions", json_object());
	json_object_set_new(json_object_get(app, "decisions"), str(app, "stage"), d);
	engine_emit(out, app, "application.offer_accepted", NULL);
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_offer_decline(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		     struct engine_out *out, struct pw_status *st)
{
	json_t *w;
	int rc = offer_answerer(ctx, app, "decline", st);

	if (rc == 0)
		rc = offer_open(app, st);
	if (rc == 0)
		rc = offer_current(ctx, app, st);
	if (rc != 0)
		return rc;
	engine_offer_close(ctx, app, cstate, "declined");
	json_object_set_new(app, "status", json_string("withdrawn"));
	w = engine_stamp(ctx);
	json_object_set_new(w, "reason", json_string("declined the place offered"));
	json_object_set_new(app, "withdrawal", w);
	engine_emit(out, app, "application.offer_declined", NULL);
	engine_place_pass(ctx, engine_app_cohort(ctx, app), cstate, out);
	return 0;
}

int
engine_offer_expire(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		    struct engine_out *out, struct pw_status *st)
{
	int64_t expires;
	int rc = offer_open(app, st);

	if (rc != 0)
		return rc;
	if (pw_time_parse(str(json_object_get(app, "offer"), "expires"), &expires) != 0 ||
	    ctx->now < expires)
		return pw_fail(st, PW_ETRANSITION, "the offer to application %s is still open",
			       str(app, "id"));
	engine_offer_close(ctx, app, cstate, "expired");
	engine_emit(out, app, "application.offer_expired", NULL);
	engine_place_pass(ctx, engine_app_cohort(ctx, app), cstate, out);
	return 0;
}
