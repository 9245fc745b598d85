#!/usr/bin/python3
"""The Unity Schools LDP on a real pathwayd (manual clock): eligibility
(permanent staff) and rolling applications, the selection panel (each
member recommends with a reason, the chair decides once all have or after
closing the panel; who sees the recommendations; the panel counted as
configured after a reload), the reviews each term (two "not met" ask the
LA, who continues or withdraws; who sees what they found), a panel and
reviews on one track only, the Leading for
Excellence groups (joined by school phase, their sizes against min and
max, a group below its minimum told to the LA on the cohort's date), the
session both groups attend and one shared by two cohorts, erasure of the
free text, pathwayctl's subcommands, and configuration mistakes. Each step
asserts the jobs (recipient, template) and events that appeared, and
refusals change nothing.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from test_timers import BIN, SRC
from unity_harness import CONF
from unity_harness import (ANSWER, CHAIR, COHORT, HEAD, NEXT, PANEL, News, UnityDaemon,
                           cohort_text, setup_people)


class UnityBase(unittest.TestCase):
    """A daemon with the LDP, the Trust's people, and the helpers the tests share."""
    start = "2026-05-04T09:00:00Z"  # Monday 4 May 2026, 10:00 BST: applications open
    max_size = None
    programme = None  # a function rewriting the programme's text, or None

    def setUp(self):
        self.d = UnityDaemon(self.start, self.max_size, programme=self.programme)
        self.addCleanup(self.d.stop)
        setup_people(self.d)
        self.news = News(self.d)

    # --- helpers ------------------------------------------------------------------------
    def expect(self, jobs, events):
        got_jobs, got_evs = self.news.take()
        self.assertEqual(sorted((j["to"]["person"], j["template"]) for j in got_jobs),
                         sorted(jobs))
        self.assertEqual(sorted(e["type"] for e in got_evs), sorted(events))
        for e in got_evs:  # recommendations' content and reasons never reach the stream
            self.assertNotIn("reason", str(e))
            self.assertNotIn("outcome", e.get("data", {}) if e["type"] ==
                             "application.recommended" else {})
        return got_jobs, got_evs

    def refused(self, cmd, args, actor, code):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"], "%s %s by %s" % (cmd, args, actor))
        self.assertEqual(r["error"]["code"], code, r["error"]["message"])
        self.expect([], ["audit.refused"] if code == "forbidden" else [])
        return r["error"]["message"]

    def get(self, app, actor="p-la"):
        return self.d.ok("application.get", {"app": app}, actor)["application"]

    def apply(self, cand, cohort=COHORT, **extra):
        """Apply, submit the form and have the headteacher sign off: at the panel."""
        args = dict({"cohort": cohort, "candidate": cand}, **extra)
        app = self.d.ok("application.create", args, cand)["application"]
        self.expect([], ["application.created"])
        self.d.ok("application.submit",
                  {"app": app["id"], "doc": "ldp_application", "fields": ANSWER}, cand)
        head = HEAD[app["school"]]
        self.expect([(head, "ldp-headteacher")],
                    ["application.submitted", "application.stage_changed"])
        self.d.ok("application.signoff", {"app": app["id"]}, head)
        self.expect([(m, "panel-invitation") for m in PANEL],
                    ["application.signed_off", "application.stage_changed"])
        return app["id"]

    def select(self, app, outcome="accept"):
        """Every member recommends; the chair decides."""
        for m in PANEL:
            self.d.ok("application.recommend",
                      {"app": app, "outcome": outcome, "reason": "Reason of " + m}, m)
        self.news.take()
        a = self.d.ok("application.decide", {"app": app, "outcome": outcome},
                      CHAIR)["application"]
        self.news.take()
        return a



