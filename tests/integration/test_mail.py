#!/usr/bin/python3
"""Every notification rule of every shipped programme, end to end, as email.

A real pathwayd on a manual clock, real pathway-mailer workers and a real SMTP
server (aiosmtpd). Applications are driven through norfolk-talent-pool,
kent-pathways and norfolk-lle; the test then reads what the SMTP server
received: envelope and To (with display name, RFC 2047 for non-ASCII names),
From, Date (the daemon's manual clock), Subject, Message-ID <JOB.pathway@DOMAIN> of the outbox job, MIME
structure (multipart/alternative when the template has .html), UTF-8 bodies
with every variable filled. The rules are read from the programme files, so a
rule that no part of this test exercises makes it fail.
"""
import email
import email.header
import email.policy
import email.utils
import os
import re
import signal
import subprocess
import threading
import time
import unittest
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller

from test_timers import BIN, SRC, Daemon
from answers import ANSWERS

FROM = "Leadership Development Team <pathway@la.example.net>"
# mailer.signature, after every email (with an ampersand: escaped in the HTML part).
SIGNATURE = r'signature = "With best wishes,\nLeadership Development Team & friends";'
DOMAIN = "la.example.net"
PROGRAMMES = {"norfolk-talent-pool": "norfolk-talent-pool.conf",
              "kent-pathways": "kent-pathways.conf",
              "norfolk-lle": "norfolk-lle.conf"}
COHORTS = {"ntp-2026-27": "norfolk-talent-pool", "kent-2026-27": "kent-pathways",
           "lle-2026-27": "norfolk-lle"}

# Rules this file deliberately does not drive, with the reason: (programme, template).
WORDING = "driven in test_wording.py, which checks what they say"
# A confirmed internship match (cohort.match_internships); test_brokering checks its jobs.
BROKERING = "internship brokering's own test checks who is told"
SKIPPED = {("norfolk-talent-pool", "nominated"): WORDING,
           ("kent-pathways", "nominated"): WORDING,
           ("norfolk-lle", "nominated"): WORDING,
           ("norfolk-talent-pool", "deferred"): WORDING,
           ("kent-pathways", "deferred"): "the programme has one cohort: nothing to defer to",
           ("norfolk-lle", "deferred"): "the programme has one cohort: nothing to defer to",
           ("norfolk-talent-pool", "internship-unplaced"): BROKERING,
           ("kent-pathways", "internship-unplaced"): BROKERING}


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notification_rules(programme_file):
    """The `notifications` rules of a programme file: [{on, stage?, outcome?, to, template}]."""
    with open(programme_file, encoding="utf-8") as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    block = re.search(r"\bnotifications\s*=\s*\((.*?)\)\s*;", text, re.S)
    assert block, "no notifications in %s" % programme_file
    rules = []
    for body in re.findall(r"\{([^{}]*)\}", block.group(1)):
        r = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"\s*;', body))
        to = re.search(r"\bto\s*=\s*\[([^\]]*)\]", body)
        r["to"] = re.findall(r'"([^"]+)"', to.group(1)) if to else []
        assert "on" in r and "template" in r and r["to"], body
        rules.append(r)
    assert rules, programme_file
    return rules


def template(name):
    """(subject, text, html or None) of conf/templates/NAME."""
    with open(os.path.join(SRC, "conf/templates", name + ".txt"), encoding="utf-8") as f:
        head, _, body = f.read().partition("\n\n")
    assert head.startswith("Subject: ")
    html = os.path.join(SRC, "conf/templates", name + ".html")
    return head[len("Subject: "):], body, os.path.exists(html)


