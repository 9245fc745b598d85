#!/usr/bin/python3
"""pathway-web's pages for the newer actions, without a browser.

A real pathwayd on a manual clock behind a real pathway-web (web_harness),
spoken to over HTTP: the cohort's outcome figures page and its CSV (LA
advisers and viewers; a candidate is refused by pathwayd, nobody signed in
is sent to sign in); a candidate choosing host schools for their internship
from the link to a document of theirs (select boxes in order, a school
chosen twice and their own school refused next to the box, a school's name
escaped, the link not used up; only the schools the programme's host rules
allow offered, the others counted); a panel member recommending, the
headteacher recording the term's reviews and the LA deciding whether the
participant continues, each from the link in their email (what and for
whom, errors next to the field, CSRF refused, a used link saying so); and a
person booking a seat on a briefing from their own page, joining its
waiting list when it is full and seeing their place, cancelling, the seat
going to the first waiting, a viewer refused by pathwayd.
"""
import os
import shutil
import unittest

from answers import ANSWERS
from test_timers import SRC
from test_tracks import KENT_START
from test_web_pages import XSS, PagesCase
from unity_harness import ANSWER, CHAIR, COHORT, HEAD, PANEL, setup_people
from web_harness import WebDaemon

K = "kent-2026-27"


class UnityWeb(WebDaemon):
    """A WebDaemon with the Unity Schools LDP and its 2026-27 cohort loaded too."""

    def start(self):
        with open(self.conf) as f:
            text = f.read()
        if "unity-ldp" not in text:
            text = text.replace('programmes = [ ', 'programmes = [ "%s/conf/programmes/'
                                'unity-ldp.conf", ' % SRC, 1)
            text = text.replace('cohorts = [ ', 'cohorts = [ "%s/conf/cohorts/%s.conf", ' %
                                (SRC, COHORT), 1)
            with open(self.conf, "w") as f:
                f.write(text)
        super().start()


class OutcomesTest(PagesCase):
    def test_outcomes_page_and_csv(self):
        w = self.w
        w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand",
                                    "route": "nomination", "override": True}, "p-la")
        la = w.login("p-la@example.org")
        dash = la.get("/dashboard?cohort=ntp-2026-27")
        self.assertIn('href="/dashboard/outcomes?cohort=ntp-2026-27"', dash.body)
        r = la.get("/dashboard/outcomes?cohort=ntp-2026-27")
        self.assert_page(r)
        self.assertIn("Outcome figures", r.body)
        self.assertIn("<h2>Applications</h2>", r.body)
        self.assertIn("<td>Active</td><td>All</td><td class=\"num\">1</td>", r.body)
        self.assertIn('href="/dashboard/outcomes.csv?cohort=ntp-2026-27"', r.body)
        csv = la.get("/dashboard/outcomes.csv?cohort=ntp-2026-27")
        self.assertEqual(csv.status, 200)
        self.assertTrue(csv.header("Content-Type").startswith("text/csv"))
        self.assertIn("ntp-2026-27-outcomes.csv", csv.header("Content-Disposition"))
        lines = csv.body.lstrip("\ufeff").split("\r\n")
        self.assertEqual(lines[0], "Figure,Measure,Track,Number")
        self.assertIn("Applications,Total,All,1", lines)
        self.assertIn("Applications,Active,All,1", lines)
        # The first cohort without ?cohort=; a viewer too.
        self.assert_page(w.login("p-view@example.org").get("/dashboard/outcomes"))
        # pathwayd refuses a candidate; nobody signed in signs in first.
        self.assert_page(w.login("p-cand@example.org").get(
            "/dashboard/outcomes?cohort=ntp-2026-27"), 403)
        anon = w.client().get("/dashboard/outcomes?cohort=ntp-2026-27")
        self.assertEqual((anon.status, anon.header("Location")), (303, "/login"))
        self.assertEqual(la.get("/dashboard/outcomes?cohort=no-such").status, 404)


