/*
 * privacy.h: a person's data under UK GDPR (cmd/privacy.c): person.export,
 * everything held about them as one document, and person.erase.
 */
#ifndef PW_CMD_PRIVACY_H
#define PW_CMD_PRIVACY_H

#include <jansson.h>

#include "wctx.h"

int run_person_export(struct wctx *c, const json_t *args, json_t **data);
int run_person_erase(struct wctx *c, const json_t *args, json_t **data);

#endif