class Sink:
    """An aiosmtpd handler that keeps every message, raw and parsed. Addresses in
    `reject` are refused at RCPT with a 550; `data_replies` (a list) gives the
    reply to successive DATA commands before the default 250."""

    def __init__(self):
        self.messages = []  # dicts: rcpt, mail_from, raw, msg
        self.lock = threading.Lock()
        self.reject = set()
        self.data_replies = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.data_replies:
                return self.data_replies.pop(0)
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append({"rcpt": list(envelope.rcpt_tos),
                                  "mail_from": envelope.mail_from, "raw": raw, "msg": msg})
        return "250 OK"

    def count(self):
        with self.lock:
            return len(self.messages)

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def wait(self, n, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.count() >= n:
                return self.snapshot()
            time.sleep(0.05)
        raise AssertionError("expected %d messages, got %d" % (n, self.count()))


class Rig:
    """A daemon on a manual clock with an outbox and mailer configuration, an SMTP
    server, and mailers. Cohorts are copied (with fewer places where asked) so
    waiting lists are cheap to reach."""

    def __init__(self, test, start, places=None, outbox="", mailer="", handler=None,
                 smtp=True):
        self.test = test
        self.sink = handler if handler is not None else Sink()
        self.port = free_port()
        self.smtp = None
        test.addCleanup(self.stop_smtp)
        if smtp:
            self.start_smtp()
        self.d = Daemon(start)
        test.addCleanup(self.d.stop)
        with open(self.d.conf) as f:
            conf = f.read()
        for cohort, n in (places or {}).items():
            with open(os.path.join(SRC, "conf/cohorts/%s.conf" % cohort)) as f:
                text = f.read()
            text, k = re.subn(r"places = \d+;", "places = %d;" % n, text)
            assert k == 1
            copy = os.path.join(self.d.dir, cohort + ".conf")
            with open(copy, "w") as f:
                f.write(text)
            conf = conf.replace('"%s/conf/cohorts/%s.conf"' % (SRC, cohort), '"%s"' % copy)
        conf += "\noutbox = { %s };\n" % outbox
        settings = {"smtp_url": '"smtp://127.0.0.1:%d"' % self.port, "starttls": '"none"',
                    "from": '"%s"' % FROM, "heartbeat_ms": "100", "timeout_ms": "5000",
                    "credit": "4"}
        settings.update(re.findall(r"(\w+)\s*=\s*([^;]+);", mailer))  # the caller's win
        conf += "mailer = { %s };\n" % " ".join("%s = %s;" % kv for kv in settings.items())
        with open(self.d.conf, "w") as f:
            f.write(conf)
        # Endpoints and the outbox settings as a fresh start reads them.
        self.d.kill()
        self.d.start()
        self.mailers = {}

    def person(self, pid, name, roles, school=None, facts=None, mail=None):
        """person.create with pid@example.org (or mail); returns the email."""
        args = {"id": pid, "name": name, "email": mail or pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        if facts:
            args["facts"] = facts
        self.d.ok("person.create", args)
        return args["email"]

    def start_smtp(self):
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.smtp.start()

    def stop_smtp(self):
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None

    def mailer(self, name="m1", conf=None):
        path = os.path.join(self.d.dir, name + ".log")
        with open(path, "ab") as log:
            start = log.tell()
            p = subprocess.Popen([os.path.join(BIN, "pathway-mailer"), "-c", conf or self.d.conf,
                                  "-n", name], stderr=log)
        self.mailers[name] = p
        self.test.addCleanup(self.stop_mailer, name)
        # Running before the test goes on: a SIGTERM before then is not a clean stop.
        end = time.monotonic() + 30
        while p.poll() is None:
            with open(path, "rb") as f:
                f.seek(start)
                if b"sending for" in f.read():
                    break
            self.test.assertLess(time.monotonic(), end, "mailer %s did not start" % name)
            time.sleep(0.02)
        return p

    def stop_mailer(self, name):
        p = self.mailers.pop(name, None)
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        self.test.assertEqual(p.wait(timeout=30), 0, "mailer %s exit status" % name)

    def kill_mailer(self, name):
        p = self.mailers.pop(name)
        p.send_signal(signal.SIGKILL)
        p.wait()

    def events(self, after=0, types=None):
        out = []
        while True:
            page = self.d.ok("events.since", {"after": after, "limit": 1000})
            out += page["events"]
            if not page["events"] or page["events"][-1]["seq"] >= page["head"]:
                break
            after = page["events"][-1]["seq"]
        return [e for e in out if types is None or e["type"] in types]

    def jobs(self, state=None):
        out, after = [], None
        while True:
            args = {"limit": 1000}
            if state:
                args["state"] = state
            if after:
                args["after"] = after
            page = self.d.ok("outbox.list", args)
            out += page["jobs"]
            if not page["next"]:
                return out
            after = page["next"]

    def settle(self, timeout=60):
        """Wait until nothing is pending or in flight and the SMTP server holds one
        message per notification.sent event. Returns the sent events."""
        end = time.monotonic() + timeout
        while True:
            busy = [j for j in self.jobs() if j["state"] != "dead"]
            sent = self.events(types={"notification.sent"})
            if not busy and self.sink.count() == len(sent):
                return sent
            if time.monotonic() > end:
                raise AssertionError("outbox did not settle: %d busy (%s), %d sent events, "
                                     "%d messages" % (len(busy), busy[:3], len(sent),
                                                      self.sink.count()))
            time.sleep(0.05)


def message_id(m):
    mid = m["msg"]["Message-ID"]
    g = re.fullmatch(r"<(J\d+)\.pathway@([^>]+)>", str(mid).strip())
    assert g, mid
    return g.group(1), g.group(2)


def text_of(m, subtype="plain"):
    part = m["msg"].get_body((subtype,))
    assert part is not None, "no text/%s part" % subtype
    assert part.get_content_charset() == "utf-8", part.get_content_charset()
    return part.get_content()


def flat(s):
    return " ".join(s.split())


class MailTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rig = Rig(self, "2026-09-07T08:00:00Z",
                       places={"ntp-2026-27": 2, "kent-2026-27": 1, "lle-2026-27": 1},
                       mailer=SIGNATURE)
        self.d = self.rig.d
        self.sink = self.rig.sink
        self.people = {}  # id -> (name, email)
        self.clock = datetime(2026, 9, 7, 8, 0, tzinfo=timezone.utc)  # the daemon's
        self.clock_of = {}  # job id -> the daemon's clock while it was made and sent

    def person(self, pid, name, roles, school=None, facts=None, mail=None):
        self.people[pid] = (name, self.rig.person(pid, name, roles, school, facts, mail))

    def fixture(self):
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary",
                               "name": "St Mary & St John's CE Primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary",
                               "name": "Elm Tree Primary", "lss": True})
        d.ok("school.create", {"id": "s-mall", "phase": "primary", "name": "Malling Primary"})
        d.ok("school.create", {"id": "s-lle", "phase": "primary", "name": "Hethersett Junior"})
        self.person("p-zoe", "Zoë Ní Bhriain", ["candidate"], "s-oak")
        for pid, name in [("p-ben", "Ben Hughes"), ("p-cara", "Cara Doyle"),
                          ("p-dev", "Dev Patel"), ("p-eve", "Eve Lambert")]:
            self.person(pid, name, ["candidate"], "s-oak")
        self.person("p-head", "Margaret Lowe", ["headteacher"], "s-oak")
        self.person("p-host", "Hilary Stone", ["host"], "s-elm")
        self.person("p-coach", "Ruth Barker", ["coach"])
        self.person("p-la", "Helen Marsh", ["la_adviser"])
        for i in range(1, 9):
            self.person("p-r%d" % i, "Rater %d" % i, ["rater"], "s-oak")
        self.person("p-gone", "Gone Away", ["rater"], "s-oak", mail="gone@example.org")
        self.sink.reject.add("gone@example.org")
        for pid, name in [("k-amy", "Amy Fox"), ("k-bob", "Bob Wright"), ("k-col", "Col Hart")]:
            self.person(pid, name, ["candidate"], "s-mall")
        self.person("k-head", "Kate Mills", ["headteacher"], "s-mall")
        facts = {"years_as_head": 5, "leadership_good_or_better": True}
        for pid, name in [("l-ann", "Ann Cole"), ("l-bea", "Bea Shaw"), ("l-cid", "Cid Roe")]:
            self.person(pid, name, ["candidate"], "s-lle", facts)
        self.person("l-head", "Lou Park", ["headteacher"], "s-lle")

    def create(self, cohort, cand):
        args = {"cohort": cohort, "candidate": cand}
        if cohort.startswith("kent-"):  # Kent's applications are on a track
            args["track"] = "senior"
        return self.d.ok("application.create", args, cand)["application"]["id"]

    def clock_at_least(self, when):
        """Move the daemon's manual clock forward to WHEN (UTC), if it is not there yet:
        attendance is recorded from a session's start, an internship confirmed from its
        first day. The outbox settles first, so each job is delivered while the clock
        stands where it was made; self.clock_of[job] is that time, for the Date: header."""
        t = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        if t <= self.clock:
            return
        self.note_clock(self.rig.settle())
        self.assertEqual(self.d.ok("clock.set", {"now": when})["now"], when)
        self.clock = t

    def note_clock(self, sent):
        for e in sent:
            self.clock_of.setdefault(e["data"]["job"], self.clock)

    def session_starts(self, cohort, session):
        """The clock at least at SESSION's start (its local date and time, in UTC)."""
        c = self.d.ok("cohort.get", {"cohort": cohort})["cohort"]
        (s,) = [s for s in c["sessions"] if s["id"] == session]
        local = datetime.strptime(s["date"] + " " + s["start"], "%Y-%m-%d %H:%M")
        self.clock_at_least(local.replace(tzinfo=ZoneInfo(c["timezone"]))
                            .astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    # -- driving the programmes --------------------------------------------------

    def drive_norfolk(self):
        d, apps = self.d, {}
        for c in ("p-zoe", "p-ben", "p-cara", "p-dev", "p-eve"):
            apps[c] = app = self.create("ntp-2026-27", c)
            d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
        # The jobs as the outbox holds them before any mailer runs: each email's
        # Message-ID must name its job.
        self.signoff_jobs = {j["app"]: (j["id"], j["to"]["person"]) for j in self.rig.jobs()
                             if j["template"] == "signoff-needed"}
        self.assertEqual(len(self.signoff_jobs), 5)
        self.rig.mailer("m1")
        for c, app in apps.items():
            d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                        "fields": ANSWERS["evidence_form"]}, "p-head")
            if c == "p-eve":  # the LA sends the evidence back: the headteacher is told
                d.ok("application.return", {"app": app, "form": "evidence_form",
                                            "note": "Please add the governors' view."}, "p-la")
                d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                            "fields": ANSWERS["evidence_form"]}, "p-head")
            d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": apps["p-zoe"], "outcome": "accept"}, "p-la")
        d.ok("application.decide", {"app": apps["p-ben"], "outcome": "accept"}, "p-la")
        a = d.ok("application.decide", {"app": apps["p-cara"], "outcome": "waitlist"}, "p-la")
        self.assertEqual(a["application"]["status"], "waitlisted")
        d.ok("application.decide", {"app": apps["p-dev"], "outcome": "waitlist"}, "p-la")
        d.ok("application.decide", {"app": apps["p-eve"], "outcome": "reject"}, "p-la")
        d.ok("application.assign_coach", {"app": apps["p-zoe"], "coach": "p-coach"})
        d.ok("application.withdraw", {"app": apps["p-ben"], "reason": "moving to Suffolk"}, "p-ben")
        d.ok("application.accept_offer", {"app": apps["p-cara"]}, "p-cara")  # the place offered
        a = d.ok("application.get", {"app": apps["p-cara"]})["application"]
        self.assertEqual((a["status"], a["place"], a["stage"]), ("active", True, "feedback_360"))
        z = apps["p-zoe"]
        for r in ["p-r%d" % i for i in range(1, 9)] + ["p-gone"]:
            d.ok("application.invite_rater", {"app": z, "rater": r}, "p-zoe")
        for r in ["p-r%d" % i for i in range(1, 9)]:
            d.ok("application.record_response", {"app": z, "rater": r}, r)
        # Attendance from each session's start, the internship confirmed from its first
        # day: the year goes by on the daemon's clock (reminders and all).
        self.session_starts("ntp-2026-27", "TP1")
        d.ok("attendance.record", {"cohort": "ntp-2026-27", "session": "TP1",
                                   "present": [z], "absent": []})
        for s in ("TP2", "TP3", "TP4", "TP5"):
            self.session_starts("ntp-2026-27", s)
            d.ok("application.record_attendance", {"app": z, "session": s, "present": True},
                 "p-coach")
            if s == "TP3":  # the plan, sent back once by the LA (Zoë is told), then again
                d.ok("application.submit", {"app": z, "doc": "leadership_plan",
                                            "fields": ANSWERS["leadership_plan"]}, "p-zoe")
                d.ok("application.return", {"app": z, "form": "leadership_plan",
                                            "note": "Add how you will measure impact."}, "p-la")
                d.ok("application.submit", {"app": z, "doc": "leadership_plan",
                                            "fields": ANSWERS["leadership_plan"]}, "p-zoe")
        a = d.ok("application.place_internship", {"app": z, "host_school": "s-elm",
                                                  "start": "2027-02-15", "end": "2027-02-17"},
                 "p-coach")["application"]
        self.assertEqual(a["stage"], "internship")
        self.clock_at_least("2027-02-15T09:00:00Z")  # Mon 15 Feb 2027, 09:00 GMT
        d.ok("application.confirm_internship", {"app": z, "days": 3}, "p-host")
        for s in ("TP6", "TP7", "TP8", "TP9", "TP10", "TP11", "TP12"):
            self.session_starts("ntp-2026-27", s)
            a = d.ok("application.record_attendance", {"app": z, "session": s, "present": True},
                     "p-coach")["application"]
        self.assertEqual(a["status"], "graduated")
        return apps

    def drive_kent(self):
        d, apps = self.d, {}
        for c in ("k-amy", "k-bob", "k-col"):
            apps[c] = self.create("kent-2026-27", c)
        d.ok("application.decide", {"app": apps["k-amy"], "outcome": "accept"})
        d.ok("application.decide", {"app": apps["k-bob"], "outcome": "waitlist"})
        d.ok("application.decide", {"app": apps["k-col"], "outcome": "reject"})
        d.ok("application.withdraw", {"app": apps["k-amy"]}, "k-head")  # no reason given
        d.ok("application.accept_offer", {"app": apps["k-bob"]}, "k-bob")
        b = apps["k-bob"]
        self.assertTrue(d.ok("application.get", {"app": b})["application"]["place"])
        d.ok("application.assign_coach", {"app": b, "coach": "p-coach"})
        self.session_starts("kent-2026-27", "INTRO")
        d.ok("application.record_attendance", {"app": b, "session": "INTRO", "present": True},
             "p-coach")
        d.ok("application.submit", {"app": b, "doc": "predisposition_audit",
                                    "fields": ANSWERS["predisposition_audit"]}, "k-bob")
        # The LA sends the audit back from the next stage: Bob is told, and submits again.
        a = d.ok("application.return", {"app": b, "form": "predisposition_audit",
                                        "note": "Say more on self control."}, "p-la")
        self.assertEqual(a["application"]["stage"], "audit")
        d.ok("application.submit", {"app": b, "doc": "predisposition_audit",
                                    "fields": ANSWERS["predisposition_audit"]}, "k-bob")
        d.ok("application.submit", {"app": b, "doc": "placement_choice",
                                    "fields": ANSWERS["placement_choice"]}, "k-bob")
        # Bob's coach is trained (two of the three sessions) before the internship.
        for session in ("COACH1", "COACH2"):
            self.session_starts("kent-2026-27", session)
            d.ok("coach.record_training", {"cohort": "kent-2026-27", "session": session,
                                           "coach": "p-coach", "present": True})
        d.ok("application.place_internship", {"app": b, "host_school": "s-elm",
                                              "start": "2027-06-14", "end": "2027-06-18"},
             "p-coach")
        self.clock_at_least("2027-06-14T08:00:00Z")  # Mon 14 Jun 2027, 09:00 BST
        d.ok("application.confirm_internship", {"app": b, "days": 5}, "p-host")
        self.session_starts("kent-2026-27", "CELEBRATION")
        a = d.ok("application.record_attendance",
                 {"app": b, "session": "CELEBRATION", "present": True}, "p-coach")["application"]
        self.assertEqual(a["status"], "graduated")
        return apps

    def drive_lle(self):
        d, apps = self.d, {}
        for c in ("l-ann", "l-bea", "l-cid"):
            apps[c] = app = self.create("lle-2026-27", c)
            d.ok("application.submit", {"app": app, "doc": "application_form",
                                        "fields": ANSWERS["application_form"]}, c)
        # Before selection the LA sends Cid's form back; he is told, and sends it again.
        d.ok("application.return", {"app": apps["l-cid"], "form": "application_form",
                                    "note": "Please give your most recent inspection date."})
        d.ok("application.submit", {"app": apps["l-cid"], "doc": "application_form",
                                    "fields": ANSWERS["application_form"]}, "l-cid")
        d.ok("application.decide", {"app": apps["l-ann"], "outcome": "accept"})
        d.ok("application.decide", {"app": apps["l-bea"], "outcome": "waitlist"})
        d.ok("application.decide", {"app": apps["l-cid"], "outcome": "reject"})
        d.ok("application.withdraw", {"app": apps["l-ann"], "reason": "new headship"}, "l-ann")
        d.ok("application.accept_offer", {"app": apps["l-bea"]}, "l-bea")
        b = apps["l-bea"]
        self.session_starts("lle-2026-27", "BRIEFING")
        d.ok("attendance.record", {"cohort": "lle-2026-27", "session": "BRIEFING",
                                   "present": [b], "absent": []})
        self.session_starts("lle-2026-27", "TRAINING")
        a = d.ok("attendance.record", {"cohort": "lle-2026-27", "session": "TRAINING",
                                       "present": [b], "absent": []})["applications"][0]
        self.assertEqual(a["status"], "graduated")
        return apps

    # -- the test ------------------------------------------------------------------

    def test_every_rule_sends_the_right_email(self):
        d = self.d
        self.fixture()
        ntp = self.drive_norfolk()
        kent = self.drive_kent()
        lle = self.drive_lle()
        sent = self.rig.settle()
        self.note_clock(sent)
        msgs = self.sink.snapshot()
        self.assertEqual(len(msgs), len(sent))

        # Message-ID is <JOB.pathway@DOMAIN> of exactly one delivered job; envelope, To
        # and the job's recipient agree; From and Date are right; nothing unfilled.
        by_job = {e["data"]["job"]: e for e in sent}
        self.assertEqual(len(by_job), len(sent), "one notification.sent per job")
        email_of = {mail: pid for pid, (name, mail) in self.people.items()}
        seen = []  # (cohort, template, person, message)
        ids = set()
        for m in msgs:
            job, domain = message_id(m)
            self.assertEqual(domain, DOMAIN)
            self.assertNotIn(job, ids, "each job is delivered once")
            ids.add(job)
            ev = by_job[job]
            pid = ev["data"]["person"]  # events carry ids, never addresses
            self.assertNotIn("to", ev["data"])
            self.assertEqual(m["rcpt"], [self.people[pid][1]])
            self.assertEqual(m["mail_from"], "pathway@la.example.net")
            (addr,) = m["msg"]["To"].addresses
            self.assertEqual((addr.display_name, addr.addr_spec), self.people[pid])
            self.assertEqual(str(m["msg"]["From"]), FROM)
            date = email.utils.parsedate_to_datetime(m["msg"]["Date"])
            self.assertEqual(date, self.clock_of[job],
                             "Date: follows the daemon's clock, not the mailer's")
            self.assertEqual(m["msg"]["MIME-Version"], "1.0")
            subject, _, html = template(ev["data"]["template"])
            self.assertNotIn("{{", m["msg"]["Subject"])
            body = text_of(m)
            self.assertNotIn("{{", body)
            self.assertIn("Dear %s," % self.people[pid][0], body)
            # One signature, from the configuration, at the end of every email.
            self.assertTrue(body.replace("\r\n", "\n").rstrip("\n").endswith(
                "\n\nWith best wishes,\nLeadership Development Team & friends"), body[-200:])
            self.assertEqual(body.count("Leadership Development Team"), 1, body)
            if html:
                self.assertEqual(m["msg"].get_content_type(), "multipart/alternative")
                self.assertEqual([p.get_content_type() for p in m["msg"].iter_parts()],
                                 ["text/plain", "text/html"])
                self.assertNotIn("{{", text_of(m, "html"))
            elif not m["msg"].is_multipart():
                self.assertEqual(m["msg"].get_content_type(), "text/plain")
            # 7-bit on the wire, whatever the text.
            self.assertTrue(all(b < 0x80 for b in m["raw"]), "raw message is 7-bit")
            seen.append((ev.get("cohort"), ev["data"]["template"], pid, m))

        def mail(template, pid, cohort="ntp-2026-27", about=None):
            got = [m for c, t, p, m in seen if (c, t, p) == (cohort, template, pid)
                   and (about is None or about in m["msg"]["Subject"])]
            self.assertEqual(len(got), 1, "%s to %s in %s: %d" % (template, pid, cohort, len(got)))
            return got[0]

        def recipients(template, cohort):
            return sorted(p for c, t, p, _ in seen if (c, t) == (cohort, template))

        # Sign-off alert to the headteacher: what is needed and by when.
        z = ntp["p-zoe"]
        m = mail("signoff-needed", "p-head", about="Zoë")
        self.assertEqual((message_id(m)[0], "p-head"), self.signoff_jobs[z])
        self.assertEqual(m["msg"]["Subject"],
                         "Please sign off Zoë Ní Bhriain's application "
                         "(Norfolk Leadership Talent Pool)")
        raw_head = m["raw"].split(b"\r\n\r\n", 1)[0]
        self.assertIn(b"Subject: =?UTF-8?B?", raw_head, "non-ASCII subject is RFC 2047")
        b = flat(text_of(m))
        self.assertIn("What is needed: the evidence form; the sign-off.", b)
        self.assertIn("It is due by Mon 21 Sep 2026, 17:00 (in 14 days).", b,
                      "14 days, at 17:00 local")
        self.assertIn("Application reference: %s." % z, b)
        self.assertEqual(recipients("signoff-needed", "ntp-2026-27"), ["p-head"] * 5)

        # The non-ASCII candidate's own To header is encoded, and decodes to her name.
        m = mail("decision-accepted", "p-zoe")
        raw_to = re.search(rb"\r\nTo: (.*?)\r\n(?! )", m["raw"], re.S).group(1)
        self.assertIn(b"=?UTF-8?B?", raw_to)
        self.assertEqual(str(email.header.make_header(email.header.decode_header(
            raw_to.decode().rsplit("<", 1)[0].replace("\r\n", "")))).strip(), "Zoë Ní Bhriain")
        self.assertEqual(m["msg"]["Subject"], "A place on Norfolk Leadership Talent Pool for you")
        b = flat(text_of(m))
        self.assertIn("we have offered you a place on Norfolk Leadership Talent Pool, "
                      "Norfolk Primary Talent Pool 2026-27.", b)
        self.assertIn("Next step: 360 leadership evaluation (8 colleagues). What is needed now: "
                      "360 responses (0 of 8).", b)
        h = text_of(m, "html")
        self.assertIn("we have offered <strong>you</strong> a place", h)
        self.assertIn("<p>With best wishes,<br>Leadership Development Team &amp; friends</p>", h,
                      "the signature, escaped, after the HTML too")
        self.assertEqual(flat(text_of(mail("decision-accepted", "p-head", about="Zoë"))),
                         flat(text_of(m)).replace("Dear Zoë Ní Bhriain,", "Dear Margaret Lowe,")
                         .replace("offered you a place", "offered Zoë Ní Bhriain a place"))
        self.assertEqual(recipients("decision-accepted", "ntp-2026-27"),
                         ["p-ben", "p-head", "p-head", "p-zoe"])

        # Waiting list, with the position; not selected.
        for pid, pos in (("p-cara", 1), ("p-dev", 2)):
            for who in (pid, "p-head"):
                got = [m for c, t, p, m in seen if (t, p) == ("decision-waitlist", who)
                       and m["msg"]["Subject"].endswith(
                           "for you" if who == pid else self.people[pid][0])]
                self.assertEqual(len(got), 1, (pid, who))
                self.assertIn("on the waiting list, at number %d" % pos, flat(text_of(got[0])))
        b = flat(text_of(mail("decision-not-selected", "p-eve")))
        self.assertIn("Thank you for your application to Norfolk Leadership Talent Pool", b)
        self.assertIn("on this occasion it has not been successful", b)
        self.assertEqual(recipients("decision-not-selected", "ntp-2026-27"), ["p-eve", "p-head"])

        # Withdrawal to candidate, headteacher and LA; the freed place offered to Cara.
        self.assertEqual(recipients("withdrawn", "ntp-2026-27"), ["p-ben", "p-head", "p-la"])
        b = flat(text_of(mail("withdrawn", "p-la")))
        self.assertIn("Ben Hughes's application to Norfolk Leadership Talent Pool, Norfolk "
                      "Primary Talent Pool 2026-27, was withdrawn by Ben Hughes, the candidate,", b)
        self.assertIn('at the stage "360 leadership evaluation (8 colleagues)". '
                      "Reason: moving to Suffolk.", b)
        self.assertIn("your application to Norfolk Leadership Talent Pool, Norfolk Primary "
                      "Talent Pool 2026-27, was withdrawn by you,", flat(text_of(mail("withdrawn", "p-ben"))))
        m = mail("place-offered", "p-cara")
        self.assertEqual(m["msg"]["Subject"],
                         "A place on Norfolk Leadership Talent Pool for you")
        self.assertIn("offered to you from the waiting list", flat(text_of(m)))
        self.assertIn("offered to Cara Doyle from the waiting list",
                      flat(text_of(mail("place-offered", "p-head"))))
        self.assertEqual(recipients("place-offered", "ntp-2026-27"), ["p-cara", "p-head"])
        self.assertIn("The place is held until", flat(text_of(m)))
        # A place (accepted, or offered and accepted) brings the session calendar.
        self.assertEqual(recipients("session-calendar", "ntp-2026-27"),
                         ["p-ben", "p-cara", "p-zoe"])

        # Coach assigned: to coach and candidate.
        self.assertEqual(recipients("coach-assigned", "ntp-2026-27"), ["p-coach", "p-zoe"])
        m = mail("coach-assigned", "p-coach")
        self.assertEqual(m["msg"]["Subject"],
                         "Coaching for Zoë Ní Bhriain on Norfolk Leadership Talent Pool")
        self.assertIn("We have asked you to coach Zoë Ní Bhriain", flat(text_of(m)))
        self.assertIn("We have asked Ruth Barker to coach you",
                      flat(text_of(mail("coach-assigned", "p-zoe"))))

        # Each 360 rater is invited; the one whose mailbox refuses it is dead at once,
        # and the LA adviser is told.
        self.assertEqual(recipients("rater-invitation", "ntp-2026-27"),
                         sorted("p-r%d" % i for i in range(1, 9)))
        m = mail("rater-invitation", "p-r3")
        self.assertEqual(m["msg"]["Subject"], "360 feedback for Zoë Ní Bhriain")
        self.assertIn("Dear Rater 3,", text_of(m))
        dead = self.rig.jobs("dead")
        self.assertEqual([(j["template"], j["to"]["person"], j["app"]) for j in dead],
                         [("rater-invitation", "p-gone", z)])
        self.assertIn("550", dead[0]["last_error"])
        alerts = [m for c, t, p, m in seen if t == "notification-failed"]
        self.assertEqual([email_of[m["rcpt"][0]] for m in alerts], ["p-la"])
        self.assertEqual(alerts[0]["msg"]["Subject"],
                         "Undelivered email to Gone Away <gone@example.org> (%s)" % z)
        b = flat(text_of(alerts[0]))
        self.assertIn("An email could not be delivered to Gone Away (rater) and will not be "
                      "tried again, because the receiving mail server refused the address", b)
        self.assertIn('Email: "360 feedback for Zoë Ní Bhriain" Job: %s (template '
                      "rater-invitation) To: Gone Away <gone@example.org> Attempts: 1 Error:"
                      % dead[0]["id"], b)
        self.assertIn("550", b)
        self.assertIn("pathwayctl outbox retry %s" % dead[0]["id"], b)
        dev = self.rig.events(types={"notification.dead"})
        self.assertEqual([(e["data"]["job"], e["data"]["template"], e["app"]) for e in dev],
                         [(dead[0]["id"], "rater-invitation", z)])

        # Internship placed: candidate, host, coach, with school and dates.
        self.assertEqual(recipients("internship-placed", "ntp-2026-27"),
                         ["p-coach", "p-host", "p-zoe"])
        m = mail("internship-placed", "p-host")
        self.assertEqual(m["msg"]["Subject"], "Internship at Elm Tree Primary for Zoë Ní Bhriain, "
                                              "2027-02-15 to 2027-02-17")
        self.assertIn("Host school: Elm Tree Primary Dates: 2027-02-15 to 2027-02-17",
                      flat(text_of(m)))

        # Graduation, with the certificate, as text and HTML.
        self.assertEqual(recipients("graduated", "ntp-2026-27"), ["p-head", "p-zoe"])
        m = mail("graduated", "p-zoe")
        self.assertEqual(m["msg"]["Subject"],
                         "Congratulations: Norfolk Leadership Talent Pool completed by you")
        cert = ("Certificate: Norfolk Leadership Talent Pool Awarded to: Zoë Ní Bhriain "
                "On: 2027-07-14 Reference: %s" % z)  # TP12, the final session
        self.assertIn(cert, flat(text_of(m)))
        self.assertIn(cert, flat(re.sub(r"<[^>]+>", " ", text_of(m, "html"))))

        # Kent: decision outcomes, offered place, coach, internship, withdrawal, graduation.
        k = "kent-2026-27"
        self.assertEqual(recipients("decision-accepted", k), ["k-amy", "k-head"])
        self.assertEqual(recipients("decision-waitlist", k), ["k-bob", "k-head"])
        self.assertIn("on the waiting list, at number 1",
                      flat(text_of(mail("decision-waitlist", "k-bob", k))))
        self.assertEqual(recipients("decision-not-selected", k), ["k-col", "k-head"])
        self.assertEqual(recipients("withdrawn", k), ["k-amy", "k-head", "p-la"])
        b = flat(text_of(mail("withdrawn", "k-amy", k)))
        self.assertIn("Reason: no reason given.", b)
        self.assertIn("your application to Kent and Medway Talent Management Pathways, Kent "
                      "and Medway Pathways, summer 2027, was withdrawn by Kate Mills, headteacher "
                      "of Malling Primary,", b)
        self.assertEqual(recipients("place-offered", k), ["k-bob", "k-head"])
        self.assertEqual(recipients("coach-assigned", k), ["k-bob", "p-coach"])
        self.assertEqual(recipients("internship-placed", k), ["k-bob", "p-coach", "p-host"])
        self.assertIn("2027-06-14 to 2027-06-18", mail("internship-placed", "p-coach", k)["msg"]["Subject"])
        self.assertEqual(recipients("graduated", k), ["k-bob", "k-head"])
        self.assertIn("Awarded to: Bob Wright On: 2027-07-14 Reference: %s" % kent["k-bob"],
                      flat(text_of(mail("graduated", "k-bob", k))))

        # Local Leaders of Education.
        l = "lle-2026-27"
        self.assertEqual(recipients("decision-accepted", l), ["l-ann", "l-head"])
        self.assertEqual(recipients("decision-waitlist", l), ["l-bea", "l-head"])
        self.assertEqual(recipients("decision-not-selected", l), ["l-cid", "l-head"])
        self.assertEqual(recipients("withdrawn", l), ["l-ann", "l-head", "p-la"])
        self.assertEqual(recipients("place-offered", l), ["l-bea", "l-head"])
        self.assertEqual(recipients("graduated", l), ["l-bea", "l-head"])
        self.assertIn("Local Leaders of Education Awarded to: Bea Shaw",
                      flat(text_of(mail("graduated", "l-bea", l))))

        # Coverage: every notification rule of every programme produced mail to a
        # person of each role it names (or is listed in SKIPPED with a reason).
        role_of = {"candidate": {"p-zoe", "p-ben", "p-cara", "p-dev", "p-eve", "k-amy",
                                 "k-bob", "k-col", "l-ann", "l-bea", "l-cid"},
                   "headteacher": {"p-head", "k-head", "l-head"}, "coach": {"p-coach"},
                   "host": {"p-host"}, "la_adviser": {"p-la"},
                   "rater": {"p-r%d" % i for i in range(1, 9)}}
        uncovered = []
        for prog, fname in PROGRAMMES.items():
            cohort = [c for c, p in COHORTS.items() if p == prog][0]
            for r in notification_rules(os.path.join(SRC, "conf/programmes", fname)):
                if (prog, r["template"]) in SKIPPED:
                    continue
                got = {p for c, t, p, _ in seen if (c, t) == (cohort, r["template"])}
                for role in r["to"]:
                    if not got & role_of[role]:
                        uncovered.append((prog, r["on"], r["template"], role))
        self.assertEqual(uncovered, [], "notification rules without an email in this test")
        # And the dead-letter alert (outbox.failed_template) was exercised above.
        self.assertEqual(len(alerts), 1)


if __name__ == "__main__":
    unittest.main()
