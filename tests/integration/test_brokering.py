#!/usr/bin/python3
"""Internship brokering, tried from outside.

Real pathwayd processes on ipc sockets in temporary directories, on a manual
clock, running Kent's shipped programme and a small test programme:
- candidates rank host schools (application.rank_hosts): only their own
  application, only ahead of an internship, never their own school, the
  programme's rules for hosts applied (Lead Succession School, phase), and
  application.host_choices offering only the schools those rules allow;
- hosts offer places for the cohort and may rank the candidates who ranked
  them (cohort.set_host, a host for their own school only); cohort.hosts
  shows a host only its school and who ranked it (not where), and a
  candidate's ranking on the application is not shown to the host it is
  placed at;
- the link in an email asking the candidate for a document of theirs also
  ranks hosts, without being used up;
- cohort.match_internships runs deferred acceptance: a dry run shows the
  placements, the unplaced and why, and changes nothing; the same input
  gives the same result; confirming places every internship in one
  transaction with its events and emails (candidates, hosts, coaches, and
  the unplaced); only LA advisers run it; pathwayctl runs it too.
"""
import json
import os
import re
import subprocess
import unittest

from answers import ANSWERS
from test_mail import Rig, text_of
from test_timers import BIN, Daemon, add_programme
from test_tokens import BASE, with_web
from test_tracks import KENT_START, Case

K = "kent-2026-27"

PROGRAMME = """
programme = {
	id = "broker-test";
	stages = (
		{ id = "prepare"; requires = ( { kind = "submission"; doc = "plan"; } ); },
		{ id = "internship"; requires = ( { kind = "internship"; days = 3; host_lss = true; host_same_phase = true; } ); },
		{ id = "done"; terminal = true; }
	);
};
"""

COHORT = """
cohort = {
	id = "bt-2026";
	programme = "broker-test";
	places = 10;
	timezone = "Europe/London";
	starts = "2026-09-01";
};
"""


class BrokerDaemon(Daemon):
    """A Daemon running the test programme beside the shipped ones."""

    def start(self):
        add_programme(self.dir, self.conf, "broker-test", PROGRAMME, "bt-2026", COHORT)
        super().start()


