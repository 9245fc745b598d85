#!/usr/bin/python3
"""A whole 2026-27 year of each shipped programme on the manual clock.

Each test runs one programme's cohort from the opening of applications to
graduation and the first alumni anniversary with a handful of candidates
(diligent ones, a slow headteacher, a rater who never answers, a candidate
who withdraws, one absent from a session, one deferred). The clock is moved
with clock.set to every moment at which something is expected (and a minute
before it, when nothing may happen yet). At every step the test asserts
exactly which notification jobs appeared (recipient, template) and which
events (type, application), created at that very moment, and nothing else.

Expected times come from the configuration: the cohort files are read for
sessions, absolute deadlines, deadline_time and the sending window; the
offsets of the programme's reminders and escalations are quoted from the
programme files next to each expectation, with the UTC instant spelled out
(Europe/London: BST until 25 Oct 2026, GMT until 28 Mar 2027, BST after).
"""
import datetime as dt
import os
import re
import unittest
from collections import Counter
from zoneinfo import ZoneInfo

from test_timers import BIN, SRC, Daemon  # noqa: F401  (BIN: the harness's binary dir)
from answers import ANSWERS

UTC = dt.timezone.utc
LONDON = ZoneInfo("Europe/London")

# Templates of timer-driven notices: none may go out outside the sending window
# (no shipped reminder or escalation is urgent).
WINDOWED = {"stage-reminder", "signoff-reminder", "rater-reminder", "responses-missing",
            "internship-confirm-chase", "stage-overdue", "signoff-overdue", "session-reminder",
            "alumni-update"}