class Unity(UnityBase):
    def test_eligibility_and_rolling_applications(self):
        msg = self.refused("application.create", {"cohort": COHORT, "candidate": "c-temp"},
                           "c-temp", "not_eligible")
        self.assertIn("permanent", msg)
        self.refused("application.create", {"cohort": COHORT, "candidate": "c-nofact"},
                     "c-nofact", "not_eligible")
        # The headteacher may apply on a member of staff's behalf; the group follows
        # the school's phase when no track is named.
        a = self.d.ok("application.create", {"cohort": COHORT, "candidate": "c-sec",
                                             "route": "nomination"}, "h-samuel")["application"]
        self.assertEqual(a["track"], "secondary")
        self.expect([], ["application.created"])
        # The LA may put a candidate in the other group.
        a = self.d.ok("application.create", {"cohort": COHORT, "candidate": "c-pri",
                                             "track": "secondary"})["application"]
        self.assertEqual(a["track"], "secondary")
        self.expect([], ["application.created"])
        # After the closing date an application joins the following September's cohort.
        self.d.ok("clock.set", {"now": "2026-07-01T08:00:00Z"})
        self.refused("application.create", {"cohort": COHORT, "candidate": "c-pri2"},
                     "c-pri2", "outside_window")
        a = self.d.ok("application.create", {"cohort": NEXT, "candidate": "c-pri2"},
                      "c-pri2")["application"]
        self.assertEqual((a["cohort"], a["track"], a["stage"]), (NEXT, "primary", "application"))
        self.expect([], ["application.created"])

    def test_panel_reads_only_what_reached_it(self):
        app = self.d.ok("application.create", {"cohort": COHORT, "candidate": "c-pri"},
                        "c-pri")["application"]["id"]
        self.news.take()
        # A draft, and an application waiting for the headteacher, are not the panel's.
        self.refused("application.get", {"app": app}, "usp-hr", "forbidden")
        # Nor may the panel act on it: forbidden, never a word of its stage.
        self.refused("application.recommend", {"app": app, "outcome": "accept", "reason": "x"},
                     "usp-hr", "forbidden")
        self.refused("application.close_panel", {"app": app}, CHAIR, "forbidden")
        self.d.ok("application.submit",
                  {"app": app, "doc": "ldp_application", "fields": ANSWER}, "c-pri")
        self.news.take()
        self.refused("form.get", {"app": app, "form": "ldp_application"}, "usp-hr",
                     "forbidden")
        self.assertEqual(self.d.ok("application.mine", {}, "usp-hr")["applications"], [])
        self.d.ok("application.signoff", {"app": app}, "h-castle")
        self.news.take()
        self.assertEqual(self.get(app, "usp-hr")["stage"], "selection")

    def test_panel(self):
        app = self.apply("c-pri")
        reqs = self.get(app)["requirements"]
        self.assertEqual([(r["kind"], r["have"], r["need"], r["met"]) for r in reqs],
                         [("panel", 0, 4, False)])
        # Only panel members recommend; nobody recommends on their own application.
        self.refused("application.recommend", {"app": app, "outcome": "accept", "reason": "x"},
                     "h-castle", "forbidden")
        self.refused("application.recommend", {"app": app, "outcome": "accept", "reason": "x"},
                     "c-pri", "forbidden")
        self.refused("application.recommend", {"app": app, "outcome": "accept"}, "usp-hr",
                     "invalid_request")
        self.refused("application.recommend", {"app": app, "outcome": "maybe", "reason": "x"},
                     "usp-hr", "invalid_request")
        # Each member finds it on their own page; a member reads the form they judge,
        # another school's headteacher does not.
        mine = self.d.ok("application.mine", {}, "usp-primary-lead")["applications"]
        self.assertEqual([a["id"] for a in mine], [app])
        self.assertEqual(self.d.ok("application.mine", {}, "h-samuel")["applications"], [])
        form = self.d.ok("form.get", {"app": app, "form": "ldp_application"}, "usp-hr")
        self.assertEqual(form["form"]["fields"]["current_post"], ANSWER["current_post"])
        self.refused("form.get", {"app": app, "form": "ldp_application"}, "h-samuel",
                     "forbidden")
        self.d.ok("application.recommend",
                  {"app": app, "outcome": "accept", "reason": "Strong maths leadership"},
                  "usp-hr")
        _, evs = self.expect([], ["application.recommended"])
        self.assertEqual(evs[0]["actor"], "usp-hr")
        self.assertEqual(evs[0]["data"], {"member": "usp-hr", "recommended": 1, "members": 4})
        self.refused("application.recommend", {"app": app, "outcome": "reject", "reason": "y"},
                     "usp-hr", "already_exists")
        # The chair decides only once every member has recommended; nobody else decides.
        self.refused("application.decide", {"app": app, "outcome": "accept"}, CHAIR,
                     "invalid_transition")
        self.refused("application.decide", {"app": app, "outcome": "accept"}, "usp-hr",
                     "forbidden")
        self.refused("application.decide", {"app": app, "outcome": "accept"}, "p-la",
                     "forbidden")
        self.refused("application.close_panel", {"app": app}, "usp-hr", "forbidden")
        for m, outcome in (("usp-ceo", "accept"), ("usp-primary-lead", "waitlist")):
            self.d.ok("application.recommend",
                      {"app": app, "outcome": outcome, "reason": "Because " + m}, m)
            self.expect([], ["application.recommended"])
        self.d.ok("application.recommend",
                  {"app": app, "outcome": "accept", "reason": "Because usp-secondary-lead"},
                  "usp-secondary-lead")
        jobs, _ = self.expect([(CHAIR, "panel-ready")],
                              ["application.recommended", "application.panel_ready"])
        self.assertEqual(jobs[0]["vars"]["members"], 4)
        # Every recommendation is in: what is waited for now is the chair's decision.
        self.assertEqual(jobs[0]["vars"]["todo"], "the panel chair's decision")
        # Who sees what: the panel and the LA see each recommendation; the candidate,
        # their headteacher and the dashboards only who recommended and when.
        for who in ("p-la", "usp-primary-lead"):
            recs = self.get(app, who)["panel"]["selection"]["recommendations"]
            self.assertEqual(recs["usp-hr"]["reason"], "Strong maths leadership")
            self.assertEqual(recs["usp-primary-lead"]["outcome"], "waitlist")
        for who in ("c-pri", "h-castle", "viewer"):  # the dashboard neither
            recs = self.get(app, who)["panel"]["selection"]["recommendations"]
            self.assertEqual(sorted(recs), sorted(PANEL))
            for r in recs.values():
                self.assertEqual(sorted(r), ["at"])
        self.refused("application.get", {"app": app}, "h-samuel", "forbidden")
        a = self.d.ok("application.decide", {"app": app, "outcome": "accept"},
                      CHAIR)["application"]
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "programme", True))
        self.expect([("c-pri", "decision-accepted"), ("h-castle", "decision-accepted"),
                     ("c-pri", "session-calendar")],
                    ["application.decided", "application.stage_changed"])
        self.refused("application.recommend", {"app": app, "outcome": "accept", "reason": "x"},
                     "usp-hr", "invalid_transition")

    def test_panel_closed_by_the_chair(self):
        app = self.apply("c-sec")
        self.d.ok("application.recommend", {"app": app, "outcome": "reject", "reason": "Not yet"},
                  "usp-hr")
        self.expect([], ["application.recommended"])
        self.d.ok("application.close_panel", {"app": app}, CHAIR)
        _, evs = self.expect([], ["application.panel_closed"])
        self.assertEqual(evs[0]["data"], {"recommended": 1, "members": 4})
        self.refused("application.close_panel", {"app": app}, CHAIR, "invalid_transition")
        self.refused("application.recommend", {"app": app, "outcome": "accept", "reason": "x"},
                     "usp-ceo", "invalid_transition")
        a = self.d.ok("application.decide", {"app": app, "outcome": "reject",
                                             "note": "Apply again next year"},
                      CHAIR)["application"]
        self.assertEqual(a["status"], "rejected")
        self.expect([("c-sec", "decision-not-selected"), ("h-samuel", "decision-not-selected")],
                    ["application.decided", "application.rejected"])

    def test_reviews_each_term(self):
        app = self.apply("c-pri")
        self.select(app)
        other = self.apply("c-sec")
        self.select(other)
        self.news.take()
        rq = [r for r in self.get(app)["requirements"] if r["kind"] == "review"][0]
        self.assertEqual((rq["have"], rq["need"], rq["role"], rq["term"], rq["from"]),
                         (0, 3, "headteacher", "autumn", "2026-11-30"))
        # The candidate's own headteacher reviews (or the LA), term by term.
        self.refused("application.review", {"app": app, "term": "autumn", "outcome": "met"},
                     "h-samuel", "forbidden")
        self.refused("application.review", {"app": app, "term": "spring", "outcome": "met"},
                     "h-castle", "invalid_transition")
        self.refused("application.review", {"app": app, "term": "easter", "outcome": "met"},
                     "h-castle", "invalid_request")
        self.refused("application.review", {"app": app, "term": "autumn", "outcome": "met"},
                     "h-castle", "too_early")  # review_from: Mon 30 November
        self.refused("application.continue", {"app": app, "decision": "continue",
                                              "reason": "x"}, "p-la", "invalid_transition")
        self.d.ok("clock.set", {"now": "2026-12-14T10:00:00Z"})
        self.news.take()
        self.d.ok("application.review", {"app": app, "term": "autumn", "outcome": "not_met",
                                         "note": "Maths objective behind plan"}, "h-castle")
        _, evs = self.expect([], ["application.reviewed"])
        # What the review found is appraisal data: never on the event stream.
        self.assertEqual(evs[0]["data"], {"term": "autumn"})
        self.refused("application.review", {"app": app, "term": "autumn", "outcome": "met"},
                     "h-castle", "already_exists")
        # The next term's review waits for its review_from date (8 March).
        self.refused("application.review", {"app": app, "term": "spring", "outcome": "met"},
                     "h-castle", "too_early")
        self.assertEqual(self.get(app, "h-castle")["reviews"]["autumn"]["note"],
                         "Maths objective behind plan")
        self.assertNotIn("note", self.get(app, "c-pri")["reviews"]["autumn"])
        for who in ("c-pri", "h-castle", "viewer"):
            self.assertEqual(self.get(app, who)["reviews"]["autumn"]["outcome"], "not_met")
        # A panel member still reads the application, not what its reviews found.
        seen = self.get(app, "usp-hr")
        self.assertEqual(sorted(seen["reviews"]["autumn"]), ["at", "by"])
        self.assertNotIn("reviews_not_met", seen)
        self.d.ok("clock.set", {"now": "2027-03-29T09:00:00Z"})
        self.news.take()
        self.d.ok("application.review", {"app": app, "term": "spring", "outcome": "not_met"},
                  "h-castle")
        jobs, evs = self.expect([("p-la", "review-escalated")],
                                ["application.reviewed", "application.review_escalated"])
        self.assertEqual(jobs[0]["vars"]["term_name"], "Spring term")
        self.assertEqual(jobs[0]["vars"]["not_met"], 2)
        a = self.get(app)
        self.assertEqual(a["review_attention"]["not_met"], 2)
        rq = [r for r in a["requirements"] if r["kind"] == "review"][0]
        self.assertEqual((rq["have"], rq["term"], rq["attention"], rq["met"]),
                         (2, "summer", True, False))
        seen = self.get(app, "usp-hr")
        self.assertNotIn("review_attention", seen)
        rq = [r for r in seen["requirements"] if r["kind"] == "review"][0]
        self.assertNotIn("attention", rq)
        rq = [r for r in self.get(app, "h-castle")["requirements"] if r["kind"] == "review"][0]
        self.assertTrue(rq["attention"])
        self.refused("application.review", {"app": app, "term": "summer", "outcome": "met"},
                     "h-castle", "invalid_transition")
        # Only the LA decides, with a reason.
        self.refused("application.continue", {"app": app, "decision": "continue",
                                              "reason": "x"}, "h-castle", "forbidden")
        self.refused("application.continue", {"app": app, "decision": "continue"}, "p-la",
                     "invalid_request")
        a = self.d.ok("application.continue", {"app": app, "decision": "continue",
                                               "reason": "Support plan agreed with the head"},
                      "p-la")["application"]
        self.assertNotIn("review_attention", a)
        self.assertEqual(a["continuations"][0]["decision"], "continue")
        self.expect([], ["application.continued"])
        self.assertNotIn("reason", self.get(app, "c-pri")["continuations"][0])
        seen = self.get(app, "usp-hr")
        for key in ("continuations", "review_attention", "reviews_not_met"):
            self.assertNotIn(key, seen)
        hist = self.d.ok("application.history", {"app": app}, "usp-hr")["events"]
        self.assertEqual([e["data"] for e in hist if e["type"] == "application.reviewed"],
                         [{"term": "autumn"}, {"term": "spring"}])
        for e in hist:
            self.assertNotIn(e["type"], ("application.review_escalated",
                                         "application.continued"))
        hist = self.d.ok("application.history", {"app": app}, "h-castle")["events"]
        self.assertIn("application.continued", [e["type"] for e in hist])
        # The other participant: two "not met", and the LA withdraws them.
        for term in ("autumn", "spring"):
            self.d.ok("application.review", {"app": other, "term": term, "outcome": "not_met"},
                      "h-samuel")
        self.expect([("p-la", "review-escalated")],
                    ["application.reviewed", "application.reviewed",
                     "application.review_escalated"])
        a = self.d.ok("application.continue", {"app": other, "decision": "withdraw",
                                               "reason": "Objectives not met twice"},
                      "p-la")["application"]
        self.assertEqual(a["status"], "withdrawn")
        self.expect([("c-sec", "withdrawn"), ("h-samuel", "withdrawn"), ("p-la", "withdrawn")],
                    ["application.withdrawn"])

    def test_erasure_removes_free_text(self):
        app = self.apply("c-pri")
        for m in PANEL:
            self.d.ok("application.recommend",
                      {"app": app, "outcome": "accept", "reason": "Reason of " + m}, m)
        self.d.ok("application.decide", {"app": app, "outcome": "accept"}, CHAIR)
        self.d.ok("clock.set", {"now": "2026-12-01T10:00:00Z"})
        self.d.ok("application.review", {"app": app, "term": "autumn", "outcome": "met",
                                         "note": "On track"}, "h-castle")
        # A member's erasure removes their reason only; the candidate's, all the free text.
        self.d.ok("person.erase", {"id": "usp-hr"})
        a = self.get(app)
        recs = a["panel"]["selection"]["recommendations"]
        self.assertNotIn("reason", recs["usp-hr"])
        self.assertEqual(recs["usp-ceo"]["reason"], "Reason of usp-ceo")
        self.assertEqual(a["reviews"]["autumn"]["note"], "On track")
        self.d.ok("person.erase", {"id": "c-pri"})
        a = self.get(app)
        self.assertEqual([r for r in a["panel"]["selection"]["recommendations"].values()
                          if "reason" in r], [])
        self.assertNotIn("note", a["reviews"]["autumn"])
        self.assertEqual(a["reviews"]["autumn"]["outcome"], "met")

    def test_groups_and_the_joint_session(self):
        pri = self.apply("c-pri")
        self.select(pri)
        sec = self.apply("c-sec")
        self.select(sec)
        self.news.take()
        rep = self.d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual(rep["groups"], {
            "primary": {"size": 1, "min": 10, "max": 12, "below_min": True},
            "secondary": {"size": 1, "min": 10, "max": 12, "below_min": True}})
        # Each group has its own four days and the fifth together.
        reqs = {r["sessions"][0]: r for r in self.get(pri)["requirements"]
                if r["kind"] == "attendance"}
        self.assertEqual(list(reqs), ["LFE-P1"])
        self.assertEqual(reqs["LFE-P1"]["sessions"][-1], "LFE-JOINT")
        reqs = [r for r in self.get(sec)["requirements"] if r["kind"] == "attendance"]
        self.assertEqual(reqs[0]["sessions"],
                         ["LFE-S1", "LFE-S2", "LFE-S3", "LFE-S4", "LFE-JOINT"])
        self.d.ok("clock.set", {"now": "2027-03-23T09:30:00Z"})
        self.news.take()
        self.d.ok("attendance.record", {"cohort": COHORT, "session": "LFE-JOINT",
                                        "present": [pri, sec]})
        self.expect([], ["application.attendance_recorded"] * 2)
        for app in (pri, sec):
            att = [r for r in self.get(app)["requirements"] if r["kind"] == "attendance"][0]
            self.assertEqual((att["have"], att["need"]), (1, 5))


