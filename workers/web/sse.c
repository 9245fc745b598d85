/*
 * sse.c: Server-Sent Events, the live dashboards' stream. It owns a ring
 * of the last RING_SIZE events seen on the events socket, each kept as the
 * text a stream sends ("id: SEQ\nevent: TYPE\ndata: {json}\n\n"), with
 * consecutive seqs from the oldest to the newest; and the list of streams,
 * each with the cohort it follows, the seq it has been given everything up
 * to (pos), and the bytes waiting to go out.
 *
 * A stream's body is an MHD content reader: it hands out what is waiting;
 * when nothing is, it suspends the connection, and a new event (or the
 * keepalive every 15 s, which is also how a vanished client is noticed)
 * resumes it. Nothing is lost or sent twice: a stream moves from pos to
 * pos + 1 only. When the ring does not hold pos + 1 (a reconnect with an
 * old Last-Event-ID, or a gap on the events socket, after which the ring
 * starts again at the event that came), the stream catches up with
 * events.since under its own person's session token, page by page, and
 * then goes on from the ring. Live events that come meanwhile wait in the
 * ring. A stream whose client reads too slowly is ended; its EventSource
 * reconnects with Last-Event-ID and catches up.
 *
 * A stream lives only as long as the authority it was opened with: its
 * person's session, and a role that may watch (la_adviser, viewer). It asks
 * pathwayd again (auth.whoami with its own session token) when an event
 * says its person's standing may have changed (session.ended: a logout;
 * person.updated: their roles; person.erased), when an event's "at" is past
 * the session's expiry, after a gap on the events socket, and every
 * RECHECK_MS in any case. While it waits for the answer it is held: events
 * wait in the ring, none is sent, and a catch-up page that comes meanwhile
 * is kept back (no next page is asked for) until the answer lets it go on.
 * Any answer but "a session of a person who may watch" (pathwayd not
 * answering included), or a catch-up page refused for its session, ends it
 * with a last event "end" ({"reason": "signed_out"}, no id); the
 * EventSource's reconnect then has no session and is refused (403).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "proto.h"

#define RING_SIZE 1000
#define KEEPALIVE_MS 15000
#define BACKLOG_MAX (1024 * 1024) /* bytes a stream may have waiting */
#define SINCE_LIMIT 1000
#define RECHECK_MS 60000 /* every stream's session asked about at least this often */

struct ring_ev {
	int64_t seq;
	char *cohort; /* NULL: the event concerns no cohort */
	char *text;
	size_t len;
};

struct client {
	struct MHD_Connection *conn;
	char *token; /* the person's session, for events.since and auth.whoami */
	char person[PW_ID_MAX + 1];
	int64_t expires; /* the session's expiry (pathwayd's clock); 0: not known */
	char cohort[PW_ID_MAX + 1];
	int64_t pos; /* given every event up to this seq; -1: from the next that comes */
	struct pw_buf out;
	size_t off;
	int busy; /* api requests in flight: the last callback frees a dead stream */
	int suspended, catching_up, closing, dead;
	int held, checking, check_again; /* its authority being asked about */
	/* An events.since reply that came while held, kept back. */
	json_t *page;
	struct client *prev, *next;
};

static struct {
	struct ring_ev ev[RING_SIZE];
	size_t start, n;
} ring;
static struct client *clients;
static int64_t next_keepalive, next_recheck;

/* ---- the ring ------------------------------------------------------------------ */

static int64_t
ring_oldest(void)
{
	return ring.ev[ring.start].seq;
}

static int64_t
ring_newest(void)
{
	return ring.ev[(ring.start + ring.n - 1) % RING_SIZE].seq;
}

static const struct ring_ev *
ring_at(int64_t seq)
{
	return &ring.ev[(ring.start + (size_t)(seq - ring_oldest())) % RING_SIZE];
}

static void
ring_clear(void)
{
	for (size_t i = 0; i < ring.n; i++) {
		struct ring_ev *e = &ring.ev[(ring.start + i) % RING_SIZE];

		free(e->cohort);
		free(e->text);
	}
	ring.start = ring.n = 0;
}

