#!/usr/bin/python3
"""Durable time: deadlines, reminders, escalations on the manual clock.

A real pathwayd on a manual clock; time moves only through clock.advance, so
the test runs weeks of a programme in seconds and asserts what became due
when: the events in the log and the notification jobs in the outbox (who,
which template, at which simulated moment). No mailer runs: the outbox is
the record of what would be sent.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zmq
from answers import ANSWERS

SRC = os.environ.get("PATHWAY_SRC",
                     os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.environ.get("PATHWAY_BIN", os.path.join(SRC, "build"))

CONF = """
daemon = {{
	api = "ipc://{d}/api.sock";
	events = "ipc://{d}/events.sock";
	workers = "ipc://{d}/workers.sock";
	db = "{d}/db";
	backup_dir = "{d}/backup";
	templates = "{src}/conf/templates";
	clock = "manual";
	clock_start = "{start}";
	log_level = "warn";
}};
programmes = [ "{src}/conf/programmes/norfolk-talent-pool.conf",
	       "{src}/conf/programmes/kent-pathways.conf",
	       "{src}/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "{src}/conf/cohorts/ntp-2026-27.conf", "{src}/conf/cohorts/ntp-2027-28.conf",
	    "{src}/conf/cohorts/kent-2026-27.conf", "{src}/conf/cohorts/lle-2026-27.conf" ];
"""


# In curve mode (daemon.security = "curve") the same daemon admits only
# registered keys; the harness speaks with the operator's key it makes.
CURVE = """
daemon = {{
	security = "curve";
	curve_key = "{d}/keys/pathwayd.key";
	operator_key = "{d}/keys/operator.key";
}};
"""


def key_file(path):
    """(public, secret or None) of a key file, as bytes."""
    keys = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.lstrip().startswith("#"):
                name, value = line.split("=", 1)
                keys[name.strip()] = value.strip().rstrip(";").strip('"').encode()
    return keys["public"], keys.get("secret")


def add_programme(directory, conf, name, programme, cohort_id, cohort):
    """Write a test programme (directory/NAME.conf) and its cohort (COHORT_ID.conf) and
    name them first in the main configuration conf. False when they are there already."""
    prog = os.path.join(directory, name + ".conf")
    if os.path.exists(prog):
        return False
    with open(prog, "w") as f:
        f.write(programme)
    with open(os.path.join(directory, cohort_id + ".conf"), "w") as f:
        f.write(cohort)
    with open(conf) as f:
        text = f.read()
    text = text.replace('programmes = [ ', 'programmes = [ "%s", ' % prog, 1)
    text = text.replace('cohorts = [ ', 'cohorts = [ "%s", ' %
                        os.path.join(directory, cohort_id + ".conf"), 1)
    with open(conf, "w") as f:
        f.write(text)
    return True


class Daemon:
    curve = False  # subclasses that set up their own daemon speak plainly

    def __init__(self, start, curve=False):
        self.dir = tempfile.mkdtemp(prefix="pwt", dir="/tmp")
        self.conf = os.path.join(self.dir, "pathway.conf")
        self.curve = curve
        text = CONF.format(d=self.dir, src=SRC, start=start)
        if curve:  # libconfig merges nothing: put the settings in the daemon group
            text = text.replace("daemon = {\n", CURVE.format(d=self.dir).strip()[:-3] + "\n", 1)
        with open(self.conf, "w") as f:
            f.write(text)
        self.ctx = zmq.Context()
        self.sock = None
        self.proc = None
        self.n = 0
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "pathwayd.log"), "ab")
        self.proc = subprocess.Popen([os.path.join(BIN, "pathwayd"), "-c", self.conf],
                                     stderr=self.log)
        self.connect()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.call("system.ping", timeout=200)
                return
            except TimeoutError:
                self.connect()
        raise RuntimeError("pathwayd did not start")

    def connect(self):
        if self.sock is not None:
            self.sock.close(0)
        self.sock = self.ctx.socket(zmq.DEALER)
        if self.curve:
            self.curve_client(self.sock)
        self.sock.connect("ipc://%s/api.sock" % self.dir)

    def curve_client(self, sock):
        """Make sock a CURVE client with the operator's key (made at the first start)."""
        keys = os.path.join(self.dir, "keys")
        deadline = time.monotonic() + 20
        while not os.path.exists(os.path.join(keys, "operator.key")):
            if time.monotonic() > deadline:
                raise RuntimeError("pathwayd made no operator key")
            time.sleep(0.02)
        sock.curve_publickey, sock.curve_secretkey = key_file(os.path.join(keys, "operator.key"))
        sock.curve_serverkey = key_file(os.path.join(keys, "pathwayd.pub"))[0]

    def call(self, cmd, args=None, actor="operator", timeout=10000):
        self.n += 1
        rid = "t%d" % self.n
        self.sock.send_multipart([b"", json.dumps(
            {"id": rid, "cmd": cmd, "actor": actor, "args": args or {}}).encode()])
        if not self.sock.poll(timeout):
            raise TimeoutError(cmd)
        reply = json.loads(self.sock.recv_multipart()[-1])
        assert reply["id"] == rid
        return reply

    def ok(self, cmd, args=None, actor="operator"):
        r = self.call(cmd, args, actor)
        if not r["ok"]:
            raise AssertionError("%s %s: %s" % (cmd, args, r["error"]))
        return r["data"]

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        code = 0
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=20)
        self.sock.close(0)
        self.ctx.term()
        self.log.close()
        with open(os.path.join(self.dir, "pathwayd.log"), "rb") as f:
            log = f.read().decode(errors="replace")
        shutil.rmtree(self.dir, ignore_errors=True)
        # A clean stop exits 0; a sanitizer report (leak, overflow) would not.
        assert code == 0, "pathwayd exited %d:\n%s" % (code, log[-4000:])


