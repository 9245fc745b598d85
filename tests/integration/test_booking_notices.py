#!/usr/bin/python3
"""Who is told what, and when, about bookable sessions and opportunities: a real
pathwayd on the manual clock, its outbox read through outbox.list.

- A reload that changes only a booking reminder's lead time (the programme's
  bookings.reminder_days) moves the armed reminder to the new moment, tells
  nobody, and the reminder then goes once; a reload that turns reminders off
  drops it at once, and one that turns them on again arms it.
- When a reload moves a bookable session, an applicant who booked it gets one
  email about the move, the booking's updated invitation, not also the cohort's
  session-updated notice; the applicants who did not book get the notice.
- opportunity.publish and the release count as told only people an email was
  written for: an erased person (no email address) is not told.

Reloads are SIGHUP; each changes the briefing's seats too, which shows when it
has been taken.
"""
import calendar
import os
import shutil
import signal
import time
import unittest

import store_peek
from answers import ANSWERS
from news import News
from test_timers import SRC, Daemon

LLE = "lle-2026-27"
NTP = "ntp-2026-27"
B = {"cohort": LLE, "session": "BRIEFING"}
GOOD = {"years_as_head": 5, "leadership_good_or_better": True}


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Case(unittest.TestCase):
    def setUp(self):
        self.d = d = Daemon("2026-12-01T10:00:00Z")
        self.addCleanup(d.stop)
        # The LLE programme and cohort as copies beside the daemon's configuration.
        with open(os.path.join(SRC, "conf/programmes/norfolk-lle.conf")) as f:
            self.prog_text = f.read()
        with open(os.path.join(SRC, "conf/cohorts/lle-2026-27.conf")) as f:
            self.cohort_text = f.read()
        self.assertIn("reminder_days = 2;", self.prog_text)
        self.assertIn("seats = 40;", self.cohort_text)
        os.makedirs(os.path.join(d.dir, "forms"), exist_ok=True)  # its @include, beside it
        shutil.copy(os.path.join(SRC, "conf/programmes/forms/norfolk-lle.conf"),
                    os.path.join(d.dir, "forms"))
        self.prog = os.path.join(d.dir, "norfolk-lle.conf")
        self.cohort = os.path.join(d.dir, "lle.conf")
        with open(d.conf) as f:
            conf = f.read()
        for old, new in [("conf/programmes/norfolk-lle.conf", self.prog),
                         ("conf/cohorts/lle-2026-27.conf", self.cohort)]:
            old = '"%s/%s"' % (SRC, old)
            self.assertIn(old, conf)
            conf = conf.replace(old, '"%s"' % new)
        with open(d.conf, "w") as f:
            f.write(conf)
        self.seats = 40
        self.reload()
        self.watch = News(d)

    def reload(self, prog=(), cohort=()):
        """Rewrite the copies with the replacements given, one seat more, and SIGHUP."""
        text = self.prog_text
        for old, new in prog:
            self.assertIn(old, text)
            text = text.replace(old, new)
        with open(self.prog, "w") as f:
            f.write(text)
        self.seats += 1
        text = self.cohort_text.replace("seats = 40;", "seats = %d;" % self.seats)
        for old, new in cohort:
            self.assertIn(old, text)
            text = text.replace(old, new)
        with open(self.cohort, "w") as f:
            f.write(text)
        self.d.proc.send_signal(signal.SIGHUP)
        # Each request waits for the one before: the reload is taken between two of them.
        end = time.monotonic() + 20
        while self.d.ok("session.bookings", B)["booking"]["seats"] != self.seats:
            self.assertLess(time.monotonic(), end, "the reload did not take")

    def news(self):
        """The events and outbox jobs since the last look."""
        return self.watch()

    def expect(self, events, jobs):
        evs, got = self.news()
        self.assertEqual(sorted((e["type"], e["data"].get("person")) for e in evs
                                if e.get("cohort") in (None, LLE)), sorted(events))
        self.assertEqual(sorted((j["to"]["person"], j["template"]) for j in got), sorted(jobs))
        return evs, got

    def reminders(self):
        """The booking reminders armed in the store: [(session, at)]."""
        return [(t["session"], t["at"])
                for t in store_peek.records(os.path.join(self.d.dir, "db"), "timer_recs")
                if t.get("kind") == "booking_reminder"]

    def person(self, pid, roles, school=None, facts=None):
        args = {"id": pid, "name": pid, "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        if facts:
            args["facts"] = facts
        self.d.ok("person.create", args)


class LeadTime(Case):
    def test_a_changed_lead_time_moves_the_reminder(self):
        d = self.d
        self.person("hp-a", ["headteacher"])
        self.news()
        d.ok("session.book", B, "hp-a")
        self.expect([("session.booked", "hp-a")], [("hp-a", "booking-confirmed")])
        # Two days before Fri 15 Jan 2027, at 09:00 GMT.
        self.assertEqual(self.reminders(), [("BRIEFING", epoch("2027-01-13T09:00:00Z"))])
        # Five days before, now: the reminder moves to Sun 10 Jan, and nobody is told.
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 5;")])
        self.assertEqual(self.reminders(), [("BRIEFING", epoch("2027-01-10T09:00:00Z"))])
        self.expect([], [])
        d.ok("clock.set", {"now": "2027-01-10T08:59:00Z"})
        self.expect([], [])
        d.ok("clock.advance", {"seconds": 60})
        self.expect([("session.booking_reminder", "hp-a")], [("hp-a", "booking-reminder")])
        self.assertEqual(self.reminders(), [])
        # Sent once: a shorter lead time afterwards (Thu 14 Jan, still ahead) sends no other.
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 1;")])
        self.assertEqual(self.reminders(), [])
        d.ok("clock.set", {"now": "2027-01-14T09:00:00Z"})
        self.expect([], [])

    def test_a_lead_time_grown_past_now_reminds_at_once(self):
        d = self.d
        self.person("hp-a", ["headteacher"])
        d.ok("session.book", B, "hp-a")
        self.news()
        self.assertEqual(self.reminders(), [("BRIEFING", epoch("2027-01-13T09:00:00Z"))])
        # Mon 11 Jan: a lead time of five days (Sun 10 Jan) has passed; the session has not.
        d.ok("clock.set", {"now": "2027-01-11T12:00:00Z"})
        self.expect([], [])
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 5;")])
        d.ok("clock.advance", {"seconds": 1})
        self.expect([("session.booking_reminder", "hp-a")], [("hp-a", "booking-reminder")])
        self.assertEqual(self.reminders(), [])
        # Sent: a later reload arms nothing more.
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 1;")])
        self.assertEqual(self.reminders(), [])

    def test_booked_too_late_is_not_reminded_by_a_reload(self):
        d = self.d
        self.person("hp-a", ["headteacher"])
        # Thu 14 Jan: the reminder's moment (Wed 13 Jan) has passed; the confirmation is enough.
        d.ok("clock.set", {"now": "2027-01-14T10:00:00Z"})
        d.ok("session.book", B, "hp-a")
        self.news()
        self.assertEqual(self.reminders(), [])
        self.reload()
        d.ok("clock.advance", {"seconds": 1})
        self.expect([], [])
        self.assertEqual(self.reminders(), [])

    def test_reminders_turned_off_then_on(self):
        d = self.d
        self.person("hp-a", ["headteacher"])
        self.person("hp-b", ["headteacher"])
        d.ok("session.book", B, "hp-a")
        d.ok("session.book", dict(B, person="hp-b"), "operator")
        self.news()
        self.assertEqual(self.reminders(), [("BRIEFING", epoch("2027-01-13T09:00:00Z"))])
        # Off: the armed reminder goes at once.
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 0;")])
        self.assertEqual(self.reminders(), [])
        # On again, three days before at 08:30 (Tue 12 Jan): armed for everyone booked.
        self.reload(prog=[("reminder_days = 2;", "reminder_days = 3;"),
                          ('reminder_at = "09:00";', 'reminder_at = "08:30";')])
        self.assertEqual(self.reminders(), [("BRIEFING", epoch("2027-01-12T08:30:00Z"))])
        self.expect([], [])
        d.ok("clock.set", {"now": "2027-01-12T08:29:00Z"})
        self.expect([], [])
        d.ok("clock.advance", {"seconds": 60})
        self.expect([("session.booking_reminder", "hp-a"), ("session.booking_reminder", "hp-b")],
                    [("hp-a", "booking-reminder"), ("hp-b", "booking-reminder")])
        d.ok("clock.set", {"now": "2027-01-13T09:00:00Z"})
        self.expect([], [])


class MovedSession(Case):
    def test_a_booked_applicant_hears_once_of_a_move(self):
        d = self.d
        # The programme sends applicants holding a place (and their headteachers) a
        # notice when a session moves.
        updated = ('\tbookings = {', '\tsessions = { updated = { to = [ "candidate", '
                   '"headteacher" ]; template = "session-updated"; }; };\n\tbookings = {')
        self.reload(prog=[updated])
        d.ok("school.create", {"id": "s-a", "name": "Aylsham Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-b", "name": "Blofield Primary", "phase": "primary"})
        self.person("hp-a", ["headteacher"], "s-a")
        self.person("hp-b", ["headteacher"], "s-b")
        self.person("c-1", ["candidate"], "s-a", GOOD)
        self.person("c-2", ["candidate"], "s-b", GOOD)
        for c in ("c-1", "c-2"):
            app = d.ok("application.create", {"cohort": LLE, "candidate": c},
                       c)["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "application_form",
                                        "fields": ANSWERS["application_form"]}, c)
            a = d.ok("application.decide", {"app": app, "outcome": "accept"})["application"]
            self.assertTrue(a["place"], a)
        # c-1 (an applicant) and hp-b (c-2's headteacher) book the briefing.
        d.ok("session.book", B, "c-1")
        d.ok("session.book", B, "hp-b")
        self.news()
        # The briefing moves a week later.
        old = 'date = "2027-01-15"; start = "14:00"'
        self.reload(prog=[updated], cohort=[(old, 'date = "2027-01-22"; start = "14:00"')])
        evs, jobs = self.expect(
            [("cohort.session_changed", None), ("session.booking_updated", "c-1"),
             ("session.booking_updated", "hp-b")],
            # Each person one email: those who booked the booking's, the others the notice.
            [("c-1", "booking-confirmed"), ("hp-b", "booking-confirmed"),
             ("c-2", "session-updated"), ("hp-a", "session-updated")])
        for j in jobs:  # about the new date
            self.assertIn("22 Jan 2027", j["vars"]["session_date"], j)