/* An event as a stream sends it; NULL when it cannot be sent (no seq or type). */
static char *
event_text(const json_t *ev, int64_t *seq)
{
	const char *type = str(ev, "type");
	char *data, *text;

	*seq = json_integer_value(json_object_get(ev, "seq"));
	if (*seq <= 0 || type == NULL || type[strcspn(type, "\r\n")] != '\0')
		return NULL;
	data = json_dumps(ev, JSON_COMPACT); /* one line: strings escape their breaks */
	text = xasprintf("id: %lld\nevent: %s\ndata: %s\n\n", (long long)*seq, type, data);
	free(data);
	return text;
}

/* ---- streams -------------------------------------------------------------------- */

static void
client_free(struct client *c)
{
	free(c->token);
	free(c->out.p);
	json_decref(c->page);
	free(c);
}

/* Let MHD read from c again, when it has something to say. */
static void
wake(struct client *c)
{
	if (c->suspended && !c->dead && (c->out.len > c->off || c->closing)) {
		c->suspended = 0;
		MHD_resume_connection(c->conn);
	}
}

static void
client_write(struct client *c, const char *s, size_t n)
{
	if (c->closing)
		return;
	if (c->out.len - c->off + n > BACKLOG_MAX) {
		log_warn("events: a stream reads too slowly; it is ended (it resumes from its "
			 "last event)");
		c->closing = 1;
		return;
	}
	pw_buf_add(&c->out, s, n);
}

static int
follows(const struct client *c, const char *cohort)
{
	return c->cohort[0] == '\0' || streq(cohort, c->cohort);
}

static void catch_up(struct client *c);
static void client_end(struct client *c);

/* Give c what the ring holds after its pos. */
static void
fill(struct client *c)
{
	int64_t newest;

	if (c->catching_up || c->held || c->closing || c->dead || ring.n == 0)
		return;
	newest = ring_newest();
	if (c->pos < 0)
		c->pos = ring_oldest() - 1; /* the ring was empty when it came */
	if (c->pos >= newest)
		return;
	if (c->pos + 1 < ring_oldest()) {
		catch_up(c);
		return;
	}
	for (int64_t s = c->pos + 1; s <= newest; s++) {
		const struct ring_ev *e = ring_at(s);

		if (follows(c, e->cohort))
			client_write(c, e->text, e->len);
	}
	c->pos = newest;
	wake(c);
}

/* Give c one page of events.since's reply and ask for the next, if any. */
static void
since_page(struct client *c, json_t *reply)
{
	const json_t *data = json_object_get(reply, "data"),
		     *events = json_object_get(data, "events");
	int64_t head = json_integer_value(json_object_get(data, "head")), before = c->pos;
	size_t i;
	json_t *ev;

	if (!json_is_true(json_object_get(reply, "ok")) || !json_is_array(events)) {
		const char *code = str(json_object_get(reply, "error"), "code");

		/* Refused for its session (a logout its stream has not heard of yet). */
		if (code != NULL && (strncmp(code, "token_", 6) == 0 || streq(code, "forbidden") ||
				     streq(code, "unauthenticated"))) {
			client_end(c);
			return;
		}
		log_warn("events: catching a stream up failed (%s): it is ended",
			 reply ? code : "no answer");
		c->closing = 1;
		wake(c);
		return;
	}
	json_array_foreach(events, i, ev)
	{
		int64_t seq;
		char *text = event_text(ev, &seq);

		if (text != NULL && seq > c->pos) {
			if (follows(c, str(ev, "cohort")))
				client_write(c, text, strlen(text));
			c->pos = seq;
		}
		free(text);
	}
	if (json_array_size(events) == 0 && head < c->pos)
		c->pos = head; /* a Last-Event-ID beyond the log (a restored store) */
	if (c->pos > before && c->pos < head) {
		catch_up(c); /* the next page */
		return;
	}
	if (c->pos == before && ring.n > 0 && c->pos + 1 < ring_oldest()) {
		/* The log has nothing between: never expected; do not ask for ever. */
		log_warn("events: the log holds nothing from %lld to %lld", (long long)c->pos + 1,
			 (long long)ring_oldest() - 1);
		c->pos = ring_oldest() - 1;
	}
	wake(c);
	fill(c);
}

static void
since_done(json_t *reply, void *ud)
{
	struct client *c = ud;

	c->catching_up = 0;
	if (--c->busy == 0 && c->dead) {
		client_free(c);
		return;
	}
	if (c->dead || c->closing)
		return;
	if (c->held) {
		/* Its authority is being asked about: check_done gives this page, or ends c. */
		c->page = reply != NULL ? json_incref(reply) : json_null();
		return;
	}
	since_page(c, reply);
}

