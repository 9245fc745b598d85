#!/usr/bin/python3
"""The daily digest, on the manual clock: a headteacher and an LA adviser who
chose it get one email a day (07:00 local, Monday to Friday) listing what
waits for them with its deadline and the notices held since the last one,
instead of separate emails; everyone else still gets each email at once.
A restart after downtime sends one digest, not one per missed day."""
import unittest

from test_timers import Daemon
from answers import ANSWERS

COHORT = "ntp-2026-27"


class DigestTest(unittest.TestCase):
    def setUp(self):
        # Monday 14 Sep 2026, 09:00 BST: the shipped cohort takes applications
        # until Friday 25 Sep.
        self.d = Daemon("2026-09-14T08:00:00Z")
        self.addCleanup(self.d.stop)
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary", "name": "Elm Tree Primary"})
        for pid, name, roles, school in [
                ("p-amara", "Amara Okafor", ["candidate"], "s-oak"),
                ("p-ben", "Ben Hughes", ["candidate"], "s-elm"),
                ("p-head-oak", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-head-elm", "David Price", ["headteacher"], "s-elm"),
                ("p-la", "Helen Marsh", ["la_adviser"], None)]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)

    def jobs_to(self, who):
        jobs = self.d.ok("outbox.list", {"limit": 1000, "vars": True})["jobs"]
        return [j for j in jobs if j["to"]["person"] == who]

    def digest_events(self):
        evs = self.d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        return [e for e in evs if e["type"] == "person.digest"]

    def nominate(self, cand, head):
        d = self.d
        app = d.ok("application.create", {"cohort": COHORT, "candidate": cand},
                   cand)["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, cand)
        return app

    def test_choosing_the_digest(self):
        d = self.d
        # A person chooses it for themself; an LA adviser may set it for anyone.
        p = d.ok("person.digest", {"id": "p-head-oak", "digest": True}, "p-head-oak")["person"]
        self.assertTrue(p["digest"])
        d.ok("person.update", {"id": "p-la", "digest": True})
        # Another headteacher may not; a candidate cannot have one.
        r = d.call("person.digest", {"id": "p-head-oak", "digest": False}, "p-head-elm")
        self.assertEqual(r["error"]["code"], "forbidden")
        r = d.call("person.digest", {"id": "p-amara", "digest": True}, "p-amara")
        self.assertEqual(r["error"]["code"], "invalid_request")
        r = d.call("person.digest", {"id": "p-head-oak", "digest": "yes"}, "p-head-oak")
        self.assertEqual(r["error"]["code"], "invalid_request")
        self.assertTrue(d.ok("person.get", {"id": "p-head-oak"})["person"]["digest"])
        self.assertNotIn("digest", d.ok("person.get", {"id": "p-amara"})["person"])

    def test_one_email_a_day_instead_of_separate_ones(self):
        d = self.d
        d.ok("person.digest", {"id": "p-head-oak", "digest": True}, "p-head-oak")
        d.ok("person.digest", {"id": "p-la", "digest": True}, "p-la")
        a = self.nominate("p-amara", "p-head-oak")
        b = self.nominate("p-ben", "p-head-elm")
        # Both applications now wait for their headteacher's sign-off. The
        # headteacher without a digest is alerted at once; the other is not.
        self.assertEqual([j["template"] for j in self.jobs_to("p-head-elm")], ["signoff-needed"])
        self.assertEqual(self.jobs_to("p-head-oak"), [])

        # Tuesday 15 Sep, 06:59 BST: nothing yet; 07:00 BST: the digest.
        d.ok("clock.set", {"now": "2026-09-15T05:59:00Z"})
        self.assertEqual(self.digest_events(), [])
        d.ok("clock.set", {"now": "2026-09-15T06:00:00Z"})
        jobs = self.jobs_to("p-head-oak")
        self.assertEqual([j["template"] for j in jobs], ["digest"])
        v = jobs[0]["vars"]
        self.assertEqual(v["date"], "Tue 15 Sep 2026")
        self.assertEqual(v["pending_count"], 1)
        self.assertIn("Amara Okafor (%s, Oakfield Primary)" % a, v["pending"])
        self.assertIn("the evidence form; the sign-off", v["pending"])
        self.assertIn("Due Mon 28 Sep 2026, 17:00.", v["pending"])  # 14 days after entering
        self.assertNotIn(b, v["pending"])  # another school's candidate
        self.assertEqual(v["notices_count"], 1)
        self.assertIn("Mon 14 Sep 2026, 09:00:", v["notices"])
        self.assertIn("Amara Okafor", v["notices"])
        # The LA adviser has nothing waiting yet (no application at selection) and
        # had no notices held: no digest at all.
        self.assertEqual(self.jobs_to("p-la"), [])
        self.assertEqual([e["data"] for e in self.digest_events()],
                         [{"person": "p-head-oak", "pending": 1, "notices": 1}])

        # Oakfield signs off: the application waits on the LA adviser now.
        d.ok("application.submit", {"app": a, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head-oak")
        d.ok("application.signoff", {"app": a}, "p-head-oak")
        # Wednesday: the headteacher has nothing pending and nothing held
        # (so no email); the LA adviser's digest lists the selection decision.
        d.ok("clock.set", {"now": "2026-09-16T06:00:00Z"})
        self.assertEqual(len(self.jobs_to("p-head-oak")), 1)
        la = self.jobs_to("p-la")
        self.assertEqual([j["template"] for j in la], ["digest"])
        self.assertIn("Amara Okafor (%s, Oakfield Primary), LA selection" % a,
                      la[0]["vars"]["pending"])
        self.assertEqual(la[0]["to"]["role"], "la_adviser")

        # Elm Tree never signs off: the escalation to the LA (1 day overdue,
        # Tue 29 Sep 09:00) is held for the LA adviser's digest of Wed 30 Sep,
        # which also lists Ben's application as overdue.
        # Day by day (a jump of the clock is like downtime: one digest, not one a day).
        for day in range(17, 30):
            for hour in ("06:00", "08:00", "12:00"):
                d.ok("clock.set", {"now": "2026-09-%02dT%s:00Z" % (day, hour)})
        # Wednesday 16 Sep, then every weekday from Thursday 17 to Tuesday 29 Sep.
        self.assertEqual([j["template"] for j in self.jobs_to("p-la")], ["digest"] * 10)
        d.ok("clock.set", {"now": "2026-09-30T06:00:00Z"})
        last = self.jobs_to("p-la")[-1]["vars"]
        self.assertIn("Ben Hughes (%s, Elm Tree Primary)" % b, last["pending"])
        self.assertIn("OVERDUE", last["pending"])
        self.assertIn("Tue 29 Sep 2026, 09:00:", last["notices"])
        self.assertEqual(last["notices_count"], 1)

    def test_stopping_the_digest_sends_what_was_held_at_once(self):
        d = self.d
        d.ok("person.digest", {"id": "p-head-oak", "digest": True}, "p-head-oak")
        a = self.nominate("p-amara", "p-head-oak")
        self.assertEqual(self.jobs_to("p-head-oak"), [])  # held for tomorrow's digest
        d.ok("clock.advance", {"seconds": 3600})
        d.ok("person.digest", {"id": "p-head-oak", "digest": False}, "p-head-oak")
        jobs = self.jobs_to("p-head-oak")
        self.assertEqual([j["template"] for j in jobs], ["digest"])
        v = jobs[0]["vars"]
        self.assertEqual((v["notices_count"], v["pending_count"]), (1, 1))
        self.assertIn("Mon 14 Sep 2026, 09:00:", v["notices"])
        self.assertIn("Amara Okafor (%s, Oakfield Primary)" % a, v["pending"])
        # From now on each notice goes at once, and there is no digest tomorrow.
        d.ok("person.create", {"id": "p-cara", "name": "Cara Singh", "roles": ["candidate"],
                               "email": "p-cara@example.org", "school": "s-oak"})
        self.nominate("p-cara", "p-head-oak")
        self.assertEqual([j["template"] for j in self.jobs_to("p-head-oak")],
                         ["digest", "signoff-needed"])
        d.ok("clock.set", {"now": "2026-09-15T06:00:00Z"})
        self.assertEqual(len(self.jobs_to("p-head-oak")), 2)
        self.assertEqual(len(self.digest_events()), 1)
        # Turning it off again with nothing held sends nothing; so does person.update.
        d.ok("person.update", {"id": "p-head-oak", "digest": True})
        d.ok("person.update", {"id": "p-head-oak", "digest": False})
        self.assertEqual(len(self.jobs_to("p-head-oak")), 2)

    def test_weekdays_only_and_once_after_downtime(self):
        d = self.d
        d.ok("person.digest", {"id": "p-head-oak", "digest": True}, "p-head-oak")
        self.nominate("p-amara", "p-head-oak")
        # Fri 18 Sep 07:00 BST, then nothing on Saturday or Sunday.
        d.ok("clock.set", {"now": "2026-09-18T06:00:00Z"})
        self.assertEqual(len(self.digest_events()), 1)
        d.ok("clock.set", {"now": "2026-09-20T23:00:00Z"})
        self.assertEqual(len(self.digest_events()), 1)
        # The daemon is down from Sunday night to Wednesday noon: one digest
        # on restart, then the next on Thursday at 07:00.
        d.kill()
        d.start()
        d.ok("clock.set", {"now": "2026-09-23T11:00:00Z"})
        self.assertEqual(len(self.digest_events()), 2)
        d.ok("clock.set", {"now": "2026-09-24T05:59:59Z"})
        self.assertEqual(len(self.digest_events()), 2)
        d.ok("clock.set", {"now": "2026-09-24T06:00:00Z"})
        self.assertEqual(len(self.digest_events()), 3)
        # Once the digest is turned off, alerts go out at once again.
        d.ok("person.digest", {"id": "p-head-oak", "digest": False}, "p-head-oak")
        d.ok("clock.set", {"now": "2026-09-28T12:00:00Z"})  # a sign-off reminder is due
        self.assertIn("signoff-reminder", [j["template"] for j in self.jobs_to("p-head-oak")])
        self.assertEqual(len(self.digest_events()), 3)


if __name__ == "__main__":
    unittest.main()
