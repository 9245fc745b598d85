/*
 * template.h: notification templates. A template is text with {{variable}}
 * placeholders (names of [a-z0-9_]). The daemon checks at load time that a
 * template uses only variables its rule provides; the mailer renders it.
 */
#ifndef PW_TEMPLATE_H
#define PW_TEMPLATE_H

#include <jansson.h>

/*
 * Call fn for each placeholder in text (name copied into a NUL-terminated
 * buffer). Returns 0, the first non-zero fn result, or -1 if a "{{" is not
 * closed by "}}" or holds an invalid name (*bad gets its offset).
 */
typedef int (*tmpl_var_fn)(const char *name, void *ud);
int tmpl_vars(const char *text, tmpl_var_fn fn, void *ud, size_t *bad);

/*
 * Render text with the string values of vars (numbers are printed, other
 * types and missing names render empty). With html set, values are escaped
 * for HTML. Returns a new string the caller frees.
 */
char *tmpl_render(const char *text, const json_t *vars, int html);

/*
 * Plain text re-wrapped after substitution, as a new string the caller
 * frees. Lines that start at the margin make paragraphs: the lines of one
 * (up to a blank line, an indented line or a list line) are joined and
 * filled to at most width columns (characters, not bytes). An indented line
 * or a list line ("- ", "* ", "1. ") stands alone and is folded, when too
 * long, under its own indentation. Words are never broken: one longer than
 * a line (a URL) has a line of its own. Blank lines stay; trailing blanks
 * and CRs go; every line ends with a newline.
 */
char *tmpl_wrap(const char *text, size_t width);

#endif
