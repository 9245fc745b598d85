#!/usr/bin/python3
"""The LA dashboard of pathway-web, without a browser.

A real pathwayd on a manual clock and a real pathway-web in front of it
(web_harness.WebDaemon). People sign in with sessions minted from the login
links their emails carry. The dashboard is checked as HTTP: who may open it
(redirect to /login, 403 for a candidate, a viewer sees no retry button),
the security headers, every untrusted name escaped, the numbers it shows
against cohort.report, the live part, the CSV downloads (quoting, the
formula guard, names and local times), the retry of a dead notification
with and without its CSRF token, and the time to draw a cohort of 1,000
applications.
"""
import csv
import io
import json
import os
import re
import time
import unittest

from answers import ANSWERS
from web_harness import WebDaemon

START = "2026-09-07T08:00:00Z"  # Monday, 09:00 in London
COHORT = "ntp-2026-27"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
COMMA = 'Smith, "Jo"'


def setup_people(d):
    """Schools and people: an LA adviser, a viewer, two headteachers, candidates."""
    d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
    d.ok("school.create", {"id": "s-elm", "name": "Elm Tree <Primary>", "phase": "primary",
                           "lss": True})
    for pid, name, roles, school in [
            ("p-la", "Helen Marsh", ["la_adviser"], None),
            ("p-view", "Victor Viewer", ["viewer"], None),
            ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
            ("p-head2", "Tom Elm", ["headteacher"], "s-elm"),
            ("p-xss", SCRIPT, ["candidate"], "s-oak"),
            ("p-formula", FORMULA, ["candidate"], "s-oak"),
            ("p-comma", COMMA, ["candidate"], "s-elm")]:
        args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        d.ok("person.create", args)


def fail_next_job(w, template):
    """Take the jobs offered to the harness's worker; report the first of template
    failed for good (a dead job), the others done. Returns the dead job's id."""
    end = time.monotonic() + 10
    dead = None
    while dead is None and time.monotonic() < end:
        if not w.worker.s.poll(100):
            continue
        m = json.loads(w.worker.s.recv_multipart()[-1])
        if m.get("type") != "job":
            continue
        job = m["job"]
        w.worker.jobs.append(job)
        if job["template"]["name"] == template:
            dead = job["id"]
            w.worker.s.send_json({"type": "fail", "job": dead, "error": "550 mailbox unknown"})
        else:
            w.worker.s.send_json({"type": "done", "job": job["id"]})
    assert dead is not None, "no %s job" % template
    return dead


def pipeline(w, reqs):
    """Send every request at once (one group commit), then read every reply."""
    ids = set()
    for cmd, args in reqs:
        w.n += 1
        ids.add("b%d" % w.n)
        w.sock.send_multipart([b"", json.dumps({"id": "b%d" % w.n, "cmd": cmd,
                                                "actor": "operator", "args": args}).encode()])
    while ids:
        assert w.sock.poll(60000), "no reply"
        r = json.loads(w.sock.recv_multipart()[-1])
        assert r["ok"], r
        ids.discard(r["id"])


def to_signoff(d, cand):
    """A candidate's application, self-evaluation in: waiting on the headteacher."""
    app = d.ok("application.create", {"cohort": COHORT, "candidate": cand},
               cand)["application"]["id"]
    d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                "fields": ANSWERS["self_evaluation"]}, cand)
    return app


class DashboardTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.w = WebDaemon(START)
        try:
            cls.set_up(cls.w)
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def set_up(cls, d):
        setup_people(d)
        cls.apps = {c: to_signoff(d, c) for c in ("p-xss", "p-formula", "p-comma")}
        # One notification fails for good: a dead job to retry.
        cls.dead = fail_next_job(d, "signoff-needed")
        # Two weeks and more: the sign-offs are overdue (deadline Mon 21 Sep, 17:00 BST).
        for _ in range(16):
            d.ok("clock.advance", {"seconds": 86400})
            d.worker.poll()
        cls.la = d.login("p-la@example.org")
        cls.viewer = d.login("p-view@example.org")
        cls.cand = d.login("p-xss@example.org")

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def test_summary_listing(self):
        """application.list's summary (what the dashboard asks for): the lists' keys, the same
        requirements as the full view, for an LA adviser as for a headteacher."""
        w = self.w
        keys = {"id", "cohort", "programme", "candidate", "candidate_name", "school", "route",
                "status", "stage", "stage_entered", "place", "overdue", "requirements"}
        for actor in ("p-la", "p-view", "p-head"):
            full = w.ok("application.list", {"cohort": COHORT}, actor)["applications"]
            short = w.ok("application.list", {"cohort": COHORT, "summary": True},
                         actor)["applications"]
            self.assertEqual([a["id"] for a in short], [a["id"] for a in full], actor)
            self.assertTrue(short, actor)
            for f, s in zip(full, short):
                self.assertEqual(set(s), keys & set(f), actor)
                for k in s:
                    self.assertEqual(s[k], f[k], (actor, k))
                self.assertNotIn("deadline", s)
                self.assertIn("docs", f)
        r = w.call("application.list", {"cohort": COHORT, "summary": "yes"}, "p-la")
        self.assertEqual(r["error"]["code"], "invalid_request")

    def get(self, path, client=None):
        """(status, headers, body) of a GET, signed in as client's person or nobody."""
        r = (client or self.w.client()).get(path)
        return r.status, r.headers, r.body

    def test_who_may_open_it(self):
        st, h, _ = self.get("/dashboard")
        self.assertEqual(st, 303)
        self.assertTrue(h["Location"].startswith("/login"), h["Location"])
        st, _, body = self.get("/dashboard", self.cand)
        self.assertEqual(st, 403)
        for path in ("/dashboard/part", "/dashboard/overdue.csv"):
            self.assertEqual(self.get(path, self.cand)[0], 403, path)
        self.assertEqual(self.get("/dashboard", self.viewer)[0], 200)
        self.assertEqual(self.get("/dashboard", self.la)[0], 200)
        self.assertEqual(self.get("/dashboard?cohort=nope", self.la)[0], 404)
        self.assertEqual(self.get("/dashboard?cohort=..%2F", self.la)[0], 404)
        self.assertEqual(self.get("/dashboard/nothing.csv", self.la)[0], 404)

    def test_headers_and_escaping(self):
        st, h, body = self.get("/dashboard?cohort=" + COHORT, self.la)
        self.assertEqual(st, 200)
        self.assertTrue(h["Content-Type"].startswith("text/html"))
        self.assertNotIn("unsafe-inline", h["Content-Security-Policy"])
        self.assertNotIn("script-src *", h["Content-Security-Policy"])
        self.assertEqual(h["X-Content-Type-Options"], "nosniff")
        self.assertEqual(h["Referrer-Policy"], "no-referrer")
        # Untrusted names are text: no tag of theirs reaches the page.
        self.assertNotIn(SCRIPT, body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        self.assertNotIn("Elm Tree <Primary>", body)
        self.assertIn("Elm Tree &lt;Primary&gt;", body)
        self.assertNotIn(' style="', body)  # the CSP allows no style attribute
        self.assertNotIn("<script>", re.sub(r'<script src="/static/[a-z]+\.js"[^>]*>', "", body))
        self.assertIn('src="/static/live.js"', body)
        # Without JavaScript: a refresh link, and the cohort picker is a plain form.
        self.assertRegex(body, r'<a[^>]*href="/dashboard\?cohort=ntp-2026-27"[^>]*>Refresh</a>')
        self.assertIn('<form method="get" action="/dashboard"', body)

    def test_numbers_match_the_report(self):
        report = self.w.ok("cohort.report", {"cohort": COHORT})
        _, _, body = self.get("/dashboard?cohort=" + COHORT, self.la)
        for stage, n in report["stages"].items():
            m = re.search(r'<tr id="stage-%s">.*?<td class="count[^"]*">(\d+)</td>' % stage, body)
            self.assertIsNotNone(m, stage)
            self.assertEqual(int(m.group(1)), n, stage)
        self.assertEqual(report["stages"]["signoff"], 3)
        for key in ("places", "taken", "left", "overdue"):
            m = re.search(r'id="stat-%s"><dt>[^<]*</dt><dd>(\d+)</dd>' % key, body)
            self.assertEqual(int(m.group(1)), report[key], key)
        # Overdue, waiting on the headteachers by name, with the deadline in local time.
        section = body[body.index('id="overdue"'):body.index('id="signoffs"')]
        self.assertIn("Margaret Lowe", section)
        self.assertIn("Tom Elm", section)
        self.assertIn("21 September 2026 at 5pm", section)
        # Sign-offs pending, by school.
        section = body[body.index('id="signoffs"'):body.index('id="feedback"')]
        self.assertIn("<h3>Oakfield Primary (2)</h3>", section)
        self.assertIn("<h3>Elm Tree &lt;Primary&gt; (1)</h3>", section)
        # Coming sessions: TP1 first, from the cohort's calendar.
        section = body[body.index('id="sessions"'):body.index('id="notifications"')]
        self.assertIn("Induction", section)
        # The feed names people and shows local times.
        section = body[body.index('id="activity"'):]
        self.assertIn("Pathway", section)

    def test_live_part(self):
        st, h, part = self.get("/dashboard/part?cohort=" + COHORT, self.la)
        self.assertEqual(st, 200)
        self.assertTrue(part.startswith('<div id="live"'), part[:80])
        self.assertIn('data-part="/dashboard/part?cohort=ntp-2026-27"', part)
        self.assertIn('data-stream="/events?cohort=ntp-2026-27&amp;after=', part)
        self.assertNotIn("<html", part)
        _, _, page = self.get("/dashboard?cohort=" + COHORT, self.la)
        self.assertIn('<div id="live"', page)

    def csv(self, name):
        st, h, body = self.get("/dashboard/%s.csv?cohort=%s" % (name, COHORT), self.la)
        self.assertEqual(st, 200, name)
        self.assertTrue(h["Content-Type"].startswith("text/csv"), h["Content-Type"])
        self.assertEqual(h["Content-Disposition"],
                         'attachment; filename="%s-%s.csv"' % (COHORT, name))
        self.assertTrue(body.startswith("\ufeff"))  # spreadsheets read it as UTF-8
        return list(csv.reader(io.StringIO(body[1:], newline="")))

    def test_csv(self):
        rows = self.csv("overdue")
        self.assertEqual(rows[0][:4], ["Candidate", "School", "Stage", "Waiting on"])
        by_name = {r[0]: r for r in rows[1:]}
        self.assertIn(SCRIPT, by_name)  # CSV is not HTML: the name as it is
        self.assertIn(COMMA, by_name)  # quoted: the comma and quotes survive
        self.assertIn("'" + FORMULA, by_name)  # a formula is never a formula
        self.assertEqual(by_name[COMMA][1], "Elm Tree <Primary>")
        self.assertEqual(by_name[COMMA][4], "Tom Elm")
        self.assertEqual(by_name[COMMA][5], "21 September 2026 at 5pm")
        self.assertEqual(by_name[COMMA][6], "1")  # 23 Sep 09:00 BST: a day and 16 hours late
        for name in ("waiting", "pipeline", "signoffs", "feedback", "sessions",
                     "notifications", "activity"):
            rows = self.csv(name)
            self.assertTrue(rows[0], name)
        notes = self.csv("notifications")
        self.assertIn(self.dead, [r[0] for r in notes])
        sessions = self.csv("sessions")
        self.assertEqual(sessions[1][:3], ["TP1", "Induction", "Thu 08 Oct 2026"])
        # Raw CSV: CRLF line ends, a field with a comma quoted.
        _, _, raw = self.get("/dashboard/overdue.csv?cohort=" + COHORT, self.la)
        self.assertIn('"Smith, ""Jo"""', raw)
        self.assertIn("\r\n", raw)

    def test_retry_a_dead_notification(self):
        _, _, body = self.get("/dashboard?cohort=" + COHORT, self.viewer)
        self.assertIn("550 mailbox unknown", body)
        self.assertNotIn("/dashboard/retry", body)  # a viewer sees it but may not retry
        _, _, body = self.get("/dashboard?cohort=" + COHORT, self.la)
        m = re.search(r'<form method="post" action="/dashboard/retry"[^>]*>(.*?)</form>', body,
                      re.S)
        self.assertIsNotNone(m, "no retry form")
        fields = dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', m.group(1)))
        self.assertEqual(fields["job"], self.dead)
        # Without its CSRF token, or with another's: refused, nothing changes.
        no_csrf = {k: v for k, v in fields.items() if k != "csrf"}
        self.assertEqual(self.la.post("/dashboard/retry", no_csrf, csrf=False).status, 403)
        self.assertEqual(self.la.post("/dashboard/retry", dict(fields, csrf="x" * 32)).status,
                         403)
        self.assertIn(self.dead, [j["id"] for j in self.w.ok(
            "outbox.list", {"state": "dead"})["jobs"]])
        # A viewer holding the form's fields still may not.
        self.assertEqual(self.viewer.post("/dashboard/retry", fields).status, 403)
        r = self.la.post("/dashboard/retry", fields)
        self.assertEqual(r.status, 303)
        h = r.headers
        self.assertIn("retried=" + self.dead, h["Location"])
        self.assertNotIn(self.dead, [j["id"] for j in self.w.ok(
            "outbox.list", {"state": "dead"})["jobs"]])
        _, _, body = self.get(h["Location"].split("#")[0], self.la)
        self.assertIn("is back in the queue", body)


class ThousandTest(unittest.TestCase):
    """A cohort of 1,000 applications, every one overdue, is drawn whole: each candidate
    on the page and in the overdue list. (How fast is scripts/bench's to say.)"""

    def test_thousand_applications(self):
        w = WebDaemon(START)
        self.addCleanup(w.stop)
        w.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        w.ok("person.create", {"id": "p-la", "name": "Helen Marsh", "email": "la@example.org",
                               "roles": ["la_adviser"]})
        w.ok("person.create", {"id": "p-head", "name": "Margaret Lowe",
                               "email": "head@example.org", "roles": ["headteacher"],
                               "school": "s-oak"})
        pipeline(w, [("person.create", {"id": "c%04d" % i, "name": "Candidate %d" % i,
                                       "email": "c%04d@example.org" % i,
                                       "roles": ["candidate"], "school": "s-oak"})
                    for i in range(1000)])
        pipeline(w, [("application.create", {"cohort": COHORT, "candidate": "c%04d" % i})
                    for i in range(1000)])
        w.ok("clock.advance", {"seconds": 40 * 86400})  # every one overdue
        la = w.login("la@example.org")
        r = la.get("/dashboard?cohort=" + COHORT)
        self.assertEqual(r.status, 200)
        self.assertEqual(set(re.findall(r"Candidate (\d+)<", r.body)),
                         {str(i) for i in range(1000)})
        csv = la.get("/dashboard/overdue.csv?cohort=" + COHORT)
        self.assertEqual(csv.status, 200)
        self.assertEqual(len(set(re.findall(r"Candidate (\d+)", csv.body))), 1000)


if __name__ == "__main__":
    unittest.main()
