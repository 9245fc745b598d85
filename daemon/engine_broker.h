/*
 * engine_broker.h: the engine's rules for internship brokering
 * (engine_broker.c): which internship an application is heading for, a
 * candidate's ranking of host schools, whether a host may take a
 * candidate, and a placement made by the match. Pure, like engine.h: no
 * I/O, no clock; the caller loads the records and stores the result.
 */
#ifndef PW_ENGINE_BROKER_H
#define PW_ENGINE_BROKER_H

#include <jansson.h>

#include "engine.h"

/* At most this many host schools in a candidate's ranking. */
#define BROKER_RANK_MAX 10

/*
 * The internship requirement app is heading for: the first requirement of
 * kind internship that applies to its track, at its current stage or a
 * later one; NULL when there is none (or its stage is no longer
 * configured).
 */
const struct requirement *engine_internship_req(const struct engine_ctx *ctx, const json_t *app);

/*
 * Whether app is in an internship match's round: active, holding a place
 * when its programme has a capacity decision, heading for an internship
 * (engine_internship_req) and with none placed yet.
 */
int engine_match_due(const struct engine_ctx *ctx, const json_t *app);

/*
 * The candidate's ranking of host schools (hosts: school records, most
 * preferred first): the candidate themself or an LA adviser (PW_EFORBIDDEN),
 * on an active application heading for an internship with none placed yet
 * (PW_ETRANSITION); 1 to BROKER_RANK_MAX distinct schools, none the
 * candidate's own school (own, its record), each a Lead Succession School
 * when the requirement says host_lss and of the phase of the candidate's
 * school when it says host_same_phase (PW_EINVALID). Sets "host_ranking":
 * {"hosts": [ids], "at", "by"} and appends application.hosts_ranked.
 */
int engine_rank_hosts(const struct engine_ctx *ctx, json_t *app, const json_t *hosts,
		      const json_t *own, struct engine_out *out, struct pw_status *st);

/*
 * Why requirement q (an internship's) does not let a candidate whose school
 * is own (its record) rank host (a school record): "not_lss" (host_lss and
 * not a Lead Succession School), "phase" (host_same_phase and not of own's
 * phase, nor all-through), as cohort.match_internships words it; NULL when
 * it does.
 */
const char *engine_host_unfit(const struct requirement *q, const json_t *host, const json_t *own);

/*
 * Place app's internship at host from start to end (dates), as the match
 * decided: like application.place_internship but at any stage up to the
 * internship's, marked "matched": time. The caller has checked the actor
 * (an LA adviser) and that no internship is placed. Appends
 * application.internship_placed.
 */
void engine_match_place(const struct engine_ctx *ctx, json_t *app, const char *host,
			const char *start, const char *end, struct engine_out *out);

/*
 * The match left app unplaced for reason (a match_reason_name): appends
 * application.internship_unplaced {"reason"}.
 */
void engine_match_unplaced(json_t *app, const char *reason, struct engine_out *out);

#endif
