/*
 * test_message.c: composing emails (workers/mailer/message.c): RFC 5322 headers,
 * RFC 2047 encoded words, quoted-printable bodies, multipart/alternative
 * and attachments, the stable Message-ID, and refusal of unusable addresses
 * and header injection.
 */
#include "unit.h"

#include "message.h"

static const struct message base = {
    .from = "Leadership Development Team <pathway@la.example.net>",
    .to_name = "Margaret Lowe",
    .to_addr = "head@oakfield.example.org",
    .subject = "Please sign off Amara Okafor's nomination",
    .text = "Dear Margaret,\n\nAmara's nomination needs you.\n",
    .html = NULL,
    .job_id = "J000000042",
    .date = 1790000000, /* Mon, 21 Sep 2026 14:13:20 UTC */
};

/* The header block (up to the first empty line), or the whole message. */
static char *
headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	return end ? strndup(msg, (size_t)(end - msg) + 2) : xstrdup(msg);
}

/* Every line ends in CRLF, none is longer than 998 octets (RFC 5322 2.1.1). */
static void
assert_wire_lines(const char *msg)
{
	size_t len = 0;

	for (const char *p = msg; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_true(p > msg && p[-1] == '\r');
			len = 0;
		} else {
			assert_true(++len <= 998);
		}
	}
}

