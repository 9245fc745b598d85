#!/usr/bin/python3
"""The Norfolk LLE briefing as a bookable session, end to end: a real pathwayd
on the manual clock, a real pathway-mailer, a real SMTP server (aiosmtpd).

The briefing has a few seats (the cohort file is copied with seats = 2).
Headteachers who are not applying book it for themselves, the LA books for
someone, a full session puts bookings on a waiting list, a cancellation
gives the seat to the first waiting, each confirmation carries the session's
iCalendar invitation, and the booked (not the waiting) get a reminder two
days before at 09:00 local time; when a reload moves the session, the booked
get the updated invitation and the reminder moves with it; a reload that
turns reminders off means none goes, and a session nobody is booked on any
more keeps no reminder.
"""
import os
import shutil
import signal
import subprocess
import time
import unittest

import store_peek
from news import last_seq
from aiosmtpd.controller import Controller

from test_sessions import Sink, free_port
from test_timers import BIN, SRC, Daemon

LLE = "lle-2026-27"
B = {"cohort": LLE, "session": "BRIEFING"}


class Briefing(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        port = free_port()
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        self.d = d = Daemon("2026-12-01T10:00:00Z")
        self.addCleanup(d.stop)
        self.cohort = cohort = os.path.join(d.dir, "lle.conf")
        with open(os.path.join(SRC, "conf/cohorts/lle-2026-27.conf")) as f:
            text = f.read()
        self.assertIn("seats = 40;", text)
        self.cohort_text = text.replace("seats = 40;", "seats = 2;")
        with open(cohort, "w") as f:
            f.write(self.cohort_text)
        with open(d.conf) as f:
            conf = f.read()
        conf = conf.replace('"%s/conf/cohorts/lle-2026-27.conf"' % SRC, '"%s"' % cohort)
        conf += """
outbox = { worker_timeout = 5; };
mailer = { smtp_url = "smtp://127.0.0.1:%d"; starttls = "none";
	   from = "Leadership Development Team <pathway@la.example.net>";
	   heartbeat_ms = 100; timeout_ms = 5000; };
""" % port
        with open(d.conf, "w") as f:
            f.write(conf)
        d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while d.ok("session.bookings", B).get("booking", {}).get("seats") != 2:
            self.assertLess(time.monotonic(), end, "the reload did not take")
            time.sleep(0.02)
        mlog = os.path.join(d.dir, "m1.log")
        with open(mlog, "wb") as log:
            self.mailer = subprocess.Popen([os.path.join(BIN, "pathway-mailer"), "-c",
                                            d.conf, "-n", "m1"], stderr=log)
        self.addCleanup(self.stop_mailer)
        end = time.monotonic() + 30
        while True:
            with open(mlog) as f:
                if "sending for" in f.read():
                    break
            self.assertLess(time.monotonic(), end, "the mailer did not start")
            time.sleep(0.02)
        d.ok("school.create", {"id": "s-a", "name": "Aylsham Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-b", "name": "Blofield Primary", "phase": "primary"})
        for pid, name, roles, school in [("p-la", "Helen Marsh", ["la_adviser"], None),
                                         ("hp-a", "Anna Able", ["headteacher"], "s-a"),
                                         ("hp-b", "Bill Baker", ["headteacher"], "s-b"),
                                         ("hp-c", "Cara Cole", ["headteacher"], "s-b"),
                                         ("p-gov", "Gina Green", ["coach"], None),
                                         ("p-view", "Vic Viewer", ["viewer"], None)]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)
        self.seq = last_seq(self.d)

    def stop_mailer(self):
        self.mailer.send_signal(signal.SIGTERM)
        self.assertEqual(self.mailer.wait(timeout=20), 0)

    def events(self):
        evs = self.d.ok("events.since", {"after": self.seq, "limit": 1000})["events"]
        if evs:
            self.seq = evs[-1]["seq"]
        # notification.sent comes when the mailer reports, whenever that is.
        return [(e["type"], e["data"].get("person"), e["data"].get("status")) for e in evs
                if not e["type"].startswith("notification.")
                and e.get("cohort") in (None, LLE)]  # other cohorts' sessions go on

    def mails(self, n):
        """The next n messages: (recipient, subject, message)."""
        got = self.sink.wait(self.seen + n)[self.seen:]
        self.seen += n
        return sorted((r[0].split("@")[0], m["Subject"], m) for r, m in got)

    def refused(self, args, actor, code, cmd="session.book"):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"]["code"], code, r["error"]["message"])
        self.assertEqual(self.events(), [("audit.refused", None, None)]
                         if code == "forbidden" else [])

    def reminders(self):
        """The bookings' reminder timers armed in the store: [(cohort, session)]."""
        return [(t["cohort"], t["session"])
                for t in store_peek.records(os.path.join(self.d.dir, "db"), "timer_recs")
                if t.get("kind") == "booking_reminder"]

    def ics_of(self, msg):
        parts = list(msg.iter_attachments())
        self.assertEqual([p.get_filename() for p in parts], ["lle-2026-27-BRIEFING.ics"])
        ics = parts[0].get_content()
        return ics.decode() if isinstance(ics, bytes) else ics

    def test_book_wait_cancel_promote_remind(self):
        d = self.d
        self.seen = 0
        # A headteacher who is not applying books for themself.
        b = d.ok("session.book", B, "hp-a")["booking"]
        self.assertEqual((b["status"], b["seats"], b["booked"], b["waiting"]),
                         ("booked", 2, 1, 0))
        self.assertEqual(self.events(), [("session.booked", "hp-a", "booked")])
        ((who, subject, msg),) = self.mails(1)
        self.assertEqual(who, "hp-a")
        self.assertEqual(subject, "Your place: Briefing for prospective LLEs, Fri 15 Jan 2027, "
                                  "14:00")
        ics = self.ics_of(msg)
        self.assertIn("UID:lle-2026-27-BRIEFING@pathway", ics)
        self.assertIn("DTSTART:20270115T140000Z", ics)  # 14:00 GMT
        self.assertEqual(ics.count("BEGIN:VEVENT"), 1)
        self.assertEqual(d.ok("session.book", B, "p-gov")["booking"]["status"], "booked")
        self.events()
        self.mails(1)
        # Full: the LA books Cara; Bill books himself; both wait, in order.
        b = d.ok("session.book", dict(B, person="hp-c"), "p-la")["booking"]
        self.assertEqual((b["status"], b["position"]), ("waiting", 1))
        b = d.ok("session.book", B, "hp-b")["booking"]
        self.assertEqual((b["status"], b["position"]), ("waiting", 2))
        self.assertEqual(self.events(), [("session.booked", "hp-c", "waiting"),
                                         ("session.booked", "hp-b", "waiting")])
        got = self.mails(2)
        self.assertEqual([(w, s) for w, s, _ in got],
                         [("hp-b", "Waiting list: Briefing for prospective LLEs, Fri 15 Jan 2027"),
                          ("hp-c", "Waiting list: Briefing for prospective LLEs, Fri 15 Jan 2027")])
        self.assertIn("number 2 on the waiting list",
                      " ".join(got[0][2].get_body(("plain",)).get_content().split()))
        self.assertEqual(list(got[0][2].iter_attachments()), [])
        # Refusals change nothing.
        self.refused(B, "hp-a", "already_exists")
        self.refused(dict(B, person="hp-b"), "hp-a", "forbidden")
        self.refused(B, "p-view", "forbidden")
        self.refused(dict(B, session="TRAINING"), "hp-a", "invalid_request")
        self.refused(dict(B, session="NOPE"), "hp-a", "not_found")
        self.refused(dict(B, person="nobody"), "p-la", "not_found")
        self.refused(dict(B, person="hp-a"), "hp-b", "forbidden", "session.cancel_booking")
        # Who sees what: the LA the lists, a person their own booking.
        mine = d.ok("session.bookings", B, "hp-b")
        self.assertEqual((mine["booking"]["status"], mine["booking"]["position"]), ("waiting", 2))
        self.assertNotIn("booked", [k for k in mine if k != "booking"])
        self.refused(dict(B, person="hp-a"), "hp-b", "forbidden", "session.bookings")
        full = d.ok("session.bookings", B, "p-la")
        self.assertEqual([x["person"] for x in full["booked"]], ["hp-a", "p-gov"])
        self.assertEqual([(x["person"], x["by"]) for x in full["waiting"]],
                         [("hp-c", "p-la"), ("hp-b", "hp-b")])
        # Gina cancels: Cara, first waiting, gets the seat and an invitation.
        d.ok("clock.set", {"now": "2027-01-05T11:00:00Z"})
        b = d.ok("session.cancel_booking", B, "p-gov")["booking"]
        self.assertEqual((b["status"], b["booked"], b["waiting"]), ("cancelled", 2, 1))
        self.assertEqual(self.events(), [("session.booking_cancelled", "p-gov", None),
                                         ("session.booked", "hp-c", "booked")])
        got = self.mails(2)
        self.assertEqual([(w, s.split(":")[0]) for w, s, _ in got],
                         [("hp-c", "Your place"), ("p-gov", "Booking cancelled")])
        self.assertIn("UID:lle-2026-27-BRIEFING@pathway", self.ics_of(got[0][2]))
        self.assertEqual(d.ok("session.bookings", B, "hp-b")["booking"]["position"], 1)
        self.refused(B, "p-gov", "not_found", "session.cancel_booking")
        # The reminder: Wed 13 Jan 2027 09:00 GMT, to the two booked, not to Bill.
        d.ok("clock.set", {"now": "2027-01-13T08:59:00Z"})
        self.assertEqual(self.events(), [])
        d.ok("clock.set", {"now": "2027-01-13T09:00:00Z"})
        self.assertEqual(sorted(self.events()), [("session.booking_reminder", "hp-a", None),
                                                 ("session.booking_reminder", "hp-c", None)])
        got = self.mails(2)
        self.assertEqual([(w, s) for w, s, _ in got],
                         [(p, "Reminder: Briefing for prospective LLEs, Fri 15 Jan 2027, 14:00")
                          for p in ("hp-a", "hp-c")])
        # Bill, waiting, takes himself off the list: no seat moves.
        d.ok("session.cancel_booking", B, "hp-b")
        self.assertEqual(self.events(), [("session.booking_cancelled", "hp-b", None)])
        self.mails(1)
        # Once the session has started nobody books.
        d.ok("clock.set", {"now": "2027-01-15T14:00:00Z"})
        self.events()
        self.refused(B, "hp-b", "invalid_transition")
        # Nothing more was sent: once the outbox is empty, every job has reached the sink.
        end = time.monotonic() + 30
        while any(d.ok("outbox.list", {"state": st})["jobs"] for st in ("pending", "inflight")):
            self.assertLess(time.monotonic(), end, "the outbox did not empty")
            time.sleep(0.02)
        self.assertEqual(len(self.sink.messages), self.seen, "nothing more was sent")

    def test_a_moved_session_updates_bookings(self):
        d = self.d
        self.seen = 0
        # pathwayctl: a headteacher books; the LA sees who.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        ctl = [os.path.join(BIN, "pathwayctl"), "-c", d.conf]
        r = subprocess.run(ctl + ["-a", "hp-a", "book", LLE, "BRIEFING"], capture_output=True,
                           text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("status       booked", r.stdout)
        r = subprocess.run(ctl + ["-a", "p-la", "bookings", LLE, "BRIEFING"], capture_output=True,
                           text=True, env=env, timeout=60)
        self.assertIn("seats        2: 1 booked, 0 waiting", r.stdout)
        self.assertRegex(r.stdout, r"booked\s+hp-a \(at 2026-12-01T10:00:00Z, by hp-a\)")
        self.mails(1)
        self.events()
        # The briefing moves a week later (a reload): the reminder goes two days before
        # the new date, Wed 20 Jan 2027 09:00 GMT, not on the 13th.
        old = 'date = "2027-01-15"; start = "14:00"'
        self.assertIn(old, self.cohort_text)
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text.replace(old, 'date = "2027-01-22"; start = "14:00"'))
        d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while [x["date"] for x in d.ok("cohort.get", {"cohort": LLE})["cohort"]["sessions"]
               if x["id"] == "BRIEFING"] != ["2027-01-22"]:
            self.assertLess(time.monotonic(), end, "the reload did not take")
            time.sleep(0.02)
        # Whoever booked it is sent the updated invitation: same UID, the next SEQUENCE.
        self.assertIn(("session.booking_updated", "hp-a", None), self.events())
        ((who, subject, msg),) = self.mails(1)
        self.assertEqual((who, subject), ("hp-a", "Your place: Briefing for prospective LLEs, "
                                                  "Fri 22 Jan 2027, 14:00"))
        ics = self.ics_of(msg)
        self.assertIn("UID:lle-2026-27-BRIEFING@pathway", ics)
        self.assertIn("DTSTART:20270122T140000Z", ics)
        self.assertIn("SEQUENCE:1", ics)
        d.ok("clock.set", {"now": "2027-01-13T09:00:00Z"})
        self.assertEqual(self.events(), [])
        d.ok("clock.set", {"now": "2027-01-20T08:59:00Z"})
        self.assertEqual(self.events(), [])
        d.ok("clock.set", {"now": "2027-01-20T09:00:00Z"})
        self.assertEqual(self.events(), [("session.booking_reminder", "hp-a", None)])
        ((who, subject, _),) = self.mails(1)
        self.assertEqual((who, subject), ("hp-a", "Reminder: Briefing for prospective LLEs, "
                                                  "Fri 22 Jan 2027, 14:00"))


    def test_no_reminder_once_reloaded_off_or_nobody_booked(self):
        d = self.d
        self.seen = 0
        # The last booked person cancels: the reminder goes; the next booking arms it again.
        d.ok("session.book", B, "hp-a")
        self.assertEqual(self.reminders(), [(LLE, "BRIEFING")])
        d.ok("session.cancel_booking", B, "hp-a")
        self.assertEqual(self.reminders(), [])
        d.ok("session.book", B, "hp-b")
        self.assertEqual(self.reminders(), [(LLE, "BRIEFING")])
        self.mails(3)
        self.events()
        # A reload sets reminder_days = 0 (and three seats, to see it taken): the reminder
        # armed for Wed 13 Jan 2027 09:00 sends nothing when it falls due.
        with open(os.path.join(SRC, "conf/programmes/norfolk-lle.conf")) as f:
            prog = f.read()
        self.assertIn("reminder_days = 2;", prog)
        prog = prog.replace("reminder_days = 2;", "reminder_days = 0;")
        os.makedirs(os.path.join(d.dir, "forms"), exist_ok=True)  # its @include, beside it
        shutil.copy(os.path.join(SRC, "conf/programmes/forms/norfolk-lle.conf"),
                    os.path.join(d.dir, "forms"))
        copy = os.path.join(d.dir, "norfolk-lle.conf")
        with open(copy, "w") as f:
            f.write(prog)
        with open(d.conf) as f:
            conf = f.read()
        old = '"%s/conf/programmes/norfolk-lle.conf"' % SRC
        self.assertIn(old, conf)
        with open(d.conf, "w") as f:
            f.write(conf.replace(old, '"%s"' % copy))
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text.replace("seats = 2;", "seats = 3;"))
        d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while d.ok("session.bookings", B).get("booking", {}).get("seats") != 3:
            self.assertLess(time.monotonic(), end, "the reload did not take")
            time.sleep(0.02)
        self.events()
        d.ok("clock.set", {"now": "2027-01-13T09:00:00Z"})
        self.assertEqual(self.events(), [])
        self.assertEqual(self.reminders(), [])
        # Nothing was sent: once the outbox is empty, every job has reached the sink.
        end = time.monotonic() + 30
        while any(d.ok("outbox.list", {"state": st})["jobs"] for st in ("pending", "inflight")):
            self.assertLess(time.monotonic(), end, "the outbox did not empty")
            time.sleep(0.02)
        self.assertEqual(len(self.sink.messages), self.seen, "nothing more was sent")


if __name__ == "__main__":
    unittest.main()