def parse(iso):
    return dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def fmt(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(date, hhmm):
    """A Europe/London wall-clock time as a UTC ISO string."""
    d = dt.datetime.strptime(date + " " + hhmm, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)
    return fmt(d)


def hm(s):
    h, m = s.split(":")
    return int(h) * 60 + int(m)


class Cohort:
    """What the test needs of a cohort file, read from the file itself."""

    def __init__(self, name):
        with open(os.path.join(SRC, "conf/cohorts", name + ".conf")) as f:
            text = re.sub(r"#[^\n]*", "", f.read())
        self.id = re.search(r'\bid\s*=\s*"([^"]+)"', text).group(1)
        self.programme = re.search(r'programme\s*=\s*"([^"]+)"', text).group(1)
        m = re.search(r'deadline_time\s*=\s*"([^"]+)"', text)
        self.deadline_time = m.group(1) if m else "17:00"
        self.deadlines = {}
        m = re.search(r"deadlines\s*=\s*\{([^}]*)\}", text)
        if m:
            self.deadlines = dict(re.findall(r'(\w+)\s*=\s*"([^"]+)"', m.group(1)))
        m = re.search(r"window\s*=\s*\{([^}]*)\}", text)
        self.window = None
        if m:
            w = dict(re.findall(r'(\w+)\s*=\s*"([^"]+)"', m.group(1)))
            assert w["days"] == "mon-fri", w
            self.window = (hm(w["from"]), hm(w["to"]))
        self.sessions = {}
        for body in re.findall(r"\{\s*(id\s*=[^}]*)\}", text):
            s = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', body))
            if "date" in s:
                self.sessions[s["id"]] = s

    def deadline(self, stage):
        """An absolute stage deadline: its date at deadline_time, local."""
        return local(self.deadlines[stage], self.deadline_time)

    def start(self, session):
        s = self.sessions[session]
        return local(s["date"], s["start"])

    def windowed(self, iso):
        """The first moment at or after iso inside the sending window (mon-fri from-to)."""
        if self.window is None:
            return iso
        t = parse(iso)
        for _ in range(8):
            loc = t.astimezone(LONDON)
            mins = loc.hour * 60 + loc.minute
            if loc.weekday() < 5 and self.window[0] <= mins < self.window[1]:
                return fmt(t)
            if loc.weekday() < 5 and mins < self.window[0]:
                return local(loc.date().isoformat(), "%02d:%02d" % divmod(self.window[0], 60))
            t = parse(local((loc.date() + dt.timedelta(days=1)).isoformat(), "00:00"))
        raise AssertionError("no window")

    def nudge(self, deadline_iso, days, at="09:00"):
        """A reminder/escalation: `days` from the deadline's local date, at `at` local,
        moved into the sending window."""
        day = parse(deadline_iso).astimezone(LONDON).date() + dt.timedelta(days=days)
        return self.windowed(local(day.isoformat(), at))

    def in_window(self, iso):
        return self.windowed(iso) == iso


def session_reminder_offset(programme):
    """sessions.reminder of a programme file: (days, at), or None."""
    with open(os.path.join(SRC, "conf/programmes", programme + ".conf")) as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    m = re.search(r'reminder\s*=\s*\{\s*days\s*=\s*(-?\d+);\s*at\s*=\s*"([^"]+)"', text)
    return (int(m.group(1)), m.group(2)) if m else None


ALL_COHORTS = ["ntp-2026-27", "ntp-2027-28", "kent-2026-27", "lle-2026-27"]


def ekey(e):
    """An event as the test compares it: (type, application) and what tells it apart."""
    t = e["type"]
    if t.startswith("cohort."):
        return (t, "%s/%s" % (e["cohort"], e["data"]["session"]))
    if t.startswith("opportunity."):
        return (t, e["data"]["opportunity"])
    if t in ("application.reminded", "application.escalated"):
        return (t, e.get("app"), e["data"]["index"])
    if t.startswith("coach."):
        return (t, "%s/%s" % (e["data"]["coach"], e["data"]["session"]))
    return (t, e.get("app"))


class Year:
    """A daemon on the manual clock and the book of what is expected when."""

    def __init__(self, tc, start):
        self.tc = tc
        self.d = Daemon(start, curve=getattr(tc, "curve", False))
        tc.addCleanup(self.d.stop)
        self.now = start
        self.head = 0
        self.last_job = None
        self.due = {}      # UTC ISO -> ([(person, template)], [event key])
        self.sent = []     # every job seen: (created, person, template, app)
        self.cohorts = {c: Cohort(c) for c in ALL_COHORTS}
        self.session_due = {}
        # Every session reminder of every loaded cohort still ahead fires (event
        # cohort.session_reminder) even when nobody in the cohort holds a place.
        for c in self.cohorts.values():
            off = session_reminder_offset(c.programme)
            if off is None:
                continue  # the programme sends no session reminders: nothing is armed
            for sid in c.sessions:
                at = c.nudge(c.start(sid), off[0], off[1])
                if at > start:
                    self.session_due[(c.id, sid)] = at
                    self.expect(at, events=[("cohort.session_reminder", "%s/%s" % (c.id, sid))])

    # --- the record -----------------------------------------------------------------
    def fetch(self):
        jobs, evs = [], []
        while True:
            args = {"limit": 1000}
            if self.last_job:
                args["after"] = self.last_job
            page = self.d.ok("outbox.list", args)["jobs"]
            if not page:
                break
            jobs += page
            self.last_job = page[-1]["id"]
        while True:
            page = self.d.ok("events.since", {"after": self.head, "limit": 1000})["events"]
            if not page:
                break
            evs += page
            self.head = page[-1]["seq"]
        for j in jobs:
            self.sent.append((j["created"], j["to"]["person"], j["template"], j.get("cohort")))
        return jobs, evs

    def check(self, jobs, events, what, ordered=False, at=None):
        got_jobs, got_evs = self.fetch()
        at = at or self.now
        where = "%s at %s" % (what, self.now)
        self.tc.assertEqual(sorted((j["to"]["person"], j["template"]) for j in got_jobs),
                            sorted(jobs), "jobs: " + where)
        keys = [ekey(e) for e in got_evs]
        if ordered:
            self.tc.assertEqual(keys, list(events), "events in due order: " + where)
        else:
            self.tc.assertEqual(Counter(keys), Counter(events), "events: " + where)
        for j in got_jobs:
            self.tc.assertEqual(j["created"], at, "job created: %s %s" % (where, j))
            self.tc.assertEqual(j["state"], "pending")
        for e in got_evs:
            self.tc.assertEqual(e["at"], at, "event time: %s %s" % (where, e))
        return got_jobs, got_evs

    def sync(self):
        """Take what is there as the baseline (setup: people and schools)."""
        self.fetch()
        self.sent = []

    # --- expectations ---------------------------------------------------------------
    def expect(self, at, jobs=(), events=()):
        self.tc.assertGreater(at, self.now, "an expectation must lie ahead")
        e = self.due.setdefault(at, ([], []))
        e[0].extend(jobs)
        e[1].extend(events)

    def session(self, cohort, sid, people):
        """The reminder of session sid reaches these people (once each)."""
        self.expect(self.session_due[(cohort, sid)],
                    jobs=[(p, "session-reminder") for p in people])
        return self.session_due[(cohort, sid)]

    def stale_session(self, cohort, sid):
        """The reminder of session sid falls due while the daemon is down and the session
        is over when it comes back: it must not be sent ("Tomorrow: ..." after the fact)."""
        at = self.session_due.pop((cohort, sid))
        jobs, events = self.due[at]
        events.remove(("cohort.session_reminder", "%s/%s" % (cohort, sid)))
        if not jobs and not events:
            del self.due[at]

    # --- moving -----------------------------------------------------------------------
    def set_clock(self, at):
        self.tc.assertEqual(self.d.ok("clock.set", {"now": at})["now"], at)
        self.now = at

    def until(self, at):
        """Move to `at` through every moment at which something is expected: a minute
        before it nothing, at it exactly what is expected."""
        self.tc.assertGreaterEqual(at, self.now)
        for t in sorted(k for k in self.due if k <= at):
            jobs, events = self.due.pop(t)
            pre = fmt(parse(t) - dt.timedelta(minutes=1))
            if pre > self.now:
                self.set_clock(pre)
                self.check([], [], "a minute before %s" % t)
            self.set_clock(t)
            self.check(jobs, events, "due")
        if at > self.now:
            self.set_clock(at)
            self.check([], [], "nothing due")

    def jump(self, at, jobs, events):
        """One clock.set over several due moments (after a restart): every expectation
        on the way falls due at `at`, its events in due order."""
        due = sorted(k for k in self.due if k <= at)
        want_jobs, want_events = list(jobs), list(events)
        for t in due:
            j, e = self.due.pop(t)
            want_jobs += j
            want_events += e
        self.set_clock(at)
        return self.check(want_jobs, want_events, "after the jump", ordered=True)

    def act(self, cmd, args, actor="p-la", jobs=(), events=()):
        data = self.d.ok(cmd, args, actor)
        self.check(jobs, events, "%s %s by %s" % (cmd, args, actor))
        return data

    def create(self, cohort, candidate, actor, route="interest"):
        args = {"cohort": cohort, "candidate": candidate, "route": route}
        if cohort.startswith("kent-"):  # Kent's applications are on a track
            args["track"] = "senior"
        a = self.d.ok("application.create", args, actor)["application"]
        # A nominated candidate hears who nominated them and what comes next.
        self.check([(candidate, "nominated")] if route == "nomination" else [],
                   [("application.created", a["id"])], "application.create")
        return a["id"]

    def refused(self, cmd, args, actor, code):
        r = self.d.call(cmd, args, actor)
        self.tc.assertFalse(r["ok"], "%s %s by %s" % (cmd, args, actor))
        self.tc.assertEqual(r["error"]["code"], code)
        self.check([], [("audit.refused", args.get("app"))] if code == "forbidden" else [],
                   "refused " + cmd)

    def app(self, app):
        return self.d.ok("application.get", {"app": app})["application"]

    def restart(self):
        """SIGKILL and start again on the same store: the clock resumes where it was."""
        self.d.kill()
        self.d.start()
        self.tc.assertEqual(self.d.ok("system.ping")["now"], self.now)

    def finish(self):
        """No expectation left behind; nothing outside the window; nothing twice."""
        self.tc.assertEqual(self.due, {}, "expected but never reached")
        for created, person, tmpl, cohort in self.sent:
            if tmpl in WINDOWED:
                self.tc.assertTrue(self.cohorts[cohort].in_window(created),
                                   "%s to %s at %s: outside the sending window" %
                                   (tmpl, person, created))


def people(y, schools, persons):
    for sid, name, phase, lss in schools:
        y.d.ok("school.create", {"id": sid, "name": name, "phase": phase, "lss": lss})
    for pid, name, roles, school, facts in persons:
        args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        if facts:
            args["facts"] = facts
        y.d.ok("person.create", args)


NTP_SCHOOLS = [("s-oak", "Oakfield Primary", "primary", False),
               ("s-ash", "Ashwood Primary", "primary", False),
               ("s-birch", "Birchfield Junior", "primary", False),
               ("s-cedar", "Cedar Special School", "special", False),
               ("s-elm", "Elm Tree Primary", "primary", True),       # a Lead Succession School
               ("s-hill", "Hill High", "secondary", False)]
HEADS = {"s-oak": "h-oak", "s-ash": "h-ash", "s-birch": "h-birch", "s-cedar": "h-cedar",
         "s-elm": "h-elm", "s-hill": "h-hill"}


class NorfolkTalentPoolYear(unittest.TestCase):
    """norfolk-talent-pool, cohort ntp-2026-27: September 2026 to the first alumni
    anniversary in July 2028.

    Amara (diligent), Ben (his headteacher is slow: reminded every 4 days, escalated),
    Chloe (late expression of interest, late 360, absent at TP3, host slow to confirm her
    internship), Dan (withdraws in February), Esther (deferred to 2027-28), Finn (misses
    the closing date). One of Amara's nine raters never responds.
    """

    def test_year(self):
        y = Year(self, "2026-09-01T07:00:00Z")  # Tue 1 Sep 2026, 08:00 BST
        ntp = y.cohorts["ntp-2026-27"]
        cands = {"A": ("c-amara", "Amara Okafor", "s-oak"), "B": ("c-ben", "Ben Hughes", "s-ash"),
                 "C": ("c-chloe", "Chloe Patel", "s-birch"), "D": ("c-dan", "Dan Reeve", "s-oak"),
                 "E": ("c-esther", "Esther Mwangi", "s-cedar"),
                 "F": ("c-finn", "Finn Doyle", "s-birch")}
        raters = {"A": ["r-a%d" % i for i in range(1, 9)] + ["r-never"],
                  "B": ["r-b%d" % i for i in range(1, 9)], "C": ["r-c%d" % i for i in range(1, 9)],
                  "D": ["r-d%d" % i for i in range(1, 9)]}
        persons = [("p-la", "Helen Marsh", ["la_adviser"], None, None),
                   ("p-coach", "Ruth Barker", ["coach"], None, None),
                   ("p-host", "Grace Lin", ["host"], "s-elm", None)]
        persons += [(h, "Head of " + s, ["headteacher"], s, None) for s, h in HEADS.items()]
        persons += [(pid, name, ["candidate"], school, None) for pid, name, school in cands.values()]
        persons += [(r, "Colleague " + r, ["rater"], None, None)
                    for rs in raters.values() for r in rs]
        people(y, NTP_SCHOOLS, persons)
        y.sync()
        cand = {k: v[0] for k, v in cands.items()}
        head = {k: HEADS[v[2]] for k, v in cands.items()}
        app = {}

        # ---- September: expressions of interest, nominations, headteachers' sign-off ----
        y.until("2026-09-01T08:00:00Z")
        for k in "ACF":
            app[k] = y.create(ntp.id, cand[k], cand[k])
        y.act("application.submit", {"app": app["A"], "doc": "self_evaluation",
                                     "fields": ANSWERS["self_evaluation"]}, cand["A"],
              jobs=[(head["A"], "signoff-needed")],
              events=[("application.submitted", app["A"]), ("application.stage_changed", app["A"])])
        # interest: reminder days=-7 before deadlines.interest (Fri 25 Sep 2026, 17:00 BST =
        # 16:00Z): Fri 18 Sep 09:00 BST = 08:00Z, to whoever has not submitted by then.
        interest = ntp.deadline("interest")
        self.assertEqual(interest, "2026-09-25T16:00:00Z")
        self.assertEqual(ntp.nudge(interest, -7), "2026-09-18T08:00:00Z")
        y.expect(ntp.nudge(interest, -7),
                 jobs=[(cand["C"], "stage-reminder"), (cand["F"], "stage-reminder")],
                 events=[("application.reminded", app["C"], 0),
                         ("application.reminded", app["F"], 0)])
        # Finn never submits: overdue at the closing date (no escalation is configured).
        y.expect(interest, events=[("application.overdue", app["F"])])

        y.until("2026-09-02T08:00:00Z")
        for k in "DE":
            app[k] = y.create(ntp.id, cand[k], cand[k])
            y.act("application.submit", {"app": app[k], "doc": "self_evaluation",
                                         "fields": ANSWERS["self_evaluation"]}, cand[k],
                  jobs=[(head[k], "signoff-needed")],
                  events=[("application.submitted", app[k]),
                          ("application.stage_changed", app[k])])
        y.until("2026-09-02T09:00:00Z")
        for k in "ADE":  # diligent headteachers sign off at once: no reminder ever
            self.signoff(y, app[k], head[k])

        # Ben is nominated by his headteacher, who is then slow to sign off.
        y.until("2026-09-07T08:00:00Z")  # Mon 7 Sep, 09:00 BST
        app["B"] = y.create(ntp.id, cand["B"], head["B"], "nomination")
        y.act("application.submit", {"app": app["B"], "doc": "self_evaluation",
                                     "fields": ANSWERS["self_evaluation"]}, cand["B"],
              jobs=[(head["B"], "signoff-needed")],
              events=[("application.submitted", app["B"]), ("application.stage_changed", app["B"])])
        # signoff: deadline days=14 after entering (Mon 21 Sep, 17:00 BST = 16:00Z); every=4
        # days at 09:00 local: Fri 11 Sep, Tue 15 Sep, Sat 19 Sep -> the window opens Mon 21
        # Sep 07:30 BST (06:30Z), Wed 23 Sep; escalation days=1: Tue 22 Sep 09:00 BST.
        for t in ("2026-09-11T08:00:00Z", "2026-09-15T08:00:00Z", "2026-09-21T06:30:00Z",
                  "2026-09-23T08:00:00Z"):
            y.expect(t, jobs=[(head["B"], "signoff-reminder")],
                     events=[("application.reminded", app["B"], 0)])
        y.expect("2026-09-21T16:00:00Z", events=[("application.overdue", app["B"])])
        y.expect("2026-09-22T08:00:00Z", jobs=[("p-la", "signoff-overdue")],
                 events=[("application.escalated", app["B"], 0)])

        # Chloe submits after the reminder, before the closing date; her head signs next day.
        y.until("2026-09-21T09:00:00Z")
        y.act("application.submit", {"app": app["C"], "doc": "self_evaluation",
                                     "fields": ANSWERS["self_evaluation"]}, cand["C"],
              jobs=[(head["C"], "signoff-needed")],
              events=[("application.submitted", app["C"]), ("application.stage_changed", app["C"])])
        y.until("2026-09-22T09:00:00Z")
        self.signoff(y, app["C"], head["C"])
        y.until("2026-09-24T10:00:00Z")
        self.assertEqual(self.overdue(y, app["B"]), "2026-09-21T16:00:00Z")
        self.signoff(y, app["B"], head["B"])
        self.assertNotIn("overdue", y.app(app["B"]))  # and no reminder on Mon 28 Sep

        y.until("2026-09-28T09:00:00Z")
        y.act("application.withdraw", {"app": app["F"], "reason": "missed the closing date"},
              jobs=[(cand["F"], "withdrawn"), (head["F"], "withdrawn"), ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["F"])])

        # ---- Selection, coaches, the 360 --------------------------------------------------
        y.until("2026-09-29T09:00:00Z")
        for k in "ABCDE":
            y.act("application.assign_coach", {"app": app[k], "coach": "p-coach"},
                  jobs=[("p-coach", "coach-assigned"), (cand[k], "coach-assigned")],
                  events=[("application.coach_assigned", app[k])])
            y.act("application.decide", {"app": app[k], "outcome": "accept"},
                  jobs=[(cand[k], "decision-accepted"), (head[k], "decision-accepted"),
                        (cand[k], "session-calendar")],
                  events=[("application.decided", app[k]), ("application.stage_changed", app[k])])
        cal = [j for j in y.d.ok("outbox.list", {"limit": 1000})["jobs"]
               if j["template"] == "session-calendar"]
        self.assertEqual({tuple(j["attachments"]) for j in cal}, {("ntp-2026-27.ics",)})

        # Esther goes on maternity leave: deferred to 2027-28, to be selected again there.
        y.until("2026-10-01T09:00:00Z")
        y.act("application.defer", {"app": app["E"], "cohort": "ntp-2027-28"},
              jobs=[(cand["E"], "deferred"), (head["E"], "deferred")],
              events=[("application.stage_changed", app["E"]), ("application.deferred", app["E"])])
        a = y.app(app["E"])
        self.assertEqual((a["cohort"], a["stage"], a["status"], a.get("place")),
                         ("ntp-2027-28", "selection", "active", False))
        self.assertEqual(y.d.ok("cohort.report", {"cohort": ntp.id})["taken"], 4)

        y.until("2026-10-01T10:00:00Z")
        for k in "ABCD":
            for r in raters[k]:
                y.act("application.invite_rater", {"app": app[k], "rater": r}, cand[k],
                      jobs=[(r, "rater-invitation")],
                      events=[("application.rater_invited", app[k])])
        # feedback_360: deadline = TP2 (Thu 5 Nov 2026 16:00 GMT). Reminders days=-14 (Thu
        # 22 Oct, 09:00 BST = 08:00Z) and -7 (Thu 29 Oct, after the clocks go back on 25
        # Oct: 09:00 GMT = 09:00Z) to the raters still to respond, -7 to the candidate
        # (responses missing); escalation days=0 at 18:00 (18:00Z).
        tp2 = ntp.start("TP2")
        self.assertEqual(tp2, "2026-11-05T16:00:00Z")
        r14, r7 = ntp.nudge(tp2, -14), ntp.nudge(tp2, -7)
        self.assertEqual((r14, r7), ("2026-10-22T08:00:00Z", "2026-10-29T09:00:00Z"))
        esc360 = ntp.nudge(tp2, 0, "18:00")
        self.assertEqual(esc360, "2026-11-05T18:00:00Z")
        # Ben's raters all respond by Tue 6 Oct: into foundation, nothing more for him.
        y.until("2026-10-06T10:00:00Z")
        self.responses(y, app["B"], raters["B"], last_moves=True)
        # The day before TP1 (Thu 8 Oct 09:00 BST): Wed 7 Oct 09:00 BST = 08:00Z, to every
        # candidate holding a place and the coach once; not Esther (deferred), not Finn.
        at = y.session(ntp.id, "TP1", [cand[k] for k in "ABCD"] + ["p-coach"])
        self.assertEqual(at, "2026-10-07T08:00:00Z")
        y.until("2026-10-08T11:30:00Z")
        self.attendance(y, ntp.id, "TP1", [app[k] for k in "ABCD"], [])
        y.until("2026-10-14T10:00:00Z")
        self.responses(y, app["D"], raters["D"], last_moves=True)
        self.responses(y, app["A"], raters["A"][:5])
        self.responses(y, app["C"], raters["C"][:6])
        y.expect(r14, jobs=[(r, "rater-reminder") for r in raters["A"][5:]] +
                 [(r, "rater-reminder") for r in raters["C"][6:]],
                 events=[("application.reminded", app["A"], 0),
                         ("application.reminded", app["C"], 0)])
        y.until("2026-10-27T10:00:00Z")
        self.responses(y, app["A"], raters["A"][5:7])
        self.responses(y, app["C"], raters["C"][6:7])
        # Only the raters who have not responded; the candidate hears how many are missing.
        y.expect(r7, jobs=[("r-a8", "rater-reminder"), ("r-never", "rater-reminder"),
                           ("r-c8", "rater-reminder"),
                           (cand["A"], "responses-missing"), (cand["C"], "responses-missing")],
                 events=[("application.reminded", app["A"], 1),
                         ("application.reminded", app["A"], 2),
                         ("application.reminded", app["C"], 1),
                         ("application.reminded", app["C"], 2)])
        y.until("2026-11-02T10:00:00Z")
        # Amara's eighth response: the 360 is complete, r-never is asked no more.
        self.responses(y, app["A"], ["r-a8"], last_moves=True)
        # Her report: eight colleagues (all invited without a category: "others"), each
        # question's average, the comments without names in the order of their text.
        report = y.d.ok("feedback.report", {"app": app["A"]}, cand["A"])["report"]
        self.assertEqual(report["responses"], 8)
        q = report["questions"][0]
        self.assertEqual([(g["category"], g["n"]) for g in q["groups"]], [("others", 8)])
        self.assertEqual(q["groups"][0]["average"],
                         round(sum(1 + n % 5 for n in range(1, 9)) / 8, 2))
        self.assertEqual(q["comments"], sorted("Comment %d from %s's colleague." % (n, app["A"])
                                               for n in range(1, 9)))
        self.assertNotIn("r-a", str(report))
        y.session(ntp.id, "TP2", [cand[k] for k in "ABCD"] + ["p-coach"])
        self.assertEqual(y.session_due[(ntp.id, "TP2")], "2026-11-04T09:00:00Z")  # GMT now
        # Chloe's 360 is still one short at TP2: overdue, the LA is alerted at 18:00.
        y.expect(tp2, events=[("application.overdue", app["C"])])
        y.expect(esc360, jobs=[("p-la", "stage-overdue")],
                 events=[("application.escalated", app["C"], 0)])
        y.until("2026-11-05T19:00:00Z")
        self.attendance(y, ntp.id, "TP2", [app[k] for k in "ABCD"], [])
        over = [e for e in y.d.ok("application.history", {"app": app["C"]})["events"]
                if e["type"] == "application.overdue"]
        self.assertEqual([(e["data"]["deadline"], e["data"]["deadline_local"]) for e in over],
                         [("2026-11-05T16:00:00Z", "Thu 05 Nov 2026, 16:00")])
        y.until("2026-11-09T10:00:00Z")
        self.responses(y, app["C"], ["r-c8"], last_moves=True)
        self.assertNotIn("overdue", y.app(app["C"]))

        # ---- Foundation: TP3-TP5, leadership plans ---------------------------------------
        y.session(ntp.id, "TP3", [cand[k] for k in "ABCD"] + ["p-coach"])
        y.until("2026-12-03T19:00:00Z")
        # Chloe is absent: a follow-up to her and her coach.
        self.attendance(y, ntp.id, "TP3", [app[k] for k in "ABD"], [app["C"]],
                        jobs=[(cand["C"], "session-absent"), ("p-coach", "session-absent")])
        y.until("2026-12-07T10:00:00Z")
        y.act("application.submit", {"app": app["A"], "doc": "leadership_plan",
                                     "fields": ANSWERS["leadership_plan"]}, cand["A"],
              events=[("application.submitted", app["A"])])  # 3 sessions of 4: not yet
        y.session(ntp.id, "TP4", [cand[k] for k in "ABCD"] + ["p-coach"])
        y.until("2027-01-14T19:00:00Z")
        self.attendance(y, ntp.id, "TP4", [app[k] for k in "ABCD"], [], moves=[app["A"]])
        y.until("2027-01-15T10:00:00Z")
        for k in "BD":
            y.act("application.submit", {"app": app[k], "doc": "leadership_plan",
                                         "fields": ANSWERS["leadership_plan"]}, cand[k],
                  events=[("application.submitted", app[k]), ("application.stage_changed", app[k])])
        y.act("application.submit", {"app": app["C"], "doc": "leadership_plan",
                                     "fields": ANSWERS["leadership_plan"]}, cand["C"],
              events=[("application.submitted", app["C"])])  # TP3 missed: TP5 still needed
        y.until("2027-01-20T10:00:00Z")
        for k, start, end in (("A", "2027-03-01", "2027-03-03"), ("B", "2027-03-08", "2027-03-10")):
            self.place(y, app[k], cand[k], start, end)
        y.session(ntp.id, "TP5", [cand[k] for k in "ABCD"] + ["p-coach"])
        self.assertEqual(y.session_due[(ntp.id, "TP5")], "2027-02-03T09:00:00Z")
        y.until("2027-02-04T19:00:00Z")
        self.attendance(y, ntp.id, "TP5", [app[k] for k in "ABCD"], [], moves=[app["C"]])
        y.until("2027-02-05T10:00:00Z")
        self.place(y, app["C"], cand["C"], "2027-03-22", "2027-03-24")

        # Dan moves out of the county: withdrawn, nothing more reaches him.
        y.until("2027-02-15T10:00:00Z")
        y.act("application.withdraw", {"app": app["D"], "reason": "moving out of the county"},
              cand["D"], jobs=[(cand["D"], "withdrawn"), (head["D"], "withdrawn"),
                               ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["D"])])
        y.refused("application.submit", {"app": app["D"], "doc": "leadership_plan",
                                         "fields": ANSWERS["leadership_plan"]}, cand["D"],
                  "invalid_transition")

        # ---- An opportunity for the pool first ------------------------------------------
        y.until("2027-03-01T09:00:00Z")
        got = y.act("opportunity.publish", {
            "id": "acting-dh-2027", "title": "Acting deputy headteacher, summer term",
            "description": "A one-term secondment at Elm Tree Primary.",
            "audience": {"programme": "norfolk-talent-pool", "phase": "primary"},
            "early_days": 14},
            jobs=[(cand[k], "opportunity-early") for k in "ABC"],
            events=[("opportunity.published", "acting-dh-2027")])
        # Esther (special school), Dan and Finn (withdrawn) are not in the pool.
        self.assertEqual(got["told"], 3)
        self.assertEqual(got["opportunity"]["closes"], "2027-03-15T09:00:00Z")
        # When the window ends, every headteacher hears of it (opportunities.release_to).
        y.expect("2027-03-15T09:00:00Z", jobs=[(h, "opportunity-released") for h in HEADS.values()],
                 events=[("opportunity.released", "acting-dh-2027")])

        # ---- Internships ------------------------------------------------------------------
        # internship: deadline deadlines.internship (Fri 26 Mar 2027, 17:00 GMT = 17:00Z);
        # reminder days=-21 (Fri 5 Mar 09:00 GMT) to candidate and coach; days=2 (Sun 28 Mar,
        # the clocks go forward: 09:00 BST, a Sunday -> Mon 29 Mar 07:30 BST = 06:30Z) to the
        # host; escalation days=7 (Fri 2 Apr 09:00 BST = 08:00Z).
        idl = ntp.deadline("internship")
        self.assertEqual(idl, "2027-03-26T17:00:00Z")
        self.assertEqual((ntp.nudge(idl, -21), ntp.nudge(idl, 2), ntp.nudge(idl, 7)),
                         ("2027-03-05T09:00:00Z", "2027-03-29T06:30:00Z", "2027-04-02T08:00:00Z"))
        y.until("2027-03-03T16:00:00Z")
        self.confirm(y, app["A"])  # before the reminder: Amara is not reminded
        y.expect(ntp.nudge(idl, -21),
                 jobs=[(cand["B"], "stage-reminder"), ("p-coach", "stage-reminder"),
                       (cand["C"], "stage-reminder"), ("p-coach", "stage-reminder")],
                 events=[("application.reminded", app["B"], 0),
                         ("application.reminded", app["C"], 0)])
        y.until("2027-03-10T16:00:00Z")
        self.confirm(y, app["B"])
        # Chloe's host does not confirm in time. The daemon is killed on Thu 25 Mar and comes
        # back on Fri 2 Apr, after the deadline, the host's chase and the escalation fell due.
        y.until("2027-03-25T12:00:00Z")
        y.restart()
        y.jump("2027-04-02T12:00:00Z", [("p-host", "internship-confirm-chase"),
                                        ("p-la", "stage-overdue")],
               [("application.overdue", app["C"]), ("application.reminded", app["C"], 1),
                ("application.escalated", app["C"], 0)])
        self.assertEqual(self.overdue(y, app["C"]), idl)
        # Each fired once: another crash and restart fires nothing again.
        y.restart()
        y.until("2027-04-02T12:01:00Z")
        y.until("2027-04-06T10:00:00Z")
        self.confirm(y, app["C"])
        self.assertNotIn("overdue", y.app(app["C"]))

        # ---- Summer term: TP6-TP12, graduation --------------------------------------------
        at = y.session(ntp.id, "TP6", [cand[k] for k in "ABC"] + ["p-coach"])
        self.assertEqual(at, "2027-04-20T08:00:00Z")  # 09:00 BST again
        y.until("2027-04-21T12:00:00Z")
        self.attendance(y, ntp.id, "TP6", [app[k] for k in "ABC"], [], moves=[app[k] for k in "ABC"])
        for sid, when, present, absent, moves in (
                ("TP7", "2027-05-05T18:00:00Z", "ABC", "", ""),
                ("TP8", "2027-05-19T12:00:00Z", "ABC", "", ""),
                ("TP9", "2027-06-09T18:00:00Z", "AC", "B", ""),
                ("TP10", "2027-06-23T18:00:00Z", "ABC", "", "AC"),
                ("TP11", "2027-07-07T12:00:00Z", "ABC", "", "B")):
            y.session(ntp.id, sid, [cand[k] for k in "ABC"] + ["p-coach"])
            y.until(when)
            jobs = [x for k in absent for x in ((cand[k], "session-absent"),
                                                ("p-coach", "session-absent"))]
            self.attendance(y, ntp.id, sid, [app[k] for k in present], [app[k] for k in absent],
                            jobs=jobs, moves=[app[k] for k in moves])
        y.session(ntp.id, "TP12", [cand[k] for k in "ABC"] + ["p-coach"])
        y.until("2027-07-14T12:00:00Z")
        ev = []
        for k in "ABC":
            ev += [("application.attendance_recorded", app[k]), ("application.stage_changed", app[k]),
                   ("application.graduated", app[k])]
        y.act("attendance.record", {"cohort": ntp.id, "session": "TP12",
                                    "present": [app[k] for k in "ABC"], "absent": []},
              jobs=[x for k in "ABC" for x in ((cand[k], "graduated"), (head[k], "graduated"))],
              events=ev)
        for k in "ABC":
            a = y.app(app[k])
            self.assertEqual((a["status"], a["graduated"]), ("graduated", "2027-07-14"))
        y.until("2027-07-19T10:00:00Z")
        y.act("application.record_progression",
              {"app": app["A"], "role": "deputy headteacher", "date": "2027-09-01",
               "school": "Ashgrove Junior School"}, cand["A"],
              events=[("application.progression_recorded", app["A"])])
        # A headship advertised to this year's graduates a week before everyone else.
        got = y.act("opportunity.publish", {
            "id": "headship-2027", "title": "Headteacher, Wensum Primary",
            "description": "A headship from January 2028.", "link": "https://example.org/h",
            "audience": {"cohort": ntp.id, "status": "graduated"}, "early_days": 7},
            jobs=[(cand[k], "opportunity-early") for k in "ABC"],
            events=[("opportunity.published", "headship-2027")])
        self.assertEqual((got["told"], got["opportunity"]["published"],
                          got["opportunity"]["closes"]),
                         (3, "2027-07-19T10:00:00Z", "2027-07-26T10:00:00Z"))
        y.expect("2027-07-26T10:00:00Z",
                 jobs=[(h, "opportunity-released") for h in HEADS.values()],
                 events=[("opportunity.released", "headship-2027")])

        # ---- A year on: the alumni ask for a career update -------------------------------
        # The anniversary of 14 Jul 2027 is Fri 14 Jul 2028, 09:00 BST = 08:00Z. Meanwhile
        # the 2027-28 cohort's sessions come and go; Esther, not yet selected again there,
        # holds no place and hears nothing.
        y.expect("2028-07-14T08:00:00Z", jobs=[(cand[k], "alumni-update") for k in "ABC"],
                 events=[("application.alumni", app[k]) for k in "ABC"])
        y.until("2028-07-20T12:00:00Z")
        alumni = [j for j in y.d.ok("outbox.list", {"limit": 1000})["jobs"]
                  if j["template"] == "alumni-update"]
        self.assertEqual(len(alumni), 3)
        y.finish()
        for created, person, tmpl, _ in y.sent:
            if person == cand["D"]:
                self.assertLessEqual(created, "2027-02-15T10:00:00Z", tmpl)
            if person == cand["F"]:
                self.assertLessEqual(created, "2026-09-28T09:00:00Z", tmpl)
            if person == cand["E"]:  # the last she hears is of her deferral
                self.assertLessEqual(created, "2026-10-01T09:00:00Z", tmpl)
            if person == "r-never":
                self.assertLessEqual(created, "2026-10-29T09:00:00Z", tmpl)
        self.assertEqual(sorted(t for c, p, t, _ in y.sent if p == "r-never"),
                         ["rater-invitation", "rater-reminder", "rater-reminder"])

    # --- steps used above ---------------------------------------------------------------
    def signoff(self, y, app, head):
        y.act("application.submit", {"app": app, "doc": "evidence_form",
                                     "fields": ANSWERS["evidence_form"]}, head,
              events=[("application.submitted", app)])
        y.act("application.signoff", {"app": app}, head,
              events=[("application.signed_off", app), ("application.stage_changed", app)])

    def overdue(self, y, app):
        return y.app(app)["overdue"]["since"]

    QUESTIONS = ["shaping_the_future", "leading_change", "people_skills", "data_analysis",
                 "financial_management", "critical_incidents", "working_with_governors",
                 "growing_leaders", "collaborative_leadership", "through_inspection"]

    def responses(self, y, app, raters, last_moves=False):
        """Each rater answers the 360's questionnaire; the last one may complete the stage,
        when the report is ready and the candidate and coach are told."""
        for i, r in enumerate(raters):
            ev, jobs = [("application.response_recorded", app)], []
            if last_moves and i == len(raters) - 1:
                a = y.app(app)
                ev += [("application.stage_changed", app), ("application.feedback_ready", app)]
                jobs = [(a["candidate"], "feedback-ready"), (a["coach"], "feedback-ready")]
            n = int(r[-1]) if r[-1].isdigit() else 0
            ratings = {q: 1 + (n + k) % 5 for k, q in enumerate(self.QUESTIONS)}
            comments = {"shaping_the_future": "Comment %d from %s's colleague." % (n, app)}
            y.act("feedback.respond", {"app": app, "ratings": ratings, "comments": comments},
                  r, jobs=jobs, events=ev)

    def attendance(self, y, cohort, session, present, absent, jobs=(), moves=()):
        ev = [("application.attendance_recorded", a) for a in present + absent]
        ev += [("application.stage_changed", a) for a in moves]
        y.act("attendance.record", {"cohort": cohort, "session": session, "present": present,
                                    "absent": absent}, jobs=jobs, events=ev)

    def place(self, y, app, cand, start, end):
        y.act("application.place_internship", {"app": app, "host_school": "s-elm",
                                               "start": start, "end": end}, "p-coach",
              jobs=[(cand, "internship-placed"), ("p-host", "internship-placed"),
                    ("p-coach", "internship-placed")],
              events=[("application.internship_placed", app)])

    def confirm(self, y, app):
        y.act("application.confirm_internship", {"app": app, "days": 3}, "p-host",
              events=[("application.internship_confirmed", app),
                      ("application.stage_changed", app)])


