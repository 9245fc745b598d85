/*
 * fuzz_json_enc: libFuzzer target holding pw_json_dumps (proto/json_enc.c)
 * to jansson's json_dumps: any bytes that parse as JSON are encoded by both,
 * with every flag set the daemon uses, and must give the same bytes (or both
 * NULL). A difference aborts, so the fuzzer reports the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_enc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t flags[] = {JSON_COMPACT, JSON_COMPACT | JSON_SORT_KEYS,
				       JSON_COMPACT | JSON_ENCODE_ANY,
				       JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY};
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char *a = json_dumps(v, flags[i]), *b = pw_json_dumps(v, flags[i]);

		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0)) {
			fprintf(stderr, "flags %#zx: jansson %s, pw_json_dumps %s\n", flags[i],
				a ? a : "(NULL)", b ? b : "(NULL)");
			abort();
		}
		free(a);
		free(b);
	}
	json_decref(v);
	return 0;
}
