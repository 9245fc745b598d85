/*
 * opportunity.h: showing the replies about opportunities; the data stays
 * the caller's.
 */
#ifndef PW_CTL_OPPORTUNITY_H
#define PW_CTL_OPPORTUNITY_H

#include <jansson.h>

/* opportunity publish, opportunity get: one opportunity as label-value lines. */
void opportunity_show(const json_t *d);

/* opportunity list: the opportunities as a table. */
void opportunity_list_show(const json_t *d);

#endif
