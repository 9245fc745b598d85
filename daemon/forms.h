/*
 * forms.h: a form's content checked against its definition (forms.c).
 * Pure: no store, no clock.
 */
#ifndef PW_FORMS_H
#define PW_FORMS_H

#include <jansson.h>

#include "config.h"
#include "proto.h"

/*
 * Check fields (an object: field id -> value) against form fm. Every key
 * must be a field of fm and every value of its field's type and within its
 * max; with complete, every required field must be there and not empty.
 * An empty value (null, "", []) is allowed for a field that need not be
 * there. 0, or PW_EINVALID with st naming the field and what is wrong.
 */
int form_validate(const struct form *fm, const json_t *fields, int complete, struct pw_status *st);

/* Check one value v of field f of form (named in the message). 0 or PW_EINVALID. */
int form_field_check(const char *form, const struct form_field *f, const json_t *v,
		     struct pw_status *st);

/* A copy of fields without its empty values (new reference). */
json_t *form_clean(const json_t *fields);

/* The definition of fm as the wire shows it (new reference). */
json_t *form_json(const struct form *fm);

#endif
