/*
 * json_enc.h: jansson's json_dumps, byte for byte, for the compact forms the
 * daemon writes on every request: JSON_COMPACT, with or without
 * JSON_SORT_KEYS (the canonical form events are hashed in), and
 * JSON_ENCODE_ANY. Other flags are passed to json_dumps itself.
 */
#ifndef PW_JSON_ENC_H
#define PW_JSON_ENC_H

#include <jansson.h>

/*
 * What json_dumps(v, flags) returns: a NUL-terminated string the caller
 * frees, or NULL where json_dumps gives NULL (no value; a string that is not
 * UTF-8; a scalar without JSON_ENCODE_ANY; no memory). Two values json_dumps
 * writes get NULL here: one with a key that is not UTF-8 (only the _nocheck
 * calls make one; jansson writes it broken) and one nested more than 4,096
 * levels deep.
 */
char *pw_json_dumps(const json_t *v, size_t flags);

#endif
