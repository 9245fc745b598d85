/*
 * internship.h: internship brokering's commands: preferences
 * (cmd/internship.c) and the match (cmd/matching.c).
 */
#ifndef PW_CMD_INTERNSHIP_H
#define PW_CMD_INTERNSHIP_H

#include <jansson.h>

#include "wctx.h"

int run_app_rank_hosts(struct wctx *c, const json_t *args, json_t **data);
int run_cohort_set_host(struct wctx *c, const json_t *args, json_t **data);
int run_cohort_hosts(struct wctx *c, const json_t *args, json_t **data);
int run_cohort_match_internships(struct wctx *c, const json_t *args, json_t **data);

#endif