class UnityWaits(UnityBase):
    """Who a requirement waits on, and when: a term's review from its date until recorded,
    a review timer that follows its date across a restart, a panel with an erased member.
    The cohort file is written to the test's directory (groups of 1 to 12)."""
    max_size = 12

    def review_req(self, app, actor="p-la"):
        return [r for r in self.get(app, actor)["requirements"] if r["kind"] == "review"][0]

    def test_review_waits_on_the_headteacher_from_its_date(self):
        app = self.apply("c-pri")
        self.select(app)
        self.d.ok("person.digest", {"id": "h-castle", "digest": True}, "h-castle")
        self.news.take()
        rq = self.review_req(app, "h-castle")
        self.assertEqual((rq["term"], rq["due"], rq["met"]), ("autumn", False, False))
        # Friday 27 November, 07:00 GMT: the headteacher's digest has nothing waiting.
        self.d.ok("clock.set", {"now": "2026-11-27T07:00:00Z"})
        _, evs = self.news.take()
        self.assertEqual([e for e in evs if e["type"] == "person.digest"], [])
        self.assertFalse(self.review_req(app)["due"])
        # Monday 30 November, the autumn term's review_from: it waits on them.
        self.d.ok("clock.set", {"now": "2026-11-30T07:00:00Z"})
        jobs, evs = self.news.take()
        self.assertEqual([e["data"] for e in evs if e["type"] == "person.digest"],
                         [{"person": "h-castle", "pending": 1, "notices": 0}])
        self.assertIn("the termly reviews (0 of 3)", jobs[0]["vars"]["pending"])
        self.assertTrue(self.review_req(app)["due"])
        # Recorded: the spring term's review waits for 8 March.
        self.d.ok("clock.set", {"now": "2026-12-01T10:00:00Z"})
        self.d.ok("application.review", {"app": app, "term": "autumn", "outcome": "met"},
                  "h-castle")
        rq = self.review_req(app)
        self.assertEqual((rq["term"], rq["due"]), ("spring", False))
        self.news.take()
        self.d.ok("clock.set", {"now": "2026-12-02T07:00:00Z"})
        _, evs = self.news.take()
        self.assertEqual([e for e in evs if e["type"] == "person.digest"], [])

    def test_reviews_not_met_wait_on_the_la_in_its_digest(self):
        app = self.apply("c-pri")
        self.select(app)
        self.d.ok("person.digest", {"id": "p-la", "digest": True}, "p-la")
        self.d.ok("clock.set", {"now": "2026-12-14T10:00:00Z"})
        self.d.ok("application.review", {"app": app, "term": "autumn", "outcome": "not_met"},
                  "h-castle")
        self.d.ok("clock.set", {"now": "2027-03-29T09:00:00Z"})
        self.d.ok("application.review", {"app": app, "term": "spring", "outcome": "not_met"},
                  "h-castle")
        self.assertIn("review_attention", self.get(app))
        self.news.take()
        # The next morning's digest: the application waits on the LA (application.continue).
        self.d.ok("clock.set", {"now": "2027-03-30T07:00:00Z"})
        jobs, evs = self.news.take()
        self.assertEqual([e["data"]["pending"] for e in evs if e["type"] == "person.digest"
                          and e["data"]["person"] == "p-la"], [1])
        job = [j for j in jobs if j["to"]["person"] == "p-la"][0]
        self.assertIn(app, job["vars"]["pending"])
        # Continued: nothing waits on the LA the morning after.
        self.d.ok("application.continue", {"app": app, "decision": "continue",
                                           "reason": "Support plan agreed"}, "p-la")
        self.news.take()
        self.d.ok("clock.set", {"now": "2027-03-31T07:00:00Z"})
        _, evs = self.news.take()
        self.assertEqual([e for e in evs if e["type"] == "person.digest"], [])

    def test_review_due_follows_its_date_across_a_restart(self):
        app = self.apply("c-pri")
        self.select(app)
        self.news.take()
        path = os.path.join(self.d.dir, COHORT + ".conf")
        with open(path) as f:
            text = f.read()
        self.d.kill()
        with open(path, "w") as f:
            f.write(text.replace('review_from = "2026-11-30"', 'review_from = "2026-12-07"'))
        self.d.start()
        self.assertEqual(self.review_req(app)["from"], "2026-12-07")
        # The timer armed for 30 November moved to 7 December, 09:00 GMT.
        self.d.ok("clock.set", {"now": "2026-12-07T08:59:00Z"})
        _, evs = self.news.take()
        self.assertNotIn("application.review_due", [e["type"] for e in evs])
        self.d.ok("clock.set", {"now": "2026-12-07T09:00:00Z"})
        jobs, evs = self.news.take()
        self.assertEqual([e["data"] for e in evs if e["type"] == "application.review_due"],
                         [{"term": "autumn"}])
        self.assertIn(("h-castle", "review-due"),
                      [(j["to"]["person"], j["template"]) for j in jobs])

    def test_panel_with_an_erased_member(self):
        app = self.apply("c-pri")
        for m in ("usp-ceo", "usp-primary-lead", "usp-secondary-lead"):
            self.d.ok("application.recommend",
                      {"app": app, "outcome": "accept", "reason": "Reason of " + m}, m)
        self.d.ok("person.erase", {"id": "usp-hr"})
        self.news.take()
        # The erased member never recommends: the chair closes the panel and decides.
        self.refused("application.decide", {"app": app, "outcome": "accept"}, CHAIR,
                     "invalid_transition")
        self.d.ok("application.close_panel", {"app": app}, CHAIR)
        _, evs = self.expect([], ["application.panel_closed"])
        self.assertEqual(evs[0]["data"], {"recommended": 3, "members": 4})
        rq = [r for r in self.get(app)["requirements"] if r["kind"] == "panel"][0]
        self.assertEqual((rq["have"], rq["need"], rq["closed"]), (3, 4, True))
        a = self.d.ok("application.decide", {"app": app, "outcome": "accept"},
                      CHAIR)["application"]
        self.assertEqual(a["stage"], "programme")