class BrokeringTest(Case):
    def setup_kent(self):
        d = self.daemon(KENT_START)
        d.ok("school.create", {"id": "s-mall", "name": "Malling School", "phase": "secondary"})
        for sid, name in (("s-high", "Highsted"), ("s-ful", "Fulston Manor"),
                          ("s-none", "Nonington")):
            d.ok("school.create", {"id": sid, "name": name, "phase": "secondary"})
        self.person("h-mall", ["headteacher"], "s-mall")
        self.person("host-high", ["host"], "s-high")
        self.person("host-ful", ["host"], "s-ful")
        self.person("coach-1", ["coach"], "s-mall")
        self.person("la-1", ["la_adviser"])
        self.person("viewer-1", ["viewer"])
        apps = {}
        for c, t in (("mia", "middle"), ("sam", "senior"), ("sue", "senior"),
                     ("sal", "senior"), ("tom", "senior")):
            self.person(c, ["candidate"], "s-mall")
            apps[c] = d.ok("application.create", {"cohort": K, "candidate": c, "track": t},
                           c)["application"]["id"]
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
        d.ok("application.assign_coach", {"app": apps["sam"], "coach": "coach-1"})
        return d, apps

    def head(self):
        return self.d.ok("events.since", {"after": 0, "limit": 1})["head"]

    def events(self, after):
        return self.d.ok("events.since", {"after": after, "limit": 1000})["events"]

    def test_rank_offer_match_and_confirm(self):
        d, apps = self.setup_kent()
        rank = lambda c, hosts, actor=None: d.call("application.rank_hosts",
                                                  {"app": apps[c], "hosts": hosts}, actor or c)
        # Who may rank, and what.
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-high"]},
                     "sam", "forbidden")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-high"]},
                     "h-mall", "forbidden")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-high"]},
                     "host-high", "forbidden")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-nope"]},
                     "mia", "not_found")
        self.refused("application.rank_hosts", {"app": "A999999", "hosts": ["s-high"]},
                     "mia", "not_found")
        # As every application command (application.get, application.withdraw): an unknown
        # application is not_found, an application the actor may not see forbidden, with
        # the same words each time.
        for cmd, args in (("application.get", {}), ("application.withdraw", {}),
                          ("application.rank_hosts", {"hosts": ["s-high"]}),
                          ("application.host_choices", {})):
            r = self.refused(cmd, dict(args, app="A999999"), "sam", "not_found")
            self.assertEqual(r["error"]["message"], "no application 'A999999'")
            self.refused(cmd, dict(args, app=apps["mia"]), "sam", "forbidden")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": []},
                     "mia", "invalid_request", "1 to 10")
        self.refused("application.rank_hosts", {"app": apps["mia"],
                                                "hosts": ["s-high", "s-high"]},
                     "mia", "invalid_request", "named twice")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-mall"]},
                     "mia", "invalid_request", "own school")
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": "s-high"},
                     "mia", "invalid_request")
        before = self.head()
        a = d.ok("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-high", "s-ful"]},
                 "mia")["application"]
        self.assertEqual(a["host_ranking"]["hosts"], ["s-high", "s-ful"])
        self.assertEqual(a["host_ranking"]["by"], "mia")
        ev = self.events(before)
        self.assertEqual([(e["type"], e["data"]) for e in ev],
                         [("application.hosts_ranked", {"hosts": 2})])
        self.assertTrue(rank("sam", ["s-high", "s-ful"])["ok"])
        self.assertTrue(rank("sue", ["s-ful"])["ok"])
        self.assertTrue(rank("sal", ["s-none"], "la-1")["ok"])  # an LA adviser for them
        # Hosts offer places: their own school only, or an LA adviser for any.
        offer = {"cohort": K, "school": "s-ful", "places": 1,
                 "ranking": [apps["sue"], apps["sam"]]}
        self.refused("cohort.set_host", dict(offer, school="s-high"), "host-ful", "forbidden")
        for actor in ("viewer-1", "mia", "h-mall", "coach-1"):
            self.refused("cohort.set_host", offer, actor, "forbidden")
        self.refused("cohort.set_host", dict(offer, places=101), "host-ful", "invalid_request")
        # A host ranks only the candidates who ranked it: one that did not (tom), one
        # that does not exist get the same answer.
        msgs = [self.refused("cohort.set_host", dict(offer, ranking=[apps["sue"], a]),
                             "host-ful", "forbidden", "ranked s-ful")["error"]["message"]
                .replace(a, "ID") for a in (apps["tom"], "A999999")]
        self.assertEqual(msgs[0], msgs[1])
        # An LA adviser may rank any application of the cohort for a host.
        self.refused("cohort.set_host", dict(offer, ranking=["A999999"]), "la-1",
                     "invalid_request", "no application")
        d.ok("cohort.set_host", dict(offer, ranking=[apps["tom"]]), "la-1")
        self.refused("cohort.set_host", dict(offer, ranking=[apps["sue"], apps["sue"]]),
                     "host-ful", "invalid_request", "twice")
        self.refused("cohort.set_host", dict(offer, cohort="nope"), "host-ful", "not_found")
        self.refused("cohort.set_host", dict(offer, school="s-nope"), "la-1", "not_found")
        before = self.head()
        r = d.ok("cohort.set_host", offer, "host-ful")
        self.assertEqual(r["host"]["places"], 1)
        self.assertEqual([(e["type"], e["cohort"], e["data"]) for e in self.events(before)],
                         [("cohort.host_set", K, {"school": "s-ful", "places": 1,
                                                  "ranks": True})])
        d.ok("cohort.set_host", {"cohort": K, "school": "s-high", "places": 1}, "la-1")
        # cohort.hosts: everything for LA advisers and viewers; a host sees their school.
        hosts = d.ok("cohort.hosts", {"cohort": K}, "viewer-1")["hosts"]
        self.assertEqual(sorted(h["school"] for h in hosts), ["s-ful", "s-high"])
        mine = d.ok("cohort.hosts", {"cohort": K}, "host-ful")
        self.assertEqual([h["school"] for h in mine["hosts"]], ["s-ful"])
        # Who ranked the school, not where they ranked it.
        self.assertEqual(sorted(mine["ranked_by"], key=lambda x: x["app"]), sorted([
            {"app": apps[c], "candidate": c, "candidate_name": c.title()}
            for c in ("mia", "sam", "sue")], key=lambda x: x["app"]))
        self.refused("cohort.hosts", {"cohort": K}, "mia", "forbidden")
        # The dry run: the placements, the unplaced and why; nothing changes.
        for actor in ("host-ful", "viewer-1", "mia", "h-mall"):
            self.refused("cohort.match_internships", {"cohort": K}, actor, "forbidden")
        before = self.head()
        dry = d.ok("cohort.match_internships", {"cohort": K}, "la-1")
        self.assertTrue(dry["dry_run"])
        self.assertEqual(self.head(), before)
        placed = {p["app"]: (p["host_school"], p["choice"]) for p in dry["placements"]}
        self.assertEqual(placed, {apps["mia"]: ("s-high", 1), apps["sue"]: ("s-ful", 1)})
        un = {u["app"]: (u["reason"], [(h["school"], h["why"]) for h in u["hosts"]])
              for u in dry["unplaced"]}
        self.assertEqual(un, {
            # s-high takes the earlier application (mia); s-ful ranked sue above sam.
            apps["sam"]: ("hosts_full", [("s-high", "full"), ("s-ful", "full")]),
            apps["sal"]: ("no_eligible_host", [("s-none", "no_places")]),
            apps["tom"]: ("no_ranking", []),
        })
        self.assertEqual({h["school"]: (h["places"], h["matched"], h["left"])
                          for h in dry["hosts"]},
                         {"s-high": (1, 1, 0), "s-ful": (1, 1, 0), "s-none": (0, 0, 0)})
        self.assertNotIn("internship", self.app(apps["mia"]))
        # The same input, the same result.
        self.assertEqual(d.ok("cohort.match_internships", {"cohort": K, "dry_run": True}), dry)
        # Confirming needs the dates; then everything in one transaction.
        self.refused("cohort.match_internships", {"cohort": K, "dry_run": False}, "la-1",
                     "invalid_request", "'start' and 'end'")
        self.refused("cohort.match_internships", {"cohort": K, "dry_run": False,
                                                  "start": "2027-06-20", "end": "2027-06-14"},
                     "la-1", "invalid_request", "before")
        before = self.head()
        done = d.ok("cohort.match_internships", {"cohort": K, "dry_run": False,
                                                 "start": "2027-06-14", "end": "2027-07-08"},
                    "la-1")
        self.assertFalse(done["dry_run"])
        self.assertEqual((done["placements"], done["unplaced"]),
                         (dry["placements"], dry["unplaced"]))
        ev = [(e["type"], e.get("app"), e["data"]) for e in self.events(before)
              if not e["type"].startswith("notification.")]
        self.assertEqual(sorted(ev, key=str), sorted([
            ("application.internship_placed", apps["mia"],
             {"host_school": "s-high", "start": "2027-06-14", "end": "2027-07-08"}),
            ("application.internship_placed", apps["sue"],
             {"host_school": "s-ful", "start": "2027-06-14", "end": "2027-07-08"}),
            ("application.internship_unplaced", apps["sam"], {"reason": "hosts_full"}),
            ("application.internship_unplaced", apps["sal"], {"reason": "no_eligible_host"}),
            ("application.internship_unplaced", apps["tom"], {"reason": "no_ranking"}),
            ("cohort.internships_matched", None, {"placed": 2, "unplaced": 3}),
        ], key=str))
        a = self.app(apps["mia"])
        self.assertEqual((a["internship"]["host_school"], a["internship"]["start"],
                          a["internship"]["days_completed"]), ("s-high", "2027-06-14", 0))
        self.assertIn("matched", a["internship"])
        # The host sees the internship at their school; everyone was told.
        mine = d.ok("application.mine", {}, "host-high")["applications"]
        self.assertEqual([x["id"] for x in mine], [apps["mia"]])
        # ... but not how the candidate ranked the hosts: that is for the candidate, their
        # headteacher and coach, and the LA.
        self.assertNotIn("host_ranking", mine[0])
        self.assertNotIn("host_ranking",
                         d.ok("application.get", {"app": apps["mia"]}, "host-high")["application"])
        for actor in ("mia", "h-mall", "la-1", "viewer-1"):
            self.assertEqual(d.ok("application.get", {"app": apps["mia"]}, actor)
                             ["application"]["host_ranking"]["hosts"], ["s-high", "s-ful"])
        self.assertIn("host_ranking",
                      d.ok("application.get", {"app": apps["sam"]}, "coach-1")["application"])
        jobs = d.ok("outbox.list", {"limit": 1000})["jobs"]
        told = sorted((j["template"], j["to"]["person"]) for j in jobs
                      if j["template"].startswith("internship-"))
        self.assertEqual(told, sorted([
            ("internship-placed", "mia"), ("internship-placed", "host-high"),
            ("internship-placed", "sue"), ("internship-placed", "host-ful"),
            ("internship-unplaced", "sam"), ("internship-unplaced", "coach-1"),
            ("internship-unplaced", "sal"), ("internship-unplaced", "tom"),
        ]))
        # Placed ones leave the round; their places are taken.
        again = d.ok("cohort.match_internships", {"cohort": K})
        self.assertEqual(again["placements"], [])
        self.assertEqual(sorted(u["app"] for u in again["unplaced"]),
                         sorted([apps["sam"], apps["sal"], apps["tom"]]))
        self.assertEqual({h["school"]: (h["placed_before"], h["left"]) for h in again["hosts"]},
                         {"s-high": (1, 0), "s-ful": (1, 0), "s-none": (0, 0)})
        # A placed candidate cannot rank again.
        self.refused("application.rank_hosts", {"app": apps["mia"], "hosts": ["s-ful"]},
                     "mia", "invalid_transition")
        # pathwayctl: a dry run with another place at s-ful places sam.
        d.ok("cohort.set_host", {"cohort": K, "school": "s-ful", "places": 2,
                                 "ranking": [apps["sue"], apps["sam"]]}, "host-ful")
        out = self.ctl(d, "match", K)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("dry run for " + K, out.stdout)
        self.assertIn(apps["sam"], out.stdout)
        self.assertIn("unplaced %s (Tom): no_ranking" % apps["tom"], out.stdout)
        out = self.ctl(d, "match", K, "--confirm", "--start", "2027-06-14", "--end",
                       "2027-07-08")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("matched " + K, out.stdout)
        self.assertEqual(self.app(apps["sam"])["internship"]["host_school"], "s-ful")
        out = self.ctl(d, "rank-hosts", apps["tom"], "s-high,s-ful", actor="tom")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.app(apps["tom"])["host_ranking"]["hosts"], ["s-high", "s-ful"])

    def ctl(self, d, *args, actor="operator"):
        env = dict(os.environ, PATHWAY_API="ipc://%s/api.sock" % d.dir, PATHWAY_ACTOR=actor)
        return subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf] + list(args),
                              capture_output=True, text=True, env=env, timeout=30)

    def test_lead_succession_and_phase(self):
        d = self.daemon("2026-09-07T08:00:00Z", BrokerDaemon)
        for sid, phase, lss in (("s-own", "primary", False), ("s-lss", "primary", True),
                                ("s-sec", "secondary", True), ("s-plain", "primary", False),
                                ("s-thru", "all-through", True)):
            d.ok("school.create", {"id": sid, "name": sid, "phase": phase, "lss": lss})
        self.person("ann", ["candidate"], "s-own")
        self.person("la-1", ["la_adviser"])
        a = d.ok("application.create", {"cohort": "bt-2026", "candidate": "ann"},
                 "ann")["application"]["id"]
        # The schools offered to rank are those the programme's rules let ann rank: an LSS
        # of her school's phase or all-through; the others are counted, not named.
        for sid in ("s-own", "s-lss", "s-sec", "s-plain", "s-thru"):
            d.ok("cohort.set_host", {"cohort": "bt-2026", "school": sid, "places": 1})
        for actor in ("ann", "la-1"):
            ch = d.ok("application.host_choices", {"app": a}, actor)
            self.assertEqual([h["school"] for h in ch["hosts"]], ["s-lss", "s-thru"])
            self.assertEqual(ch["left_out"], {"not_lss": 1, "phase": 1})
            self.assertTrue(ch["open"])
        # Every school offered is one rank_hosts takes.
        d.ok("application.rank_hosts", {"app": a, "hosts": [h["school"] for h in ch["hosts"]]},
             "ann")
        d.ok("school.update", {"id": "s-sec", "phase": "primary"})
        self.assertEqual([h["school"] for h in d.ok("application.host_choices", {"app": a},
                                                     "ann")["hosts"]],
                         ["s-lss", "s-sec", "s-thru"])
        d.ok("school.update", {"id": "s-sec", "phase": "secondary"})
        for sid in ("s-own", "s-lss", "s-sec", "s-plain", "s-thru"):
            d.ok("cohort.set_host", {"cohort": "bt-2026", "school": sid, "places": 0})
        self.refused("application.rank_hosts", {"app": a, "hosts": ["s-plain"]}, "ann",
                     "invalid_request", "not a Lead Succession School")
        self.refused("application.rank_hosts", {"app": a, "hosts": ["s-lss", "s-sec"]}, "ann",
                     "invalid_request", "phase")
        d.ok("application.rank_hosts", {"app": a, "hosts": ["s-lss", "s-thru"]}, "ann")
        d.ok("cohort.set_host", {"cohort": "bt-2026", "school": "s-thru", "places": 1})
        # The ranked school stops being an LSS before the match: the match says so.
        d.ok("school.update", {"id": "s-lss", "lss": False})
        d.ok("cohort.set_host", {"cohort": "bt-2026", "school": "s-lss", "places": 1})
        r = d.ok("cohort.match_internships", {"cohort": "bt-2026"})
        self.assertEqual([(p["app"], p["host_school"], p["choice"]) for p in r["placements"]],
                         [(a, "s-thru", 2)])
        d.ok("school.update", {"id": "s-thru", "phase": "secondary"})
        r = d.ok("cohort.match_internships", {"cohort": "bt-2026"})
        self.assertEqual(r["unplaced"], [{
            "app": a, "candidate": "ann", "candidate_name": "Ann",
            "reason": "no_eligible_host",
            "hosts": [{"school": "s-lss", "why": "not_lss"},
                      {"school": "s-thru", "why": "phase"}]}])
        # Past its internship stage (or with none ahead), there is nothing to rank.
        d.ok("school.update", {"id": "s-thru", "phase": "all-through"})
        d.ok("cohort.match_internships", {"cohort": "bt-2026", "dry_run": False,
                                          "start": "2026-10-01", "end": "2026-10-03"})
        self.refused("application.rank_hosts", {"app": a, "hosts": ["s-thru"]}, "ann",
                     "invalid_transition")


