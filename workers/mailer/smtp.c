/*
 * smtp.c: one libcurl easy handle and the rules that turn its results into
 * done / temporary / permanent. The message is uploaded from memory.
 */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct smtp {
	CURL *curl;
	struct smtp_conf conf;
};

struct upload {
	const char *data;
	size_t left;
};

static size_t
upload_read(char *buf, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->data, want);
	u->data += want;
	u->left -= want;
	return want;
}

struct smtp *
smtp_new(const struct smtp_conf *conf)
{
	struct smtp *s = xcalloc(1, sizeof *s);

	s->conf = *conf;
	s->curl = curl_easy_init();
	if (s->curl == NULL)
		fatal("curl_easy_init failed");
	/* Peer and host name verification stay on (libcurl's default); a private
	 * CA only replaces the store the server's certificate is checked against. */
	if (conf->ca_file != NULL &&
	    curl_easy_setopt(s->curl, CURLOPT_CAINFO, conf->ca_file) != CURLE_OK)
		fatal("libcurl cannot use a CA file (CURLOPT_CAINFO)");
	return s;
}

void
smtp_free(struct smtp **ps)
{
	if (*ps == NULL)
		return;
	curl_easy_cleanup((*ps)->curl);
	free(*ps);
	*ps = NULL;
}

static int
progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct smtp_conf *conf = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	conf->tick(conf->tick_ud);
	return 0;
}

enum smtp_outcome
smtp_send(struct smtp *s, const char *from_addr, const char *to_addr, const char *msg, char *why,
	  size_t whylen)
{
	static const long tls[] = {CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL};
	struct upload u = {msg, strlen(msg)};
	struct curl_slist *rcpt = NULL;
	char from[340], errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *c = s->curl;

	snprintf(from, sizeof from, "<%s>", from_addr);
	rcpt = curl_slist_append(rcpt, to_addr);
	curl_easy_setopt(c, CURLOPT_URL, s->conf.url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)u.left);
	curl_easy_setopt(c, CURLOPT_USE_SSL, tls[s->conf.starttls]);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->conf.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->conf.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, s->conf.reuse ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, s->conf.reuse ? 0L : 1L);
	if (s->conf.tick != NULL) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s->conf);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	if (s->conf.user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->conf.user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->conf.password ? s->conf.password : "");
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK) {
		snprintf(why, whylen, "%ld accepted", code);
		return SMTP_OK;
	}
	snprintf(why, whylen, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), errbuf[0] ? ": " : "",
		 errbuf, code);
	/*
	 * A 5xx reply refuses this message or address: permanent. A failed
	 * login or a refused STARTTLS is the relay's configuration, not the
	 * message's, so it is retried like 4xx replies, refused or dropped
	 * connections, TLS failures, timeouts and anything else: retrying is
	 * safe, losing a notification (or sending it in clear) is not.
	 */
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED && rc != CURLE_USE_SSL_FAILED)
		return SMTP_PERMANENT;
	return SMTP_TEMPORARY;
}
