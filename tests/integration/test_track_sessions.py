#!/usr/bin/python3
"""Sessions for one track, tried from outside.

A real pathwayd on a manual clock. Kent's cohort has a session for middle
leaders alone (the pre-disposition audit with P Hannaway, tracks =
[ "middle" ]): cohort.get shows its tracks; it is in a middle leader's
calendar and reminders and not a senior leader's; its attendance is
recorded for middle leaders only, singly or in a register (all or
nothing). A small test programme checks that an attendance requirement
counts only the sessions for the application's track, and that a session
naming a track its programme lacks is a configuration error.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from test_timers import BIN, CONF, SRC, Daemon, add_programme
from test_tracks import KENT_START, Case

K = "kent-2026-27"

PROGRAMME = """
programme = {
	id = "ts-test";
	tracks = ( { id = "a"; }, { id = "b"; } );
	stages = (
		{ id = "attend"; requires = ( { kind = "attendance"; sessions = [ "S1", "SA", "SB" ]; } ); },
		{ id = "done"; terminal = true; }
	);
};
"""

COHORT = """
cohort = {
	id = "ts-2026";
	programme = "ts-test";
	places = 5;
	timezone = "Europe/London";
	starts = "2026-09-01";
	sessions = (
		{ id = "S1"; title = "Both"; date = "2026-09-10"; start = "16:00"; end = "17:00"; venue = "V"; },
		{ id = "SA"; title = "A only"; date = "2026-09-11"; start = "16:00"; end = "17:00"; venue = "V"; tracks = [ "a" ]; },
		{ id = "SB"; title = "B only"; date = "2026-09-12"; start = "16:00"; end = "17:00"; venue = "V"; tracks = [ %s ]; }
	);
};
"""


def add_test_programme(directory, conf, track_b='"b"'):
    """Write the test programme and cohort into directory and name them in conf."""
    add_programme(directory, conf, "ts-test", PROGRAMME, "ts-2026", COHORT % track_b)


class TSDaemon(Daemon):
    """A Daemon running the test programme beside the shipped ones."""

    def start(self):
        add_test_programme(self.dir, self.conf)
        super().start()


class TrackSessionsTest(Case):
    def test_kent_middle_leaders_session(self):
        d = self.daemon(KENT_START)
        d.ok("school.create", {"id": "s-mall", "name": "Malling School", "phase": "secondary"})
        self.person("coach-1", ["coach"], "s-mall")
        s = [x for x in d.ok("cohort.get", {"cohort": K})["cohort"]["sessions"]
             if x["id"] == "AUDIT_ML"][0]
        self.assertEqual(s["tracks"], ["middle"])
        self.assertNotIn("tracks", d.ok("cohort.get", {"cohort": K})["cohort"]["sessions"][0])
        apps = {}
        for c, t in (("mia", "middle"), ("sam", "senior")):
            self.person(c, ["candidate"], "s-mall")
            apps[c] = d.ok("application.create", {"cohort": K, "candidate": c, "track": t},
                           c)["application"]["id"]
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
            d.ok("application.assign_coach", {"app": apps[c], "coach": "coach-1"})
        jobs = d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
        cal = {j["to"]["person"]: j["vars"]["sessions"] for j in jobs
               if j["template"] == "session-calendar"}
        self.assertIn("AUDIT_ML", cal["mia"])
        self.assertNotIn("AUDIT_ML", cal["sam"])
        self.assertIn("INTRO", cal["sam"])
        # The reminder the day before (09:00 local) goes about the middle leader only.
        d.ok("clock.set", {"now": "2027-05-17T08:30:00Z"})
        jobs = [j for j in d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
                if j["template"] == "session-reminder" and
                j["vars"].get("session_id") == "AUDIT_ML"]
        self.assertEqual(sorted((j["to"]["person"], j["app"]) for j in jobs),
                         [("coach-1", apps["mia"]), ("mia", apps["mia"])])
        # Its register: middle leaders only, all or nothing.
        d.ok("clock.set", {"now": "2027-05-18T15:00:00Z"})
        self.refused("application.record_attendance", {"app": apps["sam"], "session": "AUDIT_ML",
                                                       "present": True},
                     "operator", "invalid_request", "not for the senior track")
        self.refused("attendance.record", {"cohort": K, "session": "AUDIT_ML",
                                           "present": [apps["mia"], apps["sam"]]},
                     "operator", "invalid_request", "not for the senior track")
        self.assertNotIn("attendance", self.app(apps["mia"]))
        r = d.ok("attendance.record", {"cohort": K, "session": "AUDIT_ML",
                                       "present": [apps["mia"]]})
        self.assertEqual(r["recorded"], 1)
        self.assertEqual(self.app(apps["mia"])["attendance"], {"AUDIT_ML": True})

    def test_attendance_counts_the_sessions_of_the_track(self):
        d = self.daemon("2026-09-07T08:00:00Z", TSDaemon)
        d.ok("school.create", {"id": "s-a", "name": "A", "phase": "primary"})
        apps = {}
        for c, t in (("ca", "a"), ("cb", "b")):
            self.person(c, ["candidate"], "s-a")
            apps[t] = d.ok("application.create", {"cohort": "ts-2026", "candidate": c,
                                                  "track": t}, c)["application"]["id"]
        q = self.req(apps["a"], "attendance")[0]
        self.assertEqual((q["sessions"], q["have"], q["need"]), (["S1", "SA"], 0, 2))
        self.assertEqual(self.req(apps["b"], "attendance")[0]["sessions"], ["S1", "SB"])
        d.ok("clock.set", {"now": "2026-09-12T16:00:00Z"})
        for s in ("S1", "SA"):
            a = d.ok("application.record_attendance", {"app": apps["a"], "session": s,
                                                       "present": True})["application"]
        self.assertEqual(a["status"], "graduated")
        self.refused("application.record_attendance", {"app": apps["b"], "session": "SA",
                                                       "present": True},
                     "operator", "invalid_request", "not for the b track")

    def test_a_session_for_an_unknown_track_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="pwt", dir="/tmp")
        self.addCleanup(shutil.rmtree, tmp, True)
        conf = os.path.join(tmp, "pathway.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(d=tmp, src=SRC, start="2026-09-07T08:00:00Z"))
        add_test_programme(tmp, conf, '"c"')
        # pathwayd -t checks the configuration and names the file and the setting.
        out = subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c", conf],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ts-2026.conf", out.stderr)
        self.assertIn("not a track of ts-test", out.stderr)


if __name__ == "__main__":
    unittest.main()
