#!/usr/bin/python3
"""pathwayctl against a real pathwayd.

A real daemon on a manual clock in a temporary directory (the harness of
test_timers.py); pathwayctl runs as a subprocess with -c pointing at the
daemon's configuration. The test checks what a person or a script sees:
the tables, the --json data against what the API itself returns, the exit
status of every kind of failure, CSV import, the event stream with its
catch-up, and backup.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_timers import Daemon, BIN, SRC  # noqa: E402

CTL = os.path.join(BIN, "pathwayctl")
COHORT = "ntp-2026-27"


class CtlTest(unittest.TestCase):
    def daemon(self):
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        return d

    def ctl(self, d, *args, env=None, timeout=60):
        e = dict(os.environ)
        for k in ("PATHWAY_API", "PATHWAY_ACTOR", "PATHWAY_CONF", "PATHWAY_EVENTS"):
            e.pop(k, None)
        e.update(env or {})
        cmd = [CTL] + (["-c", d.conf] if d is not None else []) + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout)

    def ok(self, d, *args, env=None):
        r = self.ctl(d, *args, env=env)
        self.assertEqual(r.returncode, 0, "%s: %s%s" % (args, r.stdout, r.stderr))
        return r.stdout

    def json(self, d, *args, env=None):
        return json.loads(self.ok(d, "--json", *args, env=env))

    def import_demo(self, d):
        for what in ("schools", "people"):
            out = self.ok(d, "import", what, os.path.join(SRC, "conf/demo/%s.csv" % what))
            self.assertIn("imported", out)

    def nominate(self, d, cand="p-amara", head="p-head-oak"):
        data = self.json(d, "-a", head, "apply", COHORT, cand, "--route", "nomination")
        return data["application"]["id"]

    def write(self, d, name, text):
        path = os.path.join(d.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    # Import

    def test_import_csv(self):
        d = self.daemon()
        out = self.ok(d, "import", "schools", os.path.join(SRC, "conf/demo/schools.csv"))
        self.assertIn("imported 5 schools", out)
        out = self.ok(d, "import", "people", os.path.join(SRC, "conf/demo/people.csv"))
        self.assertIn("imported 21 people", out)
        self.assertTrue(d.ok("school.get", {"id": "s-elm"})["school"]["lss"])
        self.assertFalse(d.ok("school.get", {"id": "s-oak"})["school"]["lss"])
        # A quoted name with a comma survives.
        self.assertEqual(d.ok("school.get", {"id": "s-wil"})["school"]["name"],
                         "Willow Bank Primary School, Thetford")
        amara = d.ok("person.get", {"id": "p-amara"})["person"]
        self.assertEqual(amara["facts"], {"years_teaching": 9})  # a number, not "9"
        self.assertEqual(amara["school"], "s-oak")
        host = d.ok("person.get", {"id": "p-host-elm"})["person"]
        self.assertEqual(sorted(host["roles"]), ["headteacher", "host"])
        self.assertNotIn("facts", d.ok("person.get", {"id": "p-adviser"})["person"])
        self.assertEqual(d.ok("person.get", {"id": "p-finn"})["person"]["name"], "Finn O'Connor")

        # Bad rows: every one reported with its line, nothing sent.
        bad = self.write(d, "bad.csv", "id,name,email,roles,school,years_teaching\n"
                         "p-new1,New One,n1@example.org,candidate,s-oak,3\n"
                         "p-new2,New Two,n2@example.org,teacher,s-oak,4\n"
                         "p-new3,New Three,n3@example.org,candidate\n")
        r = self.ctl(d, "import", "people", bad)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("bad.csv:3: roles: unknown role 'teacher'", r.stderr)
        self.assertIn("bad.csv:4: 4 fields, the header has 6", r.stderr)
        self.assertEqual(d.call("person.get", {"id": "p-new1"})["error"]["code"], "not_found")
        # An unclosed quote, a header without a required column.
        r = self.ctl(d, "import", "people", self.write(d, "q.csv", 'id,name,email,roles\n'
                                                       'p-q,"Quote,q@example.org,candidate\n'))
        self.assertEqual(r.returncode, 1)
        self.assertIn("q.csv: line 2: a quoted field is not closed", r.stderr)
        r = self.ctl(d, "import", "schools", self.write(d, "s.csv", "id,phase\ns-x,primary\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("the header has no column 'name'", r.stderr)
        r = self.ctl(d, "import", "schools",
                     self.write(d, "l.csv", "id,name,lss\ns-x,X School,perhaps\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("l.csv:2: lss: 'perhaps' is not yes or no", r.stderr)
        # A row the daemon refuses: the code, the line, and where it stopped.
        ref = self.write(d, "ref.csv", "id,name,email,roles,school\n"
                         "p-ok,Fine,ok@example.org,candidate,s-oak\n"
                         "p-lost,Lost,lost@example.org,candidate,s-nowhere\n")
        r = self.ctl(d, "import", "people", ref)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: not_found: %s:3: " % ref), r.stderr)
        self.assertIn("stopped after 1 of 2 people", r.stderr)
        # Importing again: already_exists, unless --update.
        r = self.ctl(d, "import", "people", ref)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already_exists", r.stderr)
        fixed = self.write(d, "fixed.csv", "id,name,email,roles,school\n"
                           "p-ok,Fine Again,ok@example.org,candidate|coach,s-oak\n")
        data = self.json(d, "import", "people", fixed, "--update")
        self.assertEqual(data, {"created": [], "updated": ["p-ok"]})
        p = d.ok("person.get", {"id": "p-ok"})["person"]
        self.assertEqual((p["name"], sorted(p["roles"])), ("Fine Again", ["candidate", "coach"]))
        # The digest column is a choice, not a fact; facts are plain numbers or text.
        heads = self.write(d, "heads.csv", "id,name,email,roles,school,digest,code,ratio\n"
                           "p-h1,Head One,h1@example.org,headteacher,s-oak,yes,0x1f,1.5\n"
                           "p-h2,Head Two,h2@example.org,headteacher,s-oak,no,nan,inf\n")
        self.ok(d, "import", "people", heads)
        h1 = d.ok("person.get", {"id": "p-h1"})["person"]
        self.assertEqual((h1["digest"], h1["facts"]), (True, {"code": "0x1f", "ratio": 1.5}))
        h2 = d.ok("person.get", {"id": "p-h2"})["person"]
        self.assertEqual((h2["digest"], h2["facts"]), (False, {"code": "nan", "ratio": "inf"}))
        r = self.ctl(d, "import", "people", self.write(d, "dg.csv", "id,name,email,roles,digest\n"
                                                       "p-h3,H,h3@example.org,headteacher,daily\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("dg.csv:2: digest: 'daily' is not yes or no", r.stderr)
        r = self.ctl(d, "import", "schools", self.write(d, "n2.csv", "id,name,name\ns-y,Y,Z\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("column 'name': named twice", r.stderr)

    # The application flow, tables and --json

    def test_flow_json_tables_and_refusals(self):
        d = self.daemon()
        self.import_demo(d)
        app = self.nominate(d)
        # --json prints the reply's data: the same as the API gives.
        self.assertEqual(self.json(d, "-a", "p-head-oak", "get", app),
                         d.ok("application.get", {"app": app}, "p-head-oak"))
        out = self.ok(d, "-a", "p-amara", "submit", app, "self_evaluation", "--ref",
                      "https://forms.example.org/se")
        for field in ("application", "candidate", "cohort", "stage", "status", "overdue"):
            self.assertRegex(out, r"(?m)^%s\s" % field)
        self.assertRegex(out, r"(?m)^stage\s+signoff ")
        self.assertIn("evidence_form", out)  # what the stage still needs
        self.ok(d, "-a", "p-head-oak", "submit", app, "evidence_form")

        # Refused: exit 1, "pathwayctl: <code>: <message>".
        r = self.ctl(d, "-a", "p-head-ash", "signoff", app)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: forbidden: "), r.stderr)
        self.assertEqual(r.stdout, "")
        r = self.ctl(d, "get", "A999999")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: not_found: "), r.stderr)
        # The actor from the environment; a flag wins over it.
        r = self.ctl(d, "signoff", app, env={"PATHWAY_ACTOR": "p-head-ash"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("forbidden", r.stderr)
        r = self.ctl(d, "-a", "p-head-ash", "signoff", app, env={"PATHWAY_ACTOR": "p-head-oak"})
        self.assertEqual(r.returncode, 1)
        self.ok(d, "signoff", app, env={"PATHWAY_ACTOR": "p-head-oak"})
        refused = [e for e in d.ok("application.history", {"app": app})["events"]
                   if e["type"] == "audit.refused"]
        self.assertEqual([e["actor"] for e in refused], ["p-head-ash"] * 3)
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["stage"],
                         "selection")

        # decide: options after the positionals, or before the subcommand.
        data = self.json(d, "decide", app, "accept", "--note", "strong")
        a = data["application"]
        self.assertEqual((a["stage"], a["place"]), ("feedback_360", True))
        self.assertEqual(a["decisions"]["selection"]["note"], "strong")
        self.assertEqual(data, d.ok("application.get", {"app": app}))
        app2 = self.nominate(d, "p-dan", "p-head-ash")
        self.ok(d, "-a", "p-dan", "submit", app2, "self_evaluation")
        self.ok(d, "submit", app2, "evidence_form", "-a", "p-head-ash")
        self.ok(d, "signoff", app2, "--actor=p-head-ash")
        out = self.ok(d, "decide", app2, "waitlist", "--note=reapply")
        self.assertRegex(out, r"(?m)^status\s+waitlisted$")
        r = self.ctl(d, "-a", "p-amara", "submit", app, "self_evaluation")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: invalid_transition: "), r.stderr)

        # list: a table with its columns; --json is the API's data.
        out = self.ok(d, "list", "--cohort", COHORT)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "CANDIDATE", "SCHOOL", "COHORT", "STAGE",
                                            "STATUS", "PLACE", "OVERDUE"])
        rows = {l.split()[0]: l.split() for l in lines[1:]}
        self.assertEqual(rows[app][1:7], ["p-amara", "s-oak", COHORT, "feedback_360",
                                          "active", "yes"])
        self.assertEqual(rows[app2][5], "waitlisted")
        self.assertEqual(self.json(d, "list", "--cohort", COHORT, "--status", "waitlisted"),
                         d.ok("application.list", {"cohort": COHORT, "status": "waitlisted"}))
        self.assertEqual(self.json(d, "list", "--limit", "1")["next"], app)

        # A third, accepted: the register takes several applications.
        app3 = self.nominate(d, "p-chloe", "p-head-ash")
        self.ok(d, "-a", "p-chloe", "submit", app3, "self_evaluation")
        self.ok(d, "-a", "p-head-ash", "submit", app3, "evidence_form")
        self.ok(d, "-a", "p-head-ash", "signoff", app3)
        self.ok(d, "decide", app3, "accept")

        # 360, attendance, internship.
        for i in range(1, 9):
            self.ok(d, "-a", "p-amara", "invite-rater", app, "p-r%d" % i)
            self.ok(d, "-a", "p-r%d" % i, "respond", app, "p-r%d" % i)
        self.ok(d, "assign-coach", app, "p-coach")
        self.ok(d, "-a", "p-coach", "attend", app, "TP1", "present")
        self.ok(d, "register", COHORT, "TP2", "--present", app, "--absent", app3)
        self.ok(d, "register", COHORT, "TP3", "--present", "%s,%s" % (app, app3))
        self.ok(d, "register", COHORT, "TP4", "--present", app, "--present", app3)
        r = self.ctl(d, "register", COHORT, "TP5", "--present", "%s,%s" % (app, app2))
        self.assertEqual(r.returncode, 1)  # all or nothing: app2 is waitlisted
        self.assertIn("invalid_transition", r.stderr)
        att = d.ok("application.get", {"app": app})["application"]["attendance"]
        self.assertEqual(att, {"TP1": True, "TP2": True, "TP3": True, "TP4": True})
        self.assertEqual(d.ok("application.get", {"app": app3})["application"]["attendance"],
                         {"TP2": False, "TP3": True, "TP4": True})
        out = self.ok(d, "-a", "p-amara", "submit", app, "leadership_plan")
        self.assertRegex(out, r"(?m)^stage\s+internship ")
        self.ok(d, "place", app, "s-elm", "2027-03-02", "2027-03-04")
        out = self.ok(d, "-a", "p-host-elm", "confirm", app, "3")
        self.assertRegex(out, r"(?m)^stage\s+interview_practice ")
        self.assertIn("3 days confirmed by p-host-elm", out)

        # Withdraw: the waiting list takes the place.
        self.ok(d, "-a", "p-head-ash", "withdraw", app3, "--reason", "new post")
        self.assertEqual(d.ok("application.get", {"app": app2})["application"]["stage"],
                         "feedback_360")
        # report: places, taken, left, waiting and a count per stage and status.
        out = self.ok(d, "report", COHORT)
        for field, value in (("places", "30"), ("taken", "2"), ("left", "28"),
                             ("waiting", "0"), ("total", "3")):
            self.assertRegex(out, r"(?m)^%s\s+%s$" % (field, value))
        self.assertRegex(out, r"(?m)^interview_practice\s+1$")
        self.assertRegex(out, r"(?m)^feedback_360\s+1$")
        self.assertRegex(out, r"(?m)^withdrawn\s+1$")
        self.assertEqual(self.json(d, "report", COHORT),
                         d.ok("cohort.report", {"cohort": COHORT}))

        # history and events: tables of events; --json matches events.since.
        out = self.ok(d, "history", app)
        self.assertEqual(out.splitlines()[0].split(),
                         ["SEQ", "AT", "TYPE", "COHORT", "APP", "ACTOR", "DETAIL"])
        self.assertIn("application.internship_confirmed", out)
        self.assertEqual(self.json(d, "events", "--after", "3", "--limit", "5"),
                         d.ok("events.since", {"after": 3, "limit": 5}))
        out = self.ok(d, "events", "--limit", "2")
        self.assertEqual(len(out.splitlines()), 4)  # header, 2 events, "more"
        jobs = self.json(d, "outbox", "--state", "pending")
        self.assertEqual(jobs, d.ok("outbox.list", {"state": "pending"}))
        self.assertTrue(jobs["jobs"])
        out = self.ok(d, "outbox", "--limit", "3")
        self.assertEqual(out.splitlines()[0].split()[:4], ["JOB", "STATE", "TEMPLATE", "TO"])
        r = self.ctl(d, "outbox", "retry", jobs["jobs"][0]["id"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("pathwayctl: invalid_transition: ", r.stderr)

        # People, schools, cohorts, the clock.
        out = self.ok(d, "person-list", "--role", "coach")
        self.assertEqual(out.split(), ["ID", "NAME", "EMAIL", "ROLES", "SCHOOL", "p-coach",
                                       "Ruth", "Barker", "r.barker@birchwood.example.net",
                                       "coach", "s-bir"])
        self.ok(d, "person-create", "p-new", "New Person", "new@example.org",
                "candidate;rater", "--school", "s-oak", "--fact", "years_teaching=4",
                "--fact", "npqh=true")
        self.assertEqual(self.json(d, "person-get", "p-new")["person"]["facts"],
                         {"years_teaching": 4, "npqh": True})
        self.ok(d, "school-create", "s-new", "New School", "--phase", "secondary", "--lss",
                "yes")
        self.assertTrue(d.ok("school.get", {"id": "s-new"})["school"]["lss"])
        self.assertRegex(self.ok(d, "-a", "p-head-oak", "digest", "p-head-oak", "on"),
                         r"(?m)^digest\s+yes$")
        self.assertTrue(d.ok("person.get", {"id": "p-head-oak"})["person"]["digest"])
        self.assertIn("ntp-2027-28", self.ok(d, "cohorts"))
        self.assertIn("TP12", self.ok(d, "cohort", COHORT))
        self.assertEqual(self.ok(d, "clock").strip(), "2026-09-07T08:00:00Z")
        self.assertEqual(self.ok(d, "clock", "advance", "3600").strip(),
                         "2026-09-07T09:00:00Z")
        self.assertEqual(self.json(d, "ping")["now"], "2026-09-07T09:00:00Z")
        out = self.ok(d, "opportunity", "publish", "o-1", "Deputy head secondment",
                      "A term at Elm Tree", "--early-days", "7", "--audience",
                      "cohort=" + COHORT)
        self.assertRegex(out, r"(?m)^closes\s+2026-09-14T09:00:00Z ")
        self.assertIn("o-1", self.ok(d, "opportunity", "list"))

    # Usage, help and no answer

    def test_usage_help_and_timeout(self):
        out = self.ok(None, "help")
        for name in ("ping", "import people", "apply", "decide", "watch", "report", "backup",
                     "register", "outbox retry", "clock advance", "opportunity publish"):
            self.assertRegex(out, r"(?m)^  %s\s" % name)
        out = self.ok(None, "help", "decide")
        self.assertIn("usage: pathwayctl [options] decide APP accept|waitlist|reject", out)
        self.assertIn("application.decide", out)
        self.assertRegex(out, r"(?m)^roles: .*la_adviser")
        self.assertIn("usage: pathwayctl [options] clock set TIME", self.ok(None, "help", "clock"))
        self.assertIn("import schools", self.ok(None, "help", "import"))
        self.assertIn("--note TEXT", self.ok(None, "decide", "--help"))
        for args, why in ((["frobnicate"], "unknown subcommand 'frobnicate'"),
                          ([], "no subcommand"),
                          (["decide", "A000001"], "missing accept|waitlist|reject"),
                          (["decide", "A000001", "maybe"], "'maybe' is not one of"),
                          (["decide", "A000001", "accept", "extra"], "unexpected argument"),
                          (["confirm", "A000001", "three"], "not a whole number"),
                          (["list", "--bogus"], "--bogus: unknown option"),
                          (["list", "--limit"], "--limit needs a value"),
                          (["opportunity"], "which one?"),
                          (["help", "nothing"], "no subcommand 'nothing'")):
            r = self.ctl(None, *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(why, r.stderr)
            self.assertIn("usage: ", r.stderr)
            self.assertEqual(r.stdout, "")
        # Nobody at the endpoint: exit 3 after the timeout.
        t = time.monotonic()
        r = self.ctl(None, "-e", "ipc:///tmp/pathwayctl-test-nobody.sock", "-t", "300", "ping")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no answer from ipc:///tmp/pathwayctl-test-nobody.sock within 300 ms",
                      r.stderr)
        self.assertLess(time.monotonic() - t, 5)
        r = self.ctl(None, "--timeout=200", "report", COHORT,
                     env={"PATHWAY_API": "ipc:///tmp/pathwayctl-test-nobody.sock"})
        self.assertEqual(r.returncode, 3)
        r = self.ctl(None, "-e", "nonsense", "ping")
        self.assertEqual(r.returncode, 2)
        self.assertIn("pathwayctl: nonsense: ", r.stderr)
        # A configuration file that is not there.
        r = self.ctl(None, "-c", "/nonexistent/pathway.conf", "ping")
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/pathway.conf", r.stderr)

    # The event stream

    def watch(self, d, *args):
        return subprocess.Popen([CTL, "-c", d.conf] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def finish(self, p, timeout=30):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("watch did not finish: %s %s" % (out, err))
        self.assertEqual(p.returncode, 0, err)
        return out

    def test_watch(self):
        d = self.daemon()
        self.import_demo(d)
        head = d.ok("system.ping")["head"]
        w_cohort = self.watch(d, "watch", "--cohort", COHORT, "--count", "3")
        w_type = self.watch(d, "--json", "watch", "--type", "application.stage_changed",
                            "--count", "1")
        w_all = self.watch(d, "--json", "watch", "--count", "4")
        time.sleep(1.0)
        # Another cohort's and no cohort's events are not for the cohort watcher.
        d.ok("person.create", {"id": "p-x", "name": "X", "email": "x@example.org",
                               "roles": ["viewer"]})
        d.ok("application.create", {"cohort": "ntp-2027-28", "candidate": "p-ben"}, "p-ben")
        app = d.ok("application.create", {"cohort": COHORT, "candidate": "p-amara"},
                   "p-amara")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation"}, "p-amara")
        lines = self.finish(w_cohort).splitlines()
        self.assertEqual([l.split()[2] for l in lines],
                         ["application.created", "application.submitted",
                          "application.stage_changed"])
        self.assertTrue(all(l.split()[3] == COHORT and l.split()[4] == app for l in lines))
        ev = json.loads(self.finish(w_type))
        self.assertEqual((ev["type"], ev["app"], ev["data"]), (
            "application.stage_changed", app, {"from": "interest", "to": "signoff"}))
        evs = [json.loads(l) for l in self.finish(w_all).splitlines()]
        self.assertEqual([e["seq"] for e in evs], list(range(head + 1, head + 5)))
        self.assertEqual(evs[0]["type"], "person.created")

        # --since: the log first, then the stream, with no gap and no duplicate.
        head = d.ok("system.ping")["head"]
        evs = [json.loads(l) for l in self.ok(d, "--json", "watch", "--since", "0", "--count",
                                              str(head)).splitlines()]
        self.assertEqual([e["seq"] for e in evs], list(range(1, head + 1)))
        self.assertEqual(evs, d.ok("events.since", {"after": 0, "limit": 1000})["events"])
        w_since = self.watch(d, "--json", "watch", "--since", str(head - 2), "--count", "6")
        time.sleep(1.0)
        d.ok("application.submit", {"app": app, "doc": "evidence_form"}, "p-head-oak")
        d.ok("application.signoff", {"app": app}, "p-head-oak")
        d.ok("application.decide", {"app": app, "outcome": "accept"})
        evs = [json.loads(l) for l in self.finish(w_since).splitlines()]
        self.assertEqual([e["seq"] for e in evs], list(range(head - 1, head + 5)))
        self.assertEqual(evs, d.ok("events.since", {"after": head - 2, "limit": 6})["events"])
        # A cohort filter during catch-up too.
        evs = [json.loads(l) for l in self.ok(d, "--json", "watch", "--since", "0",
                                              "--cohort", "ntp-2027-28", "--count",
                                              "1").splitlines()]
        self.assertEqual([(e["type"], e["cohort"]) for e in evs],
                         [("application.created", "ntp-2027-28")])

    # Backup

    def test_backup(self):
        d = self.daemon()
        self.import_demo(d)
        # A backup is a name under the daemon's backup directory (daemon.backup_dir, the
        # test configuration's DIR/backup), made if missing (issue 10).
        dest = os.path.join(d.dir, "backup", "one")
        out = self.ok(d, "backup", "one")
        self.assertIn("backed up", out)
        self.assertIn(dest, out)
        self.assertTrue(os.path.getsize(os.path.join(dest, "data.mdb")) > 0)
        r = self.ctl(d, "backup", "one")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: already_exists: "), r.stderr)
        # The name is the daemon's to resolve, wherever pathwayctl runs.
        rel = subprocess.run([CTL, "-c", d.conf, "--json", "backup", "2026/two", "--no-compact"],
                             cwd="/", capture_output=True, text=True)
        self.assertEqual(rel.returncode, 0, rel.stderr)
        self.assertEqual(json.loads(rel.stdout)["path"],
                         os.path.join(d.dir, "backup", "2026", "two"))
        self.assertTrue(os.path.exists(os.path.join(d.dir, "backup", "2026", "two", "data.mdb")))
        for bad in ("/tmp/x", "../x", "a/../../x"):
            r = self.ctl(d, "backup", bad)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertTrue(r.stderr.startswith("pathwayctl: invalid_request: "), r.stderr)
        r = self.ctl(d, "-a", "p-amara", "backup", "three")
        self.assertEqual(r.returncode, 1)
        self.assertIn("pathwayctl: forbidden: ", r.stderr)
        shutil.rmtree(os.path.join(d.dir, "backup"))


if __name__ == "__main__":
    unittest.main()