class UnityGroupsCheck(unittest.TestCase):
    def test_groups_below_min_told_once(self):
        d = UnityDaemon(UnityBase.start, cohorts=(COHORT,))
        self.addCleanup(d.stop)
        setup_people(d)
        news = News(d)
        d.ok("clock.set", {"now": "2026-07-06T07:59:00Z"})  # groups_check: Mon 6 Jul, 09:00 BST
        self.assertEqual(news.take(), ([], []))
        d.ok("clock.set", {"now": "2026-07-06T08:00:00Z"})
        jobs, evs = news.take()
        self.assertEqual(sorted((e["type"], e["cohort"], e["data"]["track"], e["data"]["size"])
                                for e in evs),
                         [("group.below_min", COHORT, "primary", 0),
                          ("group.below_min", COHORT, "secondary", 0)])
        self.assertEqual([(j["to"]["person"], j["template"]) for j in jobs],
                         [("p-la", "group-below-min")] * 2)
        self.assertEqual(sorted(j["vars"]["group_name"] for j in jobs),
                         ["Leading for Excellence: primary", "Leading for Excellence: secondary"])
        self.assertEqual(jobs[0]["vars"]["min"], 10)
        # Checked once: a restart (the timers synced again) does not tell it again.
        d.kill()
        d.start()
        d.ok("clock.set", {"now": "2026-07-07T08:00:00Z"})
        self.assertEqual(news.take(), ([], []))


