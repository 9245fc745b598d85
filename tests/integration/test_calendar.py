#!/usr/bin/python3
"""The calendar rules of the seeds, tried from outside.

Real pathwayd processes on a manual clock, driven with pyzmq, on a copy of the
Norfolk 2026-27 cohort with two places and its calendar rules set: a window for
applications (an LA adviser may override it, recorded), attendance only from a
session's start, a freed place offered (accepted, declined, expired by a
durable timer that survives kill -9) until a cut-off date, a grace period for
someone who joins a stage after its deadline, and a newcomer's calendar
without the sessions already past. Each rule at, before and after its
boundary; a refusal has its own code and changes nothing.
"""
import os
import re
import unittest

from test_timers import SRC, Daemon

# A small programme of its own (the shipped ones change with their forms): a
# sign-off, a selection against the cohort's places, the sessions, the end.
PROGRAMME = """
programme = {
	id = "norfolk-talent-pool";
	name = "Calendar rules";
	stages = (
		{ id = "interest"; name = "Interest"; requires = ( { kind = "signoff"; role = "headteacher"; } ); },
		{ id = "selection"; name = "Selection"; requires = ( { kind = "decision"; role = "la_adviser"; capacity = true; } ); },
		{ id = "sessions"; name = "Sessions"; requires = ( { kind = "attendance"; sessions = [ "TP1", "TP2", "TP3" ]; } ); },
		{ id = "graduated"; name = "Graduated"; terminal = true; }
	);
	sessions = {
		calendar = { to = [ "candidate" ]; template = "session-calendar"; };
	};
	notifications = (
		{ on = "application.place_offered"; to = [ "candidate", "headteacher" ]; template = "place-offered"; }
	);
};
"""

# The Norfolk 2026-27 calendar, two places, and the calendar rules.
RULES = """
	places = 2;
	applications = { opens = "2026-09-07"; closes = "2026-09-25"; };
	offer_days = 3;
	offers_until = "2026-10-20";
"""


class CalendarDaemon(Daemon):
    """A Daemon with PROGRAMME and a copy of ntp-2026-27 with RULES, and nothing else."""

    def start(self):
        mine = os.path.join(self.dir, "ntp-2026-27.conf")
        if not os.path.exists(mine):
            with open(os.path.join(SRC, "conf", "cohorts", "ntp-2026-27.conf")) as f:
                text = f.read()
            text = re.sub(r"\n\t(offer_days|offers_until|applications) = [^\n]*", "", text)
            text = re.sub(r"\n\tplaces = \d+;\n", RULES, text, count=1)
            text = re.sub(r"\n\t\tinternship = \"[0-9-]+\";\n", "\n", text, count=1)
            with open(mine, "w") as f:
                f.write(text)
            prog = os.path.join(self.dir, "programme.conf")
            with open(prog, "w") as f:
                f.write(PROGRAMME)
            with open(self.conf) as f:
                conf = f.read()
            conf = re.sub(r"programmes = \[[^]]*\];", 'programmes = [ "%s" ];' % prog, conf)
            conf = re.sub(r"cohorts = \[[^]]*\];", 'cohorts = [ "%s" ];' % mine, conf)
            with open(self.conf, "w") as f:
                f.write(conf)
        super().start()


C = "ntp-2026-27"


