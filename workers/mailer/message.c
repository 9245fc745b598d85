/*
 * message.c: builds the bytes of one email. Header values are cleaned of
 * control characters (no header injection through a name), non-ASCII text is
 * carried in base64 encoded words, bodies in quoted-printable so every line
 * stays short and 7-bit whatever the relay supports.
 */
#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static int
is_ascii_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* A copy of s with control characters (CR, LF, TAB...) turned into spaces. */
static char *
clean(const char *s)
{
	char *c = xstrdup(s ? s : "");

	for (char *p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

static void
base64(struct pw_buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char out[4];

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[0] = tab[(v >> 18) & 63];
		out[1] = tab[(v >> 12) & 63];
		out[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[3] = i + 2 < n ? tab[v & 63] : '=';
		pw_buf_add(b, out, 4);
	}
}

/*
 * RFC 2047 encoded words of at most 39 bytes of text each (52 of base64, so
 * "Subject: " and one word stay within 78 columns), split between UTF-8
 * characters, one per folded line.
 */
static char *
encode_words(const char *raw)
{
	char *s = clean(raw);
	struct pw_buf b = {NULL, 0, 0};
	size_t n = strlen(s), i = 0;

	pw_buf_adds(&b, "");
	while (i < n) {
		size_t take = n - i < 39 ? n - i : 39;

		while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--;
		if (take == 0) /* not UTF-8: cut anywhere */
			take = n - i < 39 ? n - i : 39;
		if (b.len > 0)
			pw_buf_adds(&b, "\r\n ");
		pw_buf_adds(&b, "=?UTF-8?B?");
		base64(&b, (const unsigned char *)s + i, take);
		pw_buf_adds(&b, "?=");
		i += take;
	}
	free(s);
	return b.p;
}

char *
message_encode_words(const char *raw)
{
	char *s = clean(raw);

	if (is_ascii_printable(s))
		return s;
	free(s);
	return encode_words(raw);
}

/*
 * An unstructured header value (the Subject) after "NAME: ": folded at
 * spaces so no line passes 78 columns; encoded words when it is not plain
 * ASCII or has a word too long to fold.
 */
static char *
header_text(const char *name, const char *raw)
{
	char *s = clean(raw), *word, *save = NULL;
	struct pw_buf b = {NULL, 0, 0};
	size_t col = strlen(name) + 2;

	if (!is_ascii_printable(s)) {
		free(s);
		return encode_words(raw);
	}
	if (col + strlen(s) <= 78)
		return s;
	pw_buf_adds(&b, "");
	for (word = strtok_r(s, " ", &save); word != NULL; word = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(word);

		if (n > 76) {
			free(b.p);
			free(s);
			return encode_words(raw);
		}
		if (b.len > 0 && col + 1 + n > 78) {
			pw_buf_adds(&b, "\r\n");
			col = 0;
		}
		if (b.len > 0 || col == 0) {
			pw_buf_adds(&b, " ");
			col++;
		}
		pw_buf_adds(&b, word);
		col += n;
	}
	free(s);
	return b.p;
}

/*
 * White space at the end of a line (col characters long) must be encoded;
 * its "=20" goes on a line of its own when it would pass 76 columns.
 */
static void
qp_trailing_space(struct pw_buf *b, int col)
{
	char last, enc[4];

	if (b->len == 0 || (b->p[b->len - 1] != ' ' && b->p[b->len - 1] != '\t'))
		return;
	last = b->p[--b->len];
	if (col - 1 + 3 > 76)
		pw_buf_adds(b, "=\r\n");
	snprintf(enc, sizeof enc, "=%02X", (unsigned char)last);
	pw_buf_adds(b, enc);
}

char *
message_qp(const char *s)
{
	struct pw_buf b = {NULL, 0, 0};
	int col = 0;

	pw_buf_adds(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		char enc[4];
		int len;

		if (*p == '\r')
			continue;
		if (*p == '\n') {
			qp_trailing_space(&b, col);
			pw_buf_adds(&b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') || *p == ' ' || *p == '\t') {
			enc[0] = (char)*p;
			enc[1] = '\0';
			len = 1;
		} else {
			snprintf(enc, sizeof enc, "=%02X", *p);
			len = 3;
		}
		if (col + len > 75) {
			pw_buf_adds(&b, "=\r\n");
			col = 0;
		}
		pw_buf_adds(&b, enc);
		col += len;
	}
	qp_trailing_space(&b, col);
	return b.p;
}

const char *
message_addr(const char *header, char *buf, size_t len)
{
	const char *lt = strrchr(header, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t n;

	if (lt != NULL && gt != NULL) {
		n = (size_t)(gt - lt - 1);
		header = lt + 1;
	} else {
		n = strlen(header);
	}
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, header, n);
	buf[n] = '\0';
	return pw_email_valid(buf) ? buf : NULL; /* one mailbox, as the daemon accepts them */
}

/* A display name and address as a header value: "Name" <a@b>, encoded if need be. */
static void
add_mailbox(struct pw_buf *b, const char *name, const char *addr)
{
	char *n = clean(name);

	if (n[0] == '\0') {
		pw_buf_adds(b, addr);
	} else if (is_ascii_printable(n) && strlen(n) <= 60) {
		pw_buf_adds(b, "\"");
		for (const char *p = n; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				pw_buf_adds(b, "\\");
			pw_buf_add(b, p, 1);
		}
		pw_buf_addf(b, "\" <%s>", addr);
	} else {
		char *w = encode_words(n), *last = strrchr(w, '\n');

		/* The address on the last word's line when it fits (78 with "From: "). */
		pw_buf_addf(b, "%s%s<%s>", w,
			    strlen(last ? last : w) + 2 + strlen(addr) + (last ? 0 : 6) <= 78
				? " "
				: "\r\n ",
			    addr);
		free(w);
	}
	free(n);
}

static void
add_part(struct pw_buf *b, const char *type, const char *body)
{
	char *qp = message_qp(body);

	pw_buf_addf(b, "Content-Type: %s; charset=UTF-8\r\n", type);
	pw_buf_adds(b, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	pw_buf_adds(b, qp);
	if (b->len < 2 || strcmp(b->p + b->len - 2, "\r\n") != 0)
		pw_buf_adds(b, "\r\n");
	free(qp);
}

/* Base64 in lines of 76 characters (RFC 2045). */
static void
add_base64_lines(struct pw_buf *b, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 57) {
		base64(b, (const unsigned char *)s + i, n - i < 57 ? n - i : 57);
		pw_buf_adds(b, "\r\n");
	}
}

/* The text, or the text and HTML as multipart/alternative: Content-Type onwards. */
static void
add_body(struct pw_buf *b, const struct message *m)
{
	if (m->html == NULL) {
		add_part(b, "text/plain", m->text);
		return;
	}
	pw_buf_addf(b, "Content-Type: multipart/alternative; boundary=\"=_pathway_%s\"\r\n\r\n",
		    m->job_id);
	pw_buf_addf(b, "--=_pathway_%s\r\n", m->job_id);
	add_part(b, "text/plain", m->text);
	pw_buf_addf(b, "\r\n--=_pathway_%s\r\n", m->job_id);
	add_part(b, "text/html", m->html);
	pw_buf_addf(b, "\r\n--=_pathway_%s--\r\n", m->job_id);
}

char *
message_compose(const struct message *m, const char **why)
{
	char from_addr[320], to_addr[320], date[64], *subject;
	const char *domain;
	struct pw_buf b = {NULL, 0, 0};
	time_t t = (time_t)m->date;
	struct tm tm;

	if (message_addr(m->from, from_addr, sizeof from_addr) == NULL) {
		*why = "the configured From address is not an address";
		return NULL;
	}
	if (message_addr(m->to_addr, to_addr, sizeof to_addr) == NULL ||
	    strchr(m->to_addr, '<') != NULL) {
		*why = "the recipient's address is not a valid address";
		return NULL;
	}
	domain = strchr(from_addr, '@') + 1;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	pw_buf_addf(&b, "Date: %s\r\n", date);
	if (is_ascii_printable(m->from) && strpbrk(m->from, ",;:\"()[]\\") == NULL &&
	    strlen(m->from) <= 72) {
		pw_buf_addf(&b, "From: %s\r\n",
			    m->from); /* as configured: a plain name <address> */
	} else {
		char *name = xstrdup(m->from), *lt = strrchr(name, '<'), *start = name, *end;

		if (lt != NULL)
			*lt = '\0';
		else
			*name = '\0'; /* a bare address */
		while (*start == ' ' || *start == '"')
			start++;
		end = start + strlen(start);
		while (end > start && (end[-1] == ' ' || end[-1] == '"'))
			*--end = '\0';
		pw_buf_adds(&b, "From: ");
		add_mailbox(&b, start, from_addr);
		pw_buf_adds(&b, "\r\n");
		free(name);
	}
	pw_buf_adds(&b, "To: ");
	add_mailbox(&b, m->to_name, to_addr);
	pw_buf_adds(&b, "\r\n");
	subject = header_text("Subject", m->subject);
	pw_buf_addf(&b, "Subject: %s\r\n", subject);
	free(subject);
	pw_buf_addf(&b, "Message-ID: <%s.pathway@%s>\r\n", m->job_id, domain);
	pw_buf_adds(&b, "MIME-Version: 1.0\r\n");
	pw_buf_adds(&b, "Auto-Submitted: auto-generated\r\n");
	if (m->natt == 0) {
		add_body(&b, m);
		return b.p;
	}
	pw_buf_addf(&b, "Content-Type: multipart/mixed; boundary=\"=_pathway_mixed_%s\"\r\n\r\n",
		    m->job_id);
	pw_buf_adds(&b, "This is a message in MIME format.\r\n");
	pw_buf_addf(&b, "\r\n--=_pathway_mixed_%s\r\n", m->job_id);
	add_body(&b, m);
	for (size_t i = 0; i < m->natt; i++) {
		char *name = clean(m->att[i].filename);

		for (char *p = name; *p != '\0'; p++)
			if (*p == '"' || *p == '\\')
				*p = '_';
		pw_buf_addf(&b, "\r\n--=_pathway_mixed_%s\r\n", m->job_id);
		pw_buf_addf(&b, "Content-Type: %s; name=\"%s\"\r\n", m->att[i].type, name);
		pw_buf_addf(&b, "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
		pw_buf_adds(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
		add_base64_lines(&b, m->att[i].content);
		free(name);
	}
	pw_buf_addf(&b, "\r\n--=_pathway_mixed_%s--\r\n", m->job_id);
	return b.p;
}