def joint_cohort():
    """A second cohort of the LDP (Suffolk's second intake) whose fifth day is the one of
    unity-2026-27, shared: { id = "LFE-JOINT"; from = "unity-2026-27"; }."""
    text = cohort_text()
    text = text.replace('id = "unity-2026-27"', 'id = "unity-2026-27-b"')
    text = text.replace('name = "Unity Schools LDP 2026-27"',
                        'name = "Unity Schools LDP 2026-27 (B)"')
    lines = [ln for ln in text.split("\n") if 'id = "LFE-JOINT"' not in ln]
    text = "\n".join(lines)
    return text.replace('},\n\t);\n};',
                        '},\n\t\t{ id = "LFE-JOINT"; from = "unity-2026-27"; }\n\t);\n};')


class UnityJointCohorts(unittest.TestCase):
    """One session in two cohorts: both calendars, reminders and registers carry it."""

    def test_joint_session_of_two_cohorts(self):
        d = UnityDaemon(UnityBase.start, cohorts=(COHORT,), extra=joint_cohort())
        self.addCleanup(d.stop)
        setup_people(d)
        news = News(d)
        b = COHORT + "-b"
        sessions = {}
        for c in (COHORT, b):
            got = d.ok("cohort.get", {"cohort": c})["cohort"]["sessions"]
            sessions[c] = {s["id"]: s for s in got}
        for key in ("title", "date", "start", "end", "venue"):
            self.assertEqual(sessions[b]["LFE-JOINT"][key], sessions[COHORT]["LFE-JOINT"][key])
        self.assertNotIn("tracks", sessions[b]["LFE-JOINT"])
        apps = {}
        for cohort, cand in ((COHORT, "c-pri"), (b, "c-sec")):
            a = d.ok("application.create", {"cohort": cohort, "candidate": cand}, cand)
            app = apps[cand] = a["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "ldp_application", "fields": ANSWER},
                 cand)
            d.ok("application.signoff", {"app": app}, HEAD[a["application"]["school"]])
            for m in PANEL:
                d.ok("application.recommend", {"app": app, "outcome": "accept", "reason": "Yes"},
                     m)
            d.ok("application.decide", {"app": app, "outcome": "accept"}, CHAIR)
        jobs, _ = news.take()
        cal = {j["to"]["person"]: j["vars"]["sessions"] for j in jobs
               if j["template"] == "session-calendar"}
        self.assertEqual(sorted(cal), ["c-pri", "c-sec"])
        for text in cal.values():
            self.assertIn("LFE-JOINT Tue 23 Mar 2027, 09:00-16:00, Haverhill", text)
        self.assertNotIn("LFE-S1", cal["c-pri"])
        self.assertIn("LFE-S1", cal["c-sec"])
        # The day before, each cohort's member is reminded (two cohorts, one reminder each).
        d.ok("clock.set", {"now": "2027-03-21T09:00:00Z"})  # every earlier notice
        news.take()
        d.ok("clock.set", {"now": "2027-03-22T09:00:00Z"})
        jobs, evs = news.take()
        self.assertEqual(sorted((j["to"]["person"], j["template"]) for j in jobs),
                         [("c-pri", "session-reminder"), ("c-sec", "session-reminder")])
        self.assertEqual(sorted(e["cohort"] for e in evs if e["type"] ==
                                "cohort.session_reminder"), [COHORT, b])
        # Attendance is recorded per application, in each cohort's register.
        d.ok("clock.set", {"now": "2027-03-23T09:30:00Z"})
        d.ok("attendance.record", {"cohort": COHORT, "session": "LFE-JOINT",
                                   "present": [apps["c-pri"]]})
        r = d.call("attendance.record", {"cohort": COHORT, "session": "LFE-JOINT",
                                         "present": [apps["c-sec"]]})
        self.assertEqual(r["error"]["code"], "invalid_request")  # not in that cohort
        d.ok("attendance.record", {"cohort": b, "session": "LFE-JOINT",
                                   "present": [apps["c-sec"]]})
        for cand in ("c-pri", "c-sec"):
            att = d.ok("application.get", {"app": apps[cand]})["application"]["attendance"]
            self.assertEqual(att, {"LFE-JOINT": True})

    def test_shared_session_must_exist_before(self):
        """pathwayd -t names the line of a session shared with no such cohort or session."""
        tmp = tempfile.mkdtemp(prefix="pwu", dir="/tmp")
        self.addCleanup(shutil.rmtree, tmp, True)
        for bad, why in (('from = "unity-2099"', "not a cohort listed before this one"),
                         ('id = "LFE-JOINT"; from', "has no session"), ):
            text = joint_cohort()
            if why == "has no session":
                text = text.replace('id = "LFE-JOINT"; from', 'id = "LFE-X"; from')
            else:
                text = text.replace('from = "unity-2026-27"', bad)
            with open(os.path.join(tmp, "b.conf"), "w") as f:
                f.write(text)
            with open(os.path.join(tmp, "p.conf"), "w") as f:
                f.write(CONF.format(d=tmp, src=SRC, start=UnityBase.start, cohorts='"%s", "%s"' % (
                    os.path.join(SRC, "conf/cohorts", COHORT + ".conf"),
                    os.path.join(tmp, "b.conf"))))
            r = subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c",
                                os.path.join(tmp, "p.conf")], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("b.conf:", r.stderr)
            self.assertIn(why, r.stderr)