class TimersTest(unittest.TestCase):
    def daemon(self, start):
        d = Daemon(start)
        self.addCleanup(d.stop)
        return d

    def people(self, d):
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary",
                               "name": "Elm Tree Primary", "lss": True})
        for pid, name, roles, school in [
                ("p-cand", "Amara Okafor", ["candidate"], "s-oak"),
                ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-la", "Helen Marsh", ["la_adviser"], None)] + [
                ("p-r%d" % i, "Rater %d" % i, ["rater"], "s-oak") for i in range(1, 9)]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)

    def jobs(self, d):
        return d.ok("outbox.list", {"limit": 1000})["jobs"]

    def events(self, d, after=0, types=None):
        out = []
        while True:
            page = d.ok("events.since", {"after": after, "limit": 1000})
            out += page["events"]
            if not page["events"]:
                break
            after = page["events"][-1]["seq"]
        return [e for e in out if types is None or e["type"] in types]

    def test_signoff_reminders_overdue_escalation(self):
        # Monday 7 September 2026, 08:00 UTC (09:00 BST).
        d = self.daemon("2026-09-07T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        # The headteacher is alerted at once.
        jobs = self.jobs(d)
        self.assertEqual([(j["template"], j["to"]["person"]) for j in jobs],
                         [("signoff-needed", "p-head")])
        for _ in range(16):
            d.ok("clock.advance", {"seconds": 86400})
        got = [(j["created"], j["template"], j["to"]["person"]) for j in self.jobs(d)]
        # Deadline: 14 days after entering, 17:00 local (BST) = 16:00Z on Mon 21 Sep.
        # Reminders every 4 days at 09:00 local; Sat 19 Sep waits for Monday's window
        # (07:30 local), which the daily steps reach at 08:00Z.
        self.assertEqual(got, [
            ("2026-09-07T08:00:00Z", "signoff-needed", "p-head"),
            ("2026-09-11T08:00:00Z", "signoff-reminder", "p-head"),
            ("2026-09-15T08:00:00Z", "signoff-reminder", "p-head"),
            ("2026-09-21T08:00:00Z", "signoff-reminder", "p-head"),
            ("2026-09-22T08:00:00Z", "signoff-overdue", "p-la"),
            ("2026-09-23T08:00:00Z", "signoff-reminder", "p-head"),
        ])
        over = self.events(d, types={"application.overdue"})
        self.assertEqual(len(over), 1)
        self.assertEqual(over[0]["data"]["deadline"], "2026-09-21T16:00:00Z")
        self.assertEqual(over[0]["data"]["deadline_local"], "Mon 21 Sep 2026, 17:00")
        listed = d.ok("application.list", {"cohort": "ntp-2026-27", "overdue": True})
        self.assertEqual([a["id"] for a in listed["applications"]], [app])
        self.assertEqual(d.ok("cohort.report", {"cohort": "ntp-2026-27"})["overdue"], 1)

        # Signing off ends it: no more reminders, no longer overdue.
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        before = len(self.jobs(d))
        for _ in range(20):
            d.ok("clock.advance", {"seconds": 86400})
        self.assertEqual(len(self.jobs(d)), before)
        self.assertNotIn("overdue", d.ok("application.get", {"app": app})["application"])
        self.assertEqual(d.ok("application.list", {"overdue": True})["applications"], [])

    def test_withdrawal_cancels_everything(self):
        d = self.daemon("2026-09-07T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        d.ok("application.withdraw", {"app": app}, "p-cand")
        n = len(self.jobs(d))
        for _ in range(30):
            d.ok("clock.advance", {"seconds": 86400})
        self.assertEqual(len(self.jobs(d)), n)
        self.assertEqual(self.events(d, types={"application.reminded", "application.overdue",
                                               "application.escalated"}), [])

    def test_downtime_fires_once_in_order(self):
        d = self.daemon("2026-09-07T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        head = d.ok("system.ping")["head"]
        # The daemon is down while three reminders, the deadline and the escalation
        # fall due; the clock jumps over all of them at once.
        d.kill()
        d.start()
        d.ok("clock.set", {"now": "2026-09-22T12:00:00Z"})
        fired = [(e["type"], e["at"]) for e in self.events(d, head)
                 if e["type"] in ("application.reminded", "application.overdue",
                                  "application.escalated")]
        # Each once, in due order; the repeating reminder does not replay every missed
        # occurrence, it goes out once and is re-armed for its next day.
        self.assertEqual([t for t, _ in fired], [
            "application.reminded", "application.overdue", "application.escalated"])
        d.kill()
        d.start()
        d.ok("clock.advance", {"seconds": 60})
        again = [e for e in self.events(d, head)
                 if e["type"] in ("application.reminded", "application.overdue",
                                  "application.escalated")]
        self.assertEqual(len(again), 3, "a restart must not fire anything twice")

    def test_a_reminder_due_outside_the_window_waits_for_it(self):
        # Friday's 09:00 reminder falls due while the daemon is down; it comes back on
        # Saturday night (22:30 BST) and the reminder waits for Monday 07:30.
        d = self.daemon("2026-09-07T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        d.kill()
        d.start()
        kinds = {"application.reminded"}
        d.ok("clock.set", {"now": "2026-09-12T21:30:00Z"})
        self.assertEqual(self.events(d, types=kinds), [])
        d.ok("clock.set", {"now": "2026-09-14T06:29:00Z"})
        self.assertEqual(self.events(d, types=kinds), [])
        d.ok("clock.set", {"now": "2026-09-14T06:30:00Z"})
        self.assertEqual([e["at"] for e in self.events(d, types=kinds)],
                         ["2026-09-14T06:30:00Z"])
        self.assertEqual([(j["created"], j["template"]) for j in self.jobs(d)][-1],
                         ("2026-09-14T06:30:00Z", "signoff-reminder"))
        # The next is the next day's: Tuesday 15 September, 09:00 BST; not twice on Monday.
        d.ok("clock.set", {"now": "2026-09-15T07:59:00Z"})
        self.assertEqual(len(self.events(d, types=kinds)), 1)
        d.ok("clock.set", {"now": "2026-09-15T08:00:00Z"})
        self.assertEqual([e["at"] for e in self.events(d, types=kinds)],
                         ["2026-09-14T06:30:00Z", "2026-09-15T08:00:00Z"])

    def test_deferral_starts_the_stage_afresh(self):
        d = self.daemon("2026-09-07T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        d.ok("clock.set", {"now": "2026-09-23T12:00:00Z"})
        kinds = {"application.reminded", "application.overdue", "application.escalated"}
        before = self.events(d, types=kinds)
        self.assertEqual(sorted({e["type"] for e in before}), sorted(kinds))
        a = d.ok("application.defer", {"app": app, "cohort": "ntp-2027-28"})["application"]
        self.assertEqual((a["cohort"], a["stage"]), ("ntp-2027-28", "signoff"))
        self.assertNotIn("overdue", a)
        # Nothing already sent is sent again; the new cohort's deadline is 14 days on.
        d.ok("clock.advance", {"seconds": 3 * 3600})
        self.assertEqual(self.events(d, types=kinds), before)
        d.ok("clock.set", {"now": "2026-10-08T12:00:00Z"})
        over = [e for e in self.events(d, types={"application.overdue"}) if e["cohort"] ==
                "ntp-2027-28"]
        self.assertEqual([e["data"]["deadline"] for e in over], ["2026-10-07T16:00:00Z"])

    def test_daylight_saving(self):
        # Clocks go back on Sunday 25 October 2026 (BST -> GMT). The 360 reminders are
        # "09:00 local" relative to TP2 (Thu 5 Nov 2026, 16:00 GMT): 14 days before is
        # Thu 22 Oct (BST, 08:00Z); 7 days before is Thu 29 Oct (GMT, 09:00Z).
        # The candidate applies and is accepted in the window for applications
        # (Thu 24 Sep; it closes on 25 Sep), and the clock goes on from 1 Oct.
        d = self.daemon("2026-09-24T08:00:00Z")
        self.people(d)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        for r in ("p-r1", "p-r2", "p-r3"):
            d.ok("application.invite_rater", {"app": app, "rater": r}, "p-cand")
        d.ok("application.record_response", {"app": app, "rater": "p-r1"}, "p-r1")
        d.ok("clock.set", {"now": "2026-10-01T08:00:00Z"})
        head = d.ok("system.ping")["head"]
        for _ in range(37 * 24):  # hour by hour across the clock change, past TP2
            d.ok("clock.advance", {"seconds": 3600})
        rem = [(e["at"], e["data"]["index"]) for e in self.events(d, head)
               if e["type"] == "application.reminded"]
        self.assertEqual(rem, [("2026-10-22T08:00:00Z", 0),
                               ("2026-10-29T09:00:00Z", 1),
                               ("2026-10-29T09:00:00Z", 2)])
        by = {}
        for j in self.jobs(d):
            by.setdefault((j["created"], j["template"]), set()).add(j["to"]["person"])
        # Only the raters who have not responded are reminded; the candidate hears how
        # many responses are missing, never who.
        self.assertEqual(by[("2026-10-22T08:00:00Z", "rater-reminder")], {"p-r2", "p-r3"})
        self.assertEqual(by[("2026-10-29T09:00:00Z", "rater-reminder")], {"p-r2", "p-r3"})
        self.assertEqual(by[("2026-10-29T09:00:00Z", "responses-missing")], {"p-cand"})
        miss = [j for j in self.jobs(d) if j["template"] == "responses-missing"]
        self.assertEqual(len(miss), 1)
        over = [e for e in self.events(d, head) if e["type"] == "application.overdue"]
        self.assertEqual(over[0]["data"]["deadline"], "2026-11-05T16:00:00Z")
        self.assertEqual(over[0]["at"], "2026-11-05T16:00:00Z")

        # Deliver every job (a worker that reports each one done), then read the history
        # as the candidate: no sign of who was reminded, so none of who has responded.
        w = d.ctx.socket(zmq.DEALER)
        self.addCleanup(w.close, 0)
        w.connect("ipc://%s/workers.sock" % d.dir)
        w.send_json({"type": "ready", "name": "w", "credit": 1000, "protocol": 1})
        # (Jobs older than outbox.lifetime_hours die instead: the clock moved 37 days.)
        while [j for j in self.jobs(d) if j["state"] != "dead"]:
            self.assertTrue(w.poll(10000), "jobs not offered")
            m = w.recv_json()
            if m["type"] == "job":
                w.send_json({"type": "done", "job": m["job"]["id"]})
        la = d.ok("application.history", {"app": app}, "p-la")["events"]
        reminded = {e["data"]["person"] for e in la if e["type"] in ("notification.sent",
                                                                       "notification.dead") and
                    e["data"]["template"] == "rater-reminder"}
        self.assertEqual(reminded, {"p-r2", "p-r3"})  # it tells (by id, never the address)
        mine = d.ok("application.history", {"app": app}, "p-cand")["events"]
        self.assertEqual([e for e in mine if e["type"].startswith("notification.")], [])
        # When a response came would say whose: the candidate's history leaves it out
        # (PROTOCOL.md, the 360); the LA adviser's has it, naming no rater.
        self.assertEqual([e["data"].get("rater") for e in la
                          if e["type"] == "application.response_recorded"], [None])
        self.assertEqual([e for e in mine if e["type"] == "application.response_recorded"], [])
        self.assertEqual(len(mine), len([e for e in la if not e["type"].startswith(
            "notification.") and e["type"] != "application.response_recorded"]))

    def test_manual_clock_only_moves_forward_and_persists(self):
        d = self.daemon("2026-09-07T08:00:00Z")
        d.ok("clock.set", {"now": "2026-09-10T08:00:00Z"})
        r = d.call("clock.set", {"now": "2026-09-09T08:00:00Z"})
        self.assertEqual(r["error"]["code"], "invalid_request")
        d.kill()
        d.start()
        self.assertEqual(d.ok("system.ping")["now"], "2026-09-10T08:00:00Z")


class AlumniTest(unittest.TestCase):
    def test_career_progression_and_yearly_follow_up(self):
        d = Daemon("2027-06-01T08:00:00Z")
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary", "name": "Elm Tree Primary",
                               "lss": True})
        d.ok("person.create", {"id": "p-c", "name": "Ana", "email": "a@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        d.ok("person.create", {"id": "p-k", "name": "Kit", "email": "k@example.org",
                               "roles": ["coach"], "school": "s-oak"})
        d.ok("person.create", {"id": "p-h", "name": "Host", "email": "h@example.org",
                               "roles": ["host"], "school": "s-elm"})
        app = d.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                          "candidate": "p-c"}, "p-c")["application"]["id"]
        r = d.call("application.record_progression",
                   {"app": app, "role": "deputy headteacher", "date": "2027-09-01"}, "p-c")
        self.assertEqual(r["error"]["code"], "invalid_transition")
        d.ok("application.decide", {"app": app, "outcome": "accept"})
        d.ok("application.record_attendance", {"app": app, "session": "INTRO", "present": True})
        d.ok("application.submit", {"app": app, "doc": "predisposition_audit",
                                    "fields": ANSWERS["predisposition_audit"]}, "p-c")
        d.ok("application.submit", {"app": app, "doc": "placement_choice",
                                    "fields": ANSWERS["placement_choice"]}, "p-c")
        # A trained coach before the internship (coach training 1 and 2).
        d.ok("application.assign_coach", {"app": app, "coach": "p-k"})
        for when, session in (("2027-06-01T08:00:00Z", "COACH1"),
                              ("2027-06-04T12:00:00Z", "COACH2")):
            d.ok("clock.set", {"now": when})
            d.ok("coach.record_training", {"cohort": "kent-2026-27", "session": session,
                                           "coach": "p-k", "present": True})
        d.ok("application.place_internship", {"app": app, "host_school": "s-elm",
                                              "start": "2027-06-14", "end": "2027-06-18"})
        # Confirmed from the internship's first day, the celebration recorded as it starts.
        d.ok("clock.set", {"now": "2027-06-14T08:00:00Z"})  # Mon 14 Jun, 09:00 BST
        d.ok("application.confirm_internship", {"app": app, "days": 5}, "p-h")
        d.ok("clock.set", {"now": "2027-07-08T14:30:00Z"})  # Thu 8 Jul, 15:30 BST
        a = d.ok("application.record_attendance",
                 {"app": app, "session": "CELEBRATION", "present": True})["application"]
        self.assertEqual((a["status"], a["graduated"]), ("graduated", "2027-07-08"))
        a = d.ok("application.record_progression",
                 {"app": app, "role": "deputy headteacher", "date": "2027-09-01",
                  "school": "Ashgrove Junior School"}, "p-c")["application"]
        self.assertEqual([(s["role"], s["date"]) for s in a["career"]],
                         [("deputy headteacher", "2027-09-01")])
        # The anniversaries fall at a weekend (Sat 8 Jul 2028, Sun 8 Jul 2029): each
        # follow-up waits for the cohort's sending window, Monday 07:30 BST.
        d.ok("clock.set", {"now": "2028-07-10T06:29:59Z"})
        self.assertEqual([j for j in d.ok("outbox.list", {"limit": 1000})["jobs"]
                          if j["template"] == "alumni-update"], [])
        d.ok("clock.set", {"now": "2028-07-10T06:30:00Z"})  # Mon 10 Jul 2028, 07:30 BST
        d.ok("clock.set", {"now": "2029-07-09T06:30:00Z"})  # Mon 9 Jul 2029
        follow = [(j["created"], j["to"]["person"]) for j in
                  d.ok("outbox.list", {"limit": 1000})["jobs"] if j["template"] == "alumni-update"]
        self.assertEqual(follow, [("2028-07-10T06:30:00Z", "p-c"), ("2029-07-09T06:30:00Z", "p-c")])


class OpportunityTest(unittest.TestCase):
    def test_pool_first_then_everyone_else(self):
        # The pool's members apply in the window for applications (Mon 21 Sep; it
        # closes on 25 Sep); the opportunity comes on Mon 12 Oct, 09:00 BST.
        d = Daemon("2026-09-21T08:00:00Z")
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield", "phase": "primary"})
        # (the pool is for primary and special schools: the filter leaves out a special one)
        d.ok("school.create", {"id": "s-hill", "name": "Hill School", "phase": "special"})
        people = [("p-in", "candidate", "s-oak"), ("p-sec", "candidate", "s-hill"),
                  ("p-out", "candidate", "s-oak"), ("h-oak", "headteacher", "s-oak"),
                  ("h-hill", "headteacher", "s-hill")]
        for pid, role, school in people:
            d.ok("person.create", {"id": pid, "name": pid, "email": pid + "@example.org",
                                   "roles": [role], "school": school})
        for c in ("p-in", "p-sec"):
            app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                       c)["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
        d.ok("clock.set", {"now": "2026-10-12T08:00:00Z"})
        r = d.call("opportunity.publish", {"id": "x", "title": "t", "description": "d",
                                           "early_days": 1}, "p-in")
        self.assertEqual(r["error"]["code"], "forbidden")
        got = d.ok("opportunity.publish", {
            "id": "sec-dh-2026", "title": "Acting deputy head secondment, summer term",
            "description": "A two-term secondment at Elm Tree Primary.",
            "audience": {"cohort": "ntp-2026-27", "phase": "primary"}, "early_days": 7})
        self.assertEqual(got["told"], 1)
        jobs = lambda t: sorted(j["to"]["person"] for j in
                                d.ok("outbox.list", {"limit": 1000})["jobs"] if j["template"] == t)
        self.assertEqual(jobs("opportunity-early"), ["p-in"])
        self.assertEqual(jobs("opportunity-released"), [])
        d.ok("clock.advance", {"seconds": 7 * 86400 - 60})
        self.assertEqual(jobs("opportunity-released"), [])
        d.ok("clock.advance", {"seconds": 60})
        # Released to the headteachers (the configured release roles), pool members excepted.
        self.assertEqual(jobs("opportunity-released"), ["h-hill", "h-oak"])
        o = d.ok("opportunity.get", {"id": "sec-dh-2026"})["opportunity"]
        # An LA adviser sees who was told; anyone else only how many.
        self.assertEqual((o["released"], o["told"]),
                         (True, {"p-in": True, "h-hill": True, "h-oak": True}))
        o = d.ok("opportunity.get", {"id": "sec-dh-2026"}, "p-in")["opportunity"]
        self.assertEqual(o["told"], 3)
        d.ok("clock.advance", {"seconds": 86400})
        self.assertEqual(jobs("opportunity-released"), ["h-hill", "h-oak"])
        # An early window across the clock change ends at the same local time.
        self.assertEqual(d.ok("system.ping")["now"], "2026-10-20T08:00:00Z")  # 09:00 BST
        d.ok("opportunity.publish", {"id": "dst", "title": "t", "description": "d",
                                     "audience": {"cohort": "ntp-2026-27"}, "early_days": 14})
        o = d.ok("opportunity.get", {"id": "dst"})["opportunity"]
        self.assertEqual((o["closes"], o["closes_local"]),
                         ("2026-11-03T09:00:00Z", "Tue 03 Nov 2026, 09:00"))


class SystemClockTest(unittest.TestCase):
    def test_real_deployment_cannot_move_time(self):
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        with open(d.conf) as f:
            text = f.read().replace('clock = "manual";', 'clock = "system";')
        d.kill()
        with open(d.conf, "w") as f:
            f.write(text)
        d.start()
        for cmd, args in (("clock.set", {"now": "2030-01-01T00:00:00Z"}),
                          ("clock.advance", {"seconds": 60})):
            self.assertEqual(d.call(cmd, args)["error"]["code"], "unknown_command")


if __name__ == "__main__":
    unittest.main()
