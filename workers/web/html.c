/*
 * html.c: the one writer of markup. Every byte of text that did not come
 * from this program's own string constants reaches a page through
 * html_txt (between tags), html_attr (inside a double-quoted attribute) or
 * html_url (a URL component), as cgit's html.c does; html_printf is the
 * same with a format whose %s are written as text. Around every body it
 * writes the page (html_page_begin/end), the hidden CSRF field of a form
 * and the GOV.UK-style error summary. It also owns the static assets,
 * compiled in: /static/app.css (the look, phone first) and /static/live.js
 * (the few lines that make a live page follow the event stream). Nothing
 * here is inline script or style: the Content-Security-Policy forbids both.
 * Local times are written in a cohort's zone by setting TZ, which is safe
 * in this single-threaded process and read by nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"

/* Escape s as text; in an attribute, line breaks and tabs too (they would be normalised). */
static void
html_escape(struct pw_buf *b, const char *s, int attr)
{
	const char *run;

	if (s == NULL)
		return;
	for (run = s; *s != '\0'; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		case '\n':
			e = attr ? "&#10;" : NULL;
			break;
		case '\r':
			e = attr ? "&#13;" : NULL;
			break;
		case '\t':
			e = attr ? "&#9;" : NULL;
			break;
		}
		if (e == NULL)
			continue;
		pw_buf_add(b, run, (size_t)(s - run));
		pw_buf_adds(b, e);
		run = s + 1;
	}
	pw_buf_add(b, run, (size_t)(s - run));
}

void
html_txt(struct pw_buf *b, const char *s)
{
	html_escape(b, s, 0);
}

void
html_attr(struct pw_buf *b, const char *s)
{
	html_escape(b, s, 1);
}

void
html_url(struct pw_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			pw_buf_add(b, (const char *)&c, 1);
		else
			pw_buf_add(b, esc, 3);
	}
}

void
html_printf(struct pw_buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *run;

	va_start(ap, fmt);
	for (run = fmt; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		pw_buf_add(b, run, (size_t)(fmt - run));
		fmt++;
		if (*fmt == 's')
			html_txt(b, va_arg(ap, const char *));
		else if (*fmt == 'd')
			pw_buf_addf(b, "%d", va_arg(ap, int));
		else if (*fmt == '%')
			pw_buf_adds(b, "%");
		else
			fatal("html_printf: unsupported conversion in \"%s\"", run);
		run = fmt + 1;
	}
	pw_buf_add(b, run, (size_t)(fmt - run));
	va_end(ap);
}

void
html_page_begin(struct pw_buf *b, const char *title, const json_t *person, int live)
{
	const char *name = json_string_value(json_object_get(person, "name"));

	pw_buf_adds(b, "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"referrer\" content=\"no-referrer\">\n");
	html_printf(b, "<title>%s - Pathway</title>\n", title);
	pw_buf_adds(b, "<link rel=\"stylesheet\" href=\"/static/app.css\">\n");
	if (live)
		pw_buf_adds(b, "<script src=\"/static/live.js\" defer></script>\n");
	pw_buf_adds(b, "</head>\n<body>\n<a href=\"#main\" class=\"skip-link\">Skip to main "
		       "content</a>\n<header class=\"header\">\n<div class=\"width\">\n"
		       "<a href=\"/\" class=\"header-service\">Pathway</a>\n");
	if (person != NULL && name != NULL) {
		/* Signing out is a POST with its CSRF field; the page for it has both. */
		html_printf(b, "<span class=\"header-person\">%s</span>\n", name);
		pw_buf_adds(b, "<a href=\"/logout\" class=\"header-link\">Sign out</a>\n");
	}
	pw_buf_adds(b, "</div>\n</header>\n<div class=\"width\">\n<main id=\"main\" "
		       "class=\"main\">\n");
}

void
html_page_end(struct pw_buf *b)
{
	pw_buf_adds(b, "</main>\n</div>\n<footer class=\"footer\"><div class=\"width\">Pathway: "
		       "leadership development programmes. Links in emails are personal: do not "
		       "forward them.</div></footer>\n</body>\n</html>\n");
}

void
html_csrf(struct pw_buf *b, struct req *r, const char *token)
{
	pw_buf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attr(b, req_csrf(r, token));
	pw_buf_adds(b, "\">\n");
}

