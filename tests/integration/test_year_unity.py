#!/usr/bin/python3
"""A whole year of the Unity Schools LDP (cohort unity-2026-27) on the manual
clock, from applications in May 2026 to the certificates in July 2027.

Like test_year: the clock moves through every moment at which something is
expected (and a minute before, when nothing may happen), and each step
asserts exactly which notification jobs (recipient, template) and events
appeared. Session reminders come from the cohort file (the day before, at
09:00 local, to the candidates of the session's group; the joint day to
both groups); each term's review falls due to the headteacher at 09:00 on
the term's review_from date.

Priya and Peter (primary) and Simon and Sally (secondary) are selected by
the panel; Polly is not; Tom, on a fixed-term contract, may not apply. Peter
misses a visit day and does not complete; Sally's objectives are not met in
the autumn and spring terms, the LA is asked and withdraws her; Simon's
summer review is not met once, which alone asks nobody. In July both
groups are below their minimum and the LA is told. Priya and Simon
receive the Certificate of Professional Development after the summer term.
"""
import unittest

from test_year import Cohort, Year, session_reminder_offset
from unity_harness import ANSWER, CHAIR, COHORT, PANEL, UnityDaemon, setup_people


class UnityYear(Year):
    """Year on a daemon with the LDP's 2026-27 cohort alone."""

    def __init__(self, tc, start):  # noqa: super().__init__ would start the shipped set
        self.tc = tc
        self.d = UnityDaemon(start, cohorts=(COHORT,))
        tc.addCleanup(self.d.stop)
        self.now = start
        self.head = 0
        self.last_job = None
        self.due = {}
        self.sent = []
        self.cohorts = {COHORT: Cohort(COHORT)}
        self.session_due = {}
        for c in self.cohorts.values():
            off = session_reminder_offset(c.programme)
            for sid in c.sessions:
                at = c.nudge(c.start(sid), off[0], off[1])
                if at > start:
                    self.session_due[(c.id, sid)] = at
                    self.expect(at, events=[("cohort.session_reminder", "%s/%s" % (c.id, sid))])


