/*
 * fuzz_token: libFuzzer target for the person-token decoder (token.c): any
 * text must decode to claims or be refused, never crash or read past its
 * end; what decodes must name a valid person (and application).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char raw[TOKEN_MAX];
	struct token_claims t;
	char *text = malloc(size + 1);
	size_t len;

	memcpy(text, data, size);
	text[size] = '\0';
	if (token_decode(text, &t, raw, &len) == 0) {
		if (!pw_id_valid(t.person) || len >= TOKEN_MAX ||
		    (t.purpose == TOKEN_ACTION && (t.cmd == NULL || !pw_id_valid(t.app))))
			abort();
	}
	free(text);
	return 0;
}
