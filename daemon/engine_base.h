/*
 * engine_base.h: inside the engine (engine.c, engine_offers.c,
 * engine_forms.c): the helpers every command's rules share (engine_base.c)
 * and moving an application on (engine.c).
 */
#ifndef PW_ENGINE_BASE_H
#define PW_ENGINE_BASE_H

#include <jansson.h>

#include "engine.h"

/* The object obj[key], created empty when absent (borrowed). */
json_t *engine_sub(json_t *obj, const char *key);
/* {"at": now, "by": the actor} (new reference). */
json_t *engine_stamp(const struct engine_ctx *ctx);
/* obj[key] = now, as UTC text. */
void engine_set_time(const struct engine_ctx *ctx, json_t *obj, const char *key);
/*
 * Whether the actor, holding one of the roles in allowed, stands in that
 * role's relation to the application (-1: any role, viewers too). An LA
 * adviser always does.
 */
int engine_related(const struct engine_ctx *ctx, const json_t *app, int allowed);
/* PW_EFORBIDDEN: the actor may not 'what' the application. */
int engine_forbid(const struct engine_ctx *ctx, const json_t *app, const char *what,
		  struct pw_status *st);
/* PW_EFORBIDDEN when the actor is the application's candidate (nobody judges their own). */
int engine_not_own(const struct engine_ctx *ctx, const json_t *app, const char *what,
		   struct pw_status *st);
/* PW_ETRANSITION unless the application is active (or waitlisted, when allowed). */
int engine_require_status(const json_t *app, int waitlisted_too, struct pw_status *st);
/* Append an event of type about app (data may be NULL) to out. */
void engine_emit(struct engine_out *out, const json_t *app, const char *type, json_t *data);
/* Move the application on through every stage whose requirements are met (engine.c). */
void engine_advance(const struct engine_ctx *ctx, json_t *app, struct engine_out *out);

#endif
