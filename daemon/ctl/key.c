/*
 * key.c: the key registry from pathwayctl. `key add` makes a CURVE key pair
 * here, writes it to a key file of its own (0600, never replaced) and
 * registers only the public half with the daemon: the secret never crosses
 * the wire. `key list` and `key revoke` are one request each.
 */
#include "key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "conn.h"
#include "keys.h"
#include "output.h"
#include "util.h"
#include "value.h"

/* Member key of o when it is a string, else NULL. */
static const char *
opt(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
key_add_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	const char *person = opt(args, "person"), *service = opt(args, "service");
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85], *comment, *out;
	struct pw_status st = {0, ""};
	json_t *data = NULL;
	int rc;

	if ((person == NULL) == (service == NULL)) {
		fprintf(stderr, "pathwayctl: key add: give --person ID or --service NAME\n");
		json_decref(args);
		return CTL_EXIT_USAGE;
	}
	out = xstrdup(opt(args, "out") ? opt(args, "out") : (person ? person : service));
	if (opt(args, "out") == NULL) {
		char *named = xasprintf("%s.key", out);

		free(out);
		out = named;
	}
	json_object_del(args, "out");
	if (zmq_curve_keypair(pub, sec) != 0) {
		fprintf(stderr, "pathwayctl: this libzmq has no CURVE support\n");
		json_decref(args);
		free(out);
		return CTL_EXIT_REFUSED;
	}
	/* The file first: a key registered without its secret saved would be useless. */
	comment = xasprintf("pathway key for %s %s: keep it secret", person ? "person" : "service",
			    person ? person : service);
	rc = pw_keyfile_write(out, comment, pub, sec, &st);
	free(comment);
	if (rc != 0) {
		fprintf(stderr, "pathwayctl: %s\n", st.msg);
		json_decref(args);
		free(out);
		return CTL_EXIT_REFUSED;
	}
	json_object_set_new(args, "public", json_string(pub));
	rc = conn_call(c, e->cmd, args, &data);
	if (rc != 0) {
		unlink(out);
		free(out);
		return rc;
	}
	json_object_set_new(json_object_get(data, "key"), "file", json_string(out));
	output_reply(c, e, data);
	json_decref(data);
	free(out);
	return CTL_EXIT_OK;
}

static const char *
principal_of(const json_t *k)
{
	return opt(k, "person") ? opt(k, "person") : opt(k, "service");
}

void
key_show(const json_t *d)
{
	const json_t *k = json_object_get(d, "key");

	output_kv_str(k, "id", "key");
	output_kv("for", "%s %s", opt(k, "person") ? "person" : "service", principal_of(k));
	output_kv_str(k, "created", NULL);
	output_kv_str(k, "revoked", NULL);
	output_kv_str(k, "note", NULL);
	output_kv_str(k, "file", NULL);
}

void
key_list_show(const json_t *d)
{
	static const char *const head[] = {"KEY", "FOR", "WHO", "CREATED", "REVOKED", "NOTE"};
	struct output_table t;
	const json_t *k;
	size_t i;

	output_table_init(&t, 6, head);
	json_array_foreach(json_object_get(d, "keys"), i, k)
	{
		const char *revoked = opt(k, "revoked"), *note = opt(k, "note");
		char *row[] = {xstrdup(opt(k, "id")),
			       xstrdup(opt(k, "person") ? "person" : "service"),
			       xstrdup(principal_of(k)),
			       xstrdup(opt(k, "created")),
			       xstrdup(revoked ? revoked : "-"),
			       xstrdup(note ? note : "")};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}