static void
catch_up(struct client *c)
{
	c->catching_up = 1;
	c->busy++;
	api_send("events.since", c->token,
		 json_pack("{s:I, s:i}", "after", (json_int_t)c->pos, "limit", SINCE_LIMIT),
		 since_done, c);
}

/* MHD asks for the next bytes of c's stream. */
static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *c = cls;
	size_t n = c->out.len - c->off;

	(void)pos;
	if (n > 0) {
		if (n > max)
			n = max;
		memcpy(buf, c->out.p + c->off, n);
		c->off += n;
		if (c->off == c->out.len) {
			c->off = c->out.len = 0;
			if (c->out.cap > 16 * 1024) { /* keep an idle stream small */
				free(c->out.p);
				c->out.p = NULL;
				c->out.cap = 0;
			}
		}
		return (ssize_t)n;
	}
	if (c->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing to send: park the connection until an event or a keepalive. */
	c->suspended = 1;
	MHD_suspend_connection(c->conn);
	return 0;
}

static int
may_watch(const json_t *person)
{
	size_t i;
	json_t *role;

	json_array_foreach(json_object_get(person, "roles"), i, role)
	{
		if (streq(json_string_value(role), "la_adviser") ||
		    streq(json_string_value(role), "viewer"))
			return 1;
	}
	return 0;
}

/* ---- authority ---------------------------------------------------------------- */

/* Remember who c's session is for and until when (auth.whoami's data). */
static void
client_session(struct client *c, const json_t *who)
{
	int64_t t;

	if (str(who, "person") != NULL)
		snprintf(c->person, sizeof c->person, "%s", str(who, "person"));
	if (str(who, "expires") != NULL && pw_time_parse(str(who, "expires"), &t) == 0)
		c->expires = t;
}

/* End c: its session no longer lets it watch. */
static void
client_end(struct client *c)
{
	static const char last[] = "event: end\ndata: {\"reason\": \"signed_out\"}\n\n";

	if (c->closing)
		return;
	log_info("events: a stream of %s ended: its session no longer lets it watch",
		 c->person[0] != '\0' ? c->person : "a person");
	client_write(c, last, sizeof last - 1);
	c->closing = 1;
	wake(c);
}

static void recheck(struct client *c);

static void
check_done(json_t *reply, void *ud)
{
	struct client *c = ud;
	const json_t *data = json_object_get(reply, "data");

	c->checking = 0;
	if (--c->busy == 0 && c->dead) {
		client_free(c);
		return;
	}
	if (c->dead || c->closing)
		return;
	if (!json_is_true(json_object_get(reply, "ok")) ||
	    !streq(str(data, "purpose"), "session") || !may_watch(data)) {
		client_end(c);
		return;
	}
	client_session(c, data);
	if (c->check_again) {
		c->check_again = 0;
		recheck(c);
		return;
	}
	c->held = 0;
	if (c->page != NULL) { /* the catch-up page kept back while c was held */
		json_t *page = c->page;

		c->page = NULL;
		since_page(c, json_is_null(page) ? NULL : page);
		json_decref(page);
		return;
	}
	if (c->catching_up)
		return; /* since_done goes on */
	fill(c);
}

/* Ask pathwayd whether c's session still lets it watch; hold c until it answers. */
static void
recheck(struct client *c)
{
	if (c->dead || c->closing)
		return;
	c->held = 1;
	if (c->checking) {
		c->check_again = 1; /* asked after the answer on its way was given */
		return;
	}
	c->checking = 1;
	c->busy++;
	api_send("auth.whoami", c->token, NULL, check_done, c);
}

/*
 * Whether an event may change what c's session allows: it is about the
 * session or roles of who (its person, or NULL), or it happened at "at"
 * (0: not known), past the session's expiry.
 */
static int
concerns(const struct client *c, const char *who, int64_t at)
{
	return (who != NULL && streq(who, c->person)) || (c->expires > 0 && at >= c->expires);
}

/* MHD is done with the stream (the client went, or we stop). */
static void
reader_free(void *cls)
{
	struct client *c = cls;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->dead = 1;
	if (c->busy == 0)
		client_free(c); /* else the last api callback frees it */
}

/* A seq from Last-Event-ID or ?after=, or -1. */
static int64_t
seq_parse(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v >= 0 ? v : -1;
}

