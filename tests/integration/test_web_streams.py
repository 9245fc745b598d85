#!/usr/bin/python3
"""pathway-web's live streams last only as long as their authority, tried with
an SSE client over plain HTTP (no browser).

A stream is opened by an LA adviser or a viewer signed in. It ends (a last
"end" event, then the end of the body) when its session stops letting it
watch: the person signs out in another request, is erased by an LA adviser,
loses the role that let them watch (keeping another), or their session
expires (the manual clock moved past it, then any event). Each time the
events from then on are not sent to it, another person's stream goes on
untouched, and the browser's reconnect (Last-Event-ID, the same cookie) is
refused with 403. A stream catching up through many pages of missed events
when its person signs out ends the same way, with nothing from the logout on.
Every stop must be clean (exit 0).
"""
import json
import unittest

from web_harness import WebDaemon


def head(w):
    return w.ok("events.since", {"after": 0, "limit": 1})["head"]


class StreamAuthorityTest(unittest.TestCase):
    def setUp(self):
        self.w = WebDaemon()
        self.addCleanup(self.w.stop)
        self.w.people()
        self.n = 0

    def person(self):
        """Something happens: a new person (an event of no cohort, for every stream)."""
        self.n += 1
        pid = "p-new%d" % self.n
        self.w.ok("person.create", {"id": pid, "name": "Person " + pid,
                                    "email": pid + "@example.org", "roles": ["candidate"],
                                    "school": "s-oak"})
        return pid

    def open(self, client):
        s = self.w.stream(client, "?after=%d" % head(self.w))
        self.assertEqual(s.status, 200)
        self.addCleanup(s.close)
        return s

    def live(self, s):
        """s gets the next event; returns its id."""
        pid = self.person()
        (ev,) = s.events(1, timeout=3)
        self.assertEqual((ev["event"], ev["data"]["data"]["person"]), ("person.created", pid))
        return int(ev["id"])

    def assert_ended(self, s, last, cookies):
        """s ends with the "end" event and nothing after it; a reconnect is refused."""
        ev = s.next(timeout=5)
        self.assertIsNotNone(ev, "the stream sent nothing before it ended")
        self.assertEqual(ev["event"], "end")
        self.assertEqual(ev["data"], {"reason": "signed_out"})
        self.assertNotIn("id", ev)
        self.assertIsNone(s.next(timeout=5))
        self.assertTrue(s.ended, "the stream is still open")
        again = self.w.stream(self.w.client(cookies), last_id=last)
        self.assertEqual(again.status, 403)
        again.close()

    def test_logout_ends_the_stream(self):
        w = self.w
        view, la = w.login("p-view@example.org"), w.login("p-la@example.org")
        cookies = dict(view.cookies)
        s, other = self.open(view), self.open(la)
        last = self.live(s)
        other.events(1, timeout=3)
        r = view.post("/logout", {})
        self.assertEqual(r.status, 303)
        self.assert_ended(s, last, cookies)
        # The LA adviser's stream goes on, and gets the logout's event.
        got = other.events(1, timeout=3)
        self.assertEqual([e["event"] for e in got], ["session.ended"])
        self.assertEqual(got[0]["data"]["data"], {"person": "p-view"})
        self.live(other)

    def test_erasure_ends_the_stream(self):
        w = self.w
        view = w.login("p-view@example.org")
        cookies = dict(view.cookies)
        s = self.open(view)
        last = self.live(s)
        w.ok("person.erase", {"id": "p-view"}, "p-la")
        self.assert_ended(s, last, cookies)

    def test_role_taken_away_ends_the_stream(self):
        """A viewer who is also a headteacher keeps their session, not the stream."""
        w = self.w
        w.ok("person.update", {"id": "p-head", "roles": ["headteacher", "viewer"]})
        head_c = w.login("p-head@example.org")
        cookies = dict(head_c.cookies)
        s = self.open(head_c)
        last = self.live(s)
        w.ok("person.update", {"id": "p-head", "name": "Margaret Lowe-Smith"})
        # Still a viewer: the stream, held while pathwayd was asked, goes on with that event.
        (ev,) = s.events(1, timeout=3)
        self.assertEqual((ev["event"], int(ev["id"])), ("person.updated", last + 1))
        self.live(s)
        w.ok("person.update", {"id": "p-head", "roles": ["headteacher"]})
        self.assert_ended(s, last + 2, cookies)
        self.assertEqual(head_c.get("/").status, 200)  # the session itself holds

    def test_expiry_ends_the_stream(self):
        w = self.w
        la = w.login("p-la@example.org")
        cookies = dict(la.cookies)
        s = self.open(la)
        last = self.live(s)
        w.ok("clock.advance", {"seconds": 12 * 3600}, "p-la")  # daemon.session_hours
        self.person()  # the first event past the expiry
        self.assert_ended(s, last, cookies)
        # A new session watches again.
        s2 = self.open(w.login("p-la@example.org"))
        self.live(s2)

    def test_logout_while_catching_up(self):
        """A reconnect with an old Last-Event-ID catches up page by page; its person
        signs out meanwhile. Whatever comes first to pathway-web (a page, the logout's
        event, the answer about the session), the stream ends with "end", every event
        it sent is from before the logout, once and in order, and nothing after."""
        w = self.w
        first = head(w) + 1
        n = 6000  # six pages of events.since: the logout comes while they do
        for b in range(0, n, 250):  # 250 sent at once, then their replies
            for i in range(b, b + 250):
                w.sock.send_multipart([b"", json.dumps(
                    {"id": "many%d" % i, "cmd": "person.create", "actor": "operator",
                     "args": {"id": "p-many%d" % i, "name": "Person %d" % i,
                              "email": "many%d@example.org" % i, "roles": ["candidate"],
                              "school": "s-oak"}}).encode()])
            for i in range(b, b + 250):
                self.assertTrue(w.sock.poll(10000))
                r = json.loads(w.sock.recv_multipart()[-1])
                self.assertTrue(r["ok"], r)
        view = w.login("p-view@example.org")
        cookies = dict(view.cookies)
        csrf = view.get("/logout").csrf()
        s = w.stream(view, last_id=first)
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200)
        self.assertEqual(view.post("/logout", {"csrf": csrf}).status, 303)
        later = w.ok("events.since", {"after": first + n - 1, "limit": 1000})["events"]
        ended = [e["seq"] for e in later if e["type"] == "session.ended"]
        self.assertEqual(len(ended), 1)
        got = []
        while True:
            ev = s.next(timeout=10)
            self.assertIsNotNone(ev, "the stream ended without an \"end\" event")
            if ev["event"] == "end":
                break
            got.append(int(ev["id"]))
        self.assertEqual(ev["data"], {"reason": "signed_out"})
        self.assertEqual(got, list(range(first + 1, first + 1 + len(got))))
        self.assertTrue(all(seq < ended[0] for seq in got))
        self.assertIsNone(s.next(timeout=5))
        self.assertTrue(s.ended, "the stream is still open")
        again = w.stream(w.client(cookies), last_id=first)
        self.assertEqual(again.status, 403)
        again.close()


if __name__ == "__main__":
    unittest.main()
