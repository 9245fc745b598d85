#!/usr/bin/python3
"""A whole year of Norfolk LLE on the manual clock, with what follows deployment.

Four serving headteachers apply in November 2026 and are selected; the
briefing (its 40 seats as the shipped cohort file has them) is booked by the
applicants and by headteachers who are not applying, the forty-first waits,
a cancellation gives them the seat, and the booked are reminded two days
before; the registers of the briefing and the training deploy the four.
Then schools ask for support (their headteacher, or the LA), the LA pairs
each with an LLE within capacity and phase, the review points fall due every
42 days, an LLE records a review and the LA ends one pairing, whose last
review point never comes.

As in test_year.py, the clock is moved to every moment at which something
is expected (and a minute before it), and at every step exactly the jobs
(recipient, template) and events created at that moment are asserted.
"""
import unittest

from test_year import Year, people, local
from answers import ANSWERS


class LocalLeadersSupportYear(unittest.TestCase):
    def test_year(self):
        y = Year(self, "2026-11-02T08:00:00Z")  # Mon 2 Nov 2026
        lle = y.cohorts["lle-2026-27"]
        good = {"years_as_head": 5, "leadership_good_or_better": True}
        schools = [("ls-1", "Acle Primary", "primary", False),
                   ("ls-2", "Bawburgh Primary", "primary", False),
                   ("ls-3", "Breckland High", "secondary", False),
                   ("ls-4", "Cley Special", "special", False),
                   ("ps-1", "Earsham Primary", "primary", False),
                   ("ps-2", "Eccles Primary", "primary", False),
                   ("ps-3", "Fakenham High", "secondary", False),
                   ("ps-4", "Gresham Special", "special", False)]
        schools += [("gs-%d" % i, "School %d" % i, "primary", False) for i in range(1, 35)]
        persons = [("p-la", "Helen Marsh", ["la_adviser"], None, None)]
        persons += [("lh-%d" % i, "Head %d" % i, ["candidate", "headteacher"], "ls-%d" % i,
                     dict(good, partner_capacity=2) if i == 1 else good) for i in range(1, 5)]
        persons += [("hp-%d" % i, "Partner head %d" % i, ["headteacher"], "ps-%d" % i, None)
                    for i in range(1, 5)]
        # Headteachers of other schools, not applying: they book the briefing to hear how
        # an LLE might help their school.
        persons += [("g-%d" % i, "Guest %d" % i, ["headteacher"], "gs-%d" % i, None)
                    for i in range(1, 35)]
        people(y, schools, persons)
        y.sync()
        lles = ["lh-%d" % i for i in range(1, 5)]

        y.until("2026-11-02T09:00:00Z")
        app = {}
        for who in lles:
            app[who] = y.create(lle.id, who, who)
            y.act("application.submit", {"app": app[who], "doc": "application_form",
                                         "fields": ANSWERS["application_form"]}, who,
                  events=[("application.submitted", app[who]),
                          ("application.stage_changed", app[who])])
        y.until("2026-12-01T10:00:00Z")
        for who in lles:
            y.act("application.decide", {"app": app[who], "outcome": "accept"},
                  jobs=[(who, "decision-accepted")],
                  events=[("application.decided", app[who]),
                          ("application.stage_changed", app[who])])

        # The briefing, Fri 15 Jan 2027 14:00 GMT: forty seats, booked in December.
        y.until("2026-12-07T10:00:00Z")
        B = {"cohort": lle.id, "session": "BRIEFING"}
        booked = lles + ["hp-%d" % i for i in range(1, 5)] + ["g-%d" % i for i in range(1, 33)]
        self.assertEqual(len(booked), 40)
        for who in booked:
            b = y.act("session.book", B, who, jobs=[(who, "booking-confirmed")],
                      events=[("session.booked", None)])["booking"]
            self.assertEqual(b["status"], "booked")
        b = y.act("session.book", B, "g-33", jobs=[("g-33", "booking-waitlisted")],
                  events=[("session.booked", None)])["booking"]
        self.assertEqual((b["status"], b["position"], b["booked"]), ("waiting", 1, 40))
        b = y.act("session.book", dict(B, person="g-34"), "p-la",
                  jobs=[("g-34", "booking-waitlisted")], events=[("session.booked", None)])
        self.assertEqual(b["booking"]["position"], 2)
        y.refused("session.book", B, "g-33", "already_exists")
        y.refused("session.book", dict(B, session="TRAINING"), "g-33", "invalid_request")
        # Eccles's head cannot come: the first waiting has the seat and an invitation.
        y.until("2027-01-08T10:00:00Z")
        y.act("session.cancel_booking", B, "hp-2",
              jobs=[("hp-2", "booking-cancelled"), ("g-33", "booking-confirmed")],
              events=[("session.booking_cancelled", None), ("session.booked", None)])
        booked = [p for p in booked if p != "hp-2"] + ["g-33"]
        # The reminder: two days before at 09:00 local (Wed 13 Jan 2027, GMT), to the booked.
        y.expect(local("2027-01-13", "09:00"), jobs=[(p, "booking-reminder") for p in booked],
                 events=[("session.booking_reminder", None)] * 40)
        y.until("2027-01-15T16:30:00Z")
        y.refused("session.book", B, "g-34", "invalid_transition")  # it has started
        y.act("attendance.record", {"cohort": lle.id, "session": "BRIEFING",
                                    "present": [app[w] for w in lles]},
              events=[("application.attendance_recorded", app[w]) for w in lles])
        y.until("2027-02-10T16:30:00Z")
        y.act("attendance.record", {"cohort": lle.id, "session": "TRAINING",
                                    "present": [app[w] for w in lles]},
              jobs=[(w, "graduated") for w in lles],
              events=[e for w in lles for e in (("application.attendance_recorded", app[w]),
                                                 ("application.stage_changed", app[w]),
                                                 ("application.graduated", app[w]))])
        self.assertEqual({y.app(app[w])["stage"] for w in lles}, {"deployed"})

        # Schools ask for support: Earsham's head for her school; the LA for three more.
        y.until("2027-02-15T10:00:00Z")
        req = {}
        r = y.act("support.request", {"cohort": lle.id, "need": "Writing at KS2."}, "hp-1",
                  jobs=[("hp-1", "support-requested"), ("p-la", "support-requested")],
                  events=[("support.requested", None)])
        req["ps-1"] = r["request"]["id"]
        for s in ("ps-2", "ps-3", "ps-4"):
            h = "hp-" + s[-1]
            req[s] = y.act("support.request", {"cohort": lle.id, "school": s,
                                               "need": "Support for " + s},
                           jobs=[(h, "support-requested"), ("p-la", "support-requested")],
                           events=[("support.requested", None)])["request"]["id"]
        # The LA pairs them on Mon 22 Feb: phase and capacity are checked.
        y.until("2027-02-22T10:00:00Z")
        y.refused("support.pair", {"request": req["ps-4"], "app": app["lh-2"]}, "p-la",
                  "not_eligible")
        pairs = [("ps-1", "lh-1"), ("ps-2", "lh-1"), ("ps-3", "lh-3"), ("ps-4", "lh-4")]
        for s, w in pairs:
            h = "hp-" + s[-1]
            y.act("support.pair", {"request": req[s], "app": app[w]},
                  jobs=[(w, "support-paired"), (h, "support-paired"), ("p-la", "support-paired")],
                  events=[("support.paired", app[w])])
        r = y.d.ok("support.get", {"request": req["ps-1"]})["request"]
        # Every 42 days from 22 Feb at 09:00 local: 5 Apr, 17 May, 28 Jun 2027 (BST).
        dues = [local(d, "09:00") for d in ("2027-04-05", "2027-05-17", "2027-06-28")]
        self.assertEqual([x["due"] for x in r["reviews"]], dues)
        for k, due in enumerate(dues):
            live = pairs if k < 2 else [p for p in pairs if p[0] != "ps-3"]
            y.expect(due, jobs=[j for s, w in live for j in
                                ((w, "support-review"), ("hp-" + s[-1], "support-review"),
                                 ("p-la", "support-review"))],
                     events=[("support.review_due", app[w]) for s, w in live])
        y.until("2027-04-06T10:00:00Z")
        y.act("support.review", {"request": req["ps-1"], "note": "Joint moderation."}, "lh-1",
              events=[("support.reviewed", app["lh-1"])])
        # Fakenham is out of its category: the LA ends that pairing before the third review.
        y.until("2027-05-20T10:00:00Z")
        y.act("support.end", {"request": req["ps-3"], "note": "Good at re-inspection."},
              jobs=[("lh-3", "support-ended"), ("hp-3", "support-ended"),
                    ("p-la", "support-ended")],
              events=[("support.ended", app["lh-3"])])
        y.until("2028-07-20T12:00:00Z")  # through the other cohorts' sessions, quietly
        statuses = {s: y.d.ok("support.get", {"request": req[s]})["request"]["status"]
                    for s in req}
        self.assertEqual(statuses, {"ps-1": "paired", "ps-2": "paired", "ps-3": "ended",
                                    "ps-4": "paired"})
        y.finish()


if __name__ == "__main__":
    unittest.main()
