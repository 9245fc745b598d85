#!/usr/bin/python3
"""pathway-web's core, tried from outside with plain HTTP (no browser).

A real pathwayd and a real pathway-web (web_harness.WebDaemon) on loopback:
the security headers on every kind of response, the 404 and 405 pages, a
POST without its CSRF field refused before any page runs (and nothing done
in pathwayd), the session cookie's attributes and an invalid one cleared,
the rate limit of POST /login, pathwayd not answering (503 within
timeout_ms), and the live stream: an event within a second of its commit,
only the cohort asked for, a reconnect with Last-Event-ID getting exactly
what it missed (from the ring, and from events.since after a restart of
pathway-web), refused to people who are not LA advisers or viewers. Also in
curve mode (web and viewer keys), and every stop must be clean (exit 0).
"""
import http.client
import signal
import time
import unittest

from answers import ANSWERS
from web_harness import WebDaemon, wait_until

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class WebCase(unittest.TestCase):
    curve = False

    def setUp(self):
        self.w = WebDaemon(curve=self.curve)
        self.addCleanup(self.w.stop)
        self.w.people()

    def secure_headers(self, r, what):
        self.assertEqual(r.header("Content-Security-Policy"), CSP, what)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", what)
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer", what)
        self.assertEqual(r.header("X-Frame-Options"), "DENY", what)

    def stage(self, app):
        a = self.w.ok("application.get", {"app": app})
        return a.get("stage") or a["application"]["stage"]

    def signoff_app(self):
        """An application at sign-off: the headteacher has an action link for it."""
        w = self.w
        app = w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        w.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        return app, w.ok("application.get", {"app": app})


