/*
 * person.h: the commands on people and schools (cmd/person.c).
 */
#ifndef PW_CMD_PERSON_H
#define PW_CMD_PERSON_H

#include <jansson.h>

#include "wctx.h"

/*
 * Store a new person record p (its id not in use) with its role index and
 * append person.created. 0 or PW_ESTORE.
 */
int person_add(struct wctx *c, json_t *p);
int run_person_create(struct wctx *c, const json_t *args, json_t **data);
int run_person_update(struct wctx *c, const json_t *args, json_t **data);
int run_person_digest(struct wctx *c, const json_t *args, json_t **data);
int run_person_get(struct wctx *c, const json_t *args, json_t **data);
int run_person_list(struct wctx *c, const json_t *args, json_t **data);
int run_school_create(struct wctx *c, const json_t *args, json_t **data);
int run_school_update(struct wctx *c, const json_t *args, json_t **data);
int run_school_get(struct wctx *c, const json_t *args, json_t **data);
int run_school_list(struct wctx *c, const json_t *args, json_t **data);

#endif
