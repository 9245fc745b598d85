/*
 * cohort.h: showing the replies about cohorts; the data stays the caller's.
 */
#ifndef PW_CTL_COHORT_H
#define PW_CTL_COHORT_H

#include <jansson.h>

/* cohorts: the cohorts as a table. */
void cohort_list_show(const json_t *d);

/* cohort: one cohort as label-value lines, then its sessions as a table. */
void cohort_show(const json_t *d);

/* report: places and the waiting list, then counts per stage and per status. */
void cohort_report_show(const json_t *d);

#endif
