#!/usr/bin/python3
"""pathway-web's people pages without a browser.

A real pathwayd on a manual clock and a real pathway-web in front of it
(web_harness.WebDaemon), spoken to over HTTP with http.client: each page's
status and headers; text from people and forms shown escaped; the login
flow from the emailed link (the GET only shows a button, the POST sets the
session cookie); a used link and an expired one saying so; a headteacher's
evidence form and sign-off through the links in their emails; a rater's 360
through theirs; a candidate's own page showing no "responded"; the
candidate inviting raters and rating themself from their page at the 360; a
long form (more than six fields) one question per page with its errors there,
"save and come back later", "check your answers" with Change links and the
submission's error linking back to its question, and a short form on one page.
"""
import re
import unittest

from web_harness import WebDaemon

XSS = "<script>alert(1)</script>"


def answers(definition, extra=None):
    """Valid answers to every required field of a form definition."""
    out = {}
    for f in definition["fields"]:
        if not f.get("required"):
            continue
        t = f["type"]
        out[f["id"]] = {"text": "x", "long_text": "Some evidence.", "choice": (f.get("options") or
                        ["x"])[0], "multiple_choice": (f.get("options") or ["x"])[:1],
                        "rating": 1, "date": "2026-10-01", "link": "https://example.org/",
                        "yes_no": True}[t]
    out.update(extra or {})
    return out


def posted(definition, values):
    """A form's answers as the browser posts them (f.FIELD, yes/no as words)."""
    out = {}
    for fid, v in values.items():
        if v is True or v is False:
            v = "yes" if v else "no"
        out["f." + fid] = v if isinstance(v, list) else str(v)
    return out


class PagesCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.w = WebDaemon()
        self.addCleanup(self.w.stop)
        self.w.people()
        w = self.w
        w.ok("school.create", {"id": "s-elm", "name": "Elm Tree Primary", "lss": True})
        w.ok("person.create", {"id": "p-xss", "name": XSS, "email": "xss@example.org",
                               "roles": ["candidate"], "school": "s-oak"})

    def app_for(self, candidate):
        """An application of candidate, nominated, at the headteacher's sign-off."""
        w = self.w
        app = w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": candidate,
                                          "route": "nomination", "override": True},
                   "p-la")["application"]["id"]
        form = w.ok("form.get", {"app": app, "form": "self_evaluation"})["form"]
        w.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": answers(form["definition"])}, candidate)
        self.assertEqual(w.ok("application.get", {"app": app})["application"]["stage"], "signoff")
        return app

    def assert_headers(self, r):
        csp = r.header("Content-Security-Policy") or ""
        self.assertIn("default-src", csp)
        self.assertNotIn("unsafe-inline", csp.split("script-src")[-1].split(";")[0])
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")

    def assert_page(self, r, status=200):
        self.assertEqual(r.status, status, re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", r.body))[:1500])
        self.assertTrue(r.header("Content-Type").startswith("text/html"), r.header("Content-Type"))
        self.assert_headers(r)
        self.assertTrue(r.body.startswith("<!doctype html>"))
        self.assertIn('<html lang="en-GB">', r.body)
        self.assertIn('name="viewport"', r.body)
        self.assertIn('href="/static/app.css"', r.body)
        self.assertNotIn("<script>", r.body)  # no inline script, ever
        self.assertNotIn("style=", r.body)
        for m in re.finditer(r"<form[^>]*>(.*?)</form>", r.body, re.S):
            if 'method="post"' in m.group(0):
                self.assertIn('name="csrf"', m.group(1))


class StaticAndLoginTest(PagesCase):
    def test_static_assets(self):
        c = self.w.client()
        css = c.get("/static/app.css")
        self.assertEqual(css.status, 200)
        self.assertTrue(css.header("Content-Type").startswith("text/css"))
        self.assertIn(":focus", css.body)
        self.assertNotIn("http", css.body)  # no fonts or CDNs
        js = c.get("/static/live.js")
        self.assertEqual(js.status, 200)
        self.assertIn("EventSource", js.body)
        self.assertIn("/part", js.body)

    def test_login_page_and_link_request_reveals_nothing(self):
        c = self.w.client()
        r = c.get("/login")
        self.assert_page(r)
        self.assertIn('type="email"', r.body)
        self.assertIn('<label class="field" for="email">', r.body)
        known = c.post("/login", {"email": "p-head@example.org"})
        unknown = c.post("/login", {"email": "nobody@example.org"})
        self.assert_page(known)
        self.assert_page(unknown)
        self.assertIn("If that address is known", known.body)
        self.assertEqual(known.body, unknown.body)
        empty = c.post("/login", {"email": ""})
        self.assert_page(empty, 400)
        self.assertIn("There is a problem", empty.body)
        self.assertIn('href="#email"', empty.body)

    def test_login_flow_from_the_emailed_link(self):
        w = self.w
        c = w.client()
        self.assertEqual(c.get("/").status, 303)
        token = w.login_token("p-head@example.org")
        page = c.get("/login/" + token)
        self.assert_page(page)
        self.assertIn(">Sign in</button>", page.body)
        self.assertNotIn("pw_session", " ".join(page.cookies))  # a GET spends nothing
        r = c.post("/login/" + token)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("Location"), "/")
        cookie = [s for s in r.cookies if s.startswith("pw_session=")]
        self.assertEqual(len(cookie), 1)
        self.assertIn("HttpOnly", cookie[0])
        self.assertIn("SameSite=", cookie[0])
        home = c.get("/")
        self.assert_page(home)
        self.assertIn("Margaret Lowe", home.body)
        self.assertIn('action="/logout"', c.get("/logout").body)
        # the same link again: used
        again = w.client().post("/login/" + token, form="/login/" + token)
        self.assert_page(again, 410)
        self.assertIn("This link has already been used", again.body)
        self.assertIn('action="/login"', again.body)
        # sign out: the cookie goes and / asks to sign in again
        out = c.post("/logout", form="/logout")
        self.assertEqual(out.status, 303)
        self.assertEqual(out.header("Location"), "/login")
        self.assertNotIn("pw_session", c.cookies)

    def test_expired_login_link(self):
        w = self.w
        token = w.login_token("p-head@example.org")
        w.ok("clock.advance", {"seconds": 31 * 86400})
        c = w.client()
        r = c.post("/login/" + token)
        self.assert_page(r, 410)
        self.assertIn("This link has expired", r.body)
        self.assertIn("Email me a sign-in link", r.body)

    def test_post_without_csrf_is_refused(self):
        token = self.w.login_token("p-head@example.org")
        r = self.w.client().post("/login/" + token, csrf=False)
        self.assertEqual(r.status, 403)


