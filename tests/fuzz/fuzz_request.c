/*
 * fuzz_request: libFuzzer target for the request decoder and argument
 * checker: any bytes must give either a request or an error, never a crash
 * or a leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

static const struct proto_field fields[] = {
    {"app", PT_ID, 1, NULL},
    {"doc", PT_STRING, 0, NULL},
    {"days", PT_INT, 0, NULL},
    {"ok", PT_BOOL, 0, NULL},
    {"start", PT_DATE, 0, NULL},
    {"ids", PT_IDS, 0, NULL},
    {"roles", PT_ROLES, 0, NULL},
    {"facts", PT_FACTS, 0, NULL},
    {"outcome", PT_ENUM, 0, "accept|waitlist|reject"},
    {NULL, 0, 0, NULL},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_status st;
	struct pw_request req;

	if (proto_request_decode(data, size, 65536, &req, &st) == 0)
		proto_args_check(req.args, fields, &st);
	proto_request_clear(&req);
	return 0;
}
