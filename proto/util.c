/*
 * util.c: allocation, fatal errors, logging, time and identifier helpers.
 * The only state is the log level.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static enum log_level log_threshold = LOG_INFO;
static const char *const log_names[] = {"error", "warn", "info", "debug"};

static void
oom(size_t n)
{
	fprintf(stderr, "out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom(strlen(s));
	return p;
}

static char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		oom(0);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
pw_buf_add(struct pw_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 256;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
pw_buf_adds(struct pw_buf *b, const char *s)
{
	pw_buf_add(b, s, strlen(s));
}

void
pw_buf_addf(struct pw_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	pw_buf_adds(b, s);
	free(s);
}

char *
pw_str_replace(const char *s, const char *what, const char *with, int fold)
{
	struct pw_buf b = {0};
	const char *at;
	size_t n;

	if (what == NULL || (n = strlen(what)) < 3)
		return NULL;
	if ((fold ? strcasestr(s, what) : strstr(s, what)) == NULL)
		return NULL;
	pw_buf_adds(&b, "");
	while ((at = fold ? strcasestr(s, what) : strstr(s, what)) != NULL) {
		pw_buf_add(&b, s, (size_t)(at - s));
		pw_buf_adds(&b, with);
		s = at + n;
	}
	pw_buf_adds(&b, s);
	return b.p;
}

void
pw_fatal(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fatal: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof log_names / sizeof log_names[0]; i++)
		if (strcmp(name, log_names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * Add s to b with every control byte (below 0x20, and 0x7f) escaped: \n,
 * \r, \t as such, the others as \xNN. Log lines hold text a client sent (a
 * worker's name, an SMTP error, a command's arguments), and one with a
 * newline in it must not forge a line of its own.
 */
static void
log_escape(struct pw_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			pw_buf_adds(b, "\\n");
		else if (*p == '\r')
			pw_buf_adds(b, "\\r");
		else if (*p == '\t')
			pw_buf_adds(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			pw_buf_addf(b, "\\x%02x", *p);
		else
			pw_buf_add(b, (const char *)p, 1);
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char when[PW_TIME_LEN];
	struct pw_buf b = {0};
	va_list ap;
	char *text;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	pw_buf_addf(&b, "%s %s ", pw_time_format(pw_clock_now(), when), log_names[level]);
	log_escape(&b, text);
	pw_buf_add(&b, "\n", 1);
	fwrite(b.p, 1, b.len, stderr); /* one write: lines of processes sharing stderr stay whole */
	free(b.p);
	free(text);
}

int64_t
pw_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

char *
pw_time_format(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, PW_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int64_t
pw_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
pw_time_add_years(int64_t t, int n)
{
	char s[PW_TIME_LEN];
	int y, m, d, leap;

	pw_time_format(t, s);
	if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	y += n;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		d = 28;
	return pw_days_from_civil(y, m, d) * 86400 + (t % 86400 + 86400) % 86400;
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
date_fields(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
		return -1;
	if (*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
		return -1;
	return 0;
}

int
pw_date_parse(const char *s, int64_t *days)
{
	int y, m, d;

	if (strlen(s) != 10 || date_fields(s, &y, &m, &d))
		return -1;
	*days = pw_days_from_civil(y, m, d);
	return 0;
}

int
pw_hhmm_parse(const char *s, int *minutes)
{
	int h, m;

	if (strlen(s) != 5 || digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &m))
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int
pw_time_parse(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, sec;

	if (strlen(s) != 20 || date_fields(s, &y, &mo, &d) || s[10] != 'T' ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec) || s[19] != 'Z')
		return -1;
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	*t = pw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int
pw_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n > 0 && n <= PW_ID_MAX;
}

int
pw_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n == 0 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>\",;()[]\\", *p) != NULL)
			return 0;
	return 1;
}

int
pw_mkdirs(const char *path, int mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
		if (rc != 0)
			goto done;
	}
	if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
		rc = -1;
done:
	free(p);
	return rc;
}

int
pw_endpoint_prepare(const char *endpoint)
{
	const char *path, *slash;
	char *dir;
	int rc;

	if (strncmp(endpoint, "ipc://", 6) != 0)
		return 0;
	path = endpoint + 6;
	slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return 0;
	dir = xasprintf("%.*s", (int)(slash - path), path);
	rc = pw_mkdirs(dir, 0755);
	free(dir);
	return rc;
}