class ActionLinkTest(PagesCase):
    def test_headteacher_evidence_form_and_signoff_by_link(self):
        w = self.w
        app = self.app_for("p-xss")
        token = w.action_token("p-head@example.org", "signoff-needed")
        c = w.client()
        w.ok("person.update", {"id": "p-head", "name": "Margaret " + XSS})
        page = c.get("/a/" + token)
        self.assert_page(page)
        # what it is and for whom, escaped
        self.assertIn("This link is for Margaret &lt;script&gt;alert(1)&lt;/script&gt;",
                      page.body)
        self.assertNotIn(XSS, page.body)
        self.assertIn("Norfolk Primary Talent Pool 2026-27", page.body)
        self.assertIn("Headteacher nomination", page.body)  # the stage, by name
        self.assertIn("Headteacher&#39;s evidence form", page.body)
        self.assertIn('name="f.evidence"', page.body)
        self.assertIn('type="radio"', page.body)
        self.assertIn('type="checkbox"', page.body)
        definition = w.ok("form.get", {"app": app, "form": "evidence_form"})["form"]["definition"]
        good = answers(definition, {"evidence": "Led <b>phonics</b> & " + XSS})
        # a required field missing: the page again, with the error and the values kept
        bad = dict(posted(definition, good), **{"f.met_candidate": "", "form": "evidence_form"})
        r = c.post("/a/" + token, dict(bad, do="submit"))
        self.assert_page(r, 400)
        self.assertIn("There is a problem", r.body)
        self.assertIn('href="#f-evidence_form-met_candidate"', r.body)
        self.assertIn("Led &lt;b&gt;phonics&lt;/b&gt; &amp; &lt;script&gt;", r.body)
        # a draft does not use the link up
        r = c.post("/a/" + token, dict(bad, do="save"))
        self.assert_page(r)
        self.assertIn("Draft saved", r.body)
        # submitted: a confirmation saying what happens next, and the link is spent
        r = c.post("/a/" + token, dict(posted(definition, good), do="submit", form="evidence_form"))
        self.assert_page(r)
        self.assertIn("Form submitted", r.body)
        self.assertIn("What happens next", r.body)
        self.assertIn("Signed off by the headteacher", r.body)
        used = c.get("/a/" + token)
        self.assert_page(used, 410)
        self.assertIn("This link has already been used", used.body)
        # the reminder carries the sign-off link
        w.ok("clock.advance", {"seconds": 4 * 86400 + 3600})
        signoff = w.action_token("p-head@example.org", "signoff-reminder")
        page = c.get("/a/" + signoff)
        self.assert_page(page)
        self.assertIn(">Sign off</button>", page.body)
        self.assertIn("Led &lt;b&gt;phonics&lt;/b&gt;", page.body)  # the answers, escaped
        self.assertNotIn("<b>phonics", page.body)
        r = c.post("/a/" + signoff, {"do": "signoff"})
        self.assert_page(r)
        self.assertIn("Application signed off", r.body)
        self.assertIn("moved on", r.body)
        self.assertEqual(w.ok("application.get", {"app": app})["application"]["stage"],
                         "selection")

    def test_expired_action_link(self):
        w = self.w
        self.app_for("p-cand")
        token = w.action_token("p-head@example.org", "signoff-needed")
        w.ok("clock.advance", {"seconds": 31 * 86400})
        for r in (w.client().get("/a/" + token), w.client().post("/a/" + token, {"do": "signoff"})):
            self.assert_page(r, 410)
            self.assertIn("This link has expired", r.body)
            self.assertIn("Email me a sign-in link", r.body)
        self.assertEqual(w.ok("application.get", {"app": "A000001"})["application"]["stage"],
                         "signoff")

    def test_bad_links(self):
        c = self.w.client()
        r = c.get("/a/not-a-token")
        self.assert_page(r, 400)
        self.assertIn("This link is not valid", r.body)
        self.assertIn('action="/login"', r.body)

    def test_rater_360_by_link(self):
        w = self.w
        app = self.app_for("p-cand")
        head = w.login("p-head@example.org")
        definition = w.ok("form.get", {"app": app, "form": "evidence_form"})["form"]["definition"]
        w.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": answers(definition)}, "p-head")
        w.ok("application.signoff", {"app": app}, "p-head")
        w.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        w.ok("feedback.invite", {"app": app, "name": "Pat " + XSS, "email": "pat@example.org",
                                 "category": "peers"}, "p-cand")
        token = w.action_token("pat@example.org", "rater-invitation")
        c = w.client()
        page = c.get("/a/" + token)
        self.assert_page(page)
        self.assertIn("Give your 360 feedback", page.body)
        self.assertIn("Amara Okafor", page.body)
        self.assertIn("averaged with those of at least 2 others", page.body)
        self.assertIn("minutes", page.body)
        self.assertIn("&lt;script&gt;", page.body)  # the rater's own name, in the header line
        self.assertNotIn(XSS, page.body)
        q = w.ok("feedback.questionnaire", {"app": app})["questionnaire"]
        fields = {"r." + x["id"]: "3" for x in q["questions"]}
        first = q["questions"][0]["id"]
        short = dict(fields)
        del short["r." + first]
        r = c.post("/a/" + token, dict(short, do="respond"))
        self.assert_page(r, 400)
        self.assertIn('href="#q-%s"' % first, r.body)
        fields["r." + first] = "none"
        fields["c." + first] = "Calm & <i>clear</i>"
        r = c.post("/a/" + token, dict(fields, do="respond"))
        self.assert_page(r)
        self.assertIn("Thank you", r.body)
        self.assertIn("This link has already been used", c.get("/a/" + token).body)
        # the candidate's own page: progress as the requirement gives it, nobody's response
        cand = w.login("p-cand@example.org")
        mine = cand.get("/app/" + app)
        self.assert_page(mine)
        self.assertIn("fewer than 3 responses", mine.body)
        self.assertNotIn("responded", mine.body.lower())
        self.assertNotIn("answered", mine.body.lower().replace("never told who has answered", ""))
        self.assertIn("Pat &lt;script&gt;", mine.body)  # whom they invited, as text
        self.assertNotIn("Pat " + XSS, mine.body)
        self.assertEqual(head.get("/app/" + app).status, 200)