KENT_SCHOOLS = [("ks-1", "Aylesford Primary", "primary", False),
                ("ks-2", "Bearsted Primary", "primary", False),
                ("ks-3", "Chatham Grammar", "secondary", False),
                ("ks-4", "Ditton Infants", "primary", False),
                ("ks-malling", "Malling School", "secondary", True)]


class KentPathwaysYear(unittest.TestCase):
    """kent-pathways, cohort kent-2026-27: the summer-term internship pathway, from
    confirmation in April 2027 to the celebration in July and the first anniversary.

    Amy (diligent), Bob (late with his placement choice; his host is slow to confirm),
    Cat (withdraws in May), Dev (absent from the introduction; cannot be deferred: there
    is no later Kent cohort). The daemon is down from 19 May to 1 June: a session reminder
    and a placement reminder that fell due meanwhile are stale and not sent.
    """

    def test_year(self):
        y = Year(self, "2027-04-19T07:00:00Z")  # Mon 19 Apr 2027, 08:00 BST
        kent = y.cohorts["kent-2026-27"]
        cand = {"A": "kc-amy", "B": "kc-bob", "C": "kc-cat", "D": "kc-dev"}
        school = {"A": "ks-1", "B": "ks-2", "C": "ks-3", "D": "ks-4"}
        head = {k: "kh-" + school[k] for k in cand}
        persons = [("p-la", "Sam Okoro", ["la_adviser"], None, None),
                   ("k-coach", "Priya Shah", ["coach"], None, None),
                   ("kh-host", "Tom Reid", ["host"], "ks-malling", None),
                   ("kh-ks-malling", "Head of Malling", ["headteacher"], "ks-malling", None)]
        persons += [(head[k], "Head of " + school[k], ["headteacher"], school[k], None)
                    for k in cand]
        persons += [(cand[k], "Candidate " + k, ["candidate"], school[k], None) for k in cand]
        people(y, KENT_SCHOOLS, persons)
        y.sync()
        app = {}
        y.until("2027-04-19T08:00:00Z")
        for k in "ABCD":  # identified by their teaching school alliance: nominated
            app[k] = y.create(kent.id, cand[k], head[k], "nomination")
        y.until("2027-04-20T09:00:00Z")
        for k in "ABCD":
            y.act("application.assign_coach", {"app": app[k], "coach": "k-coach"},
                  jobs=[("k-coach", "coach-assigned"), (cand[k], "coach-assigned")],
                  events=[("application.coach_assigned", app[k])])
            y.act("application.decide", {"app": app[k], "outcome": "accept"},
                  jobs=[(cand[k], "decision-accepted"), (head[k], "decision-accepted"),
                        (cand[k], "session-calendar")],
                  events=[("application.decided", app[k]), ("application.stage_changed", app[k])])
        # INTRO Thu 13 May 16:00 BST: reminded Wed 12 May 09:00 BST = 08:00Z.
        self.assertEqual(y.session(kent.id, "INTRO", list(cand.values()) + ["k-coach"]),
                         "2027-05-12T08:00:00Z")
        y.until("2027-05-13T17:30:00Z")
        y.act("attendance.record", {"cohort": kent.id, "session": "INTRO",
                                    "present": [app[k] for k in "ABC"], "absent": [app["D"]]},
              jobs=[(cand["D"], "session-absent"), ("k-coach", "session-absent")],
              events=[("application.attendance_recorded", app[k]) for k in "ABCD"] +
              [("application.stage_changed", app[k]) for k in "ABC"])
        # No later cohort of kent-pathways: Dev cannot be deferred.
        y.refused("application.defer", {"app": app["D"], "cohort": "ntp-2027-28"}, "p-la",
                  "invalid_request")
        y.until("2027-05-14T10:00:00Z")
        for k in "AC":
            self.submit(y, app[k], cand[k], "predisposition_audit", moves=True)
        # placement_choice: deadlines.placement_choice Fri 28 May 2027, 17:00 BST = 16:00Z;
        # reminder days=-7 (Fri 21 May 08:00Z); escalation days=1 (Sat 29 May -> the window
        # opens Mon 31 May 07:30 BST = 06:30Z).
        pdl = kent.deadline("placement_choice")
        self.assertEqual((pdl, kent.nudge(pdl, -7), kent.nudge(pdl, 1)),
                         ("2027-05-28T16:00:00Z", "2027-05-21T08:00:00Z", "2027-05-31T06:30:00Z"))
        y.until("2027-05-17T10:00:00Z")
        self.submit(y, app["A"], cand["A"], "placement_choice", moves=True)
        self.submit(y, app["B"], cand["B"], "predisposition_audit", moves=True)
        y.act("application.withdraw", {"app": app["C"], "reason": "family reasons"}, cand["C"],
              jobs=[(cand["C"], "withdrawn"), (head["C"], "withdrawn"), ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["C"])])

        # Down from Wed 19 May to Tue 1 Jun. Meanwhile: the COACH1 reminder (Thu 20 May, for
        # Fri 21 May) and Bob's placement reminder (Fri 21 May, for Fri 28 May) are stale
        # by then and are not sent; his deadline and the escalation fire, once, in order.
        y.until("2027-05-19T12:00:00Z")
        y.restart()
        y.stale_session(kent.id, "COACH1")
        y.expect(pdl, events=[("application.overdue", app["B"])])
        y.expect(kent.nudge(pdl, 1), jobs=[("p-la", "stage-overdue")],
                 events=[("application.escalated", app["B"], 0)])
        y.jump("2027-06-01T12:00:00Z", [], [])
        y.restart()
        y.until("2027-06-01T13:00:00Z")
        self.assertEqual(y.app(app["B"])["overdue"]["since"], pdl)
        self.submit(y, app["B"], cand["B"], "placement_choice", moves=True)
        self.assertNotIn("overdue", y.app(app["B"]))
        # internship: deadline = CELEBRATION (Thu 8 Jul 15:30 BST = 14:30Z); reminder days=-3
        # to the host (Mon 5 Jul 08:00Z); escalation days=0 at 18:00, inside the sending
        # window (which closes at 18:30): Thu 8 Jul 18:00 BST = 17:00Z.
        idl = kent.start("CELEBRATION")
        self.assertEqual((idl, kent.nudge(idl, -3), kent.nudge(idl, 0, "18:00")),
                         ("2027-07-08T14:30:00Z", "2027-07-05T08:00:00Z", "2027-07-08T17:00:00Z"))
        # A trained coach before the internship: two of the three coach training sessions,
        # recorded for the coach; Amy and Bob wait for it, then move on together.
        y.until("2027-06-02T10:00:00Z")
        self.assertEqual([y.app(app[k])["stage"] for k in "AB"], ["coach_trained"] * 2)
        y.act("coach.record_training", {"cohort": kent.id, "session": "COACH1",
                                        "coach": "k-coach", "present": True},
              events=[("coach.training_recorded", "k-coach/COACH1")])
        y.session(kent.id, "COACH2", ["k-coach"])
        y.until("2027-06-04T12:30:00Z")  # Fri 4 Jun, 13:30 BST
        y.act("coach.record_training", {"cohort": kent.id, "session": "COACH2",
                                        "coach": "k-coach", "present": True},
              events=[("coach.training_recorded", "k-coach/COACH2"),
                      ("application.stage_changed", app["A"]),
                      ("application.stage_changed", app["B"])])
        for k, start, end in (("A", "2027-06-14", "2027-06-18"), ("B", "2027-06-21", "2027-06-25")):
            y.act("application.place_internship", {"app": app[k], "host_school": "ks-malling",
                                                   "start": start, "end": end}, "k-coach",
                  jobs=[(cand[k], "internship-placed"), ("kh-host", "internship-placed"),
                        ("k-coach", "internship-placed")],
                  events=[("application.internship_placed", app[k])])
        # Coach-only sessions: the coach alone, once, although three candidates are active.
        y.session(kent.id, "COACH3", ["k-coach"])
        y.until("2027-06-18T15:00:00Z")
        y.act("application.confirm_internship", {"app": app["A"], "days": 5}, "kh-host",
              events=[("application.internship_confirmed", app["A"]),
                      ("application.stage_changed", app["A"])])
        y.expect(kent.nudge(idl, -3), jobs=[("kh-host", "internship-confirm-chase")],
                 events=[("application.reminded", app["B"], 0)])
        y.session(kent.id, "CELEBRATION", [cand[k] for k in "ABD"] + ["k-coach"])
        y.expect(idl, events=[("application.overdue", app["B"])])
        y.expect(kent.nudge(idl, 0, "18:00"), jobs=[("p-la", "stage-overdue")],
                 events=[("application.escalated", app["B"], 0)])
        y.until("2027-07-08T17:30:00Z")
        y.act("attendance.record", {"cohort": kent.id, "session": "CELEBRATION",
                                    "present": [app["A"], app["B"]], "absent": []},
              jobs=[(cand["A"], "graduated"), (head["A"], "graduated")],
              events=[("application.attendance_recorded", app["A"]),
                      ("application.stage_changed", app["A"]), ("application.graduated", app["A"]),
                      ("application.attendance_recorded", app["B"])])
        y.until("2027-07-09T10:00:00Z")
        # Confirmed at last: through the celebration stage (attended) to completed at once.
        y.act("application.confirm_internship", {"app": app["B"], "days": 5}, "kh-host",
              jobs=[(cand["B"], "graduated"), (head["B"], "graduated")],
              events=[("application.internship_confirmed", app["B"]),
                      ("application.stage_changed", app["B"]), ("application.stage_changed", app["B"]),
                      ("application.graduated", app["B"])])
        self.assertEqual([y.app(app[k])["graduated"] for k in "AB"], ["2027-07-08", "2027-07-09"])
        y.until("2027-07-12T10:00:00Z")
        y.act("application.withdraw", {"app": app["D"], "reason": "did not take part"},
              jobs=[(cand["D"], "withdrawn"), (head["D"], "withdrawn"), ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["D"])])
        y.act("application.record_progression",
              {"app": app["A"], "role": "assistant headteacher", "date": "2027-09-01"}, cand["A"],
              events=[("application.progression_recorded", app["A"])])
        # Anniversaries: Sat 8 and Sun 9 Jul 2028 both wait for Mon 10 Jul, 07:30 BST.
        self.assertEqual((kent.nudge(local("2027-07-08", "12:00"), 366),
                          kent.nudge(local("2027-07-09", "12:00"), 366)),
                         ("2028-07-10T06:30:00Z", "2028-07-10T06:30:00Z"))
        y.expect("2028-07-10T06:30:00Z", jobs=[(cand[k], "alumni-update") for k in "AB"],
                 events=[("application.alumni", app[k]) for k in "AB"])
        y.until("2028-07-20T12:00:00Z")  # past the 2027-28 cohort's last session too
        y.finish()

    def submit(self, y, app, cand, doc, moves=False):
        ev = [("application.submitted", app)]
        if moves:
            ev.append(("application.stage_changed", app))
        y.act("application.submit", {"app": app, "doc": doc, "fields": ANSWERS[doc]}, cand,
              events=ev)


