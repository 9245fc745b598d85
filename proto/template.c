/*
 * template.c: {{variable}} placeholders: finding them (for validation) and
 * substituting them (for rendering); re-wrapping rendered plain text to a
 * width. A growing buffer is the only state.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TMPL_NAME_MAX 64

/* The placeholder at s ("{{ name }}"): its name and length, or -1. */
static int
placeholder(const char *s, char *name, size_t *len)
{
	const char *p = s + 2, *end = strstr(p, "}}");
	size_t n = 0;

	if (end == NULL)
		return -1;
	while (p < end && *p == ' ')
		p++;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
		if (n == TMPL_NAME_MAX)
			return -1;
		name[n++] = *p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end || n == 0)
		return -1;
	name[n] = '\0';
	*len = (size_t)(end + 2 - s);
	return 0;
}

int
tmpl_vars(const char *text, tmpl_var_fn fn, void *ud, size_t *bad)
{
	char name[TMPL_NAME_MAX + 1];
	const char *s = text;
	size_t len;
	int rc;

	while ((s = strstr(s, "{{")) != NULL) {
		if (placeholder(s, name, &len) != 0) {
			if (bad != NULL)
				*bad = (size_t)(s - text);
			return -1;
		}
		rc = fn(name, ud);
		if (rc != 0)
			return rc;
		s += len;
	}
	return 0;
}

static void
add_value(struct pw_buf *b, const json_t *v, int html)
{
	char num[64];
	const char *s = "";

	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof num, "%g", json_real_value(v));
		s = num;
	}
	if (!html) {
		pw_buf_add(b, s, strlen(s));
		return;
	}
	for (; *s != '\0'; s++) {
		static const char *const esc[] = {['&'] = "&amp;",
						  ['<'] = "&lt;",
						  ['>'] = "&gt;",
						  ['"'] = "&quot;",
						  ['\''] = "&#39;"};
		unsigned char c = (unsigned char)*s;

		if (c < sizeof esc / sizeof esc[0] && esc[c] != NULL)
			pw_buf_add(b, esc[c], strlen(esc[c]));
		else
			pw_buf_add(b, s, 1);
	}
}

char *
tmpl_render(const char *text, const json_t *vars, int html)
{
	struct pw_buf b = {NULL, 0, 0};
	char name[TMPL_NAME_MAX + 1];
	const char *s = text, *open;
	size_t len;

	pw_buf_add(&b, "", 0);
	while ((open = strstr(s, "{{")) != NULL) {
		pw_buf_add(&b, s, (size_t)(open - s));
		if (placeholder(open, name, &len) != 0) {
			pw_buf_add(&b, "{{", 2);
			s = open + 2;
			continue;
		}
		add_value(&b, json_object_get(vars, name), html);
		s = open + len;
	}
	pw_buf_add(&b, s, strlen(s));
	return b.p;
}

/* Columns a UTF-8 string of n bytes takes (one per character). */
static size_t
columns(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Width of the list mark at s ("- ", "* ", "12. ", "3) "), or 0. */
static size_t
list_mark(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
		return 2;
	while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i > 0 && i + 1 < n && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
		return i + 2;
	return 0;
}

/*
 * Fill the words of s[0..n) into lines of at most width columns: the first
 * line starts after 'first' (already written, taking col columns), the
 * others with hang spaces. A word longer than a line (a URL) has a line of
 * its own and is never broken.
 */
static void
fill(struct pw_buf *b, const char *s, size_t n, size_t col, size_t hang, size_t width)
{
	size_t i = 0, line_words = 0;

	while (i < n) {
		size_t start, len, w;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		len = i - start;
		w = columns(s + start, len);
		if (line_words > 0 && col + 1 + w > width) {
			pw_buf_adds(b, "\n");
			for (size_t k = 0; k < hang; k++)
				pw_buf_adds(b, " ");
			col = hang;
			line_words = 0;
		} else if (line_words > 0) {
			pw_buf_adds(b, " ");
			col++;
		}
		pw_buf_add(b, s + start, len);
		col += w;
		line_words++;
	}
	pw_buf_adds(b, "\n");
}

char *
tmpl_wrap(const char *text, size_t width)
{
	struct pw_buf b = {NULL, 0, 0}, para = {NULL, 0, 0};
	const char *s = text;

	pw_buf_add(&b, "", 0);
	pw_buf_add(&para, "", 0);
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s), indent = 0, mark;

		if (n > 0 && s[n - 1] == '\r')
			n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (indent < n && (s[indent] == ' ' || s[indent] == '\t'))
			indent++;
		mark = list_mark(s + indent, n - indent);
		if (n > 0 && indent == 0 && mark == 0) {
			/* prose: joined with the lines around it into one paragraph */
			if (para.len > 0)
				pw_buf_adds(&para, " ");
			pw_buf_add(&para, s, n);
		} else {
			if (para.len > 0)
				fill(&b, para.p, para.len, 0, 0, width);
			para.len = 0;
			if (n == 0) {
				pw_buf_adds(&b, "\n");
			} else if (columns(s, n) <= width) {
				/* an indented or list line stands alone, as written when it fits */
				pw_buf_add(&b, s, n);
				pw_buf_adds(&b, "\n");
			} else {
				/* and folded under itself when it does not */
				pw_buf_add(&b, s, indent + mark);
				fill(&b, s + indent + mark, n - indent - mark,
				     columns(s, indent + mark), indent + mark, width);
			}
		}
		s = nl ? nl + 1 : s + strlen(s);
	}
	if (para.len > 0)
		fill(&b, para.p, para.len, 0, 0, width);
	free(para.p);
	return b.p;
}