class CandidateInvitesTest(PagesCase):
    """The candidate invites raters from their page at the 360 stage and rates themself."""

    def at_360(self):
        w = self.w
        app = self.app_for("p-cand")
        definition = w.ok("form.get", {"app": app, "form": "evidence_form"})["form"]["definition"]
        w.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": answers(definition)}, "p-head")
        w.ok("application.signoff", {"app": app}, "p-head")
        w.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        return app

    def raters_part(self, body):
        m = re.search(r"<h2>People you have invited.*?</ul>|<h2>People you have invited"
                      r".*?<p>Nobody yet.</p>", body, re.S)
        return m.group(0) if m else ""

    def test_invite_raters_and_self_assess(self):
        w = self.w
        app = self.at_360()
        q = w.ok("feedback.questionnaire", {"app": app}, "p-cand")["questionnaire"]
        self.assertEqual([c["id"] for c in q["categories"]],
                         ["line_manager", "peers", "direct_reports", "others"])
        cand = w.login("p-cand@example.org")
        page = cand.get("/app/" + app)
        self.assert_page(page)
        self.assertIn("Nobody yet", page.body)
        self.assertIn('<label class="field" for="rater-name">', page.body)
        self.assertIn('<label class="field" for="rater-email">', page.body)
        for cid, name in (("line_manager", "Line manager"), ("peers", "Peers")):
            self.assertIn('value="%s"' % cid, page.body)
            self.assertIn(">%s</label>" % name, page.body)
        self.assertIn('value="invite"', page.body)
        # nothing filled in: the page again, each field's error linked from the summary
        r = cand.post("/app/" + app, {"do": "invite", "name": " ", "email": "x"})
        self.assert_page(r, 400)
        for f in ("rater-name", "rater-email", "rater-category"):
            self.assertIn('href="#%s"' % f, r.body)
        self.assertIn('value="x"', r.body)  # what was typed is kept
        # invited: a confirmation, the email with their link, the name shown as text
        seen = len(w.worker.jobs)
        r = cand.post("/app/" + app, {"do": "invite", "name": "Robin " + XSS,
                                      "email": "robin@example.org", "category": "peers"})
        self.assert_page(r)
        self.assertIn("Invitation sent", r.body)
        self.assertIn("We have emailed Robin &lt;script&gt;", r.body)
        self.assertNotIn(XSS, r.body)
        token = w.action_token("robin@example.org", "rater-invitation")
        self.assertGreater(len(w.worker.jobs), seen)
        cand.post("/app/" + app, {"do": "invite", "name": "Sam Hale",
                                  "email": "sam@example.org", "category": "line_manager"})
        # the same address again: said next to the field
        r = cand.post("/app/" + app, {"do": "invite", "name": "Robin again",
                                      "email": "ROBIN@example.org", "category": "others"})
        self.assert_page(r, 400)
        self.assertIn('href="#rater-email"', r.body)
        self.assertIn("already invited", r.body)
        page = cand.get("/app/" + app)
        before = self.raters_part(page.body)
        self.assertIn("Robin &lt;script&gt;alert(1)&lt;/script&gt;", before)
        self.assertIn("Sam Hale", before)
        self.assertIn("Line manager", before)
        self.assertNotIn(XSS, page.body)
        # the view: each invited rater's name, and never "responded" for the candidate
        raters = w.ok("application.get", {"app": app}, "p-cand")["application"]["raters"]
        self.assertEqual(sorted(r["name"] for r in raters.values()),
                         ["Robin " + XSS, "Sam Hale"])
        # Robin answers: nothing on the candidate's page says so
        fields = {"r." + x["id"]: "4" for x in q["questions"]}
        self.assertIn("Thank you", w.client().post("/a/" + token, dict(fields, do="respond")).body)
        self.assertTrue(any("responded" in r for r in w.ok(
            "application.get", {"app": app}, "p-la")["application"]["raters"].values()))
        page = cand.get("/app/" + app)
        self.assertEqual(self.raters_part(page.body), before)
        self.assertNotIn("responded", page.body.lower())
        # the headteacher sees whom the candidate invited, and cannot invite
        head = w.login("p-head@example.org").get("/app/" + app)
        self.assert_page(head)
        self.assertIn("People invited to give feedback", head.body)
        self.assertIn("Sam Hale", head.body)
        self.assertNotIn('value="invite"', head.body)
        # the self-assessment, from the candidate's own page
        self.assertIn("Rate yourself", page.body)
        r = cand.post("/app/" + app, dict(fields, do="respond"))
        self.assert_page(r)
        self.assertIn("Thank you", r.body)
        self.assertTrue(w.ok("feedback.questionnaire", {"app": app}, "p-cand")
                        ["questionnaire"]["responded"])
        self.assertNotIn("Rate yourself", cand.get("/app/" + app).body)
        # an invitation without the page's CSRF field is refused
        self.assertEqual(cand.post("/app/" + app, {"do": "invite", "name": "Kim",
                                                   "email": "kim@example.org"},
                                   csrf=False).status, 403)

    def test_invite_only_at_the_360_stage(self):
        w = self.w
        app = self.app_for("p-cand")
        page = w.login("p-cand@example.org").get("/app/" + app)
        self.assert_page(page)
        self.assertNotIn('value="invite"', page.body)
        self.assertNotIn("invited to give feedback", page.body)