class CalendarTest(unittest.TestCase):
    maxDiff = None

    def daemon(self, start="2026-09-07T08:00:00Z"):
        d = CalendarDaemon(start)
        self.addCleanup(d.stop)
        self.world(d)
        return d

    def world(self, d):
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        people = [("p-head", ["headteacher"]), ("p-la", ["la_adviser"]), ("p-coach", ["coach"])]
        people += [("p-c%d" % i, ["candidate"]) for i in range(1, 8)]
        for pid, roles in people:
            args = {"id": pid, "name": pid.title(), "email": pid + "@example.org",
                    "roles": roles}
            if pid != "p-la":
                args["school"] = "s-oak"
            d.ok("person.create", args)

    def at(self, d, when):
        self.assertEqual(d.ok("clock.set", {"now": when})["now"], when)

    def head(self, d):
        return d.ok("system.ping")["head"]

    def events(self, d, after=0, types=None):
        out = []
        while True:
            page = d.ok("events.since", {"after": after, "limit": 1000})["events"]
            if not page:
                break
            out += page
            after = page[-1]["seq"]
        return [e for e in out if types is None or e["type"] in types]

    def refused(self, d, cmd, args, actor, code, reader="operator"):
        """cmd is refused with code and changes nothing but, for forbidden, an audit event."""
        before = self.head(d)
        rep = d.ok("cohort.report", {"cohort": C})
        r = d.call(cmd, args, actor)
        self.assertFalse(r["ok"], "%s %s by %s" % (cmd, args, actor))
        self.assertEqual(r["error"]["code"], code, r["error"])
        after = self.events(d, before)
        self.assertEqual([e["type"] for e in after],
                         ["audit.refused"] if code == "forbidden" else [])
        self.assertEqual(d.ok("cohort.report", {"cohort": C}), rep)
        return r["error"]["message"]

    def create(self, d, cand, actor=None, **extra):
        args = {"cohort": C, "candidate": cand}
        args.update(extra)
        return d.ok("application.create", args, actor or cand)["application"]

    def selected(self, d, cand, outcome="accept"):
        """cand's application at the selection decision, decided (outcome)."""
        app = self.create(d, cand)["id"]
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": app, "outcome": outcome}, "p-la")
        return app

    def app(self, d, app):
        return d.ok("application.get", {"app": app})["application"]

    # 1. Applications only within the cohort's window.

    def test_application_window_and_override(self):
        d = self.daemon("2026-09-06T12:00:00Z")
        # Before it opens (23:59:59 BST on 6 September): outside_window, nothing changed.
        self.at(d, "2026-09-06T22:59:59Z")
        msg = self.refused(d, "application.create", {"cohort": C, "candidate": "p-c1"},
                           "p-c1", "outside_window")
        self.assertIn("2026-09-07", msg)
        self.assertEqual(d.ok("application.list", {"cohort": C})["applications"], [])
        # From its first local minute.
        self.at(d, "2026-09-06T23:00:00Z")
        a = self.create(d, "p-c1")
        self.assertNotIn("override", a)
        # Up to the end of the closing day (23:59:59 BST on 25 September), a nomination too.
        self.at(d, "2026-09-25T22:59:59Z")
        self.create(d, "p-c2", "p-head", route="nomination")
        # After it: closed, for the candidate, the headteacher and the LA without override.
        self.at(d, "2026-09-25T23:00:00Z")
        self.refused(d, "application.create", {"cohort": C, "candidate": "p-c3"}, "p-c3",
                     "outside_window")
        self.refused(d, "application.create",
                     {"cohort": C, "candidate": "p-c3", "route": "nomination"}, "p-head",
                     "outside_window")
        self.refused(d, "application.create", {"cohort": C, "candidate": "p-c3"}, "p-la",
                     "outside_window")
        # Only an LA adviser may override; the override is recorded.
        self.refused(d, "application.create",
                     {"cohort": C, "candidate": "p-c3", "override": True}, "p-c3", "forbidden")
        self.refused(d, "application.create",
                     {"cohort": C, "candidate": "p-c3", "override": "yes"}, "p-la",
                     "invalid_request")
        before = self.head(d)
        a = self.create(d, "p-c3", "p-la", override=True)
        self.assertEqual(a["override"], {"window": True, "by": "p-la",
                                         "at": "2026-09-25T23:00:00Z"})
        created = self.events(d, before, ["application.created"])
        self.assertEqual(created[0]["data"],
                         {"candidate": "p-c3", "route": "interest", "override": True})
        # Inside the window an override changes nothing and records nothing.
        d2 = self.daemon("2026-09-10T08:00:00Z")
        a = self.create(d2, "p-c1", "p-la", override=True)
        self.assertNotIn("override", a)
        self.assertNotIn("override", self.events(d2, 0, ["application.created"])[0]["data"])

    # 2. Attendance only from the session's start.

    def test_attendance_from_the_session_start(self):
        d = self.daemon()
        app = self.selected(d, "p-c1")
        d.ok("application.assign_coach", {"app": app, "coach": "p-coach"})
        # TP1 starts at 09:00 BST on 8 October 2026 (08:00Z).
        for when in ("2026-10-07T08:00:00Z", "2026-10-08T07:59:59Z"):
            self.at(d, when)
            msg = self.refused(d, "application.record_attendance",
                               {"app": app, "session": "TP1", "present": True}, "p-coach",
                               "too_early")
            self.assertIn("TP1", msg)
            self.refused(d, "attendance.record", {"cohort": C, "session": "TP1",
                                                  "present": [app]}, "p-la", "too_early")
            self.refused(d, "attendance.record", {"cohort": C, "session": "TP1"}, "p-la",
                         "too_early")
            self.assertNotIn("attendance", self.app(d, app))
        self.at(d, "2026-10-08T08:00:00Z")
        a = d.ok("application.record_attendance", {"app": app, "session": "TP1",
                                                   "present": True}, "p-coach")["application"]
        self.assertEqual(a["attendance"], {"TP1": True})
        self.at(d, "2026-10-08T12:00:00Z")
        r = d.ok("attendance.record", {"cohort": C, "session": "TP1", "absent": [app]}, "p-la")
        self.assertEqual(r["applications"][0]["attendance"], {"TP1": False})
        # TP2 (16:00 GMT on 5 November) is still ahead.
        self.refused(d, "attendance.record", {"cohort": C, "session": "TP2", "present": [app]},
                     "p-la", "too_early")

    # 4. A freed place is offered: accepted, declined, expired.

    def test_offers_accepted_declined_expired(self):
        d = self.daemon()
        a1, a2 = self.selected(d, "p-c1"), self.selected(d, "p-c2")
        w = [self.selected(d, "p-c%d" % i, "waitlist") for i in (3, 4, 5)]
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"]),
                         (2, 0, 0, w))
        # p-c2 withdraws (Monday 14 September, 10:00 BST): the place is offered to p-c3.
        self.at(d, "2026-09-14T09:00:00Z")
        before = self.head(d)
        d.ok("application.withdraw", {"app": a2}, "p-c2")
        offered = self.events(d, before, ["application.place_offered"])
        self.assertEqual([e["app"] for e in offered], [w[0]])
        # Held 3 days, to the deadline time (17:00) of Thursday 17 September.
        self.assertEqual(offered[0]["data"], {"expires": "2026-09-17T16:00:00Z",
                                              "expires_local": "Thu 17 Sep 2026, 17:00"})
        a = self.app(d, w[0])
        self.assertEqual((a["status"], a["place"]), ("waitlisted", False))
        self.assertEqual(a["offer"], {"made": "2026-09-14T09:00:00Z",
                                      "expires": "2026-09-17T16:00:00Z"})
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"],
                          rep["offers"]), (1, 1, 0, w[1:], [w[0]]))
        self.assertEqual(rep["status"]["waitlisted"], 3)
        # The place is held: nobody else is accepted into it.
        self.refused(d, "application.decide", {"app": w[1], "outcome": "accept"}, "p-la",
                     "cohort_full")
        # Only its candidate or an LA adviser answers; nobody answers what was not offered.
        self.refused(d, "application.accept_offer", {"app": w[0]}, "p-c4", "forbidden")
        self.refused(d, "application.accept_offer", {"app": w[0]}, "p-head", "forbidden")
        self.refused(d, "application.accept_offer", {"app": w[1]}, "p-c4",
                     "invalid_transition")
        self.refused(d, "application.decline_offer", {"app": a1}, "p-c1", "invalid_transition")
        # The email offering it carries the candidate's link (no web here: its words).
        jobs = d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
        mine = [j for j in jobs if j["template"] == "place-offered"]
        self.assertEqual(sorted(j["to"]["person"] for j in mine), ["p-c3", "p-head"])
        self.assertEqual(mine[0]["vars"]["offer_expires"], "Thu 17 Sep 2026, 17:00")
        # Accepted: the place is taken, a decision recorded, and it advances; the session
        # calendar comes with the place, not with the offer.
        self.assertNotIn("session-calendar", [j["template"] for j in jobs
                                              if j["to"]["person"] == "p-c3"])
        self.at(d, "2026-09-15T09:00:00Z")
        before = self.head(d)
        a = d.ok("application.accept_offer", {"app": w[0]}, "p-c3")["application"]
        self.assertEqual((a["status"], a["place"], a["stage"]), ("active", True, "sessions"))
        self.assertEqual(a["offer"]["result"], "accepted")
        self.assertEqual(a["decisions"]["selection"]["outcome"], "accept")
        self.assertEqual(a["decisions"]["selection"]["by"], "p-c3")
        self.assertEqual([e["type"] for e in self.events(d, before)
                          if e.get("app") == w[0] and e["type"].startswith("application.")],
                         ["application.offer_accepted", "application.stage_changed"])
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"]), (2, 0, 0))
        jobs = d.ok("outbox.list", {"limit": 1000})["jobs"]
        self.assertIn(("session-calendar", "p-c3"),
                      [(j["template"], j["to"]["person"]) for j in jobs])
        self.refused(d, "application.accept_offer", {"app": w[0]}, "p-c3",
                     "invalid_transition")
        # p-c1 withdraws: p-c4 is offered the place, declines it (and is withdrawn).
        d.ok("application.withdraw", {"app": a1}, "p-c1")
        self.assertIn("expires", self.app(d, w[1])["offer"])
        before = self.head(d)
        a = d.ok("application.decline_offer", {"app": w[1]}, "p-c4")["application"]
        self.assertEqual((a["status"], a["place"], a["offer"]["result"]),
                         ("withdrawn", False, "declined"))
        self.assertEqual([(e["type"], e["app"]) for e in self.events(d, before)
                          if e["type"].startswith("application.")],
                         [("application.offer_declined", w[1]),
                          ("application.place_offered", w[2])])
        # p-c5 is silent: at its expiry (17:00 BST on 18 September) the timer closes it.
        expires = self.app(d, w[2])["offer"]["expires"]
        self.assertEqual(expires, "2026-09-18T16:00:00Z")
        self.at(d, "2026-09-18T15:59:59Z")
        self.assertEqual(self.events(d, before, ["application.offer_expired"]), [])
        before = self.head(d)
        self.at(d, "2026-09-18T16:00:00Z")
        ev = self.events(d, before, ["application.offer_expired"])
        self.assertEqual([(e["app"], e["actor"]) for e in ev], [(w[2], "pathwayd")])
        a = self.app(d, w[2])
        self.assertEqual((a["status"], a["place"], a["offer"]["result"]),
                         ("waitlisted", False, "expired"))
        self.refused(d, "application.accept_offer", {"app": w[2]}, "p-c5",
                     "invalid_transition")
        # Nobody else waits: the place is free, and the LA may still accept p-c5 into it.
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"]),
                         (1, 0, 1, []))
        a = d.ok("application.decide", {"app": w[2], "outcome": "accept"}, "p-la")["application"]
        self.assertEqual((a["status"], a["place"]), ("active", True))

    def test_expiry_passes_the_place_on_and_survives_kill(self):
        d = self.daemon()
        a1, _ = self.selected(d, "p-c1"), self.selected(d, "p-c2")
        w = [self.selected(d, "p-c%d" % i, "waitlist") for i in (3, 4)]
        self.at(d, "2026-09-14T09:00:00Z")
        d.ok("application.withdraw", {"app": a1}, "p-c1")
        offer = self.app(d, w[0])["offer"]
        # kill -9 with the offer open: it is still there after the restart, and its timer too.
        d.kill()
        d.start()
        self.assertEqual(self.app(d, w[0])["offer"], offer)
        self.assertEqual(d.ok("cohort.report", {"cohort": C})["offers"], [w[0]])
        before = self.head(d)
        self.at(d, "2026-09-20T08:00:00Z")  # past its expiry: it fires once, then the next
        got = [(e["type"], e["app"]) for e in self.events(d, before)
               if e["type"].startswith("application.")]
        self.assertEqual(got, [("application.offer_expired", w[0]),
                               ("application.place_offered", w[1])])
        # The next offer runs from the expiry's moment: 3 days from 20 September.
        self.assertEqual(self.app(d, w[1])["offer"]["expires"], "2026-09-23T16:00:00Z")
        d.kill()
        d.start()
        before = self.head(d)
        d.ok("clock.advance", {"seconds": 4 * 86400})
        self.assertEqual([(e["type"], e["app"]) for e in self.events(d, before)
                          if e["type"].startswith("application.")],
                         [("application.offer_expired", w[1])])
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["offers"]),
                         (1, 0, 1, []))

    def test_no_offers_after_the_cut_off(self):
        d = self.daemon()
        a1, a2 = self.selected(d, "p-c1"), self.selected(d, "p-c2")
        w = [self.selected(d, "p-c%d" % i, "waitlist") for i in (3, 4)]
        # The last minute of offers_until (20 October, BST): still offered.
        self.at(d, "2026-10-20T22:59:00Z")
        d.ok("application.withdraw", {"app": a1}, "p-c1")
        self.assertIn("offer", self.app(d, w[0]))
        d.ok("application.accept_offer", {"app": w[0]}, "p-c3")
        # After it: a freed place is left free, the waiting list as it was.
        self.at(d, "2026-10-20T23:00:00Z")
        before = self.head(d)
        d.ok("application.withdraw", {"app": a2}, "p-c2")
        self.assertEqual(self.events(d, before, ["application.place_offered"]), [])
        self.assertNotIn("offer", self.app(d, w[1]))
        rep = d.ok("cohort.report", {"cohort": C})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"]),
                         (1, 0, 1, [w[1]]))
        # The LA decides as before.
        a = d.ok("application.decide", {"app": w[1], "outcome": "accept"}, "p-la")["application"]
        self.assertEqual((a["status"], a["place"]), ("active", True))
        self.assertEqual(d.ok("cohort.report", {"cohort": C})["waiting"], [])

    # 5. A late joiner's deadline: at least the grace period (7 days) after joining.

    def test_deadline_grace_for_a_late_joiner(self):
        d = self.daemon("2026-09-10T08:00:00Z")
        early = self.create(d, "p-c1")["id"]  # the interest deadline: 25 September, 17:00
        self.at(d, "2026-09-18T08:00:00Z")
        edge = self.create(d, "p-c2")["id"]  # 18 + 7 = 25: the same deadline
        self.at(d, "2026-09-24T08:00:00Z")
        late = self.create(d, "p-c3")["id"]  # 24 + 7: 1 October, 17:00
        before = self.head(d)
        self.at(d, "2026-09-25T15:59:59Z")
        self.assertEqual(self.events(d, before, ["application.overdue"]), [])
        self.at(d, "2026-09-25T16:00:00Z")
        got = self.events(d, before, ["application.overdue"])
        self.assertEqual(sorted(e["app"] for e in got), sorted([early, edge]))
        self.assertEqual(got[0]["data"]["deadline"], "2026-09-25T16:00:00Z")
        self.assertNotIn("overdue", self.app(d, late))
        self.at(d, "2026-10-01T15:59:59Z")
        self.assertNotIn("overdue", self.app(d, late))
        before = self.head(d)
        self.at(d, "2026-10-01T16:00:00Z")
        got = self.events(d, before, ["application.overdue"])
        self.assertEqual([(e["app"], e["data"]["deadline"], e["data"]["days_overdue"])
                          for e in got], [(late, "2026-10-01T16:00:00Z", 0)])

    # 6. A newcomer's calendar leaves out the sessions already past.

    def test_newcomers_calendar_leaves_out_the_past(self):
        d = self.daemon()
        a1 = self.selected(d, "p-c1")
        self.selected(d, "p-c2")
        w = self.selected(d, "p-c3", "waitlist")

        def calendar_of(person):
            jobs = d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
            return [j for j in jobs
                    if j["template"] == "session-calendar" and j["to"]["person"] == person]

        first = calendar_of("p-c1")[0]
        self.assertIn("TP1 ", first["vars"]["sessions"])
        self.assertEqual(first["attachments"], ["ntp-2026-27.ics"])
        # TP1 (8 October) and TP2 (5 November, 16:00 GMT) have begun when p-c3 takes the
        # freed place (after the cut-off for offers, so by the LA's decision).
        self.at(d, "2026-11-05T16:00:01Z")
        d.ok("application.withdraw", {"app": a1}, "p-c1")
        self.assertEqual(calendar_of("p-c3"), [])
        d.ok("application.decide", {"app": w, "outcome": "accept"}, "p-la")
        late = calendar_of("p-c3")
        self.assertEqual(len(late), 1)
        text = late[0]["vars"]["sessions"]
        self.assertNotIn("TP1 ", text)
        self.assertNotIn("TP2 ", text)
        self.assertIn("TP3 ", text)
        self.assertIn("TP12", text)


if __name__ == "__main__":
    unittest.main()