/* GET /events?cohort=ID */
static void
sse_page(struct req *r)
{
	const char *cohort = req_arg(r, "cohort"), *last = req_header(r, "Last-Event-ID");
	struct client *c;

	if (req_person(r) == NULL || !may_watch(req_person(r))) {
		req_error(r, 403, "The live feed is for LA advisers and viewers: sign in as one.");
		return;
	}
	if (cohort != NULL && cohort[0] != '\0' && !pw_id_valid(cohort)) {
		req_error(r, 400, "There is no cohort with that name.");
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->conn = req_connection(r);
	c->token = xstrdup(req_session(r));
	client_session(c, req_person(r));
	snprintf(c->cohort, sizeof c->cohort, "%s", cohort != NULL ? cohort : "");
	c->pos = seq_parse(last != NULL ? last : req_arg(r, "after"));
	pw_buf_adds(&c->out, ": pathway events\nretry: 2000\n\n");
	c->next = clients;
	if (clients != NULL)
		clients->prev = c;
	clients = c;
	if (next_keepalive == 0)
		next_keepalive = web_now_ms() + KEEPALIVE_MS;
	if (next_recheck == 0)
		next_recheck = web_now_ms() + RECHECK_MS;
	req_reply_stream(r, "text/event-stream; charset=utf-8", reader, c, reader_free);
	if (c->pos < 0 && ring.n > 0)
		c->pos = ring_newest(); /* from now on */
	else if (c->pos >= 0 && (ring.n == 0 || c->pos + 1 < ring_oldest()))
		catch_up(c); /* what it missed may be older than anything seen here */
	else
		fill(c);
}

void
sse_routes(void)
{
	http_route("GET", "/events", sse_page);
}

void
sse_event(const json_t *ev)
{
	int64_t seq;
	char *text = event_text(ev, &seq);
	struct ring_ev *e;
	const char *type = str(ev, "type"), *who = NULL;
	int64_t at = 0;
	int gap = 0;

	if (text == NULL) {
		log_warn("events: an event without seq or type ignored");
		return;
	}
	if (ring.n > 0 && seq <= ring_newest()) {
		free(text); /* seen already */
		return;
	}
	if (ring.n > 0 && seq != ring_newest() + 1) {
		log_warn("events: %lld to %lld missed on the events socket; streams catch up "
			 "from the log",
			 (long long)ring_newest() + 1, (long long)seq - 1);
		ring_clear();
		gap = 1; /* what was missed may have ended a session */
	}
	if (ring.n == RING_SIZE) {
		free(ring.ev[ring.start].cohort);
		free(ring.ev[ring.start].text);
		ring.start = (ring.start + 1) % RING_SIZE;
		ring.n--;
	}
	e = &ring.ev[(ring.start + ring.n) % RING_SIZE];
	e->seq = seq;
	e->cohort = str(ev, "cohort") != NULL ? xstrdup(str(ev, "cohort")) : NULL;
	e->text = text;
	e->len = strlen(text);
	ring.n++;
	if (streq(type, "session.ended") || streq(type, "person.updated") ||
	    streq(type, "person.erased"))
		who = str(json_object_get(ev, "data"), "person");
	if (str(ev, "at") == NULL || pw_time_parse(str(ev, "at"), &at) != 0)
		at = 0;
	for (struct client *c = clients; c != NULL; c = c->next) {
		if (gap || concerns(c, who, at))
			recheck(c); /* before this event goes to it */
		fill(c);
	}
}

long
sse_timeout_ms(int64_t now_ms)
{
	int64_t next = next_keepalive < next_recheck ? next_keepalive : next_recheck;

	if (clients == NULL)
		return -1;
	return next <= now_ms ? 0 : (long)(next - now_ms);
}

void
sse_tick(int64_t now_ms)
{
	if (clients == NULL)
		return;
	if (now_ms >= next_recheck) {
		for (struct client *c = clients; c != NULL; c = c->next)
			recheck(c);
		next_recheck = now_ms + RECHECK_MS;
	}
	if (now_ms < next_keepalive)
		return;
	for (struct client *c = clients; c != NULL; c = c->next) {
		client_write(c, ": keepalive\n\n", 13);
		wake(c);
	}
	next_keepalive = now_ms + KEEPALIVE_MS;
}

void
sse_stop(void)
{
	for (struct client *c = clients; c != NULL; c = c->next) {
		c->closing = 1;
		wake(c);
	}
}

void
sse_free(void)
{
	ring_clear();
}