class LocalLeadersYear(unittest.TestCase):
    """norfolk-lle, cohort lle-2026-27: serving headteachers apply in November 2026, eight
    places, one on the waiting list gets the place a withdrawal frees; briefing in January,
    training in February. The programme has no deadlines, reminders or session notices:
    nothing is sent but what people's actions cause (other cohorts' session reminders come
    and go with no one of theirs here)."""

    def test_year(self):
        y = Year(self, "2026-11-02T08:00:00Z")  # Mon 2 Nov 2026
        lle = y.cohorts["lle-2026-27"]
        schools = [("ls-%d" % i, "School %d" % i, "primary", False) for i in range(1, 12)]
        good = {"years_as_head": 5, "leadership_good_or_better": True}
        persons = [("p-la", "Helen Marsh", ["la_adviser"], None, None)]
        # Candidates are serving headteachers: candidate and headteacher of their school,
        # so a notice to both reaches them once.
        persons += [("lh-%d" % i, "Head %d" % i, ["candidate", "headteacher"], "ls-%d" % i, good)
                    for i in range(1, 10)]
        persons += [("lh-new", "New Head", ["candidate", "headteacher"], "ls-10",
                     {"years_as_head": 2, "leadership_good_or_better": True}),
                    ("lh-ri", "Head RI", ["candidate", "headteacher"], "ls-11",
                     {"years_as_head": 7, "leadership_good_or_better": False})]
        people(y, schools, persons)
        y.sync()
        y.until("2026-11-02T09:00:00Z")
        for who in ("lh-new", "lh-ri"):
            y.refused("application.create", {"cohort": lle.id, "candidate": who}, who,
                      "not_eligible")
        app = {}
        for i in range(1, 10):
            who = "lh-%d" % i
            app[i] = y.create(lle.id, who, who)
            y.act("application.submit", {"app": app[i], "doc": "application_form",
                                         "fields": ANSWERS["application_form"]}, who,
                  events=[("application.submitted", app[i]),
                          ("application.stage_changed", app[i])])
        y.until("2026-12-01T10:00:00Z")
        for i in range(1, 9):
            y.act("application.decide", {"app": app[i], "outcome": "accept"},
                  jobs=[("lh-%d" % i, "decision-accepted")],
                  events=[("application.decided", app[i]), ("application.stage_changed", app[i])])
        r = y.d.call("application.decide", {"app": app[9], "outcome": "accept"})
        self.assertEqual(r["error"]["code"], "cohort_full")
        y.check([], [], "cohort full")
        y.act("application.decide", {"app": app[9], "outcome": "waitlist"},
              jobs=[("lh-9", "decision-waitlist")], events=[("application.decided", app[9])])
        # A place frees: it is offered to the first on the waiting list in the same
        # transaction, held for them, and taken when they accept it through their link.
        y.until("2026-12-14T10:00:00Z")
        y.act("application.withdraw", {"app": app[3], "reason": "new headship"}, "lh-3",
              jobs=[("lh-3", "withdrawn"), ("p-la", "withdrawn"), ("lh-9", "place-offered")],
              events=[("application.withdrawn", app[3]), ("application.place_offered", app[9])])
        rep = y.d.ok("cohort.report", {"cohort": lle.id})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"]), (7, 1, 0))
        y.act("application.accept_offer", {"app": app[9]}, "lh-9",
              events=[("application.offer_accepted", app[9]),
                      ("application.stage_changed", app[9])])
        self.assertEqual(y.d.ok("cohort.report", {"cohort": lle.id})["taken"], 8)
        briefed = [app[i] for i in (1, 2, 4, 5, 6, 7, 8, 9)]
        y.until("2027-01-15T16:30:00Z")
        y.act("attendance.record", {"cohort": lle.id, "session": "BRIEFING",
                                    "present": [a for a in briefed if a != app[5]],
                                    "absent": [app[5]]},
              events=[("application.attendance_recorded", a) for a in briefed])
        y.until("2027-02-10T16:30:00Z")
        deployed = [a for a in briefed if a != app[5]]
        y.act("attendance.record", {"cohort": lle.id, "session": "TRAINING",
                                    "present": briefed, "absent": []},
              jobs=[("lh-%d" % i, "graduated") for i in (1, 2, 4, 6, 7, 8, 9)],
              events=[("application.attendance_recorded", a) for a in briefed] +
              [e for a in deployed for e in (("application.stage_changed", a),
                                             ("application.graduated", a))])
        self.assertEqual(y.app(app[5])["stage"], "briefing")
        y.until("2028-07-20T12:00:00Z")  # through the other cohorts' sessions, quietly
        self.assertEqual([t for c, p, t, _ in y.sent if p == "lh-5"], ["decision-accepted"])
        y.finish()



# The same years with daemon.security = "curve": every request over CURVE with the
# operator's key the daemon made at its first start; everything else as above.
class NorfolkTalentPoolYearCurve(NorfolkTalentPoolYear):
    curve = True


class KentPathwaysYearCurve(KentPathwaysYear):
    curve = True


class LocalLeadersYearCurve(LocalLeadersYear):
    curve = True

if __name__ == "__main__":
    unittest.main()