class SignedInTest(PagesCase):
    def test_headteacher_home_and_application_page(self):
        w = self.w
        app = self.app_for("p-xss")
        head = w.login("p-head@example.org")
        home = head.get("/")
        self.assert_page(home)
        self.assertIn("Waiting on you", home.body)
        self.assertNotIn(XSS, home.body)
        if w.call("application.mine", {}, "p-head")["ok"]:
            self.assertIn('href="/app/%s"' % app, home.body)
            self.assertIn("Fill in the evidence form", home.body)
            self.assertIn("By ", home.body)  # the stage's deadline, in local time
            self.assertIn("Candidates at your school", home.body)
        page = head.get("/app/" + app)
        self.assert_page(page)
        self.assertIn('name="f.evidence"', page.body)
        self.assertIn("Back to your page", page.body)
        definition = w.ok("form.get", {"app": app, "form": "evidence_form"})["form"]["definition"]
        fields = dict(posted(definition, answers(definition)), form="evidence_form")
        r = head.post("/app/" + app, dict(fields, do="submit"))
        self.assert_page(r)
        self.assertIn("Form submitted", r.body)
        page = head.get("/app/" + app)
        self.assertIn(">Sign off</button>", page.body)
        self.assertIn("back for changes", page.body)
        r = head.post("/app/" + app, {"do": "return", "form": "evidence_form", "note": " "})
        self.assert_page(r, 400)
        self.assertIn('href="#note-evidence_form"', r.body)
        r = head.post("/app/" + app, {"do": "signoff"})
        self.assert_page(r)
        self.assertIn("Application signed off", r.body)
        self.assertEqual(w.ok("application.get", {"app": app})["application"]["stage"],
                         "selection")
        # another school's application is not this headteacher's to see
        self.assertEqual(head.get("/app/A999999").status, 404)
        # signed out, /app asks to sign in
        self.assertEqual(w.client().get("/app/" + app).status, 303)


