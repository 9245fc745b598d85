/*
 * message.h: composing an email (RFC 5322) from a rendered notification:
 * headers with RFC 2047 encoded words for non-ASCII text, a stable
 * Message-ID, and a UTF-8 body in quoted-printable, with an HTML
 * alternative (multipart/alternative) when there is one.
 */
#ifndef PW_MESSAGE_H
#define PW_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

struct attachment {
	const char *filename;
	const char *type; /* e.g. "text/calendar; charset=UTF-8; method=PUBLISH" */
	const char *content;
};

struct message {
	const char *from;    /* the From header as configured: "Name <addr>" or "addr" */
	const char *to_name; /* display name, UTF-8 (may be empty) */
	const char *to_addr;
	const char *subject;	      /* UTF-8 */
	const char *text;	      /* UTF-8, LF or CRLF line ends */
	const char *html;	      /* NULL for text only */
	const char *job_id;	      /* makes the Message-ID: <JOB.pathway@from-domain> */
	int64_t date;		      /* seconds since the epoch */
	const struct attachment *att; /* sent as base64 parts of multipart/mixed */
	size_t natt;
};

/*
 * Compose m into a new NUL-terminated buffer (CRLF line ends) and return it;
 * the caller frees it. Returns NULL when an address is unusable (no '@',
 * control characters), with *why set to a static explanation.
 */
char *message_compose(const struct message *m, const char **why);

/* The bare address of a From header ("Name <a@b>" -> "a@b"), into buf; NULL if none. */
const char *message_addr(const char *header, char *buf, size_t len);

/* Encode s as RFC 2047 encoded words when it is not plain ASCII (new string). */
char *message_encode_words(const char *s);

/* Quoted-printable encoding of s (RFC 2045), with CRLF line ends (new string). */
char *message_qp(const char *s);

#endif