class UnityCtl(UnityBase):
    """pathwayctl recommend, close-panel, decide, review and continue, and what show prints."""

    def ctl(self, *args):
        e = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        r = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", self.d.conf] + list(args),
                           capture_output=True, text=True, env=e, timeout=60)
        return r

    def test_pathwayctl(self):
        app = self.apply("c-pri")
        r = self.ctl("recommend", app, "accept", "Clear maths leadership", "-a", "usp-hr")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usp-hr recommends accept", r.stdout)
        self.assertIn("Clear maths leadership", r.stdout)
        r = self.ctl("get", app, "-a", "c-pri")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usp-hr recommended at", r.stdout)
        self.assertNotIn("Clear maths", r.stdout)
        r = self.ctl("decide", app, "accept", "-a", CHAIR)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("1 of the panel's 4 members have recommended", r.stderr)
        self.assertEqual(self.ctl("close-panel", app, "-a", CHAIR).returncode, 0)
        r = self.ctl("decide", app, "accept", "-a", CHAIR)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.d.ok("clock.set", {"now": "2026-12-01T10:00:00Z"})
        for term in ("autumn",):
            r = self.ctl("review", app, term, "not_met", "--note", "Behind plan", "-a",
                         "h-castle")
            self.assertEqual(r.returncode, 0, r.stderr)
        self.d.ok("clock.set", {"now": "2027-03-09T10:00:00Z"})
        r = self.ctl("review", app, "spring", "not_met", "-a", "h-castle")
        self.assertIn("attention", r.stdout)
        r = self.ctl("continue", app, "continue", "Support plan agreed")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"continued +continue after spring, \S+ by operator: "
                                   r"Support plan agreed")
        self.assertRegex(r.stdout, r"reviews +autumn: not_met \S+ by h-castle  Behind plan")


class UnityConfigErrors(unittest.TestCase):
    """pathwayd -t stops at the line of each mistake in a panel, terms or groups."""

    def check(self, cohort_text, why, programme=None):
        tmp = tempfile.mkdtemp(prefix="pwu", dir="/tmp")
        self.addCleanup(shutil.rmtree, tmp, True)
        with open(os.path.join(tmp, "c.conf"), "w") as f:
            f.write(cohort_text)
        conf = CONF.format(d=tmp, src=SRC, start=UnityBase.start,
                           cohorts='"%s"' % os.path.join(tmp, "c.conf"))
        if programme is not None:
            with open(os.path.join(SRC, "conf/programmes/unity-ldp.conf")) as f:
                text = f.read()
            os.makedirs(os.path.join(tmp, "forms"))
            shutil.copy(os.path.join(SRC, "conf/programmes/forms/unity-ldp.conf"),
                        os.path.join(tmp, "forms"))
            with open(os.path.join(tmp, "p.conf"), "w") as f:
                f.write(programme(text))
            conf = conf.replace("%s/conf/programmes/unity-ldp.conf" % SRC,
                                os.path.join(tmp, "p.conf"))
        with open(os.path.join(tmp, "pathway.conf"), "w") as f:
            f.write(conf)
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c",
                            os.path.join(tmp, "pathway.conf")], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"\.conf:\d+: ")
        self.assertIn(why, r.stderr)

    def test_mistakes(self):
        text = cohort_text()
        self.check(text.replace('chair = "usp-ceo"', 'chair = "usp-nobody"'),
                   "must be one of the members")
        self.check(text.replace('"usp-hr", "usp-primary-lead"', '"usp-hr", "usp-hr"'),
                   "member 'usp-hr' twice")
        self.check(text.replace("panel = {", "no_panel = {"), "unknown setting")
        self.check(text.replace('panel = { chair', '# panel = { chair'), "the cohort needs panel")
        self.check(text.replace('ends = "2027-03-26"', 'ends = "2026-10-01"'),
                   "after the previous term's")
        self.check(text.replace('review_from = "2027-06-28"', 'review_from = "2027-08-01"'),
                   "not after the term ends")
        self.check(text.replace('track = "primary"; min = 10', 'track = "infant"; min = 10'),
                   "not a track of programme")
        self.check(text.replace('min = 10; max = 12; phases = [ "secondary" ]',
                                'min = 13; max = 12; phases = [ "secondary" ]'),
                   "min is more than max")
        self.check(text.replace('groups_check = "2026-07-06"', 'groups_check = "6 July"'),
                   "groups_check")
        self.check(text, "needs panel = { invitation",
                   programme=lambda p: p.replace('panel = { invitation', '# panel = { invitation'))
        self.check(text, "unknown requirement kind",
                   programme=lambda p: p.replace('kind = "panel"', 'kind = "panels"'))


