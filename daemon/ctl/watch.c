/*
 * watch.c: the watch subcommand: a SUB socket on the event stream, with
 * catch-up from the log. struct watch holds the topic prefixes subscribed
 * to, the last seq handled, and how many events to show before exiting.
 */
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "conn.h"
#include "events.h"
#include "proto.h"
#include "util.h"
#include "value.h"

struct watch {
	struct ctl *c;
	json_t *prefixes; /* topics subscribed to, as strings */
	json_int_t last;  /* the last seq handled */
	json_int_t count; /* exit after this many events; 0: never */
	json_int_t shown;
};

static int
watch_matches(const struct watch *w, const json_t *e)
{
	const char *cohort = value_str(e, "cohort");
	char *topic = xasprintf("%s/%s", *cohort ? cohort : "-", value_str(e, "type"));
	size_t i;
	json_t *p;
	int yes = 0;

	json_array_foreach(w->prefixes, i, p)
	{
		if (strncmp(topic, json_string_value(p), json_string_length(p)) == 0)
			yes = 1;
	}
	free(topic);
	return yes;
}

/* Show e if it is new and wanted; returns 1 once the count is reached. */
static int
watch_event(struct watch *w, const json_t *e)
{
	json_int_t seq = json_integer_value(json_object_get(e, "seq"));
	char *s;

	if (seq <= w->last)
		return 0;
	w->last = seq;
	if (!watch_matches(w, e))
		return 0;
	s = w->c->json ? proto_encode(e) : events_line(e);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	w->shown++;
	return w->count > 0 && w->shown >= w->count;
}

/*
 * Replay the log after w->last until its head: 0, 1 when the count is
 * reached, or the exit status of a failed request (negated).
 */
static int
watch_catch_up(struct watch *w)
{
	for (;;) {
		json_t *data, *evs, *e;
		json_int_t head;
		size_t i;
		int rc =
		    conn_call(w->c, "events.since",
			      json_pack("{s:I, s:i}", "after", w->last, "limit", CTL_PAGE), &data);

		if (rc != 0)
			return -rc;
		evs = json_object_get(data, "events");
		head = json_integer_value(json_object_get(data, "head"));
		json_array_foreach(evs, i, e)
		{
			if (watch_event(w, e)) {
				json_decref(data);
				return 1;
			}
		}
		json_decref(data);
		if (json_array_size(evs) == 0 || w->last >= head)
			return 0;
	}
}

/* The topic prefixes for the filters: cohort/ , cohort/type, or -/type for each cohort. */
static int
watch_prefixes(struct watch *w, const json_t *cohorts, const json_t *types)
{
	json_t *all = NULL, *list;
	size_t i, j;
	json_t *co, *t;
	int rc;

	w->prefixes = json_array();
	if (json_array_size(types) == 0) {
		if (json_array_size(cohorts) == 0)
			json_array_append_new(w->prefixes, json_string(""));
		json_array_foreach(cohorts, i, co)
		    json_array_append_new(w->prefixes, json_sprintf("%s/", json_string_value(co)));
		return 0;
	}
	list = (json_t *)cohorts;
	if (json_array_size(cohorts) == 0) {
		json_t *data;

		/* One type across cohorts: subscribe once per cohort, and "-". */
		rc = conn_call(w->c, "cohort.list", NULL, &data);
		if (rc != 0)
			return rc;
		all = json_array();
		json_array_append_new(all, json_string("-"));
		json_array_foreach(json_object_get(data, "cohorts"), i, co)
		    json_array_append(all, json_object_get(co, "id"));
		json_decref(data);
		list = all;
	}
	json_array_foreach(list, i, co) json_array_foreach(types, j, t) json_array_append_new(
	    w->prefixes, json_sprintf("%s/%s", json_string_value(co), json_string_value(t)));
	json_decref(all);
	return 0;
}

/*
 * Subscribe first, then catch up from the log (from --since, or from the
 * head when watch started), then follow the stream. A seq past the one
 * expected means events were missed (or filtered out): the log fills the
 * gap; events already handled are dropped. After every (re)connection the
 * log is read again, so nothing that happened meanwhile is lost.
 */
int
watch_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	struct watch w = {.c = c};
	void *sub = NULL, *mon = NULL;
	json_t *since = json_object_get(args, "since"), *data;
	int rc, linger = 0;
	int64_t catch_up_at = -1;
	char mon_addr[64];
	size_t i;
	json_t *p;

	(void)e;
	w.count = json_integer_value(json_object_get(args, "count"));
	rc = watch_prefixes(&w, json_object_get(args, "cohort"), json_object_get(args, "type"));
	if (rc != 0)
		goto done;
	if (since != NULL) {
		w.last = json_integer_value(since);
	} else {
		rc = conn_call(c, "system.ping", NULL, &data);
		if (rc != 0)
			goto done;
		w.last = json_integer_value(json_object_get(data, "head"));
		json_decref(data);
	}
	sub = zmq_socket(c->zctx, ZMQ_SUB);
	if (sub == NULL)
		fatal("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
	json_array_foreach(w.prefixes, i, p)
	    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, json_string_value(p), json_string_length(p));
	snprintf(mon_addr, sizeof mon_addr, "inproc://pathwayctl-monitor-%p", (void *)sub);
	if (zmq_socket_monitor(sub, mon_addr, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
		fatal("zmq_socket_monitor: %s", zmq_strerror(errno));
	mon = zmq_socket(c->zctx, ZMQ_PAIR);
	if (mon == NULL || zmq_connect(mon, mon_addr) != 0)
		fatal("monitor: %s", zmq_strerror(errno));
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
	rc = conn_curve(c, sub);
	if (rc != 0)
		goto done;
	if (zmq_connect(sub, c->events) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", c->events, zmq_strerror(errno));
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	/* Catch up now for --since; and again once the stream is connected. */
	if (since != NULL) {
		rc = watch_catch_up(&w);
		if (rc != 0)
			goto caught;
	}
	for (;;) {
		zmq_pollitem_t items[] = {{sub, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
		long wait = -1;
		json_t *ev;

		if (catch_up_at >= 0)
			wait =
			    (long)(catch_up_at > conn_now_ms() ? catch_up_at - conn_now_ms() : 0);
		if (zmq_poll(items, 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "pathwayctl: zmq_poll: %s\n", zmq_strerror(errno));
			rc = CTL_EXIT_NOANSWER;
			goto done;
		}
		if (items[1].revents & ZMQ_POLLIN) {
			json_decref(conn_recv(mon)); /* a (re)connection: read the log shortly */
			catch_up_at = conn_now_ms() + 100;
		}
		if (catch_up_at >= 0 && conn_now_ms() >= catch_up_at) {
			catch_up_at = -1;
			rc = watch_catch_up(&w);
			if (rc != 0)
				goto caught;
		}
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		ev = conn_recv(sub);
		if (ev == NULL)
			continue;
		if (json_integer_value(json_object_get(ev, "seq")) > w.last + 1) {
			rc = watch_catch_up(&w);
		} else {
			rc = watch_event(&w, ev);
		}
		json_decref(ev);
		if (rc != 0)
			goto caught;
	}
caught:
	rc = rc > 0 ? 0 : -rc;
done:
	if (mon != NULL)
		zmq_close(mon);
	if (sub != NULL) {
		zmq_socket_monitor(sub, NULL, 0);
		zmq_close(sub);
	}
	json_decref(w.prefixes);
	json_decref(args);
	return rc;
}