class ActionLinkTest(unittest.TestCase):
    def call(self, d, cmd, args, token):
        """A request as pathway-web sends it: the token names who acts."""
        d.n += 1
        rid = "k%d" % d.n
        d.sock.send_multipart([b"", json.dumps({"id": rid, "cmd": cmd, "args": args,
                                                 "token": token}).encode()])
        self.assertTrue(d.sock.poll(10000), cmd)
        reply = json.loads(d.sock.recv_multipart()[-1])
        self.assertEqual(reply["id"], rid)
        return reply

    def test_the_candidates_link_ranks_hosts(self):
        rig = Rig(self, KENT_START)
        with_web(rig)
        d = rig.d
        for sid in ("s-mall", "s-high"):
            d.ok("school.create", {"id": sid, "name": sid, "phase": "secondary"})
        apps = {}
        for c in ("sam", "sue"):
            d.ok("person.create", {"id": c, "name": c.title(), "email": c + "@example.org",
                                   "roles": ["candidate"], "school": "s-mall"})
            apps[c] = d.ok("application.create", {"cohort": K, "candidate": c,
                                                  "track": "senior"}, c)["application"]["id"]
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
        d.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
        d.ok("application.record_attendance", {"app": apps["sam"], "session": "INTRO",
                                               "present": True})
        d.ok("application.submit", {"app": apps["sam"], "doc": "predisposition_audit",
                                    "fields": ANSWERS["predisposition_audit"]}, "sam")
        rig.mailer("m1")
        # Seven days before the placement choice's deadline (28 May), 09:00 local.
        d.ok("clock.set", {"now": "2027-05-21T08:00:00Z"})
        rig.settle()
        tokens = []
        for m in rig.sink.snapshot():
            if "sam@example.org" in m["rcpt"]:
                tokens += re.findall(re.escape(BASE) + "/a/([A-Za-z0-9_-]+)", text_of(m))
        self.assertTrue(tokens)
        tok = tokens[-1]
        r = self.call(d, "application.rank_hosts", {"app": apps["sam"], "hosts": ["s-high"]},
                      tok)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["data"]["application"]["host_ranking"]["by"], "sam")
        r = self.call(d, "application.rank_hosts", {"app": apps["sue"], "hosts": ["s-high"]},
                      tok)
        self.assertEqual(r["error"]["code"], "token_wrong_purpose")
        # Not used up: the same link still submits the placement choice, once.
        r = self.call(d, "application.submit", {"app": apps["sam"], "doc": "placement_choice",
                                                "fields": ANSWERS["placement_choice"]}, tok)
        self.assertTrue(r["ok"], r)
        r = self.call(d, "application.rank_hosts", {"app": apps["sam"], "hosts": ["s-high"]},
                      tok)
        self.assertEqual(r["error"]["code"], "token_used")


if __name__ == "__main__":
    unittest.main()
