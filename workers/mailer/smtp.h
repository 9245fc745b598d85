/*
 * smtp.h: sending one composed message over SMTP with libcurl. One handle is
 * kept for the life of the mailer, so libcurl reuses the connection between
 * messages and reconnects by itself when the server has dropped it.
 */
#ifndef PW_SMTP_H
#define PW_SMTP_H

#include <stddef.h>

struct smtp_conf {
	const char *url;      /* smtp://host:port or smtps://host:port */
	int starttls;	      /* 0 none, 1 optional, 2 required */
	const char *user;     /* NULL: no AUTH */
	const char *password; /* never logged */
	const char *ca_file;  /* PEM bundle of trusted CAs; NULL: libcurl's default store */
	long timeout_ms;
	int reuse; /* keep the connection between messages */
	/* Called about once a second while a message is being sent (may be NULL). */
	void (*tick)(void *ud);
	void *tick_ud;
};

/* How a delivery attempt ended. */
enum smtp_outcome {
	SMTP_OK,
	SMTP_TEMPORARY, /* 4xx, connection refused or dropped, timeout: try again later */
	SMTP_PERMANENT, /* 5xx, an address the server refuses: do not try again */
};

struct smtp;

/* Create a sender (no connection is made until the first message). */
struct smtp *smtp_new(const struct smtp_conf *conf);
void smtp_free(struct smtp **s);

/*
 * Send msg (CRLF lines) from from_addr to to_addr. Returns the outcome and
 * writes a one-line description (the server's reply code, or libcurl's
 * error) into why.
 */
enum smtp_outcome smtp_send(struct smtp *s, const char *from_addr, const char *to_addr,
			    const char *msg, char *why, size_t whylen);

#endif