static void
test_plain_text(void **state)
{
	const char *why = NULL;
	char *m = message_compose(&base, &why), *h;

	(void)state;
	assert_non_null(m);
	assert_wire_lines(m);
	h = headers_of(m);
	assert_non_null(
	    strstr(h, "From: Leadership Development Team <pathway@la.example.net>\r\n"));
	assert_non_null(strstr(h, "To: \"Margaret Lowe\" <head@oakfield.example.org>\r\n"));
	assert_non_null(strstr(h, "Subject: Please sign off Amara Okafor's nomination\r\n"));
	assert_non_null(strstr(h, "Message-ID: <J000000042.pathway@la.example.net>\r\n"));
	assert_non_null(strstr(h, "Date: Mon, 21 Sep 2026 14:13:20 +0000\r\n"));
	/* Robots and out-of-office replies leave it alone (RFC 3834). */
	assert_non_null(strstr(h, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(h, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(h, "text/plain; charset=UTF-8"));
	assert_null(strstr(h, "multipart"));
	/* LF line ends in the text become CRLF on the wire. */
	assert_non_null(strstr(m, "Dear Margaret,\r\n\r\nAmara's nomination needs you."));
	free(h);
	free(m);
}

static void
test_same_job_same_message_id(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m1, *m2;

	(void)state;
	m1 = message_compose(&a, &why);
	a.date += 3600; /* a retry an hour later */
	m2 = message_compose(&a, &why);
	assert_non_null(strstr(m1, "Message-ID: <J000000042.pathway@la.example.net>"));
	assert_non_null(strstr(m2, "Message-ID: <J000000042.pathway@la.example.net>"));
	free(m1);
	free(m2);
}

/* Each encoded word is =?UTF-8?...?= of at most 75 octets, ASCII only. */
static void
assert_encoded_words(const char *line)
{
	const char *p = line;
	int words = 0;

	for (const char *c = line; *c != '\0'; c++)
		assert_true((unsigned char)*c < 0x80);
	while ((p = strstr(p, "=?")) != NULL) {
		const char *end = strstr(p + 2, "?=");

		assert_non_null(end);
		assert_true(strncasecmp(p, "=?UTF-8?", 8) == 0);
		assert_true(end + 2 - p <= 75);
		p = end + 2;
		words++;
	}
	assert_true(words > 0);
}

static void
test_non_ascii_headers(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m, *h, *line, *enc;

	(void)state;
	a.to_name = "Zoë Ní Bhriain";
	a.subject = "Zoë Ní Bhriain: a place on the Norfolk Leadership Talent Pool — "
		    "congratulations, and what happens next in the autumn term";
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_wire_lines(m);
	h = headers_of(m);
	for (const char *c = h; *c != '\0'; c++)
		assert_true((unsigned char)*c < 0x80); /* headers are 7-bit on the wire */
	line = strstr(h, "\r\nTo: ");
	assert_non_null(line);
	assert_non_null(strstr(line, "<head@oakfield.example.org>"));
	enc = message_encode_words("Zoë Ní Bhriain");
	assert_encoded_words(enc);
	free(enc);
	enc = message_encode_words(a.subject);
	assert_encoded_words(enc);
	free(enc);
	/* Plain ASCII stays as it is. */
	enc = message_encode_words("Margaret Lowe");
	assert_string_equal(enc, "Margaret Lowe");
	free(enc);
	free(h);
	free(m);
}

static void
test_quoted_printable(void **state)
{
	char long_line[200], *q;
	size_t len = 0;

	(void)state;
	q = message_qp("a=b Zoë\n");
	assert_string_equal(q, "a=3Db Zo=C3=AB\r\n");
	free(q);
	q = message_qp("trailing space \nend");
	assert_non_null(strstr(q, "trailing space=20\r\n"));
	free(q);
	memset(long_line, 'x', sizeof long_line - 1);
	long_line[sizeof long_line - 1] = '\0';
	q = message_qp(long_line);
	for (const char *p = q; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_true(p[-1] == '\r');
			len = 0;
		} else if (*p != '\r') {
			assert_true(++len <= 76);
		}
	}
	free(q);
}

static void
test_html_alternative(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m, *h;
	const char *plain, *html;

	(void)state;
	a.html = "<p>Dear Margaret,</p><p>Amara&#39;s nomination needs you.</p>";
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_wire_lines(m);
	h = headers_of(m);
	assert_non_null(strstr(h, "multipart/alternative"));
	plain = strstr(m, "text/plain; charset=UTF-8");
	html = strstr(m, "text/html; charset=UTF-8");
	assert_non_null(plain);
	assert_non_null(html);
	assert_true(plain < html); /* the preferred (richer) part comes last */
	free(h);
	free(m);
}

static void
test_attachment(void **state)
{
	struct attachment ics = {"ntp-2026-27.ics", "text/calendar; charset=UTF-8; method=PUBLISH",
				 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"};
	struct message a = base;
	const char *why = NULL;
	char *m, *h;

	(void)state;
	a.att = &ics;
	a.natt = 1;
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_wire_lines(m);
	h = headers_of(m);
	assert_non_null(strstr(h, "multipart/mixed"));
	assert_non_null(strstr(m, "text/calendar; charset=UTF-8; method=PUBLISH"));
	assert_non_null(strstr(m, "ntp-2026-27.ics"));
	assert_non_null(strstr(m, "Content-Transfer-Encoding: base64"));
	/* base64 of "BEGIN:VCALENDAR\r\n..." starts with QkVHSU46VkNBTEVOREFS */
	assert_non_null(strstr(m, "QkVHSU46VkNBTEVOREFS"));
	free(h);
	free(m);
}

static void
test_unusable_addresses(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m;

	(void)state;
	a.to_addr = "no-at-sign.example.org";
	assert_null(message_compose(&a, &why));
	assert_non_null(why);
	why = NULL;
	a.to_addr = "head@oakfield.example.org\r\nBcc: everyone@example.org";
	assert_null(message_compose(&a, &why));
	assert_non_null(why);
	/* A display name or subject with line breaks cannot add a header either. */
	a = base;
	a.to_name = "Margaret\r\nBcc: everyone@example.org";
	a.subject = "Hello\r\nBcc: everyone@example.org";
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_null(strstr(m, "\r\nBcc:"));
	assert_null(strstr(m, "\nBcc:"));
	free(m);
}

static void
test_addr_of_from(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(message_addr("Team <pathway@la.example.net>", buf, sizeof buf),
			    "pathway@la.example.net");
	assert_string_equal(message_addr("pathway@la.example.net", buf, sizeof buf),
			    "pathway@la.example.net");
	assert_null(message_addr("Team <nobody>", buf, sizeof buf));
	/* one mailbox only */
	assert_null(message_addr("a@x.org,b@y.org", buf, sizeof buf));
	assert_null(message_addr("a@b@c.org", buf, sizeof buf));
	assert_null(message_addr("@x.org", buf, sizeof buf));
}

/* Every header line of m (up to the blank line) is at most max columns. */
static void
assert_header_lines(const char *m, size_t max)
{
	const char *end = strstr(m, "\r\n\r\n");
	size_t len = 0;

	assert_non_null(end);
	for (const char *p = m; p < end; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			len = 0;
			continue;
		}
		if (++len > max)
			fail_msg("a header line passes %zu columns: %.80s", max, p - len + 1);
	}
}

static void
test_long_headers_fold(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m, *h, word[1101], *q;

	(void)state;
	/* A long ASCII subject folds at spaces; nothing is lost. */
	a.subject = "Reminder: the three-day internship at a Lead Succession School is due by "
		    "Fri 26 Mar 2027, 17:00, and your host school still has to confirm the days";
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_header_lines(m, 78);
	h = headers_of(m);
	{
		/* Unfolded (CRLF before a space removed), it is the subject as given. */
		char *u = xstrdup(h), *w = u, *want = xasprintf("Subject: %s\r\n", a.subject);

		for (const char *r = h; *r != '\0'; r++) {
			if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ') {
				r++;
				continue;
			}
			*w++ = *r;
		}
		*w = '\0';
		assert_non_null(strstr(u, want));
		assert_non_null(strstr(h, "\r\n ")); /* and it was folded */
		free(want);
		free(u);
	}
	free(h);
	free(m);
	/* One word too long to fold, and an ASCII name as long: encoded words. */
	memset(word, 'x', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	a.subject = word;
	a.to_name = word;
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_header_lines(m, 78);
	assert_non_null(strstr(m, "<head@oakfield.example.org>"));
	free(m);
	/* A non-ASCII subject: "Subject: " and the first word within 78 too. */
	a = base;
	a.subject = "Zoë Ní Bhriain: a place on the Norfolk Leadership Talent Pool";
	m = message_compose(&a, &why);
	assert_header_lines(m, 78);
	free(m);
	/* Bytes that are not UTF-8 are still cut into words, never read past. */
	memset(word, 0x80, 50);
	word[50] = '\0';
	q = message_encode_words(word);
	assert_encoded_words(q);
	free(q);
}

static void
test_from_with_specials(void **state)
{
	struct message a = base;
	const char *why = NULL;
	char *m;

	(void)state;
	a.from = "Norfolk County Council, Education <pathway@la.example.net>";
	m = message_compose(&a, &why);
	assert_non_null(m);
	assert_non_null(
	    strstr(m, "From: \"Norfolk County Council, Education\" <pathway@la.example.net>\r\n"));
	free(m);
}

static void
test_qp_trailing_space_at_the_margin(void **state)
{
	char text[80], *q;
	size_t len = 0;

	(void)state;
	memset(text, 'a', 74);
	text[74] = ' ';
	text[75] = '\n';
	text[76] = '\0';
	q = message_qp(text);
	for (const char *p = q; *p != '\0'; p++) {
		if (*p == '\n')
			len = 0;
		else if (*p != '\r')
			assert_true(++len <= 76);
	}
	assert_non_null(strstr(q, "=20\r\n"));
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text),
	    cmocka_unit_test(test_same_job_same_message_id),
	    cmocka_unit_test(test_non_ascii_headers),
	    cmocka_unit_test(test_quoted_printable),
	    cmocka_unit_test(test_html_alternative),
	    cmocka_unit_test(test_attachment),
	    cmocka_unit_test(test_unusable_addresses),
	    cmocka_unit_test(test_addr_of_from),
	    cmocka_unit_test(test_long_headers_fold),
	    cmocka_unit_test(test_from_with_specials),
	    cmocka_unit_test(test_qp_trailing_space_at_the_margin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