class UnityLdpYear(unittest.TestCase):
    def test_year(self):
        y = UnityYear(self, "2026-05-04T08:00:00Z")  # Mon 4 May 2026, 09:00 BST
        co = y.cohorts[COHORT]
        setup_people(y.d)
        y.sync()
        cand = {"A": "c-pri", "B": "c-pri2", "C": "c-sec", "D": "c-sec2", "E": "c-pri3"}
        head = {"A": "h-castle", "B": "h-clements", "C": "h-samuel", "D": "h-samuel",
                "E": "h-castle"}
        app = {}

        # ---- May 2026: applications to the headteacher, any time before the cut-off ----
        y.refused("application.create", {"cohort": COHORT, "candidate": "c-temp"}, "c-temp",
                  "not_eligible")
        for k in "ABCDE":
            app[k] = y.create(COHORT, cand[k], cand[k])
            y.act("application.submit", {"app": app[k], "doc": "ldp_application",
                                         "fields": ANSWER}, cand[k],
                  jobs=[(head[k], "ldp-headteacher")],
                  events=[("application.submitted", app[k]),
                          ("application.stage_changed", app[k])])
        y.until("2026-05-06T08:00:00Z")
        for k in "ABCDE":
            y.act("application.signoff", {"app": app[k]}, head[k],
                  jobs=[(m, "panel-invitation") for m in PANEL],
                  events=[("application.signed_off", app[k]),
                          ("application.stage_changed", app[k])])
        self.assertEqual(y.app(app["A"])["track"], "primary")
        self.assertEqual(y.app(app["C"])["track"], "secondary")

        # ---- The selection panel: every member recommends, the chair decides ----
        y.until("2026-05-13T08:00:00Z")
        for k in "ABCE":
            outcome = "reject" if k == "E" else "accept"
            for i, m in enumerate(PANEL):
                last = i == len(PANEL) - 1
                y.act("application.recommend", {"app": app[k], "outcome": outcome,
                                                "reason": "Reason %s %s" % (m, k)}, m,
                      jobs=[(CHAIR, "panel-ready")] if last else [],
                      events=[("application.recommended", app[k])] +
                      ([("application.panel_ready", app[k])] if last else []))
        # Sally's panel: two recommend, and the chair closes it.
        for m in PANEL[1:3]:
            y.act("application.recommend", {"app": app["D"], "outcome": "accept",
                                            "reason": "Ready for it"}, m,
                  events=[("application.recommended", app["D"])])
        y.act("application.close_panel", {"app": app["D"]}, CHAIR,
              events=[("application.panel_closed", app["D"])])
        y.until("2026-05-15T08:00:00Z")
        for k in "ABCD":
            y.act("application.decide", {"app": app[k], "outcome": "accept"}, CHAIR,
                  jobs=[(cand[k], "decision-accepted"), (head[k], "decision-accepted"),
                        (cand[k], "session-calendar")],
                  events=[("application.decided", app[k]),
                          ("application.stage_changed", app[k])])
        y.act("application.decide", {"app": app["E"], "outcome": "reject"}, CHAIR,
              jobs=[(cand["E"], "decision-not-selected"), (head["E"], "decision-not-selected")],
              events=[("application.decided", app["E"]), ("application.rejected", app["E"])])
        rep = y.d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual(rep["groups"]["primary"], {"size": 2, "min": 10, "max": 12,
                                                    "below_min": True})
        # groups_check, Mon 6 Jul 2026 09:00 BST: both groups (two each) are below their
        # minimum of 10, and the LA is told of each.
        y.expect("2026-07-06T08:00:00Z", jobs=[("p-la", "group-below-min")] * 2,
                 events=[("group.below_min", None)] * 2)
        # The cut-off: later applications go to next year's cohort (not loaded here).
        y.until("2026-07-01T08:00:00Z")
        y.refused("application.create", {"cohort": COHORT, "candidate": "c-nofact"},
                  "c-nofact", "outside_window")

        # ---- Each term's review falls due to the headteacher at 09:00 on review_from ----
        for at, who in (("2026-11-30T09:00:00Z", "ABCD"),   # Mon 30 Nov 2026 (GMT)
                        ("2027-03-08T09:00:00Z", "ABCD"),   # Mon 8 Mar 2027 (GMT)
                        ("2027-06-28T08:00:00Z", "ABC")):   # Mon 28 Jun 2027 (BST): not Sally
            y.expect(at, jobs=[(head[k], "review-due") for k in who],
                     events=[("application.review_due", app[k]) for k in who])

        # ---- Leading for Excellence: each group's days, then both together ----
        primary = ["LFE-P1", "LFE-P2", "LFE-P3", "LFE-P4"]
        secondary = ["LFE-S1", "LFE-S2", "LFE-S3", "LFE-S4"]
        for sid in primary:
            y.session(COHORT, sid, [cand["A"], cand["B"]])
        for sid in secondary:
            y.session(COHORT, sid, [cand["C"], cand["D"]])
        y.session(COHORT, "LFE-JOINT", [cand[k] for k in "ABCD"])
        register = sorted([(co.start(s), s, "AB") for s in primary] +
                          [(co.start(s), s, "CD") for s in secondary])
        autumn_done = False
        for start, sid, group in register:
            if start > "2026-12-14" and not autumn_done:
                self.autumn(y, app, cand)
                autumn_done = True
            y.until(start)
            present = [app[k] for k in group if not (sid == "LFE-P2" and k == "B")]
            absent = [app["B"]] if sid == "LFE-P2" else []
            jobs = [(cand["B"], "session-absent"), (head["B"], "session-absent")] if absent else []
            args = {"cohort": COHORT, "session": sid, "present": present}
            if absent:
                args["absent"] = absent
            y.act("attendance.record", args, jobs=jobs,
                  events=[("application.attendance_recorded", a) for a in present + absent])

        # ---- Spring term reviews (review_from Mon 8 Mar 2027; recorded Mon 29 Mar) ----
        y.until(co.start("LFE-JOINT"))
        joint = [app[k] for k in "ABCD"]
        y.act("attendance.record", {"cohort": COHORT, "session": "LFE-JOINT", "present": joint},
              events=[("application.attendance_recorded", a) for a in joint])
        y.refused("application.review", {"app": app["A"], "term": "summer", "outcome": "met"},
                  head["A"], "invalid_transition")  # the spring review comes first
        y.until("2027-03-29T08:00:00Z")
        for k in "ABC":
            y.act("application.review", {"app": app[k], "term": "spring", "outcome": "met"},
                  head[k], events=[("application.reviewed", app[k])])
        y.act("application.review", {"app": app["D"], "term": "spring", "outcome": "not_met",
                                     "note": "Secondment objective not met again"}, head["D"],
              jobs=[("p-la", "review-escalated")],
              events=[("application.reviewed", app["D"]),
                      ("application.review_escalated", app["D"])])
        self.assertIn("review_attention", y.app(app["D"]))
        y.until("2027-03-31T08:00:00Z")
        y.act("application.continue", {"app": app["D"], "decision": "withdraw",
                                       "reason": "Objectives not met in two terms"}, "p-la",
              jobs=[(cand["D"], "withdrawn"), (head["D"], "withdrawn"), ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["D"])])

        # ---- Summer term: the last reviews, and the certificates ----
        y.until("2027-06-25T15:00:00Z")  # summer reviews from review_from, Mon 28 June
        y.refused("application.review", {"app": app["A"], "term": "summer", "outcome": "met"},
                  head["A"], "too_early")
        y.until("2027-07-05T08:00:00Z")  # Mon 5 Jul 2027, 09:00 BST
        y.act("application.review", {"app": app["A"], "term": "summer", "outcome": "met"},
              head["A"], jobs=[(cand["A"], "ldp-certificate"), (head["A"], "ldp-certificate")],
              events=[("application.reviewed", app["A"]),
                      ("application.stage_changed", app["A"]),
                      ("application.graduated", app["A"])])
        y.act("application.review", {"app": app["B"], "term": "summer", "outcome": "met"},
              head["B"], events=[("application.reviewed", app["B"])])
        y.act("application.review", {"app": app["C"], "term": "summer", "outcome": "not_met"},
              head["C"], jobs=[(cand["C"], "ldp-certificate"), (head["C"], "ldp-certificate")],
              events=[("application.reviewed", app["C"]),
                      ("application.stage_changed", app["C"]),
                      ("application.graduated", app["C"])])
        cert = [j for j in y.d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
                if j["template"] == "ldp-certificate" and j["to"]["person"] == cand["A"]][0]
        self.assertEqual(cert["vars"]["candidate_name"], "Priya Patel")
        self.assertEqual(cert["vars"]["graduation_date"], "2027-07-05")
        states = {k: (y.app(app[k])["status"], y.app(app[k])["stage"]) for k in "ABCDE"}
        self.assertEqual(states, {"A": ("graduated", "certified"), "B": ("active", "programme"),
                                  "C": ("graduated", "certified"),
                                  "D": ("withdrawn", "programme"),
                                  "E": ("rejected", "selection")})
        att = [r for r in y.app(app["B"])["requirements"] if r["kind"] == "attendance"][0]
        self.assertEqual((att["have"], att["need"], att["met"]), (4, 5, False))
        y.until("2027-09-01T08:00:00Z")
        y.finish()

    def autumn(self, y, app, cand):
        """Autumn reviews, Mon 14 Dec 2026 (review_from is Mon 30 Nov)."""
        y.until("2026-12-14T10:00:00Z")
        for k in "ABC":
            y.act("application.review", {"app": app[k], "term": "autumn", "outcome": "met"},
                  {"A": "h-castle", "B": "h-clements", "C": "h-samuel"}[k],
                  events=[("application.reviewed", app[k])])
        y.act("application.review", {"app": app["D"], "term": "autumn", "outcome": "not_met",
                                     "note": "Secondment objective behind plan"}, "h-samuel",
              events=[("application.reviewed", app["D"])])


if __name__ == "__main__":
    unittest.main()
