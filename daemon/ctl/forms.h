/*
 * forms.h: a programme's forms from pathwayctl: answers read from a JSON
 * file into a request, and a form shown with its definition and answers.
 */
#ifndef PW_CTL_FORMS_H
#define PW_CTL_FORMS_H

#include <jansson.h>

#include "ctl.h"

/*
 * Read the JSON object in the file path ("-": standard input) into *out (a
 * new reference). Returns 0, or CTL_EXIT_REFUSED with the reason (file,
 * line and column for bad JSON) printed.
 */
int forms_json_load(const char *path, json_t **out);

/*
 * submit, draft: the object in args' "file" (when given) becomes its
 * "fields"; then one request, shown by e's show function.
 */
int forms_fields_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

/*
 * Print text wrapped at 78 columns, its first line starting with first and
 * every other with rest; a line break in text starts a new line, a word
 * longer than a line has one of its own.
 */
void forms_wrap(const char *first, const char *rest, const char *text);

/*
 * form show, draft: the form's title, state and returns, then each field:
 * its label, id, type with its options or limits, help, and the answer the
 * caller may see.
 */
void forms_form_show(const json_t *d);

#endif