class Told(unittest.TestCase):
    def test_told_counts_only_people_emailed(self):
        d = Daemon("2026-09-21T08:00:00Z")
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield", "phase": "primary"})
        for pid, role in [("p-in", "candidate"), ("p-gone", "candidate"),
                          ("h-oak", "headteacher"), ("h-gone", "headteacher")]:
            d.ok("person.create", {"id": pid, "name": pid, "email": pid + "@example.org",
                                   "roles": [role], "school": "s-oak"})
        for c in ("p-in", "p-gone"):
            app = d.ok("application.create", {"cohort": NTP, "candidate": c},
                       c)["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
        # Erased: no email address any more (their applications stay in the pool).
        d.ok("person.erase", {"id": "p-gone"})
        d.ok("person.erase", {"id": "h-gone"})
        seq = d.ok("system.ping")["head"]
        got = d.ok("opportunity.publish", {
            "id": "sec-dh", "title": "Acting deputy head", "description": "A secondment.",
            "audience": {"cohort": NTP}, "early_days": 7})
        jobs = lambda t: sorted(j["to"]["person"] for j in
                                d.ok("outbox.list", {"limit": 1000})["jobs"] if j["template"] == t)
        self.assertEqual(jobs("opportunity-early"), ["p-in"])
        self.assertEqual((got["told"], got["opportunity"]["told"]), (1, {"p-in": True}))
        ev = [e for e in d.ok("events.since", {"after": seq})["events"]
              if e["type"] == "opportunity.published"]
        self.assertEqual([e["data"] for e in ev],
                         [{"opportunity": "sec-dh", "closes": got["opportunity"]["closes"],
                           "told": 1}])
        self.assertEqual(d.ok("opportunity.get", {"id": "sec-dh"}, "p-in")["opportunity"]["told"],
                         1)
        # The release: the headteachers with an address, the erased one not.
        seq = d.ok("system.ping")["head"]
        d.ok("clock.advance", {"seconds": 7 * 86400})
        self.assertEqual(jobs("opportunity-released"), ["h-oak"])
        ev = [e for e in d.ok("events.since", {"after": seq})["events"]
              if e["type"] == "opportunity.released"]
        self.assertEqual([e["data"] for e in ev], [{"opportunity": "sec-dh", "told": 1}])
        o = d.ok("opportunity.get", {"id": "sec-dh"})["opportunity"]
        self.assertEqual((o["released"], o["told"]), (True, {"p-in": True, "h-oak": True}))
        self.assertEqual(d.ok("opportunity.get", {"id": "sec-dh"}, "p-in")["opportunity"]["told"],
                         2)


if __name__ == "__main__":
    unittest.main()