void
html_error_summary(struct pw_buf *b, const json_t *errors)
{
	size_t i;
	const json_t *e;

	if (json_array_size(errors) == 0)
		return;
	pw_buf_adds(b,
		    "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
		    "aria-labelledby=\"error-summary-title\">\n<h2 class=\"error-summary-title\" "
		    "id=\"error-summary-title\">There is a problem</h2>\n<ul>\n");
	json_array_foreach(errors, i, e)
	{
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *msg = json_string_value(json_object_get(e, "message"));

		if (field != NULL) {
			pw_buf_adds(b, "<li><a href=\"#");
			html_attr(b, field);
			html_printf(b, "\">%s</a></li>\n", msg);
		} else {
			html_printf(b, "<li>%s</li>\n", msg);
		}
	}
	pw_buf_adds(b, "</ul>\n</div>\n");
}

void
html_time(struct pw_buf *b, const char *utc, const char *tz)
{
	static char current[128];
	static const char *months[] = {"January",   "February", "March",    "April",
				       "May",	    "June",	"July",	    "August",
				       "September", "October",	"November", "December"};
	int64_t t;
	time_t tt;
	struct tm tm;
	int h;

	if (utc == NULL || pw_time_parse(utc, &t) != 0) {
		html_txt(b, utc);
		return;
	}
	if (tz == NULL || tz[0] == '\0')
		tz = "Europe/London";
	if (strcmp(current, tz) != 0) {
		setenv("TZ", tz, 1);
		tzset();
		snprintf(current, sizeof current, "%s", tz);
	}
	tt = (time_t)t;
	localtime_r(&tt, &tm);
	h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	/* GOV.UK style: 5 November 2026 at 5pm, 9:30am; midday and midnight in words. */
	html_printf(b, "%d %s %d at ", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
	if (tm.tm_min == 0 && (tm.tm_hour == 0 || tm.tm_hour == 12))
		pw_buf_adds(b, tm.tm_hour == 0 ? "midnight" : "midday");
	else if (tm.tm_min == 0)
		pw_buf_addf(b, "%d%s", h, tm.tm_hour < 12 ? "am" : "pm");
	else
		pw_buf_addf(b, "%d:%02d%s", h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm");
}

void
html_wall_clock(int64_t now, const char *tz, char *buf, size_t len)
{
	const char *old = getenv("TZ");
	char *keep = old != NULL ? xstrdup(old) : NULL;
	time_t tt = (time_t)now;
	struct tm tm;

	setenv("TZ", tz != NULL ? tz : "Europe/London", 1);
	tzset();
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	if (keep != NULL)
		setenv("TZ", keep, 1);
	else
		unsetenv("TZ");
	tzset();
	free(keep);
}

/* ---- static assets ------------------------------------------------------------ */

/* The look: GOV.UK Design System conventions, phone first, no web fonts. */
static const char app_css[] =
    "*,*::before,*::after{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;font-family:\"Helvetica Neue\",Helvetica,Arial,sans-serif;font-size:1rem;"
    "line-height:1.35;color:#0b0c0c;background:#fff}\n"
    "@media(min-width:641px){body{font-size:1.1875rem}}\n"
    ".width{max-width:960px;margin:0 15px}\n"
    "@media(min-width:1020px){.width{margin:0 auto}}\n"
    ".skip-link{position:absolute;left:-9999px}\n"
    ".skip-link:focus{position:static;display:block;padding:10px 15px;background:#fd0;"
    "color:#0b0c0c}\n"
    ".header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8;padding:10px 0}\n"
    ".header .width{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5em 1.5em}\n"
    ".header a{color:#fff}\n"
    ".header-service{font-weight:700;font-size:1.5rem;text-decoration:none;margin-right:auto}\n"
    ".header-person{font-weight:700}\n"
    ".main{padding:20px 0 40px}\n"
    "@media(min-width:641px){.main{padding:40px 0 60px}}\n"
    ".footer{border-top:1px solid #b1b4b6;background:#f3f2f1;padding:20px 0;font-size:.875rem;"
    "color:#505a5f}\n"
    "h1{font-size:2rem;line-height:1.1;margin:0 0 30px}\n"
    "@media(min-width:641px){h1{font-size:3rem}}\n"
    "h2{font-size:1.5rem;margin:30px 0 15px}\n"
    "@media(min-width:641px){h2{font-size:2.25rem}}\n"
    "h3{font-size:1.25rem;margin:20px 0 10px}\n"
    "p,ul,ol,dl{margin:0 0 20px;max-width:40em}\n"
    ".caption{display:block;color:#505a5f;font-size:1.125rem;margin-bottom:5px}\n"
    ".lead{font-size:1.25rem}\n"
    ".hint{display:block;color:#505a5f;margin-bottom:10px}\n"
    "a{color:#1d70b8;text-decoration:underline;text-underline-offset:.1em}\n"
    "a:visited{color:#4c2c92}\n"
    "a:hover{color:#003078;text-decoration-thickness:3px}\n"
    "a:focus,.header a:focus{outline:3px solid transparent;color:#0b0c0c;background:#fd0;"
    "box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}\n"
    ".form-group{margin-bottom:30px}\n"
    ".form-group-error{border-left:5px solid #d4351c;padding-left:15px}\n"
    ".section{border-top:2px solid #b1b4b6;padding-top:10px;margin-top:30px}\n"
    "fieldset{border:0;margin:0;padding:0;min-width:0}\n"
    "legend{font-weight:700;margin-bottom:10px;padding:0;max-width:100%;white-space:normal}\n"
    "label.field{display:block;font-weight:700;margin-bottom:5px}\n"
    ".error-message{display:block;color:#d4351c;font-weight:700;margin-bottom:10px}\n"
    "input[type=text],input[type=email],input[type=url],input[type=date],input[type=number],"
    "textarea,select{font:inherit;width:100%;max-width:30em;padding:5px;border:2px solid "
    "#0b0c0c;border-radius:0;background:#fff;color:#0b0c0c}\n"
    "input[type=number],input[type=date]{max-width:12em}\n"
    "textarea{min-height:8em;max-width:40em}\n"
    ".input-error{border-color:#d4351c!important}\n"
    "input:focus,textarea:focus,select:focus{outline:3px solid #fd0;outline-offset:0;"
    "box-shadow:inset 0 0 0 2px #0b0c0c}\n"
    ".choice{display:flex;align-items:flex-start;gap:10px;margin-bottom:10px}\n"
    ".choice input{width:1.5em;height:1.5em;margin:0;flex:none;accent-color:#0b0c0c}\n"
    ".choice input:focus{outline:3px solid #fd0;outline-offset:2px;box-shadow:none}\n"
    ".choices-inline{display:flex;flex-wrap:wrap;gap:0 25px}\n"
    ".button{font:inherit;font-weight:400;display:inline-block;padding:8px 12px 7px;border:2px "
    "solid transparent;border-radius:0;background:#00703c;color:#fff;box-shadow:0 2px "
    "#002d18;cursor:pointer;margin:0 15px 20px 0;text-decoration:none;-webkit-appearance:none}\n"
    ".button:hover{background:#005a30;color:#fff}\n"
    ".button:focus{outline:3px solid transparent;border-color:#fd0;background:#fd0;color:#0b0c0c;"
    "box-shadow:inset 0 0 0 1px #fd0,0 2px #0b0c0c}\n"
    ".button-secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px #929191}\n"
    ".button-secondary:hover{background:#dbdad9;color:#0b0c0c}\n"
    ".button-warning{background:#d4351c;box-shadow:0 2px #55150b}\n"
    ".button-warning:hover{background:#aa2a16}\n"
    ".error-summary{border:5px solid #d4351c;padding:15px;margin-bottom:30px}\n"
    ".error-summary:focus{outline:3px solid #fd0}\n"
    ".error-summary-title{margin-top:0;font-size:1.5rem}\n"
    ".error-summary ul{list-style:none;padding:0;margin:0}\n"
    ".error-summary a{color:#d4351c;font-weight:700}\n"
    ".panel{background:#00703c;color:#fff;padding:25px;margin-bottom:30px;text-align:center}\n"
    ".panel h1{margin:0 0 10px}\n"
    ".notice{border-left:10px solid #1d70b8;background:#f3f2f1;padding:15px;margin-bottom:"
    "30px}\n"
    ".warning{border-left:10px solid #d4351c;padding:15px;margin-bottom:30px;font-weight:700}\n"
    ".summary{margin:0 0 30px;max-width:none}\n"
    ".summary div{border-bottom:1px solid #b1b4b6;padding:10px 0}\n"
    ".summary dt{font-weight:700}\n"
    ".summary dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".summary dd.change{flex:0 0 auto;padding-left:20px}\n"
    ".back-link{display:inline-block;margin-bottom:15px;color:#0b0c0c}\n"
    ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}\n"
    "@media(min-width:641px){.summary div{display:flex}.summary dt{width:30%;"
    "padding-right:20px}.summary dd{flex:1}}\n"
    ".tag{display:inline-block;padding:2px 8px;font-size:.875rem;font-weight:700;"
    "background:#d2e2f1;color:#144e81}\n"
    ".tag-done{background:#cce2d8;color:#005a30}\n"
    ".tag-late{background:#f6d7d2;color:#942514}\n"
    ".tag-grey{background:#eeefef;color:#383f43}\n"
    ".tasks{list-style:none;padding:0;max-width:none}\n"
    ".tasks li{border-bottom:1px solid #b1b4b6;padding:10px 0;display:flex;flex-wrap:wrap;"
    "justify-content:space-between;gap:5px 15px}\n"
    "table{border-collapse:collapse;width:100%;margin-bottom:30px}\n"
    "th,td{text-align:left;padding:10px 10px 10px 0;border-bottom:1px solid #b1b4b6;"
    "vertical-align:top}\n"
    ".table-wrap{overflow-x:auto}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".bar{display:block;height:1.2em;background:#1d70b8;min-width:2px}\n"
    "#live[data-state=reconnecting]{opacity:.7}\n"
    ".inline-form{display:inline}\n"
    "@media print{.header,.footer,.button{display:none}}\n";

/*
 * The live part of a page: a page whose element with id "live" has data
 * attributes follows the event stream. It needs no inline script and the
 * page works without it (the server draws the same part on a reload).
 */
static const char live_js[] =
    "/* live.js: keeps the element with id \"live\" up to date from the event stream.\n"
    " * On each Server-Sent Event it fetches location.pathname + '/part' +\n"
    " * location.search (or the element's data-part) and puts the answer in the\n"
    " * element's place: one fetch at a time, at most one every 250 ms, however\n"
    " * fast events come (one redraw covers every event before it). Only the\n"
    " * sections (children with an id) that changed are replaced, so a list being\n"
    " * read or a focused link elsewhere stays as it was.\n"
    " * EventSource reconnects by itself, sending Last-Event-ID,\n"
    " * so the server replays what was missed. Without JavaScript the page is\n"
    " * still whole: this only saves a reload. */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var el = document.getElementById('live');\n"
    "  if (!el || !window.EventSource || !window.fetch) return;\n"
    "  var stream = el.getAttribute('data-stream') ||\n"
    "      location.pathname.replace(/\\/$/, '') + '/events' + location.search;\n"
    "  var part = el.getAttribute('data-part') ||\n"
    "      location.pathname.replace(/\\/$/, '') + '/part' + location.search;\n"
    "  var busy = false, again = false, timer = null, last = 0, GAP_MS = 250;\n"
    "\n"
    "  /* ---- dashboard: called after each redraw with the new element and the\n"
    "   * event that caused it (parsed JSON, or null). Fill in as needed. ---- */\n"
    "  function updated(node, ev) {\n"
    "  }\n"
    "  /* ---- end of dashboard part ---- */\n"
    "\n"
    "  function state(s) {\n"
    "    var node = document.getElementById('live');\n"
    "    if (node) node.setAttribute('data-state', s);\n"
    "  }\n"
    "  /* Put node's children in old's place where they differ; node whole when the\n"
    "   * sections are not the same ones. Returns the element now in the page. */\n"
    "  function patch(old, node) {\n"
    "    var kids = node.children, olds = old.children, i;\n"
    "    var same = kids.length === olds.length;\n"
    "    for (i = 0; same && i < kids.length; i++)\n"
    "      same = kids[i].id !== '' && kids[i].id === olds[i].id;\n"
    "    if (!same) { old.parentNode.replaceChild(node, old); return node; }\n"
    "    for (i = kids.length - 1; i >= 0; i--)\n"
    "      if (!olds[i].isEqualNode(kids[i])) old.replaceChild(kids[i], olds[i]);\n"
    "    return old;\n"
    "  }\n"
    "  function redraw(ev) {\n"
    "    if (busy || timer) { again = true; return; }\n"
    "    var wait = last + GAP_MS - Date.now();\n"
    "    if (wait > 0) {\n"
    "      timer = setTimeout(function () { timer = null; again = false; redraw(ev); }, wait);\n"
    "      return;\n"
    "    }\n"
    "    busy = true;\n"
    "    last = Date.now();\n"
    "    fetch(part, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})\n"
    "      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })\n"
    "      .then(function (html) {\n"
    "        var old = document.getElementById('live');\n"
    "        var t = document.createElement('template');\n"
    "        t.innerHTML = html.trim();\n"
    "        var node = t.content.firstElementChild;\n"
    "        if (old && node) {\n"
    "          node = patch(old, node);\n"
    "          state('live');\n"
    "          updated(node, ev);\n"
    "        }\n"
    "      })\n"
    "      .catch(function () { state('reconnecting'); })\n"
    "      .then(function () {\n"
    "        busy = false;\n"
    "        if (again) { again = false; redraw(null); }\n"
    "      });\n"
    "  }\n"
    "  /* The stream names each event by its type (\"event: TYPE\"), which only a\n"
    "   * listener for that type hears: one per type of PROTOCOL.md's table. */\n"
    "  var types = ['person.created', 'person.updated', 'school.created',\n"
    "    'school.updated', 'application.created', 'application.submitted',\n"
    "    'application.signed_off', 'application.decided',\n"
    "    'application.place_offered', 'application.offer_accepted',\n"
    "    'application.offer_declined', 'application.offer_expired',\n"
    "    'application.school_changed', 'application.rater_invited',\n"
    "    'application.self_assessed', 'application.feedback_ready',\n"
    "    'application.returned', 'application.response_recorded',\n"
    "    'application.attendance_recorded', 'application.internship_placed',\n"
    "    'application.internship_confirmed', 'application.coach_assigned',\n"
    "    'application.stage_changed', 'application.graduated',\n"
    "    'application.progression_recorded', 'application.alumni',\n"
    "    'application.rejected', 'application.withdrawn', 'application.deferred',\n"
    "    'application.overdue', 'application.reminded', 'application.escalated',\n"
    "    'cohort.session_reminder', 'cohort.session_changed',\n"
    "    'coach.training_recorded', 'person.digest', 'opportunity.published',\n"
    "    'opportunity.released', 'token.rotated', 'audit.refused', 'key.added',\n"
    "    'key.revoked', 'notification.sent', 'notification.retrying',\n"
    "    'notification.dead', 'notification.requeued'];\n"
    "  function heard(m) {\n"
    "    var ev = null;\n"
    "    try { ev = JSON.parse(m.data); } catch (e) { ev = null; }\n"
    "    redraw(ev);\n"
    "  }\n"
    "  var es = new EventSource(stream);\n"
    "  es.onopen = function () { state('live'); };\n"
    "  es.onerror = function () { state('reconnecting'); };\n"
    "  es.onmessage = heard;\n"
    "  for (var i = 0; i < types.length; i++) es.addEventListener(types[i], heard);\n"
    "  /* The session no longer lets this page watch: stop (a reconnect is refused). */\n"
    "  es.addEventListener('end', function () { es.close(); state('ended'); });\n"
    "})();\n";

static const struct {
	const char *path, *type, *body;
} html_assets[] = {
    {"/static/app.css", "text/css; charset=utf-8", app_css},
    {"/static/live.js", "text/javascript; charset=utf-8", live_js},
};

const char *
html_static(const char *path, const char **type)
{
	for (size_t i = 0; i < sizeof html_assets / sizeof html_assets[0]; i++)
		if (path != NULL && strcmp(path, html_assets[i].path) == 0) {
			if (type != NULL)
				*type = html_assets[i].type;
			return html_assets[i].body;
		}
	return NULL;
}
