/*
 * pathwayctl.c: the command-line client of pathwayd: main. It takes the
 * global options out of argv (they may come anywhere), finds the
 * subcommand in the table (cmds.c), parses its words (args.c), resolves the
 * settings and connects (conn.c), and runs it: one request shown by the
 * default runner, or the entry's own runner.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "args.h"
#include "cmds.h"
#include "conn.h"
#include "ctl.h"
#include "proto.h"
#include "help.h"
#include "util.h"
#include "value.h"

/* Take the global options out of argv (they may come anywhere); 0 or the usage status. */
static int
ctl_globals(struct ctl *c, int argc, char **argv, int *nrest, char **rest, int *help)
{
	static const struct {
		const char *s, *l;
		int off;
	} opts[] = {
	    {"-e", "--endpoint", offsetof(struct ctl, api_flag)},
	    {"-a", "--actor", offsetof(struct ctl, actor_flag)},
	    {"-c", "--config", offsetof(struct ctl, conf_flag)},
	    {NULL, "--events", offsetof(struct ctl, events_flag)},
	    {NULL, "--token", offsetof(struct ctl, token_flag)},
	    {NULL, "--rehearse", offsetof(struct ctl, rehearse_flag)},
	    {"-t", "--timeout", -1},
	};
	int n = 0, positional = 0;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *val = NULL;
		size_t k, nopts = sizeof opts / sizeof opts[0];

		if (positional) {
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(w, "--") == 0) {
			positional = 1;
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(w, "--json") == 0) {
			c->json = 1;
			continue;
		}
		if (strcmp(w, "--version") == 0 || strcmp(w, "-V") == 0) {
			printf("pathwayctl %s (protocol %d)\n", PW_VERSION, PW_PROTOCOL_VERSION);
			exit(0);
		}
		if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
			*help = 1;
			continue;
		}
		for (k = 0; k < nopts; k++) {
			size_t ll = strlen(opts[k].l);

			if ((opts[k].s && strcmp(w, opts[k].s) == 0) || strcmp(w, opts[k].l) == 0) {
				if (i + 1 >= argc)
					return help_usage(NULL, "%s needs a value", w);
				val = argv[++i];
				break;
			}
			if (strncmp(w, opts[k].l, ll) == 0 && w[ll] == '=') {
				val = w + ll + 1;
				break;
			}
		}
		if (k == nopts) {
			rest[n++] = argv[i];
			continue;
		}
		if (opts[k].off >= 0) {
			*(const char **)((char *)c + opts[k].off) = val;
		} else {
			json_int_t ms;

			if (value_count(val, &ms) != 0 || ms < 1 || ms > INT_MAX)
				return help_usage(NULL, "--timeout: '%s' is not a number of ms",
						  val);
			c->timeout_flag = (long)ms;
		}
	}
	*nrest = n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl c = {.timeout_flag = -1};
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	const struct ctl_cmd *e = NULL;
	int nrest = 0, help = 0, skip = 1, rc;
	json_t *args = NULL;
	struct timespec ts;

	rc = ctl_globals(&c, argc, argv, &nrest, rest, &help);
	if (rc != 0)
		goto done;
	if (nrest > 0 && strcmp(rest[0], "help") == 0) {
		rc = help_run(nrest - 1, rest + 1);
		goto done;
	}
	if (nrest == 0) {
		if (help) {
			help_all(stdout);
			rc = 0;
		} else {
			rc = help_usage(NULL, "no subcommand");
		}
		goto done;
	}
	if (nrest >= 2) {
		char *two = xasprintf("%s %s", rest[0], rest[1]);

		e = cmds_find(two);
		free(two);
		skip = 2;
	}
	if (e == NULL) {
		e = cmds_find(rest[0]);
		skip = 1;
	}
	if (e == NULL) {
		int family = 0;

		for (size_t i = 0; i < cmds_count; i++)
			if (strncmp(cmds_table[i].name, rest[0], strlen(rest[0])) == 0 &&
			    cmds_table[i].name[strlen(rest[0])] == ' ')
				family = 1;
		rc = family
			 ? help_usage(NULL, "%s: which one? (pathwayctl help %s)", rest[0], rest[0])
			 : help_usage(NULL, "unknown subcommand '%s'", rest[0]);
		goto done;
	}
	if (help) {
		help_one(e);
		rc = 0;
		goto done;
	}
	rc = args_parse(e, nrest - skip, rest + skip, &args);
	if (rc != 0)
		goto done;
	rc = conn_settings(&c);
	if (rc != 0) {
		json_decref(args);
		goto done;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c.tag = (long long)getpid() * 1000000000LL + (long long)(ts.tv_sec % 1000000) * 1000 +
		ts.tv_nsec / 1000000;
	rc = conn_open(&c);
	if (rc != 0) {
		json_decref(args);
		goto done;
	}
	rc = e->run != NULL ? e->run(&c, e, args) : conn_run(&c, e, args);
done:
	conn_close(&c);
	free(c.api);
	free(c.conf);
	free(c.events);
	free(c.actor);
	free(c.token);
	free(c.key_file);
	free(c.server_key_file);
	free(rest);
	return rc;
}
