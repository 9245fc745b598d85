/*
 * form.h: what a browser sends as fields, decoded: a query string or an
 * application/x-www-form-urlencoded body into an object of name -> [values].
 */
#ifndef PW_WEB_FORM_H
#define PW_WEB_FORM_H

#include <jansson.h>
#include <stddef.h>

/*
 * Append one field (name of nlen bytes, value of vlen bytes, both decoded)
 * to into[name]. Returns 0, or -1 when either is not UTF-8 or holds a NUL.
 */
int form_add(json_t *into, const char *name, size_t nlen, const char *value, size_t vlen);

/*
 * Decode the urlencoded text s (n bytes: "a=1&b=x+y%21") into into.
 * Returns 0, or -1 for a bad %-escape, a NUL, or text that is not UTF-8.
 */
int form_parse(json_t *into, const char *s, size_t n);

#endif
