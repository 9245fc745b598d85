/*
 * spool.h: a rehearsal's mail (pathway-mailer --rehearse DIR): each message
 * written as a file under DIR/mail instead of being sent, so no email of a
 * rehearsal ever leaves its directory.
 */
#ifndef PW_SPOOL_H
#define PW_SPOOL_H

#include <stddef.h>

/*
 * Write the composed message (CRLF lines) of job to DIR/mail/JOB.eml (0600,
 * the directory 0700), whole or not at all: written beside it, then renamed.
 * A job offered again overwrites its file, as a Message-ID names one email.
 * Returns 0; SPOOL_BAD_JOB (a job without a usable id or recipient
 * address: no attempt would do better); or -1 (the file could not be
 * written: worth another attempt); either failure with a one-line reason
 * in why.
 */
#define SPOOL_BAD_JOB (-2)
int spool_write(const char *dir, const char *job, const char *to_addr, const char *msg, char *why,
		size_t whylen);

#endif
