#!/usr/bin/python3
"""Session notices end to end: a real pathwayd on a manual clock, a real
pathway-mailer, a real SMTP server (aiosmtpd). The calendar (.ics) goes out
with a place; a reminder the day before each session at 09:00 local; a
follow-up to anyone recorded absent; and when a session moves in the
configuration (SIGHUP), an updated invitation with the same UID and a higher
SEQUENCE."""
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from aiosmtpd.controller import Controller

from test_timers import BIN, SRC, Daemon
from answers import ANSWERS


class Sink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def wait(self, n, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError("expected %d messages, got %d" % (n, len(self.messages)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SessionsTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        port = free_port()
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        # Monday 21 Sep 2026, 09:00 BST: the cohort takes applications until 25 Sep.
        self.d = Daemon("2026-09-21T08:00:00Z")
        self.addCleanup(self.d.stop)
        # Cohort files are copied so the test can move a session and reload.
        src = SRC
        self.cohort = os.path.join(self.d.dir, "ntp.conf")
        with open(os.path.join(src, "conf/cohorts/ntp-2026-27.conf")) as f:
            self.cohort_text = f.read()
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text)
        with open(self.d.conf) as f:
            conf = f.read()
        conf = conf.replace('"%s/conf/cohorts/ntp-2026-27.conf"' % src, '"%s"' % self.cohort)
        conf += """
outbox = { worker_timeout = 5; };
mailer = { smtp_url = "smtp://127.0.0.1:%d"; starttls = "none";
	   from = "Leadership Development Team <pathway@la.example.net>";
	   heartbeat_ms = 100; timeout_ms = 5000; };
""" % port
        with open(self.d.conf, "w") as f:
            f.write(conf)
        self.d.proc.send_signal(signal.SIGHUP)  # same files, now with the copied cohort
        mlog = os.path.join(self.d.dir, "m1.log")
        with open(mlog, "wb") as log:
            self.mailer = subprocess.Popen([os.path.join(BIN, "pathway-mailer"), "-c",
                                            self.d.conf, "-n", "m1"], stderr=log)
        self.addCleanup(self.stop_mailer)
        # Running before the test goes on (a SIGTERM before then is not a clean stop).
        end = time.monotonic() + 30
        while True:
            with open(mlog) as f:
                if "sending for" in f.read():
                    break
            self.assertLess(time.monotonic(), end, "the mailer did not start")
            time.sleep(0.02)
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        for pid, name, roles in [("p-a", "Amara Okafor", ["candidate"]),
                                 ("p-b", "Ben Hughes", ["candidate"]),
                                 ("p-head", "Margaret Lowe", ["headteacher"]),
                                 ("p-coach", "Ruth Barker", ["coach"]),
                                 ("p-la", "Helen Marsh", ["la_adviser"])]:
            d.ok("person.create", {"id": pid, "name": name, "email": pid + "@example.org",
                                   "roles": roles, "school": "s-oak"})
        self.apps = {}
        for c in ("p-a", "p-b"):
            app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                       c)["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
            d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                        "fields": ANSWERS["evidence_form"]}, "p-head")
            d.ok("application.signoff", {"app": app}, "p-head")
            d.ok("application.assign_coach", {"app": app, "coach": "p-coach"})
            self.apps[c] = app

    def stop_mailer(self):
        self.mailer.send_signal(signal.SIGTERM)
        self.assertEqual(self.mailer.wait(timeout=20), 0)

    def mail_to(self, who, subject_has):
        return [m for rcpt, m in self.sink.messages
                if rcpt == [who + "@example.org"] and subject_has in m["Subject"]]

    def test_calendar_reminder_absent_and_update(self):
        d = self.d
        base = len(self.sink.wait(2 + 4))  # signoff alerts (2) + coach assigned (2 x 2)
        d.ok("application.decide", {"app": self.apps["p-a"], "outcome": "accept"})
        d.ok("application.decide", {"app": self.apps["p-b"], "outcome": "accept"})
        self.sink.wait(base + 2 * 3)  # per candidate: accepted to candidate + head, calendar
        cal = self.mail_to("p-a", "The Norfolk Leadership Talent Pool sessions")
        self.assertIn("Here are your sessions", cal[0].get_body(("plain",)).get_content())
        self.assertEqual(len(cal), 1)
        parts = [p for p in cal[0].iter_attachments()]
        self.assertEqual([p.get_filename() for p in parts], ["ntp-2026-27.ics"])
        ics = parts[0].get_content()
        if isinstance(ics, bytes):
            ics = ics.decode()
        self.assertEqual(ics.count("BEGIN:VEVENT"), 12)
        self.assertIn("UID:ntp-2026-27-TP1@pathway", ics)
        self.assertIn("SEQUENCE:0", ics)
        # TP1 is Thu 8 Oct 2026 09:00 BST = 08:00Z.
        self.assertIn("DTSTART:20261008T080000Z", ics)
        self.assertTrue(all(len(l) <= 75 for l in ics.split("\r\n")), "lines are folded")
        self.assertIn("TP1", cal[0].get_body(("plain",)).get_content())

        # The day before TP1 at 09:00 local, both candidates and their coach (once).
        n = len(self.sink.messages)
        d.ok("clock.set", {"now": "2026-10-07T07:59:00Z"})
        time.sleep(0.3)
        self.assertEqual(len(self.sink.messages), n, "nothing before 09:00 BST")
        d.ok("clock.set", {"now": "2026-10-07T08:00:00Z"})
        got = self.sink.wait(n + 3)[n:]
        self.assertEqual(sorted(r[0] for r, m in got),
                         ["p-a@example.org", "p-b@example.org", "p-coach@example.org"])
        self.assertTrue(all(m["Subject"].startswith("Reminder: TP1 Induction") for _, m in got))

        # Recorded absent (from TP1's start, Thu 8 Oct 09:00 BST): a follow-up to the
        # candidate and the coach.
        d.ok("clock.set", {"now": "2026-10-08T08:00:00Z"})
        n = len(self.sink.messages)
        d.ok("attendance.record", {"cohort": "ntp-2026-27", "session": "TP1",
                                   "present": [self.apps["p-a"]], "absent": [self.apps["p-b"]]})
        got = self.sink.wait(n + 2)[n:]
        self.assertEqual(sorted(r[0] for r, m in got),
                         ["p-b@example.org", "p-coach@example.org"])
        self.assertIn("Missed session: TP1", got[0][1]["Subject"])
        absent = {r[0]: " ".join(m.get_body(("plain",)).get_content().split()) for r, m in got}
        self.assertIn("records you as absent", absent["p-b@example.org"])
        self.assertIn("records Ben Hughes as absent", absent["p-coach@example.org"])
        self.assertNotIn("records you", absent["p-coach@example.org"])

        # TP2 moves a week and to another venue: an update with SEQUENCE 1, same UID.
        n = len(self.sink.messages)
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text.replace(
                'date = "2026-11-05"; start = "16:00"; end = "18:00"; venue = "Norwich Professional Development Centre"',
                'date = "2026-11-12"; start = "16:00"; end = "18:00"; venue = "Dereham Sixth Form Centre"'))
        d.proc.send_signal(signal.SIGHUP)
        got = self.sink.wait(n + 3)[n:]
        self.assertEqual(sorted(r[0] for r, m in got),
                         ["p-a@example.org", "p-b@example.org", "p-coach@example.org"])
        upd = got[0][1]
        self.assertEqual(upd["Subject"], "Changed: TP2 Developing a personalised leadership "
                                         "plan is now Thu 12 Nov 2026, 16:00")
        ics = [p for p in upd.iter_attachments()][0].get_content()
        if isinstance(ics, bytes):
            ics = ics.decode()
        self.assertEqual(ics.count("BEGIN:VEVENT"), 1)
        self.assertIn("UID:ntp-2026-27-TP2@pathway", ics)
        self.assertIn("SEQUENCE:1", ics)
        self.assertIn("LOCATION:Dereham Sixth Form Centre", ics)
        self.assertIn("DTSTART:20261112T160000Z", ics)  # GMT by then
        # The reminder follows the session, and so does the 360's deadline (due at TP2):
        # its "7 days before" reminder to the candidates moves from 29 Oct to 5 Nov.
        n = len(self.sink.messages)
        d.ok("clock.set", {"now": "2026-11-04T09:00:00Z"})
        time.sleep(0.5)
        self.assertEqual([m["Subject"] for _, m in self.sink.messages[n:]], [])
        d.ok("clock.set", {"now": "2026-11-11T09:00:00Z"})
        got = self.sink.wait(n + 5)[n:]
        tp2 = [r[0] for r, m in got if m["Subject"].startswith("Reminder: TP2")]
        body = [m for r, m in got if m["Subject"].startswith("Reminder: TP2")][0] \
            .get_body(("plain",)).get_content()
        self.assertIn("is on Thu 12 Nov 2026, 16:00", " ".join(body.split()))
        # No rater invited yet: asked to invite them, not told responses are to come.
        missing = [r[0] for r, m in got
                   if m["Subject"] == "Your 360: please invite your colleagues"]
        self.assertEqual(sorted(tp2), ["p-a@example.org", "p-b@example.org",
                                       "p-coach@example.org"])
        self.assertEqual(sorted(missing), ["p-a@example.org", "p-b@example.org"])
        self.assertEqual(d.ok("application.list", {"overdue": True})["applications"], [])
        d.ok("clock.set", {"now": "2026-11-12T16:00:00Z"})
        over = [e["data"]["deadline"] for e in d.ok("events.since", {"after": 0, "limit": 1000})["events"]
                if e["type"] == "application.overdue" and e["stage"] == "feedback_360"]
        self.assertEqual(over, ["2026-11-12T16:00:00Z"] * 2)
        # A reload without changes sends nothing.
        n = len(self.sink.messages)
        d.proc.send_signal(signal.SIGHUP)
        d.ok("system.ping")
        time.sleep(0.5)
        self.assertEqual(len(self.sink.messages), n)

    def late(self, who):
        """Mon 28 Sep 2026, 09:00 BST: the window for applications closed with the
        interest stage on 25 Sep, so a late application is one an LA adviser lets
        in (override)."""
        d = self.d
        d.ok("clock.set", {"now": "2026-09-28T08:00:00Z"})
        d.ok("person.create", {"id": who, "name": "Cara Singh", "email": who + "@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": who,
                                          "override": True}, "p-la")["application"]
        self.assertTrue(app["override"]["window"])
        return app["id"]

    def events(self, app, types):
        evs = self.d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        return [(e["type"], e["at"], e["data"].get("deadline")) for e in evs
                if e.get("app") == app and e["type"] in types]

    def test_deadline_moved_in_the_configuration(self):
        """The interest stage closes on 25 Sep; a late application (Mon 28 Sep) is not
        overdue at once: it has the programme's grace, 7 days (deadline_grace_days),
        so it is due on 5 Oct, reminded at once ("7 days before") and overdue when the
        grace ends. The adviser extends the closing date to 16 Oct and reloads: it is
        no longer overdue, its "7 days before" reminder goes on 9 Oct, and it is
        overdue by the new date only."""
        d = self.d
        app = self.late("p-c")
        kinds = ("application.overdue", "application.reminded")
        grace = [("application.reminded", "2026-09-28T08:00:00Z", "2026-10-05T16:00:00Z")]
        self.assertEqual(self.events(app, kinds), grace)
        self.assertIsNone(d.ok("application.get", {"app": app})["application"].get("overdue"))
        d.ok("clock.set", {"now": "2026-10-05T15:59:00Z"})
        self.assertEqual(self.events(app, kinds), grace)
        self.assertIsNone(d.ok("application.get", {"app": app})["application"].get("overdue"))
        d.ok("clock.set", {"now": "2026-10-05T16:00:00Z"})  # 17:00 BST, the grace ends
        self.assertEqual(self.events(app, kinds)[1:],
                         [("application.overdue", "2026-10-05T16:00:00Z",
                           "2026-10-05T16:00:00Z")])
        self.assertTrue(d.ok("application.get", {"app": app})["application"].get("overdue"))
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text.replace('interest = "2026-09-25";',
                                             'interest = "2026-10-16";'))
        d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 30  # the reload happens between two loop turns
        while d.ok("application.get", {"app": app})["application"].get("overdue"):
            self.assertLess(time.monotonic(), end, "overdue not cleared by the reload")
            time.sleep(0.02)
        self.assertEqual([a["id"] for a in d.ok("application.list",
                                               {"overdue": True})["applications"]
                          if a["id"] == app], [])
        # Another reload, nothing changed: nothing re-armed, nothing sent twice.
        d.proc.send_signal(signal.SIGHUP)
        d.ok("system.ping")
        d.ok("clock.set", {"now": "2026-10-09T07:59:00Z"})
        self.assertEqual(len(self.events(app, kinds)), 2)
        d.ok("clock.set", {"now": "2026-10-09T08:00:00Z"})  # 09:00 BST
        self.assertEqual(self.events(app, kinds)[2:],
                         [("application.reminded", "2026-10-09T08:00:00Z",
                           "2026-10-16T16:00:00Z")])
        d.ok("clock.set", {"now": "2026-10-16T15:59:00Z"})
        self.assertEqual(len(self.events(app, kinds)), 3)
        d.ok("clock.set", {"now": "2026-10-16T16:00:00Z"})  # 17:00 BST
        self.assertEqual(self.events(app, kinds)[3:],
                         [("application.overdue", "2026-10-16T16:00:00Z",
                           "2026-10-16T16:00:00Z")])
        self.assertEqual([a["id"] for a in d.ok("application.list",
                                               {"overdue": True})["applications"]
                          if a["id"] == app], [app])

    def test_timing_changed_but_not_the_deadline(self):
        """A reload that changes the sending window re-arms every stage; an application
        already overdue by a deadline that did not move stays overdue, told once."""
        d = self.d
        app = self.late("p-c")
        kinds = ("application.overdue",)
        # Late for the interest stage (closed 25 Sep): overdue when its grace of 7 days
        # ends, Mon 5 Oct at 17:00 BST, and not before.
        self.assertEqual(len(self.events(app, kinds)), 0)
        d.ok("clock.set", {"now": "2026-10-05T16:00:00Z"})
        self.assertEqual(len(self.events(app, kinds)), 1)
        with open(self.cohort, "w") as f:
            f.write(self.cohort_text.replace('from = "07:30"; to = "18:30";',
                                             'from = "09:30"; to = "18:00";')
                    .replace("places = 30;", "places = 31;"))  # to see the reload land
        d.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 30
        while d.ok("cohort.get", {"cohort": "ntp-2026-27"})["cohort"]["places"] != 31:
            self.assertLess(time.monotonic(), end, "the reload")
            time.sleep(0.02)
        d.ok("clock.advance", {"seconds": 3600})
        self.assertEqual(len(self.events(app, kinds)), 1)
        self.assertTrue(d.ok("application.get", {"app": app})["application"].get("overdue"))
        # The TP1 reminder (09:00 the day before) now waits for the 09:30 window; no
        # session changed, so nobody is sent an update.
        def reminders():
            return [e["at"] for e in d.ok("events.since", {"after": 0, "limit": 1000})
                    ["events"] if e["type"] == "cohort.session_reminder" and
                    e["data"]["session"] == "TP1"]
        d.ok("clock.set", {"now": "2026-10-07T08:29:00Z"})
        self.assertEqual(reminders(), [])
        d.ok("clock.set", {"now": "2026-10-07T08:30:00Z"})
        self.assertEqual(reminders(), ["2026-10-07T08:30:00Z"])
        self.assertEqual([e for e in d.ok("events.since", {"after": 0, "limit": 1000})
                          ["events"] if e["type"] == "cohort.session_changed"], [])


if __name__ == "__main__":
    unittest.main()