class UnityFullGroup(UnityBase):
    """A cohort whose groups take at most one: the chair cannot accept a second."""
    max_size = 1

    def test_full_group(self):
        first = self.apply("c-pri")
        self.select(first)
        second = self.apply("c-pri2")
        for m in PANEL:
            self.d.ok("application.recommend",
                      {"app": second, "outcome": "accept", "reason": "Good"}, m)
        self.news.take()
        self.refused("application.decide", {"app": second, "outcome": "accept"}, CHAIR,
                     "cohort_full")
        # A secondary colleague still joins the secondary group.
        third = self.apply("c-sec")
        a = self.select(third)
        self.assertEqual((a["track"], a["stage"]), ("secondary", "programme"))
        self.d.ok("application.decide", {"app": second, "outcome": "waitlist"}, CHAIR)
        rep = self.d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual(rep["groups"]["primary"]["size"], 1)

    def test_offer_goes_to_a_group_with_room(self):
        # Each group is full (one each); a primary and then a secondary colleague wait.
        pri, sec = self.apply("c-pri"), self.apply("c-sec")
        self.select(pri)
        self.select(sec)
        pri2, sec2 = self.apply("c-pri2"), self.apply("c-sec2")
        self.select(pri2, "waitlist")
        self.select(sec2, "waitlist")
        # The secondary place freed goes to the first waiting whose group has room:
        # the secondary colleague, not the primary one ahead of them.
        self.d.ok("application.withdraw", {"app": sec}, "c-sec")
        _, evs = self.news.take()
        self.assertEqual([e["app"] for e in evs if e["type"] == "application.place_offered"],
                         [sec2])
        self.assertNotIn("offer", self.get(pri2))
        st = self.d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual((st["waiting"], st["offers"]), ([pri2], [sec2]))
        # The group's one place is held for the offer: the chair cannot fill it meanwhile.
        other = self.d.ok("application.create", {"cohort": COHORT, "candidate": "c-pri3",
                                                 "track": "secondary"})["application"]["id"]
        self.d.ok("application.submit",
                  {"app": other, "doc": "ldp_application", "fields": ANSWER}, "c-pri3")
        self.d.ok("application.signoff", {"app": other}, "h-castle")
        for m in PANEL:
            self.d.ok("application.recommend",
                      {"app": other, "outcome": "accept", "reason": "Good"}, m)
        self.news.take()
        self.refused("application.decide", {"app": other, "outcome": "accept"}, CHAIR,
                     "cohort_full")
        a = self.d.ok("application.accept_offer", {"app": sec2}, "c-sec2")["application"]
        self.assertEqual((a["track"], a["stage"]), ("secondary", "programme"))
        self.news.take()
        rep = self.d.ok("cohort.report", {"cohort": COHORT})["groups"]
        self.assertEqual((rep["primary"]["size"], rep["secondary"]["size"]), (1, 1))
        # A primary place freed goes to the primary colleague still waiting.
        self.d.ok("application.withdraw", {"app": pri}, "c-pri")
        _, evs = self.news.take()
        self.assertEqual([e["app"] for e in evs if e["type"] == "application.place_offered"],
                         [pri2])
        self.d.ok("application.accept_offer", {"app": pri2}, "c-pri2")
        rep = self.d.ok("cohort.report", {"cohort": COHORT})["groups"]
        self.assertEqual((rep["primary"]["size"], rep["secondary"]["size"]), (1, 1))



def tracked(text):
    """The LDP with its panel (taking no place) and reviews for the secondary track alone; at
    the selection stage the LA decides on a primary application (a decision taking a place)."""
    text = text.replace('requires = ( { kind = "panel"; capacity = true; } );',
                        'requires = ( { kind = "panel"; tracks = [ "secondary" ]; },'
                        ' { kind = "decision"; role = "la_adviser"; capacity = true;'
                        ' tracks = [ "primary" ]; } );')
    return text.replace('{ kind = "review"; role = "headteacher"; not_met = 2; }',
                        '{ kind = "review"; role = "headteacher"; not_met = 2;'
                        ' tracks = [ "secondary" ]; }')


class UnityTracks(UnityBase):
    """A panel and reviews on one track: the others are never invited, indexed, readable by
    the panel or sent reviews; a plain decision keeps to the group's max (one here)."""
    max_size = 1
    programme = staticmethod(tracked)

    def primary(self, cand):
        app = self.d.ok("application.create", {"cohort": COHORT, "candidate": cand},
                        cand)["application"]["id"]
        self.d.ok("application.submit",
                  {"app": app, "doc": "ldp_application", "fields": ANSWER}, cand)
        self.d.ok("application.signoff", {"app": app}, HEAD[self.get(app)["school"]])
        jobs, _ = self.news.take()
        self.assertEqual([j for j in jobs if j["template"] == "panel-invitation"], [])
        self.assertEqual(self.get(app)["stage"], "selection")
        return app

    def test_panel_and_reviews_on_their_track(self):
        pri = self.primary("c-pri")
        sec = self.apply("c-sec")  # the panel is invited to the secondary application
        self.assertEqual([a["id"] for a in
                          self.d.ok("application.mine", {}, "usp-hr")["applications"]], [sec])
        # The panel neither reads nor judges the primary one: forbidden, as to anyone unrelated.
        self.refused("application.get", {"app": pri}, "usp-hr", "forbidden")
        self.refused("form.get", {"app": pri, "form": "ldp_application"}, "usp-hr", "forbidden")
        self.refused("application.recommend", {"app": pri, "outcome": "accept", "reason": "x"},
                     "usp-hr", "forbidden")
        self.refused("application.close_panel", {"app": pri}, CHAIR, "forbidden")
        # Who may see it and its stage come first: no panel there for anyone.
        self.refused("application.close_panel", {"app": pri}, "p-la", "invalid_transition")
        # The LA decides; the primary group (max one) is then full at the plain decision too.
        a = self.d.ok("application.decide", {"app": pri, "outcome": "accept"},
                      "p-la")["application"]
        self.assertEqual((a["stage"], a["place"]), ("programme", True))
        pri2 = self.primary("c-pri2")
        self.refused("application.decide", {"app": pri2, "outcome": "accept"}, "p-la",
                     "cohort_full")
        self.assertEqual(self.get(pri2)["stage"], "selection")
        self.select(sec)
        self.assertEqual(self.get(sec)["stage"], "programme")
        # The autumn review falls due (Mon 30 November) for the secondary participant alone.
        self.d.ok("clock.set", {"now": "2026-12-01T10:00:00Z"})
        jobs, evs = self.news.take()
        self.assertEqual([e["app"] for e in evs if e["type"] == "application.review_due"],
                         [sec])
        self.assertEqual([j["to"]["person"] for j in jobs if j["template"] == "review-due"],
                         ["h-samuel"])
        self.refused("application.review", {"app": pri, "term": "autumn", "outcome": "met"},
                     "h-castle", "invalid_transition")
        self.assertNotIn("review", [r["kind"] for r in self.get(pri)["requirements"]])


