/*
 * util.h: the few things every Pathway program needs: allocation that aborts
 * on failure, internal-invariant failure, levelled logging to stderr, UTC
 * timestamps, dates and identifier checks. No state beyond the log level.
 */
#ifndef PW_UTIL_H
#define PW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation never fails for the caller: on exhaustion these print and abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable string: p is always NUL-terminated once anything was added
 * (NULL before), len bytes long; the caller frees p. Start from {0}.
 */
struct pw_buf {
	char *p;
	size_t len, cap;
};
/* Append n bytes of s. */
void pw_buf_add(struct pw_buf *b, const char *s, size_t n);
/* Append the string s. */
void pw_buf_adds(struct pw_buf *b, const char *s);
/* Append printf-style text. */
void pw_buf_addf(struct pw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * s with every occurrence of what replaced by with (a new string), or NULL
 * when what is NULL, shorter than 3 characters (it would match inside other
 * words) or not in s. fold: match ignoring ASCII case.
 */
char *pw_str_replace(const char *s, const char *what, const char *with, int fold);

/* A broken internal invariant: print file:line and the message, then abort. */
#define fatal(...) pw_fatal(__FILE__, __LINE__, __VA_ARGS__)
void pw_fatal(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* Set the level below which messages are dropped; parse "error".."debug" (-1 if unknown). */
void log_set_level(enum log_level level);
int log_level_parse(const char *name);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Seconds since the epoch, UTC, from the system clock. */
int64_t pw_clock_now(void);

#define PW_TIME_LEN 32
/* Format t as "2026-11-22T15:37:50Z" into buf (PW_TIME_LEN bytes); returns buf. */
char *pw_time_format(int64_t t, char *buf);
/* Parse "YYYY-MM-DDTHH:MM:SSZ"; 0 on success, -1 if malformed. */
int pw_time_parse(const char *s, int64_t *t);
/* Parse a calendar date "YYYY-MM-DD" into days since 1970-01-01; 0 or -1. */
int pw_date_parse(const char *s, int64_t *days);
/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
int64_t pw_days_from_civil(int64_t y, int m, int d);
/* t plus n calendar years, same time of day (29 February: the 28th in a common year). */
int64_t pw_time_add_years(int64_t t, int n);
/* Parse "HH:MM" into minutes after midnight; 0 or -1. */
int pw_hhmm_parse(const char *s, int *minutes);

#define PW_ID_MAX 64
/* An identifier is 1..PW_ID_MAX bytes of [A-Za-z0-9._-]. */
int pw_id_valid(const char *s);

/* Create a directory and its parents (mkdir -p); 0 or -1 with errno. */
int pw_mkdirs(const char *path, int mode);
/*
 * One email address as mail will carry it: local@domain, at most 254 bytes,
 * printable ASCII without spaces or the characters a header would split on.
 */
int pw_email_valid(const char *s);
/* For an ipc:// endpoint, create the directory that will hold its socket file. */
int pw_endpoint_prepare(const char *endpoint);

#endif
