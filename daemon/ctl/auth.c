/*
 * auth.c: how pathwayctl shows the person-token subcommands: login links,
 * sessions, whoami and the rotation of the token secret. Only what is shown
 * and how; the table entries are in cmds.c.
 */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "output.h"
#include "value.h"

void
auth_link_show(const json_t *d)
{
	printf("%s\n", value_str(d, "note"));
}

void
auth_session_show(const json_t *d)
{
	printf("%s\n", value_str(d, "token"));
	output_kv_str(d, "person", NULL);
	output_kv_str(d, "expires", NULL);
}

void
auth_logout_show(const json_t *d)
{
	printf("session of %s ended\n", value_str(d, "person"));
}

void
auth_whoami_show(const json_t *d)
{
	const json_t *roles = json_object_get(d, "roles"), *r,
		     *action = json_object_get(d, "action");
	char buf[256] = "";
	size_t i;

	json_array_foreach(roles, i, r)
	{
		if (i > 0)
			strncat(buf, ", ", sizeof buf - strlen(buf) - 1);
		strncat(buf, json_string_value(r) ? json_string_value(r) : "?",
			sizeof buf - strlen(buf) - 1);
	}
	output_kv_str(d, "person", NULL);
	output_kv_str(d, "name", NULL);
	output_kv("roles", "%s", buf[0] ? buf : "-");
	output_kv_str(d, "purpose", "token");
	output_kv_str(d, "expires", NULL);
	if (action != NULL)
		output_kv("action", "%s on %s", value_str(action, "cmd"), value_str(action, "app"));
	output_kv_str(d, "via", NULL);
}

void
auth_rotate_show(const json_t *d)
{
	output_kv("secret", "%lld", (long long)json_integer_value(json_object_get(d, "secret")));
	if (json_integer_value(json_object_get(d, "previous")) > 0)
		output_kv("previous", "%lld, honoured until %s",
			  (long long)json_integer_value(json_object_get(d, "previous")),
			  value_str(d, "previous_until"));
}