class UnityPanelReload(UnityBase):
    """A panel member added by a reload (SIGHUP) finds the applications at the panel."""
    max_size = 12  # the cohort file is written beside the store, so the test may change it

    def reload(self, members, done):
        """Rewrite the panel's members and reload (SIGHUP), until done() holds."""
        import signal
        import time
        path = os.path.join(self.d.dir, COHORT + ".conf")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(re.sub(r"members = \[[^]]*\]", "members = [ %s ]" %
                           ", ".join('"%s"' % m for m in members), text))
        self.d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while not done():
            self.assertLess(time.monotonic(), end, "the reload did not take")
            time.sleep(0.02)
        self.news.take()  # the refusals while the reload was on its way

    def panel_req(self, app):
        rq = [r for r in self.get(app)["requirements"] if r["kind"] == "panel"][0]
        return rq["have"], rq["need"]

    def test_counts_follow_the_panel_after_a_reload(self):
        self.d.ok("person.create", {"id": "usp-new", "name": "Nora New", "roles": ["headteacher"],
                                    "school": "u-trust", "email": "usp-new@example.org"})
        self.news.take()
        first = self.apply("c-pri")
        for m in PANEL:
            self.d.ok("application.recommend", {"app": first, "outcome": "accept",
                                                "reason": "Reason of " + m}, m)
        self.expect([(CHAIR, "panel-ready")],
                    ["application.recommended"] * 4 + ["application.panel_ready"])
        second = self.apply("c-sec")
        for m in ("usp-hr", "usp-ceo", "usp-primary-lead"):
            self.d.ok("application.recommend", {"app": second, "outcome": "accept",
                                                "reason": "Reason of " + m}, m)
        self.news.take()
        # usp-hr leaves the panel; usp-new and c-pri (the first application's candidate) join.
        self.reload(["usp-ceo", "usp-primary-lead", "usp-secondary-lead", "c-pri", "usp-new"],
                    lambda: self.d.call("application.get", {"app": first}, "usp-new")["ok"])
        # The first: three of the four members other than its candidate have recommended
        # (usp-hr's no longer counts); the chair closes the panel and decides.
        self.assertEqual(self.panel_req(first), (3, 4))
        self.refused("application.decide", {"app": first, "outcome": "accept"}, CHAIR,
                     "invalid_transition")
        self.refused("application.recommend", {"app": first, "outcome": "accept",
                                               "reason": "x"}, "c-pri", "forbidden")
        self.d.ok("application.close_panel", {"app": first}, CHAIR)
        _, evs = self.expect([], ["application.panel_closed"])
        self.assertEqual(evs[0]["data"], {"recommended": 3, "members": 4})
        self.d.ok("application.decide", {"app": first, "outcome": "accept"}, CHAIR)
        self.news.take()
        # The second: five recommendations stored, four of them from the panel now.
        for m in ("c-pri", "usp-new"):
            self.d.ok("application.recommend", {"app": second, "outcome": "accept",
                                                "reason": "Reason of " + m}, m)
        _, evs = self.expect([], ["application.recommended"] * 2)
        self.assertEqual(evs[-1]["data"], {"member": "usp-new", "recommended": 4, "members": 5})
        self.assertEqual(self.panel_req(second), (4, 5))
        self.refused("application.decide", {"app": second, "outcome": "accept"}, CHAIR,
                     "invalid_transition")
        self.d.ok("application.recommend", {"app": second, "outcome": "accept",
                                            "reason": "Reason of usp-secondary-lead"},
                  "usp-secondary-lead")
        _, evs = self.expect([(CHAIR, "panel-ready")],
                             ["application.recommended", "application.panel_ready"])
        self.assertEqual([e["data"] for e in evs if e["type"] == "application.panel_ready"],
                         [{"recommended": 5, "members": 5}])
        self.refused("application.close_panel", {"app": second}, CHAIR, "invalid_transition")
        self.d.ok("application.decide", {"app": second, "outcome": "accept"}, CHAIR)

    def test_member_added_by_reload(self):
        import signal
        import time
        self.d.ok("person.create", {"id": "usp-new", "name": "Nora New", "roles": ["headteacher"],
                                    "school": "u-trust", "email": "usp-new@example.org"})
        self.news.take()
        app = self.apply("c-pri")
        self.assertEqual(self.d.ok("application.mine", {}, "usp-new")["applications"], [])
        path = os.path.join(self.d.dir, COHORT + ".conf")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"usp-secondary-lead" ]', '"usp-secondary-lead", "usp-new" ]')
                    .replace('"usp-ceo", "usp-hr",', '"usp-ceo",'))
        self.d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while not self.d.call("application.get", {"app": app}, "usp-new")["ok"]:
            self.assertLess(time.monotonic(), end, "the reload did not take")
            time.sleep(0.02)
        self.news.take()  # the refusals while the reload was on its way
        mine = self.d.ok("application.mine", {}, "usp-new")["applications"]
        self.assertEqual([a["id"] for a in mine], [app])
        # A member taken off the panel no longer sees it, though indexed before.
        self.assertEqual(self.d.ok("application.mine", {}, "usp-hr")["applications"], [])
        self.refused("application.get", {"app": app}, "usp-hr", "forbidden")
        # After a restart, too.
        self.d.kill()
        self.d.start()
        mine = self.d.ok("application.mine", {}, "usp-new")["applications"]
        self.assertEqual([a["id"] for a in mine], [app])

if __name__ == "__main__":
    unittest.main()
