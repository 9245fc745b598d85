/*
 * outcomes.h: pathwayctl's internship brokering and outcome figures
 * (ctl/outcomes.c); the data stays the caller's.
 */
#ifndef PW_CTL_OUTCOMES_H
#define PW_CTL_OUTCOMES_H

#include <jansson.h>

#include "ctl.h"

/* hosts: a cohort's host schools and their places; to a host, who ranked them. */
void outcomes_hosts_show(const json_t *d);

/* match: the placements, the unplaced with why, each host's places. */
void outcomes_match_show(const json_t *d);

/* outcomes: every figure as a "section item  count" line. */
void outcomes_show(const json_t *d);

/* outcomes [--csv]: the figures shown, or as CSV rows section,item,count. */
int outcomes_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

#endif