def kent_candidate_choosing_hosts(w, schools, hosts):
    """Schools [(id, name, phase, lss)], a Kent senior-track candidate "sam" at s-mall and
    LA adviser "p-la", places at hosts, and sam's application at the stage where hosts are
    ranked; returns the application and the action token of the choice's reminder."""
    for sid, name, phase, lss in schools:
        w.ok("school.create", {"id": sid, "name": name, "phase": phase, "lss": lss})
    for pid, roles, school in (("sam", ["candidate"], "s-mall"),
                               ("p-la", ["la_adviser"], None)):
        args = {"id": pid, "name": pid.title(), "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        w.ok("person.create", args)
    for s in hosts:
        w.ok("cohort.set_host", {"cohort": K, "school": s, "places": 2}, "p-la")
    app = w.ok("application.create", {"cohort": K, "candidate": "sam", "track": "senior"},
               "sam")["application"]["id"]
    w.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
    w.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
    w.ok("application.record_attendance", {"app": app, "session": "INTRO", "present": True},
         "p-la")
    w.ok("application.submit", {"app": app, "doc": "predisposition_audit",
                                "fields": ANSWERS["predisposition_audit"]}, "sam")
    w.ok("clock.set", {"now": "2027-05-21T08:00:00Z"})  # the choice's reminder
    return app, w.action_token("sam@example.org", "stage-reminder")


class HostsTest(PagesCase):
    def setUp(self):
        self.w = WebDaemon(KENT_START)
        self.addCleanup(self.w.stop)
        self.app, self.tok = kent_candidate_choosing_hosts(
            self.w, (("s-mall", "Malling School", "secondary", False),
                     ("s-high", XSS, "secondary", True),
                     ("s-ful", "Fulston Manor", "secondary", True)),
            ("s-high", "s-ful", "s-mall"))

    def test_choose_hosts_from_the_document_link(self):
        w, path = self.w, "/a/" + self.tok
        c = w.client()
        app_page = c.get(path)
        self.assert_page(app_page)
        self.assertIn('href="%s?page=hosts"' % path, app_page.body)
        page = c.get(path + "?page=hosts")
        self.assert_page(page)
        self.assertIn('<label class="field" for="choice-1">1st choice</label>', page.body)
        self.assertIn('for="choice-2">2nd choice', page.body)
        self.assertNotIn('for="choice-3"', page.body)  # two schools offered, not their own
        self.assertNotIn('value="s-mall"', page.body)
        self.assertNotIn(XSS, page.body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.body)
        form = path + "?page=hosts"
        # Nothing chosen, a school twice, their own school: each next to its box.
        r = c.post(form, {"choice-1": "", "choice-2": ""})
        self.assert_page(r, 400)
        self.assertIn('href="#choice-1">Choose at least one school', r.body)
        r = c.post(form, {"choice-1": "s-ful", "choice-2": "s-ful"})
        self.assert_page(r, 400)
        self.assertIn('href="#choice-2">You have chosen Fulston Manor more than once', r.body)
        self.assertIn('<option value="s-ful" selected>', r.body)
        r = c.post(form, {"choice-1": "s-mall"})
        self.assert_page(r, 400)
        self.assertIn('href="#choice-1"', r.body)
        self.assertIn("own school", r.body)
        self.assertNotIn("host_ranking", w.ok("application.get", {"app": self.app})
                         ["application"])
        # Without the CSRF field: refused before any page runs.
        self.assertEqual(c.post(form, {"choice-1": "s-ful"}, csrf=False).status, 403)
        r = c.post(form, {"choice-1": "s-ful", "choice-2": "s-high"})
        self.assert_page(r)
        self.assertIn("Your choices are saved", r.body)
        self.assertIn("<li>Fulston Manor</li>", r.body)
        self.assertIn("What happens next", r.body)
        a = w.ok("application.get", {"app": self.app})["application"]
        self.assertEqual(a["host_ranking"]["hosts"], ["s-ful", "s-high"])
        # Not used up: the page again, with the choices made.
        again = c.get(form)
        self.assert_page(again)
        self.assertIn('<option value="s-ful" selected>', again.body)


class KentHostRules(WebDaemon):
    """A WebDaemon whose Kent programme places internships only at Lead Succession Schools
    of the candidate's school's phase (host_lss, host_same_phase)."""

    def start(self):
        prog = os.path.join(self.dir, "kent-pathways.conf")
        if not os.path.exists(prog):
            with open(os.path.join(SRC, "conf/programmes/kent-pathways.conf")) as f:
                text = f.read()
            rule = '{ kind = "internship"; days = 5; }'
            assert rule in text
            os.makedirs(os.path.join(self.dir, "forms"), exist_ok=True)
            shutil.copy(os.path.join(SRC, "conf/programmes/forms/kent-pathways.conf"),
                        os.path.join(self.dir, "forms"))
            with open(prog, "w") as f:
                f.write(text.replace(rule, '{ kind = "internship"; days = 5; host_lss = true;'
                                           ' host_same_phase = true; }'))
            with open(self.conf) as f:
                conf = f.read()
            with open(self.conf, "w") as f:
                f.write(conf.replace("%s/conf/programmes/kent-pathways.conf" % SRC, prog))
        super().start()


class HostRulesTest(PagesCase):
    """Only the host schools the programme's rules let the candidate rank are offered: by
    pathwayd's application.host_choices, so by the page too; the others are counted."""

    def setUp(self):
        self.w = KentHostRules(KENT_START)
        self.addCleanup(self.w.stop)
        self.app, self.tok = kent_candidate_choosing_hosts(
            self.w, (("s-mall", "Malling School", "secondary", True),
                     ("s-high", XSS, "secondary", True),
                     ("s-ful", "Fulston Manor", "all-through", True),
                     ("s-plain", "Plain Secondary", "secondary", False),
                     ("s-prim", "Primrose Primary", "primary", True)),
            ("s-mall", "s-high", "s-ful", "s-plain", "s-prim"))

    def test_an_excluded_host_is_neither_returned_nor_shown(self):
        w, form = self.w, "/a/" + self.tok + "?page=hosts"
        ch = w.ok("application.host_choices", {"app": self.app}, "sam")
        self.assertEqual(sorted(h["school"] for h in ch["hosts"]), ["s-ful", "s-high"])
        self.assertEqual(ch["left_out"], {"not_lss": 1, "phase": 1})
        c = w.client()
        page = c.get(form)
        self.assert_page(page)
        self.assertIn('for="choice-2">2nd choice', page.body)
        self.assertNotIn('for="choice-3"', page.body)  # two schools the rules allow
        self.assertIn('<option value="s-ful">Fulston Manor (all-through)</option>', page.body)
        self.assertIn('<option value="s-high">', page.body)
        for sid, name in (("s-mall", "Malling"), ("s-plain", "Plain Secondary"),
                          ("s-prim", "Primrose")):
            self.assertNotIn('value="%s"' % sid, page.body)
            self.assertNotIn(name, page.body)
        self.assertIn("1 other school offering places is not listed: your programme's "
                      "internships are at Lead Succession Schools only", page.body)
        self.assertIn("1 other school offering places is not listed: your programme's "
                      "internships are at schools of your own school's phase", page.body)
        # A school left out, posted anyway, is refused by pathwayd next to its box.
        r = c.post(form, {"choice-1": "s-ful", "choice-2": "s-plain"})
        self.assert_page(r, 400)
        self.assertIn('href="#choice-2"', r.body)
        self.assertIn("Lead Succession School", r.body)
        r = c.post(form, {"choice-1": "s-high", "choice-2": "s-ful"})
        self.assert_page(r)
        self.assertIn("Your choices are saved", r.body)
        self.assertEqual(w.ok("application.get", {"app": self.app})["application"]
                         ["host_ranking"]["hosts"], ["s-high", "s-ful"])


def fresh_token(w, email, template, seen):
    """The token of the action link in the first job to email with template not in seen."""
    import re
    job = w.worker.wait(lambda j: j["id"] not in seen and j["to"]["email"] == email and
                        j["template"]["name"] == template and
                        "/a/" in j.get("vars", {}).get("action_url", ""),
                        what="a new %s link to %s" % (template, email))
    seen.add(job["id"])
    return re.search(r"/a/([A-Za-z0-9_-]+)$", job["vars"]["action_url"]).group(1)


class JudgeTest(PagesCase):
    def setUp(self):
        self.w = UnityWeb("2026-05-04T09:00:00Z")
        self.addCleanup(self.w.stop)
        w = self.w
        setup_people(w)
        w.ok("person.create", {"id": "c-xss", "name": XSS, "email": "c-xss@example.org",
                               "roles": ["candidate"], "school": "u-castle",
                               "facts": {"permanent": True}})
        self.app = w.ok("application.create", {"cohort": COHORT, "candidate": "c-xss"},
                        "c-xss")["application"]["id"]
        w.ok("application.submit", {"app": self.app, "doc": "ldp_application",
                                    "fields": ANSWER}, "c-xss")
        w.ok("application.signoff", {"app": self.app}, HEAD["u-castle"])

    def test_recommend_review_and_continue_by_link(self):
        w = self.w
        tok = w.action_token("usp-hr@example.org", "panel-invitation")
        path = "/a/" + tok
        c = w.client()
        page = c.get(path)
        self.assert_page(page)
        self.assertIn("Panel recommendation", page.body)
        self.assertIn("This link is for Harriet Rowe", page.body)
        self.assertIn("Year 5 teacher and maths lead", page.body)  # the form, to read
        self.assertNotIn(XSS, page.body)
        self.assertIn("&lt;script&gt;", page.body)
        self.assertIn('<label for="outcome">Offer a place</label>', page.body)
        self.assertIn('<label class="field" for="reason">', page.body)
        r = c.post(path, {"outcome": "", "reason": " "})
        self.assert_page(r, 400)
        self.assertIn('href="#outcome"', r.body)
        self.assertIn('href="#reason">Enter your reason', r.body)
        self.assertEqual(c.post(path, {"outcome": "accept", "reason": "x"},
                                csrf=False).status, 403)
        r = c.post(path, {"outcome": "accept", "reason": "Strong maths leadership"})
        self.assert_page(r)
        self.assertIn("Recommendation recorded", r.body)
        self.assertIn("What happens next", r.body)
        a = w.ok("application.get", {"app": self.app})["application"]
        rec = a["panel"][a["stage"]]["recommendations"]["usp-hr"]
        self.assertEqual((rec["outcome"], rec["reason"]), ("accept", "Strong maths leadership"))
        used = c.get(path)
        self.assert_page(used, 410)
        self.assertIn("already been used", used.body)
        # The others recommend, the chair decides; the autumn review falls due.
        for m in PANEL:
            if m != "usp-hr":
                w.ok("application.recommend", {"app": self.app, "outcome": "accept",
                                               "reason": "Yes"}, m)
        w.ok("application.decide", {"app": self.app, "outcome": "accept"}, CHAIR)
        head = HEAD["u-castle"] + "@example.org"
        seen = set()
        for when, term in (("2026-12-14T10:00:00Z", "Autumn"), ("2027-03-29T09:00:00Z",
                                                               "Spring")):
            w.ok("clock.set", {"now": when})
            path = "/a/" + fresh_token(w, head, "review-due", seen)
            page = c.get(path)
            self.assert_page(page)
            self.assertIn("Continuation review", page.body)
            self.assertIn("The %s term's continuation review" % term, page.body)
            r = c.post(path, {"outcome": "maybe"})
            self.assert_page(r, 400)
            self.assertIn('href="#outcome">Choose one of the answers', r.body)
            r = c.post(path, {"outcome": "not_met", "reason": "Behind plan"})
            self.assert_page(r)
            self.assertIn("Review recorded", r.body)
        self.assertIn("the LA is asked", r.body)
        a = w.ok("application.get", {"app": self.app})["application"]
        self.assertEqual(a["reviews"]["autumn"]["note"], "Behind plan")
        self.assertEqual(a["review_attention"]["not_met"], 2)
        # The LA's link from the escalation: continue, with a reason.
        path = "/a/" + w.action_token("p-la@example.org", "review-escalated")
        page = c.get(path)
        self.assert_page(page)
        self.assertIn("Continue or withdraw", page.body)
        self.assertIn("2 continuation reviews", page.body)
        r = c.post(path, {"outcome": "continue", "reason": ""})
        self.assert_page(r, 400)
        self.assertIn('href="#reason"', r.body)
        r = c.post(path, {"outcome": "continue", "reason": "Support plan agreed"})
        self.assert_page(r)
        self.assertIn("Decision recorded", r.body)
        a = w.ok("application.get", {"app": self.app})["application"]
        self.assertNotIn("review_attention", a)
        self.assertEqual(a["continuations"][0]["decision"], "continue")
        self.assert_page(c.get(path), 410)



class BookingTest(PagesCase):
    def test_book_wait_and_cancel_from_ones_own_page(self):
        w = self.w
        lle = {"cohort": "lle-2026-27", "session": "BRIEFING"}
        for i in range(39):  # 40 seats: one left
            pid = "p-b%02d" % i
            w.ok("person.create", {"id": pid, "name": "Booker %d" % i,
                                   "email": pid + "@example.org", "roles": ["candidate"]})
            w.ok("session.book", lle, pid)
        cand = w.login("p-cand@example.org")
        home = cand.get("/")
        self.assert_page(home)
        self.assertIn("Sessions you can book", home.body)
        self.assertIn("Briefing for prospective LLEs", home.body)
        self.assertIn("15 January 2027, 14:00 to 16:00", home.body)
        self.assertIn('<td class="num">1</td><td>Not booked', home.body)
        self.assertIn(">Book a seat</button>", home.body)
        self.assertNotIn("LLE training", home.body)  # not bookable
        self.assertEqual(cand.post("/book", dict(lle, do="book"), csrf=False).status, 403)
        r = cand.post("/book", dict(lle, do="book"), form="/")
        self.assert_page(r)
        self.assertIn("You are booked", r.body)
        self.assertIn("What happens next", r.body)
        again = cand.post("/book", dict(lle, do="book"), form="/")
        self.assert_page(again, 409)
        self.assertIn("There is a problem", again.body)
        self.assertIn("already booked", again.body)
        # Full: the next joins the waiting list and sees their place.
        head = w.login("p-head@example.org")
        home = head.get("/")
        self.assertIn('<td class="num">0</td><td>Not booked', home.body)
        self.assertIn(">Join the waiting list</button>", home.body)
        r = head.post("/book", dict(lle, do="book"), form="/")
        self.assert_page(r)
        self.assertIn("You are on the waiting list", r.body)
        self.assertIn("You are number 1 on the waiting list", r.body)
        home = head.get("/")
        self.assertIn("On the waiting list: number 1", home.body)
        self.assertIn(">Leave the waiting list</button>", home.body)
        # A cancellation gives the first waiting the seat.
        home = cand.get("/")
        self.assertIn("Booked</td>", home.body)
        r = cand.post("/book", dict(lle, do="cancel"), form="/")
        self.assert_page(r)
        self.assertIn("Your booking is cancelled", r.body)
        self.assertIn("Booked</td>", head.get("/").body)
        self.assertEqual(w.ok("session.bookings", lle, "p-head")["booking"]["status"], "booked")
        gone = cand.post("/book", dict(lle, do="cancel"), form="/")
        self.assert_page(gone, 409)
        self.assertIn("no booking on this session", gone.body)
        # pathwayd decides who books: a viewer may not.
        r = w.login("p-view@example.org").post("/book", dict(lle, do="book"), form="/")
        self.assert_page(r, 403)
        bad = cand.post("/book", {"cohort": "lle-2026-27", "session": "<x>", "do": "book"},
                        form="/")
        self.assert_page(bad, 400)
        # Once the session has started it is no longer offered.
        w.ok("clock.set", {"now": "2027-01-15T14:30:00Z"})
        later = w.login("p-cand@example.org").get("/")  # a new session after months
        self.assert_page(later)
        self.assertIn("There are no sessions to book now", later.body)


if __name__ == "__main__":
    unittest.main()
