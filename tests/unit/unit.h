/*
 * unit.h: helpers shared by the cmocka unit tests: temporary directories
 * and files, a main configuration that loads the shipped programmes,
 * cohorts and templates from the source tree (PATHWAY_SRC) by absolute path,
 * and a small deterministic random generator.
 * Everything here is static: each test program includes it once.
 */
#ifndef PW_UNIT_H
#define PW_UNIT_H

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* The source tree: PATHWAY_SRC (set by CTest), else the working directory. */
static inline const char *
unit_src(void)
{
	const char *s = getenv("PATHWAY_SRC");

	return s != NULL && *s != '\0' ? s : ".";
}

/* A new empty directory under /tmp; the caller frees the path (and unit_rmtree's it). */
static inline char *
unit_tmpdir(void)
{
	char *d = xstrdup("/tmp/pwunit-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static inline int
unit_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -r dir, then free dir. */
static inline void
unit_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Write text to dir/name; returns the path (caller frees). */
static inline char *
unit_write(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Read a whole file; caller frees. */
static inline char *
unit_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Write dir/pathway.conf: the daemon group (with extra lines appended inside
 * it), the templates directory (NULL: the shipped one), and the given
 * programme and cohort lists (each a libconfig list body, e.g.
 * "\"/abs/a.conf\", \"/abs/b.conf\"").
 */
static inline char *
unit_main_conf(const char *dir, const char *daemon_extra, const char *templates,
	       const char *programmes, const char *cohorts)
{
	char *shipped = xasprintf("%s/conf/templates", unit_src());
	char *text = xasprintf("daemon = {\n"
			       "\tapi = \"ipc://%s/api.sock\";\n"
			       "\tevents = \"ipc://%s/events.sock\";\n"
			       "\tworkers = \"ipc://%s/workers.sock\";\n"
			       "\tdb = \"%s/db\";\n"
			       "\ttemplates = \"%s\";\n"
			       "\tclock = \"manual\";\n"
			       "\tclock_start = \"2026-09-01T07:00:00Z\";\n"
			       "\tlog_level = \"error\";\n"
			       "%s"
			       "};\n"
			       "programmes = [ %s ];\n"
			       "cohorts = [ %s ];\n",
			       dir, dir, dir, dir, templates ? templates : shipped,
			       daemon_extra ? daemon_extra : "", programmes, cohorts);
	char *path = unit_write(dir, "pathway.conf", text);

	free(shipped);
	free(text);
	return path;
}

/* The shipped programme and cohort lists, by absolute path. */
static inline char *
unit_shipped_programmes(void)
{
	const char *s = unit_src();

	return xasprintf("\"%s/conf/programmes/norfolk-talent-pool.conf\", "
			 "\"%s/conf/programmes/kent-pathways.conf\", "
			 "\"%s/conf/programmes/norfolk-lle.conf\"",
			 s, s, s);
}

static inline char *
unit_shipped_cohorts(void)
{
	const char *s = unit_src();

	return xasprintf("\"%s/conf/cohorts/ntp-2026-27.conf\", "
			 "\"%s/conf/cohorts/ntp-2027-28.conf\", "
			 "\"%s/conf/cohorts/kent-2026-27.conf\", "
			 "\"%s/conf/cohorts/lle-2026-27.conf\"",
			 s, s, s, s);
}

/* dir/pathway.conf loading everything shipped. */
static inline char *
unit_shipped_conf(const char *dir)
{
	char *p = unit_shipped_programmes(), *c = unit_shipped_cohorts();
	char *path = unit_main_conf(dir, NULL, NULL, p, c);

	free(p);
	free(c);
	return path;
}

/* A number below n from a small deterministic generator (xorshift on *state), so failures repeat.
 */
static inline unsigned
unit_rnd(unsigned long long *state, unsigned n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned)(*state % n);
}

#endif
