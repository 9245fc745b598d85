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
import signal
import subprocess
import sys
import time
import unittest
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_timers import Daemon, BIN, SRC  # noqa: E402
from answers import ANSWERS

CTL = os.path.join(BIN, "pathwayctl")
COHORT = "ntp-2026-27"


class CtlTest(unittest.TestCase):
    def daemon(self):
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        return d

    def ctl(self, d, *args, env=None, timeout=60, stdin=None):
        e = dict(os.environ)
        for k in ("PATHWAY_API", "PATHWAY_ACTOR", "PATHWAY_CONF", "PATHWAY_EVENTS"):
            e.pop(k, None)
        e.update(env or {})
        cmd = [CTL] + (["-c", d.conf] if d is not None else []) + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout,
                              input=stdin)

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

    def answers(self, d, form):
        """A file holding valid answers to the seed form (for submit --file)."""
        return self.write(d, form + ".json", json.dumps(ANSWERS[form]))

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
                      "https://forms.example.org/se", "--file",
                      self.answers(d, "self_evaluation"))
        for field in ("application", "candidate", "cohort", "stage", "status", "overdue"):
            self.assertRegex(out, r"(?m)^%s\s" % field)
        self.assertRegex(out, r"(?m)^stage\s+signoff ")
        self.assertIn("evidence_form", out)  # what the stage still needs
        self.ok(d, "-a", "p-head-oak", "submit", app, "evidence_form", "--file",
                self.answers(d, "evidence_form"))

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
        self.ok(d, "-a", "p-dan", "submit", app2, "self_evaluation", "--file",
                self.answers(d, "self_evaluation"))
        self.ok(d, "submit", app2, "evidence_form", "-a", "p-head-ash", "--file",
                self.answers(d, "evidence_form"))
        self.ok(d, "signoff", app2, "--actor=p-head-ash")
        out = self.ok(d, "decide", app2, "waitlist", "--note=reapply")
        self.assertRegex(out, r"(?m)^status\s+waitlisted$")
        r = self.ctl(d, "-a", "p-amara", "submit", app, "self_evaluation", "--file",
                     self.answers(d, "self_evaluation"))
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
        self.ok(d, "-a", "p-chloe", "submit", app3, "self_evaluation", "--file",
                self.answers(d, "self_evaluation"))
        self.ok(d, "-a", "p-head-ash", "submit", app3, "evidence_form", "--file",
                self.answers(d, "evidence_form"))
        self.ok(d, "-a", "p-head-ash", "signoff", app3)
        self.ok(d, "decide", app3, "accept")

        # 360, attendance, internship.
        for i in range(1, 9):
            self.ok(d, "-a", "p-amara", "invite-rater", app, "p-r%d" % i)
            self.ok(d, "-a", "p-r%d" % i, "respond", app, "p-r%d" % i)
        self.ok(d, "assign-coach", app, "p-coach")
        # Attendance is recorded from each session's start: the clock goes there first.
        r = self.ctl(d, "-a", "p-coach", "attend", app, "TP1", "present")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("pathwayctl: too_early: "), r.stderr)
        self.ok(d, "clock", "set", "2026-10-08T08:00:00Z")  # TP1, 09:00 BST
        self.ok(d, "-a", "p-coach", "attend", app, "TP1", "present")
        self.ok(d, "clock", "set", "2026-11-05T16:00:00Z")  # TP2, 16:00 GMT
        self.ok(d, "register", COHORT, "TP2", "--present", app, "--absent", app3)
        self.ok(d, "clock", "set", "2026-12-03T16:00:00Z")
        self.ok(d, "register", COHORT, "TP3", "--present", "%s,%s" % (app, app3))
        self.ok(d, "clock", "set", "2027-01-14T16:00:00Z")  # TP4, 16:00 GMT
        r = self.ctl(d, "register", COHORT, "TP4", "--present", "%s,%s" % (app, app2))
        self.assertEqual(r.returncode, 1)  # all or nothing: app2 is waitlisted
        self.assertIn("invalid_transition", r.stderr)
        self.assertNotIn("TP4", d.ok("application.get", {"app": app})["application"]["attendance"])
        self.ok(d, "register", COHORT, "TP4", "--present", app, "--present", app3)
        att = d.ok("application.get", {"app": app})["application"]["attendance"]
        self.assertEqual(att, {"TP1": True, "TP2": True, "TP3": True, "TP4": True})
        self.assertEqual(d.ok("application.get", {"app": app3})["application"]["attendance"],
                         {"TP2": False, "TP3": True, "TP4": True})

        # Withdraw: the place is offered to the first on the waiting list, who takes it
        # (the shipped cohort offers freed places until 14 Jan, offers_until, this day).
        self.ok(d, "-a", "p-head-ash", "withdraw", app3, "--reason", "new post")
        rep = d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual((rep["taken"], rep["offered"], rep["offers"]), (1, 1, [app2]))
        out = self.ok(d, "-a", "p-dan", "accept-offer", app2)
        self.assertRegex(out, r"(?m)^status\s+active$")
        self.assertEqual(d.ok("application.get", {"app": app2})["application"]["stage"],
                         "feedback_360")

        out = self.ok(d, "-a", "p-amara", "submit", app, "leadership_plan", "--file",
                      self.answers(d, "leadership_plan"))
        self.assertRegex(out, r"(?m)^stage\s+internship ")
        self.ok(d, "place", app, "s-elm", "2027-03-02", "2027-03-04")
        self.ok(d, "clock", "set", "2027-03-02T09:00:00Z")  # confirmed from its start
        out = self.ok(d, "-a", "p-host-elm", "confirm", app, "3")
        self.assertRegex(out, r"(?m)^stage\s+interview_practice ")
        self.assertIn("3 days confirmed by p-host-elm", out)
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
                "--fact", "npqh=true", "--fact", "fte=0.8")
        self.assertEqual(self.json(d, "person-get", "p-new")["person"]["facts"],
                         {"years_teaching": 4, "npqh": True, "fte": 0.8})
        # A fact that is not a whole number reads as typed in the table.
        self.assertRegex(self.ok(d, "person-get", "p-new"),
                         r"(?m)^facts\s+.*\bfte=0\.8\b")
        self.ok(d, "school-create", "s-new", "New School", "--phase", "secondary", "--lss",
                "yes")
        self.assertTrue(d.ok("school.get", {"id": "s-new"})["school"]["lss"])
        self.assertRegex(self.ok(d, "-a", "p-head-oak", "digest", "p-head-oak", "on"),
                         r"(?m)^digest\s+yes$")
        self.assertTrue(d.ok("person.get", {"id": "p-head-oak"})["person"]["digest"])
        self.assertIn("ntp-2027-28", self.ok(d, "cohorts"))
        self.assertIn("TP12", self.ok(d, "cohort", COHORT))
        self.assertEqual(self.ok(d, "clock").strip(), "2027-03-02T09:00:00Z")  # set above
        self.assertEqual(self.ok(d, "clock", "advance", "3600").strip(),
                         "2027-03-02T10:00:00Z")
        self.assertEqual(self.json(d, "ping")["now"], "2027-03-02T10:00:00Z")
        out = self.ok(d, "opportunity", "publish", "o-1", "Deputy head secondment",
                      "A term at Elm Tree", "--early-days", "7", "--audience",
                      "cohort=" + COHORT)
        self.assertRegex(out, r"(?m)^closes\s+2027-03-09T10:00:00Z ")
        self.assertIn("o-1", self.ok(d, "opportunity", "list"))

    # Forms and the 360

    def test_forms_draft_submit_return_and_show(self):
        d = self.daemon()
        self.import_demo(d)
        app = self.nominate(d)
        # form show: the definition, each field with its label, id and type.
        out = self.ok(d, "-a", "p-amara", "form", "show", app, "self_evaluation")
        self.assertRegex(out, r"(?m)^form\s+self_evaluation: Self-evaluation against the "
                         r"selection criteria$")
        self.assertRegex(out, r"(?m)^filled in by candidate$")
        self.assertRegex(out, r"(?m)^read by\s+headteacher, la_adviser$")
        self.assertIn("\n1. Your current role (required)\n"
                      "   current_role: text, at most 120 characters\n", out)
        for line in ("phase: one of: Primary | Special", "shaping_the_future: rating 1..4",
                     "discussed_with_headteacher: yes or no",
                     "development_areas: long_text, at most 3000 characters"):
            self.assertIn("   %s\n" % line, out)
        self.assertTrue(all(len(l) <= 78 for l in out.splitlines()), out)
        self.assertEqual(self.json(d, "-a", "p-amara", "form", "show", app, "self_evaluation"),
                         d.ok("form.get", {"app": app, "form": "self_evaluation"}, "p-amara"))

        # draft: some answers, kept; the headteacher (a reader) sees no draft.
        part = self.write(d, "part.json", json.dumps(
            {"current_role": "Year 6 teacher", "shaping_the_future": 3,
             "development_areas": "Budgets.\nReporting to governors."}))
        out = self.ok(d, "-a", "p-amara", "draft", app, "self_evaluation", "--file", part)
        self.assertRegex(out, r"(?m)^state\s+draft, saved 2026-09-07T08:00:00Z by p-amara$")
        self.assertIn("   > Year 6 teacher\n", out)
        self.assertIn("   > Budgets.\n   > Reporting to governors.\n", out)
        self.assertIn("   (not answered)\n", out)
        out = self.ok(d, "-a", "p-head-oak", "form", "show", app, "self_evaluation")
        self.assertNotIn("Year 6 teacher", out)
        self.assertIn("(no answers you may see)", out)
        # Submitting the draft as it is: the daemon names the first field missing.
        r = self.ctl(d, "-a", "p-amara", "submit", app, "self_evaluation")
        self.assertEqual(r.returncode, 1)
        self.assertIn("pathwayctl: invalid_request: field 'phase' of form 'self_evaluation' is "
                      "required", r.stderr)
        # Files that are not answers: exit 1 with the reason, nothing sent.
        for text, why in (('{"phase": ', "bad.json:1:"), ("[1, 2]", "not a JSON object"),
                          ('{"shoe_size": 9}', "form 'self_evaluation' has no field "
                                               "'shoe_size'"),
                          ('{"shaping_the_future": 7}', "field 'shaping_the_future' of form "
                                                        "'self_evaluation' must be an integer "
                                                        "from 1 to 4")):
            r = self.ctl(d, "-a", "p-amara", "draft", app, "self_evaluation", "--file",
                         self.write(d, "bad.json", text))
            self.assertEqual(r.returncode, 1, text)
            self.assertIn(why, r.stderr)
        r = self.ctl(d, "-a", "p-amara", "submit", app, "self_evaluation", "--file",
                     os.path.join(d.dir, "missing.json"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.json", r.stderr)
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["stage"],
                         "interest")
        # The whole form from standard input.
        r = self.ctl(d, "-a", "p-amara", "submit", app, "self_evaluation", "--file", "-",
                     stdin=json.dumps(ANSWERS["self_evaluation"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^stage\s+signoff ")
        self.assertRegex(r.stdout, r"(?m)^documents\s+self_evaluation 2026-09-07T08:00:00Z "
                         r"by p-amara$")
        out = self.ok(d, "-a", "p-head-oak", "form", "show", app, "self_evaluation")
        self.assertRegex(out, r"(?m)^state\s+submitted 2026-09-07T08:00:00Z by p-amara$")
        self.assertIn("   > Year 6 teacher and English subject leader\n", out)
        self.assertIn("   > Primary\n", out)
        self.assertIn("   > yes\n", out)
        self.assertEqual(self.json(d, "form", "show", app, "self_evaluation"),
                         d.ok("form.get", {"app": app, "form": "self_evaluation"}))
        # A form the candidate may not read: refused.
        r = self.ctl(d, "-a", "p-amara", "form", "show", app, "evidence_form")
        self.assertEqual(r.returncode, 1)
        self.assertIn("forbidden", r.stderr)

        # return: the headteacher sends it back with a note; the stage goes back.
        r = self.ctl(d, "-a", "p-head-oak", "return", app, "self_evaluation")
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing --note", r.stderr)
        out = self.ok(d, "-a", "p-head-oak", "return", app, "self_evaluation", "--note",
                      "Add your evidence for managing the organisation")
        self.assertRegex(out, r"(?m)^stage\s+interest ")
        self.assertRegex(out, r"(?m)^returned\s+self_evaluation 2026-09-07T08:00:00Z by "
                         r"p-head-oak: Add your evidence for managing the organisation$")
        out = self.ok(d, "-a", "p-amara", "form", "show", app, "self_evaluation")
        self.assertRegex(out, r"(?m)^returned\s+2026-09-07T08:00:00Z by p-head-oak: Add your "
                         r"evidence for managing the organisation$")
        fixed = dict(ANSWERS["self_evaluation"],
                     managing_the_organisation_evidence="Ran the Year 6 residential budget.")
        out = self.ok(d, "-a", "p-amara", "submit", app, "self_evaluation", "--file",
                      self.write(d, "fixed.json", json.dumps(fixed)))
        self.assertRegex(out, r"(?m)^stage\s+signoff ")
        self.assertIn("   > Ran the Year 6 residential budget.\n",
                      self.ok(d, "-a", "p-head-oak", "form", "show", app, "self_evaluation"))

    def test_feedback_invite_respond_and_report(self):
        d = self.daemon()
        self.import_demo(d)
        app = self.nominate(d)
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-amara")
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head-oak")
        d.ok("application.signoff", {"app": app}, "p-head-oak")
        d.ok("application.decide", {"app": app, "outcome": "accept"})
        # invite: the candidate names colleagues who need no account.
        cats = ["line_manager", "peers", "peers", "peers", "direct_reports", "direct_reports",
                "others"]
        for i, cat in enumerate(cats):
            out = self.ok(d, "-a", "p-amara", "feedback", "invite", app, "--name",
                          "Colleague %d" % i, "--email", "colleague%d@oak.example.org" % i,
                          "--category", cat)
        self.assertRegex(out, r"(?m)^raters\s+7 invited$")
        self.assertRegex(out, r"(?m)^RATER\s+CATEGORY\s+INVITED\s+RESPONDED$")
        self.assertRegex(out, r"(?m)^R000007\s+others\s+2026-09-07T08:00:00Z$")
        raters = d.ok("application.get", {"app": app})["application"]["raters"]
        self.assertEqual([raters[r]["category"] for r in sorted(raters)], cats)
        rid = sorted(raters)
        r = self.ctl(d, "-a", "p-amara", "feedback", "invite", app, "--name", "X", "--email",
                     "x@oak.example.org", "--category", "governors")
        self.assertEqual(r.returncode, 1)
        self.assertIn("invalid_request", r.stderr)
        r = self.ctl(d, "-a", "p-amara", "feedback", "invite", app, "--name", "X")
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing --email", r.stderr)

        # questionnaire: as a rater sees it.
        out = self.ok(d, "-a", rid[1], "feedback", "questionnaire", app)
        self.assertRegex(out, r"(?m)^you rate as\s+Peers$")
        self.assertRegex(out, r"(?m)^responded\s+no$")
        self.assertRegex(out, r"(?m)^scale\s+1 Rarely, 2 Sometimes, 3 Often, 4 Usually, "
                         r"5 Consistently$")
        self.assertIn("\nshaping_the_future\n  Shaping the future: sets out a clear direction",
                      out)
        self.assertEqual(self.json(d, "-a", rid[1], "feedback", "questionnaire", app),
                         d.ok("feedback.questionnaire", {"app": app}, rid[1]))

        # respond: each rater from a file; the last through the LA, on their behalf.
        scores = [4, 3, 4, 5, 2, 3, 4]  # line manager; peers; direct reports; others
        for i, r in enumerate(rid):
            f = self.write(d, "r.json", json.dumps({
                "ratings": {"shaping_the_future": scores[i], "people_skills": 4,
                            "data_analysis": None},
                "comments": {"shaping_the_future": "Comment %d: a clear plan for writing." % i}}))
            args = ["feedback", "respond", app, "--file", f]
            out = self.ok(d, *(args + ["--rater", r] if i == 6 else ["-a", r] + args))
            self.assertEqual(out, "recorded: the 360 answers for %s (kept apart from who "
                             "gave them)\n" % app)
        self.assertRegex(self.ok(d, "-a", rid[1], "feedback", "questionnaire", app),
                         r"(?m)^responded\s+yes$")
        for text, why in (('{"ratings": {}, "name": "Colleague 1"}',
                           "'name': the file holds only \"ratings\" and \"comments\""),
                          ('{"ratings": {"people_skills": 6}}', "invalid_request")):
            r = self.ctl(d, "-a", "p-amara", "feedback", "respond", app, "--file",
                         self.write(d, "bad.json", text))
            self.assertEqual(r.returncode, 1, text)
            self.assertIn(why, r.stderr)
        self.ok(d, "-a", "p-amara", "feedback", "respond", app, "--file", self.write(
            d, "self.json", json.dumps({"ratings": {"shaping_the_future": 3},
                                        "comments": {"shaping_the_future": "I plan well."}})))

        # report: the LA's, at any time. A category short of its threshold (direct
        # reports: 2 of 3) is counted under Others; no name appears.
        out = self.ok(d, "feedback", "report", app)
        self.assertRegex(out, r"(?m)^responses\s+7 from colleagues$")
        self.assertRegex(out, r"(?m)^self\s+assessed$")
        lines = out.splitlines()
        head = next(i for i, l in enumerate(lines) if l.startswith("QUESTION"))
        self.assertEqual(lines[head].split(), ["QUESTION", "LINE", "MANAGER", "PEERS", "OTHERS",
                                               "ALL", "COLLEAGUES", "SELF"])
        rows = {l.split()[0]: l.split()[1:] for l in lines[head + 1:head + 11]}
        self.assertEqual(rows["shaping_the_future"], ["4.00", "(n=1)", "4.00", "(n=3)", "3.00",
                                                      "(n=3)", "3.57", "(n=7)", "3"])
        self.assertEqual(rows["people_skills"], ["4.00", "(n=1)", "4.00", "(n=3)", "4.00",
                                                 "(n=3)", "4.00", "(n=7)"])
        self.assertEqual(rows["leading_change"], ["-"] * 4)
        self.assertIn("\n  self: I plan well.\n", out)
        self.assertIn("\n".join("  - Comment %d: a clear plan for writing." % i
                                for i in range(7)), out)
        self.assertNotIn("Colleague", out)
        self.assertNotIn("R00000", out)
        self.assertEqual(self.json(d, "feedback", "report", app),
                         d.ok("feedback.report", {"app": app}))
        # The candidate has it once the stage is complete (7 responses of 8 so far).
        r = self.ctl(d, "-a", "p-amara", "feedback", "report", app)
        self.assertEqual(r.returncode, 1)
        self.assertIn("invalid_transition", r.stderr)
        r = self.ctl(None, "feedback")
        self.assertEqual(r.returncode, 2)
        self.assertIn("which one?", r.stderr)

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
        # No socket at the endpoint: exit 3 at once, saying so.
        t = time.monotonic()
        r = self.ctl(None, "-e", "ipc:///tmp/pathwayctl-test-nobody.sock", "ping")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no daemon at ipc:///tmp/pathwayctl-test-nobody.sock: the socket does "
                      "not exist", r.stderr)
        self.assertLess(time.monotonic() - t, 1)
        # A peer that takes the connection but never replies: exit 4 after the timeout.
        ctx = zmq.Context()
        silent = ctx.socket(zmq.ROUTER)
        path = "/tmp/pathwayctl-test-silent-%d.sock" % os.getpid()
        silent.bind("ipc://" + path)
        try:
            t = time.monotonic()
            r = self.ctl(None, "-e", "ipc://" + path, "-t", "300", "ping")
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn("no answer from ipc://%s within 300 ms" % path, r.stderr)
            self.assertLess(time.monotonic() - t, 5)
        finally:
            silent.close(0)
            ctx.term()
        r = self.ctl(None, "--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^pathwayctl \S+ \(protocol 4\)$")
        for flag in ("--version", "--help"):
            p = subprocess.run([os.path.join(BIN, "pathwayd"), flag], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(p.returncode, 0, (flag, p.stderr))
            self.assertIn("pathwayd" if flag == "--version" else "usage: pathwayd", p.stdout)
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

    def test_missing_stale_and_silent_daemon(self):
        d = self.daemon()
        sock = os.path.join(d.dir, "api.sock")
        self.ok(d, "ping")
        # A stopped process holds its socket but answers nothing: pathwayctl says so
        # within a second (the handshake), exit 4, whatever its own timeout.
        d.proc.send_signal(signal.SIGSTOP)
        try:
            r = self.ctl(d, "ping")
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn("the daemon at ipc://%s is silent: it took the connection but did "
                          "not answer within 1000 ms" % sock, r.stderr)
            self.assertIn("(configuration: %s)" % d.conf, r.stderr)
            r = self.ctl(d, "-t", "30000", "list")
            self.assertEqual(r.returncode, 4, r.stderr)
        finally:
            d.proc.send_signal(signal.SIGCONT)
        self.ok(d, "ping")
        # Killed, it leaves its socket file behind: nothing listens there, exit 3.
        d.kill()
        self.assertTrue(os.path.exists(sock))
        r = self.ctl(d, "ping")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no daemon at ipc://%s: nothing listens there" % sock, r.stderr)
        os.unlink(sock)
        r = self.ctl(d, "ping")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no daemon at ipc://%s: the socket does not exist" % sock, r.stderr)
        d.start()

    def test_default_configuration(self):
        d = self.daemon()
        # From a checkout's top, conf/pathway.conf is the configuration.
        os.makedirs(os.path.join(d.dir, "top", "conf"))
        shutil.copy(d.conf, os.path.join(d.dir, "top", "conf", "pathway.conf"))
        r = subprocess.run([CTL, "ping"], capture_output=True, text=True, timeout=60,
                           cwd=os.path.join(d.dir, "top"),
                           env={k: v for k, v in os.environ.items()
                                if not k.startswith("PATHWAY_")})
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.ok(None, "--help")
        self.assertIn("configuration without -c or PATHWAY_CONF, the first that exists:", out)
        self.assertRegex(out, r"(?m)^  conf/pathway.conf\n(  /.*\n)?  /.*/pathway/pathway.conf$")

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
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-amara")
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
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head-oak")
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
        # test configuration's DIR/backup), made if missing.
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
