/*
 * help.c: usage and help, made from the table of subcommands: one
 * subcommand's usage line and help, the general help, help for a family of
 * subcommands ("clock"), and usage errors on stderr.
 */
#include "help.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "confpath.h"
#include "util.h"

static const char *const help_roles_note =
    "la_adviser may always; the configured operator is an la_adviser";

static char *
help_usage_line(const struct ctl_cmd *e)
{
	char *u = xasprintf("pathwayctl [options] %s", e->name), *next;

	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		if (a->flag == NULL)
			next = xasprintf("%s %s", u, a->meta);
		else if (a->type == A_FLAG || a->type == A_NOFLAG)
			next = xasprintf("%s [--%s]", u, a->flag);
		else
			next =
			    xasprintf("%s %s--%s %s%s%s", u, a->required ? "" : "[", a->flag,
				      a->meta, a->type == A_LIST || a->type == A_FACT ? "..." : "",
				      a->required ? "" : "]");
		free(u);
		u = next;
	}
	return u;
}

void
help_one(const struct ctl_cmd *e)
{
	char *u = help_usage_line(e);

	printf("usage: %s\n\n%c%s (%s).\n\n", u, toupper((unsigned char)e->summary[0]),
	       e->summary + 1, e->cmd);
	free(u);
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		char *name = a->flag == NULL   ? xstrdup(a->meta)
			     : a->meta == NULL ? xasprintf("--%s", a->flag)
					       : xasprintf("--%s %s", a->flag, a->meta);

		printf("  %-26s %s%s%s%s\n", name, a->help, a->def ? " [default " : "",
		       a->def ? a->def : "", a->def ? "]" : "");
		free(name);
	}
	printf("\nroles: %s\n", e->roles);
}

void
help_all(FILE *out)
{
	fprintf(out,
		"usage: pathwayctl [options] SUBCOMMAND [ARGS...]\n"
		"       pathwayctl help [SUBCOMMAND]\n\n"
		"options (anywhere on the line):\n"
		"  -e, --endpoint URL   the daemon's api socket (PATHWAY_API, daemon.api)\n"
		"  -a, --actor ID       act as this person (PATHWAY_ACTOR, ctl.actor)\n"
		"  -c, --config FILE    configuration (PATHWAY_CONF; else the first found below)\n"
		"  -t, --timeout MS     wait at most MS for an answer (ctl.timeout_ms)\n"
		"      --events URL     the event stream, for watch (daemon.events)\n"
		"      --token TOKEN    send a person token with each request (PATHWAY_TOKEN)\n"
		"      --rehearse DIR   speak to the rehearsal in DIR (pathwayd --rehearse DIR)\n"
		"      --json           print the reply's data as JSON\n\n"
		"subcommands:\n");
	for (size_t i = 0; i < cmds_count; i++)
		fprintf(out, "  %-22s %s\n", cmds_table[i].name, cmds_table[i].summary);
	fprintf(out,
		"\nexit status: 0 done, 1 refused (pathwayctl: CODE: MESSAGE, or a CURVE key the\n"
		"daemon does not admit), 2 bad usage, 3 no daemon (no socket, or nothing listens\n"
		"on it: at once), 4 a silent daemon (no handshake within 1 s, or no answer\n"
		"within the timeout).\n"
		"%s.\n"
		"\nconfiguration without -c or PATHWAY_CONF, the first that exists:\n",
		help_roles_note);
	confpath_print(out);
}

int
help_usage(const struct ctl_cmd *e, const char *fmt, ...)
{
	va_list ap;
	char *u;

	fputs("pathwayctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (e != NULL) {
		u = help_usage_line(e);
		fprintf(stderr, "usage: %s\n", u);
		free(u);
	} else {
		fputs("usage: pathwayctl [options] SUBCOMMAND [ARGS...] (pathwayctl help lists "
		      "them)\n",
		      stderr);
	}
	return CTL_EXIT_USAGE;
}

int
help_run(int n, char **words)
{
	const struct ctl_cmd *e = NULL;
	size_t len;
	int found = 0;

	if (n == 0) {
		help_all(stdout);
		return 0;
	}
	if (n >= 2) {
		char *name = xasprintf("%s %s", words[0], words[1]);

		e = cmds_find(name);
		free(name);
	}
	if (e != NULL) {
		help_one(e);
		return 0;
	}
	len = strlen(words[0]);
	for (size_t i = 0; i < cmds_count; i++) {
		const char *name = cmds_table[i].name;

		if (strncmp(name, words[0], len) == 0 && (name[len] == ' ' || name[len] == '\0')) {
			if (found++)
				putchar('\n');
			help_one(&cmds_table[i]);
		}
	}
	if (found)
		return 0;
	return help_usage(NULL, "help: no subcommand '%s'", words[0]);
}
