/*
 * engine_base.c: what every part of the engine shares: the record's small
 * pieces (a sub-object, a stamp of when and by whom, a time), the actor's
 * roles and relation to an application, the refusals every command gives
 * (not related, their own application, the wrong status), and appending an
 * event to the command's output.
 */
#include "engine_base.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
engine_out_init(struct engine_out *out)
{
	out->events = json_array();
	out->offers = json_array();
}

void
engine_out_clear(struct engine_out *out)
{
	json_decref(out->events);
	json_decref(out->offers);
	out->events = out->offers = NULL;
}

/* The object obj[key], created empty when absent. */
json_t *
engine_sub(json_t *obj, const char *key)
{
	json_t *o = json_object_get(obj, key);

	if (o == NULL) {
		o = json_object();
		json_object_set_new(obj, key, o);
	}
	return o;
}

json_t *
engine_stamp(const struct engine_ctx *ctx)
{
	char t[PW_TIME_LEN];

	return json_pack("{s:s, s:s}", "at", pw_time_format(ctx->now, t), "by", ctx->actor_id);
}

void
engine_set_time(const struct engine_ctx *ctx, json_t *obj, const char *key)
{
	char t[PW_TIME_LEN];

	json_object_set_new(obj, key, json_string(pw_time_format(ctx->now, t)));
}

int
engine_roles(const json_t *person)
{
	size_t i;
	json_t *r;
	int mask = 0;

	json_array_foreach(json_object_get(person, "roles"), i, r)
	{
		int bit = proto_role_bit(json_string_value(r) ? json_string_value(r) : "");

		if (bit >= 0)
			mask |= 1 << bit;
	}
	return mask;
}

const char *
engine_position(const json_t *app)
{
	const char *status = str(app, "status");

	return streq(status, "active") ? str(app, "stage") : status;
}

/*
 * Whether the actor, holding one of the roles in allowed, stands in that
 * role's relation to the application. An LA adviser always may.
 */
int
engine_related(const struct engine_ctx *ctx, const json_t *app, int allowed)
{
	int roles = engine_roles(ctx->actor) & allowed;
	const char *school = str(ctx->actor, "school");
	const json_t *intern = json_object_get(app, "internship");

	if (engine_roles(ctx->actor) & ROLE_LA_ADVISER)
		return 1;
	if ((roles & ROLE_CANDIDATE) && streq(str(app, "candidate"), ctx->actor_id))
		return 1;
	if ((roles & ROLE_HEADTEACHER) && streq(str(app, "school"), school))
		return 1;
	if ((roles & ROLE_COACH) && streq(str(app, "coach"), ctx->actor_id))
		return 1;
	if ((roles & ROLE_RATER) &&
	    json_object_get(json_object_get(app, "raters"), ctx->actor_id) != NULL)
		return 1;
	if ((roles & ROLE_HOST) && streq(str(intern, "host_school"), school))
		return 1;
	if ((roles & ROLE_VIEWER) && allowed == -1)
		return 1;
	return 0;
}

int
engine_forbid(const struct engine_ctx *ctx, const json_t *app, const char *what,
	      struct pw_status *st)
{
	return pw_fail(st, PW_EFORBIDDEN, "%s may not %s application %s", ctx->actor_id, what,
		       str(app, "id"));
}

/*
 * Nobody acts on their own application as its judge: a sign-off, a
 * decision, another role's document, a 360 response or an internship's
 * confirmation by its candidate is refused, whatever other roles they hold.
 */
int
engine_not_own(const struct engine_ctx *ctx, const json_t *app, const char *what,
	       struct pw_status *st)
{
	if (!streq(ctx->actor_id, str(app, "candidate")))
		return 0;
	return pw_fail(st, PW_EFORBIDDEN, "%s may not %s their own application %s", ctx->actor_id,
		       what, str(app, "id"));
}

int
engine_require_status(const json_t *app, int waitlisted_too, struct pw_status *st)
{
	const char *status = str(app, "status");

	if (streq(status, "active") || (waitlisted_too && streq(status, "waitlisted")))
		return 0;
	return pw_fail(st, PW_ETRANSITION, "application %s is %s", str(app, "id"), status);
}

void
engine_emit(struct engine_out *out, const json_t *app, const char *type, json_t *data)
{
	json_t *ev =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "type", type, "app", str(app, "id"),
		      "cohort", str(app, "cohort"), "school", str(app, "school"), "stage",
		      str(app, "stage"), "data", data ? data : json_object());

	json_array_append_new(out->events, ev);
}
