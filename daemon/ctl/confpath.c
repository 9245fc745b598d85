/*
 * confpath.c: pathwayctl's default configuration (confpath.h). The build
 * bakes in the installation's directories (PATHWAY_BINDIR,
 * PATHWAY_SYSCONFDIR relative to the prefix or absolute, and
 * PATHWAY_CONF_INSTALLED, the full path `cmake --install` writes to); the
 * running program's own path (/proc/self/exe) gives the prefix it was
 * installed under, so `cmake --install --prefix P` is found too.
 */
#include "confpath.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"

#ifndef PATHWAY_BINDIR
#define PATHWAY_BINDIR "bin"
#endif
#ifndef PATHWAY_SYSCONFDIR
#define PATHWAY_SYSCONFDIR "etc"
#endif
#ifndef PATHWAY_CONF_INSTALLED
#define PATHWAY_CONF_INSTALLED "/usr/local/etc/pathway/pathway.conf"
#endif

/* PREFIX/SYSCONFDIR/pathway/pathway.conf for the prefix this program runs from, or NULL. */
static char *
beside_me(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int up = 1; /* the program's file, then one per part of BINDIR ("bin": 1) */

	if (PATHWAY_SYSCONFDIR[0] == '/')
		return xstrdup(PATHWAY_SYSCONFDIR "/pathway/pathway.conf");
	if (PATHWAY_BINDIR[0] == '/' || n <= 0 || (size_t)n >= sizeof exe - 1)
		return NULL; /* an absolute bin/ says nothing of the prefix; a path cut short */
	exe[n] = '\0';
	for (const char *b = PATHWAY_BINDIR, *s = b; *s != '\0'; s++)
		up += *s != '/' && (s == b || s[-1] == '/');
	for (int i = 0; i < up; i++) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL)
			return NULL;
		*slash = '\0';
	}
	return xasprintf("%s/%s/pathway/pathway.conf", exe[0] ? exe : "", PATHWAY_SYSCONFDIR);
}

char *
confpath_find(void)
{
	char *mine;

	if (access(CTL_DEFAULT_CONF, F_OK) == 0)
		return xstrdup(CTL_DEFAULT_CONF);
	mine = beside_me();
	if (mine != NULL && access(mine, F_OK) == 0)
		return mine;
	free(mine);
	if (access(PATHWAY_CONF_INSTALLED, F_OK) == 0)
		return xstrdup(PATHWAY_CONF_INSTALLED);
	return NULL;
}

void
confpath_print(FILE *out)
{
	char *mine = beside_me();

	fprintf(out, "  %s\n", CTL_DEFAULT_CONF);
	if (mine != NULL && strcmp(mine, PATHWAY_CONF_INSTALLED) != 0)
		fprintf(out, "  %s\n", mine);
	fprintf(out, "  %s\n", PATHWAY_CONF_INSTALLED);
	free(mine);
}