class CoreTest(WebCase):
    def test_headers_on_every_response(self):
        c = self.w.client()
        for path, status in [("/healthz", 200), ("/no/such/page", 404),
                             ("/static/app.css", 200), ("/static/nothing.css", 404)]:
            r = c.get(path)
            self.assertEqual(r.status, status, path)
            self.secure_headers(r, path)
        r = c.request("POST", "/healthz", "", {"Content-Type":
                                               "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("Allow"))
        self.secure_headers(r, "405")
        r = c.request("DELETE", "/healthz")
        self.assertEqual(r.status, 405)
        self.secure_headers(r, "405")
        r = c.get("/no/such/page")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn("<h1>", r.body)
        r = c.get("/healthz")
        self.assertEqual((r.body, r.header("Cache-Control")), ("ok\n", "no-store"))
        # A body over 64 KiB is refused before it is read.
        r = c.request("POST", "/login", "x=" + "a" * 70000,
                      {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.secure_headers(r, "413")
        # A form that does not decode to UTF-8 is refused whole.
        r = c.request("POST", "/login", "email=%ff%fe&csrf=x",
                      {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 400)

    def test_invalid_session_cookie_cleared(self):
        c = self.w.client({"pw_session": "not-a-token"})
        r = c.get("/healthz")
        self.assertEqual(r.status, 200)
        (cookie,) = [x for x in r.cookies if x.startswith("pw_session=")]
        for part in ("pw_session=;", "Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax"):
            self.assertIn(part, cookie)
        self.assertNotIn("Secure", cookie)  # base_url is http:// and no TLS here
        self.assertNotIn("pw_session", c.cookies)
        # A session that is good stays.
        c = self.w.login("p-la@example.org")
        r = c.get("/healthz")
        self.assertEqual(r.cookies, [])

    def test_csrf_refused_before_the_page(self):
        w = self.w
        app, _ = self.signoff_app()
        token = w.action_token("p-head@example.org")
        c = w.client()
        elsewhere = w.client().get("/login").csrf() or "x"  # another browser's
        for fields in ({"app": app}, {"app": app, "csrf": ""}, {"app": app, "csrf": "forged"},
                       {"app": app, "csrf": elsewhere}):
            r = c.post("/a/" + token, fields, csrf=False)
            self.assertEqual(r.status, 403, fields)
            self.secure_headers(r, "403")
        # Nothing happened in pathwayd: still at sign-off, the link still unused.
        self.assertEqual(self.stage(app), "signoff")
        self.assertEqual(w.ok("auth.whoami", {"token": token})["purpose"], "action")
        # A CSRF value made for another session's token is no good either.
        other = w.login("p-la@example.org")
        r = c.post("/a/" + token, {"app": app, "csrf": other.get("/login").csrf() or "x"},
                   csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.stage(app), "signoff")
        # With the field its page carries, the page runs (whatever it then answers).
        self.assertNotEqual(c.post("/a/" + token, {"app": app}).status, 403)

    def test_planted_cookie_and_other_sites_refused(self):
        w = self.w
        c = w.login("p-la@example.org")
        self.assertEqual(c.get("/").status, 200)
        # Another browser's anonymous cookie and its CSRF value, planted beside a session
        # (a neighbouring site may set cookies): no good for a signed-in person's POST.
        a = w.client()
        planted = a.get("/login").csrf()
        self.assertIn("pw_anon", a.cookies)
        c.cookies["pw_anon"] = a.cookies["pw_anon"]
        r = c.post("/logout", {"csrf": planted}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(c.get("/").status, 200)  # still signed in
        # A browser that says the POST comes from another site is refused, whatever field.
        for h in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                  {"Origin": "null", "Sec-Fetch-Site": "same-site"}):
            r = c.post("/logout", form="/logout", headers=h)
            self.assertEqual(r.status, 403, h)
        self.assertEqual(c.get("/").status, 200)
        # From base_url's own origin it goes through.
        r = c.post("/logout", form="/logout",
                   headers={"Origin": w.base, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 303)
        self.assertEqual(c.get("/").status, 303)  # signed out: to /login
        # A session cookie that cannot be a token is no session: pages still answer.
        r = w.client({"pw_session": "!!not*a*token!!"}).get("/")
        self.assertEqual(r.status, 303)

    def test_login_link_without_a_token(self):
        """POST /login asks pathwayd for a link with no token (local mode: as the built-in
        `web`, never as a person): the link is emailed."""
        w = self.w
        r = w.client().post("/login", {"email": "p-head@example.org"})
        self.assertIn(r.status, (200, 303), r.body[:500])
        job = w.worker.wait(lambda j: j["to"]["email"] == "p-head@example.org" and
                            "login_url" in j.get("vars", {}), what="the login link")
        self.assertIn(w.base + "/login/", job["vars"]["login_url"])

    def test_login_rate_limit(self):
        c = self.w.client()
        statuses = [c.request("POST", "/login", "email=nobody%40example.org",
                              {"Content-Type": "application/x-www-form-urlencoded"}).status
                    for _ in range(7)]
        self.assertNotIn(429, statuses[:5])
        self.assertEqual(statuses[5:], [429, 429])
        r = c.request("POST", "/login", "email=x", {"Content-Type":
                                                     "application/x-www-form-urlencoded"})
        self.assertEqual(r.header("Retry-After"), "60")
        self.secure_headers(r, "429")
        # GETs are not limited.
        self.assertEqual(c.get("/healthz").status, 200)

    def test_pathwayd_not_answering(self):
        w = self.w
        c = w.login("p-la@example.org")
        w.proc.send_signal(signal.SIGSTOP)
        try:
            t = time.monotonic()
            r = c.get("/healthz")  # the session is checked first: no answer
            self.assertEqual(r.status, 503)
            self.assertLess(time.monotonic() - t, 6)
            self.secure_headers(r, "503")
        finally:
            w.proc.send_signal(signal.SIGCONT)
        self.assertEqual(c.get("/healthz").status, 200)

    def test_stop_with_requests_waiting(self):
        """SIGTERM while a page waits for pathwayd and a stream is open: exit 0."""
        w = self.w
        la = w.login("p-la@example.org")
        s = w.stream(la)
        self.assertEqual(s.status, 200)
        w.proc.send_signal(signal.SIGSTOP)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", w.port, timeout=10)
            conn.request("GET", "/healthz", headers={"Cookie": "pw_session=x"})
            wait_until(lambda: request_taken(w.port, conn.sock.getsockname()[1]), 5,
                       "pathway-web to read the request")
            w.web_stop()  # asserts exit 0
            r = conn.getresponse()
            self.assertEqual(r.status, 503)
            conn.close()
        finally:
            w.proc.send_signal(signal.SIGCONT)
        s.close()


def head(w):
    """The seq of the last event committed: a stream opened ?after=HEAD gets every event
    after it, however long it takes to connect (no sleep needed)."""
    return w.ok("events.since", {"after": 0, "limit": 1})["head"]


def request_taken(port, client_port):
    """Whether pathway-web has read everything the client sent on the connection from
    client_port (its socket's receive queue, in /proc/net/tcp, is empty)."""
    want = (":%04X" % port, ":%04X" % client_port)
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if cols[1].endswith(want[0]) and cols[2].endswith(want[1]):
                return int(cols[4].split(":")[1], 16) == 0
    return False


class StreamTest(WebCase):
    def person(self, pid):
        self.w.ok("person.create", {"id": pid, "name": "Person " + pid,
                                    "email": pid + "@example.org", "roles": ["candidate"],
                                    "school": "s-oak"})

    def test_refused_to_others(self):
        w = self.w
        for client, query, status in [(w.client(), "", 403),
                                      (w.login("p-head@example.org"), "", 403),
                                      (w.login("p-la@example.org"), "?cohort=..%2F", 400),
                                      (w.login("p-view@example.org"), "", 200)]:
            s = w.stream(client, query)
            self.assertEqual(s.status, status, query)
            s.close()

    def test_live_within_a_second_and_resume(self):
        w = self.w
        la = w.login("p-la@example.org")
        s = w.stream(la, "?after=%d" % head(w))  # nothing after HEAD is missed, whenever
        self.assertEqual(s.status, 200)
        self.assertEqual(s.headers["Content-Type"], "text/event-stream; charset=utf-8")
        self.assertEqual(s.headers["Cache-Control"], "no-store")
        self.assertEqual(s.headers["Content-Security-Policy"], CSP)
        t = time.monotonic()
        self.person("p-x1")
        (ev,) = s.events(1, timeout=1.0)
        self.assertLess(time.monotonic() - t, 1.0)
        self.assertEqual((ev["event"], ev["data"]["type"]), ("person.created", "person.created"))
        self.assertEqual(int(ev["id"]), ev["data"]["seq"])
        last = int(ev["id"])
        s.close()
        # Missed while away: exactly those, once, in order.
        for i in range(2, 5):
            self.person("p-x%d" % i)
        s = w.stream(la, last_id=last)
        got = s.events(3, timeout=3)
        self.assertEqual([int(e["id"]) for e in got], [last + 1, last + 2, last + 3])
        self.assertIsNone(s.next(timeout=0.5))
        self.person("p-x5")
        (ev,) = s.events(1, timeout=1.0)
        self.assertEqual(int(ev["id"]), last + 4)
        s.close()

    def test_cohort_filter_and_after(self):
        w = self.w
        la = w.login("p-la@example.org")
        start = head(w)
        s = w.stream(la, "?cohort=ntp-2026-27&after=%d" % start)
        self.person("p-y1")  # no cohort: not for this stream
        app = w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        (ev,) = s.events(1, timeout=2)
        self.assertEqual((ev["event"], ev["data"]["app"]), ("application.created", app))
        self.assertIsNone(s.next(timeout=0.3))
        s.close()
        # ?after= starts a stream where the page it belongs to was drawn.
        s = w.stream(la, "?after=%d" % start)
        got = s.events(2, timeout=3)
        self.assertEqual([e["event"] for e in got], ["person.created", "application.created"])
        s.close()

    def test_resume_from_the_log_after_a_restart(self):
        """pathway-web restarted (its ring empty): a Last-Event-ID is served from
        events.since, and the live events follow with none twice."""
        w = self.w
        la = w.login("p-la@example.org")
        s = w.stream(la, "?after=%d" % head(w))
        self.person("p-z1")
        (ev,) = s.events(1, timeout=2)
        last = int(ev["id"])
        s.close()
        w.web_stop()
        for i in range(2, 6):
            self.person("p-z%d" % i)
        w.web_start()
        s = w.stream(la, last_id=last)
        got = s.events(4, timeout=3)
        self.assertEqual([int(e["id"]) for e in got], list(range(last + 1, last + 5)))
        self.person("p-z6")
        (ev,) = s.events(1, timeout=2)
        self.assertEqual(int(ev["id"]), last + 5)
        self.assertIsNone(s.next(timeout=0.3))
        s.close()


class CurveTest(WebCase):
    """pathway-web with a web key (api) and a viewer key (events)."""
    curve = True

    def test_session_and_stream_over_curve(self):
        w = self.w
        la = w.login("p-la@example.org")
        self.assertEqual(la.get("/healthz").cookies, [])  # whoami through the web key
        s = w.stream(la, "?after=%d" % head(w))
        self.assertEqual(s.status, 200)
        w.ok("person.create", {"id": "p-c1", "name": "C", "email": "c1@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        (ev,) = s.events(1, timeout=2)
        self.assertEqual(ev["data"]["type"], "person.created")
        s.close()
        # A login link asked for without a token goes as the web key's built-in actor.
        r = w.client().post("/login", {"email": "p-head@example.org"})
        self.assertIn(r.status, (200, 303), r.body[:500])
        w.worker.wait(lambda j: j["to"]["email"] == "p-head@example.org" and
                      "login_url" in j.get("vars", {}), what="the login link")


class HttpsTest(unittest.TestCase):
    def test_secure_when_base_url_is_https(self):
        """Behind a proxy that terminates TLS: base_url https:// makes cookies Secure."""
        w = WebDaemon(base="https://pathway.test")
        self.addCleanup(w.stop)
        r = w.client({"pw_session": "bogus"}).get("/healthz")
        (cookie,) = r.cookies
        self.assertTrue(cookie.endswith("; Secure"), cookie)
        self.assertIsNone(r.header("Strict-Transport-Security"))

    def test_tls_here(self):
        """HTTPS served directly (libmicrohttpd with GnuTLS): HSTS, Secure cookies."""
        w = WebDaemon(tls=True)
        self.addCleanup(w.stop)
        w.people()
        r = w.client({"pw_session": "bogus"}).get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Strict-Transport-Security"), "max-age=31536000")
        self.assertEqual(r.header("Content-Security-Policy"), CSP)
        (cookie,) = r.cookies
        self.assertTrue(cookie.endswith("; Secure"), cookie)
        self.assertEqual(w.login("p-la@example.org").get("/healthz").cookies, [])


if __name__ == "__main__":
    unittest.main()
