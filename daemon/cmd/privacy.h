/*
 * privacy.h: a person's data under UK GDPR: person.export, everything held
 * about them as one document (cmd/privacy_export.c), and person.erase
 * (cmd/privacy.c), both finding what the person has through the indexes
 * (cmd/privacy_find.c).
 */
#ifndef PW_CMD_PRIVACY_H
#define PW_CMD_PRIVACY_H

#include <jansson.h>

#include "wctx.h"

int run_person_export(struct wctx *c, const json_t *args, json_t **data);
int run_person_erase(struct wctx *c, const json_t *args, json_t **data);

/*
 * Erase the personal data on one application (retention.c): the free text
 * on it, the content of its forms, its self-assessment. app is changed in
 * place (the caller stores it); counts gets what was erased.
 */
int privacy_erase_app(struct wctx *c, json_t *app, json_t *counts);

/*
 * person.erase's work: erase person id, emit person.erased; their record
 * as now stored goes to *person when not NULL. counts gets what was erased.
 */
int privacy_erase_person(struct wctx *c, const char *id, json_t *counts, json_t **person);

#endif