class LongFormTest(PagesCase):
    """A form of more than six fields (the self-evaluation's 17) one question per page, then
    "check your answers"; a short one (the evidence form's 5) stays one page."""

    def test_one_question_per_page(self):
        w = self.w
        app = w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand",
                                          "route": "nomination", "override": True},
                   "p-la")["application"]["id"]
        definition = w.ok("form.get", {"app": app, "form": "self_evaluation"})["form"][
            "definition"]
        fields = definition["fields"]
        n = len(fields)
        self.assertGreater(n, 6)
        cand = w.login("p-cand@example.org")
        base = "/app/" + app
        url = base + "?form=self_evaluation&step=%s"
        page = cand.get(base)
        self.assert_page(page)
        self.assertIn("This form has %d questions, one to a page" % n, page.body)
        self.assertIn('href="%s"' % (url % 1).replace("&", "&amp;"), page.body)
        self.assertIn(">Start now</a>", page.body)
        self.assertNotIn('name="f.', page.body)  # no field on the application page
        # Question 1 alone, with its label, a Back link to the application page.
        q1 = cand.get(url % 1)
        self.assert_page(q1)
        self.assertIn("Question 1 of %d" % n, q1.body)
        self.assertEqual(re.findall(r'name="f\.([a-z_]+)"', q1.body), [fields[0]["id"]] * 1)
        self.assertIn('class="back-link" href="%s"' % base, q1.body)
        # A required question left empty: the error on its page, in the summary too.
        r = cand.post(base, {"do": "step", "form": "self_evaluation", "step": "1",
                             "f." + fields[0]["id"]: ""}, form=url % 1)
        self.assert_page(r, 400)
        elem = "f-self_evaluation-" + fields[0]["id"]
        self.assertIn('There is a problem', r.body)
        self.assertIn('href="#%s"' % elem, r.body)
        self.assertIn("Enter an answer to \u201c%s\u201d" % fields[0]["label"], r.body)
        self.assertIn("Question 1 of %d" % n, r.body)
        # Each answer is saved as a draft, and the next question follows.
        values = answers(definition, {"development_areas": "Leading <b>maths</b>"})
        for i, f in enumerate(fields, 1):
            body = {"do": "step", "form": "self_evaluation", "step": str(i)}
            body.update(posted(definition, {f["id"]: values[f["id"]]} if f["id"] in values
                               else {}))
            if i == 3:  # stop here and come back later: saved, back to the application
                r = cand.post(base, dict(body, then="later"), form=url % i)
                self.assertEqual((r.status, r.header("Location")), (303, base))
                page = cand.get(base)
                self.assertIn("You have answered 2 of %d questions" % n, page.body)
                self.assertIn(">Continue</a>", page.body)
            r = cand.post(base, body, form=url % i)
            self.assertEqual(r.status, 303, r.body[:2000])
            self.assertEqual(r.header("Location"),
                             url % (i + 1) if i < n else url % "check")
        draft = w.ok("form.get", {"app": app, "form": "self_evaluation"}, "p-cand")["form"]
        self.assertEqual(draft["state"], "draft")
        self.assertEqual(draft["fields"]["development_areas"], "Leading <b>maths</b>")
        # Check your answers: each answer, escaped, with a Change link to its page.
        check = cand.get(url % "check")
        self.assert_page(check)
        self.assertIn("Check your answers before submitting", check.body)
        self.assertIn("Leading &lt;b&gt;maths&lt;/b&gt;", check.body)
        self.assertNotIn("<b>maths", check.body)
        self.assertEqual(check.body.count(">Change<"), n)
        change = (url % 1 + "&from=check").replace("&", "&amp;")
        self.assertIn('href="%s"' % change, check.body)
        # Change one answer: back to the check page after it.
        r = cand.post(base, {"do": "step", "form": "self_evaluation", "step": "1",
                             "from": "check", "f." + fields[0]["id"]: "Deputy headteacher"},
                      form=url % 1 + "&from=check")
        self.assertEqual((r.status, r.header("Location")), (303, url % "check"))
        # A required answer cleared (saved for later): the submission names it on the
        # check page, linking to its question.
        r = cand.post(base, {"do": "step", "form": "self_evaluation", "step": "2",
                             "then": "later", "f." + fields[1]["id"]: ""}, form=url % 2)
        self.assertEqual(r.status, 303)
        r = cand.post(base, {"do": "check", "form": "self_evaluation"}, form=url % "check")
        self.assert_page(r, 400)
        self.assertIn('href="%s"' % (url % 2 + "&from=check").replace("&", "&amp;"), r.body)
        self.assertEqual(w.ok("application.get", {"app": app})["application"]["stage"],
                         "interest")
        r = cand.post(base, {"do": "step", "form": "self_evaluation", "step": "2",
                             "from": "check",
                             "f." + fields[1]["id"]: str(values[fields[1]["id"]])},
                      form=url % 2)
        self.assertEqual(r.status, 303)
        r = cand.post(base, {"do": "check", "form": "self_evaluation"}, form=url % "check")
        self.assert_page(r)
        self.assertIn("Form submitted", r.body)
        got = w.ok("form.get", {"app": app, "form": "self_evaluation"})["form"]
        self.assertEqual(got["state"], "submitted")
        self.assertEqual(got["fields"][fields[0]["id"]], "Deputy headteacher")
        self.assertEqual(w.ok("application.get", {"app": app})["application"]["stage"],
                         "signoff")
        # Once submitted, the question pages are gone: the application page instead.
        self.assertNotIn("Question 1 of", cand.get(url % 1).body)
        # The evidence form (5 fields) stays one page.
        head = w.login("p-head@example.org")
        page = head.get(base)
        self.assertIn('name="f.evidence"', page.body)
        self.assertNotIn("one to a page", page.body)


if __name__ == "__main__":
    unittest.main()
