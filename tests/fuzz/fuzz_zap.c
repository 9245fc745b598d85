/*
 * fuzz_zap: libFuzzer target for the ZAP request parser (access.c). The
 * input is cut into frames at each 0xFF byte: whatever frames arrive, the
 * parser either names a domain and a key or refuses, never crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zmq.h>

#include "access.h"

#define MAX_FRAMES 12

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	zmq_msg_t f[MAX_FRAMES];
	char domain[64], pub[PW_KEY_Z85];
	size_t start = 0;
	int n = 0;

	for (size_t i = 0; i <= size && n < MAX_FRAMES; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		zmq_msg_init_size(&f[n], i - start);
		if (i > start)
			memcpy(zmq_msg_data(&f[n]), data + start, i - start);
		n++;
		start = i + 1;
	}
	if (access_zap_parse(f, n, domain, pub) == 0 && strlen(pub) != PW_KEY_Z85 - 1)
		__builtin_trap();
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return 0;
}
