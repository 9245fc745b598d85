#!/usr/bin/python3
"""The daily digest keeps to each application's track, through pathway-mailer to a real SMTP
server, on the manual clock. The Unity LDP with its termly reviews for the secondary track
alone (test_unity.tracked): a primary participant and a secondary one both at the review
stage, their headteachers and the LA adviser on the digest. The secondary headteacher's digest
lists the term's review from its date; the primary headteacher gets no digest (nothing of a
review waits on them); after two reviews not met, the LA adviser's digest lists the secondary
application alone, with its review count, and never the primary one."""
import os
import shutil
import unittest

from test_mail import Rig, flat, text_of
from test_timers import SRC
from test_unity import tracked
from unity_harness import ANSWER, CHAIR, COHORT, PANEL, setup_people

START = "2026-05-04T09:00:00Z"  # Monday 4 May 2026: the LDP takes applications


class DigestTracksTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig(self, START)
        d = self.d = self.rig.d
        # The LDP with reviews for the secondary track only, beside the programme file's form.
        with open(os.path.join(SRC, "conf/programmes/unity-ldp.conf")) as f:
            text = f.read()
        os.makedirs(os.path.join(d.dir, "forms"))
        shutil.copy(os.path.join(SRC, "conf/programmes/forms/unity-ldp.conf"),
                    os.path.join(d.dir, "forms"))
        prog = os.path.join(d.dir, "unity-ldp.conf")
        with open(prog, "w") as f:
            f.write(tracked(text))
        with open(d.conf) as f:
            conf = f.read()
        conf = conf.replace("programmes = [ ", 'programmes = [ "%s", ' % prog, 1)
        conf = conf.replace("cohorts = [ ", 'cohorts = [ "%s/conf/cohorts/%s.conf", ' %
                            (SRC, COHORT), 1)
        with open(d.conf, "w") as f:
            f.write(conf)
        d.kill()
        d.start()
        setup_people(d)
        # Priya (primary): the LA decides at selection. Simon (secondary): the panel.
        self.pri = self.apply("c-pri", "h-castle")
        d.ok("application.decide", {"app": self.pri, "outcome": "accept"}, "p-la")
        self.sec = self.apply("c-sec", "h-samuel")
        for m in PANEL:
            d.ok("application.recommend", {"app": self.sec, "outcome": "accept",
                                           "reason": "Ready"}, m)
        d.ok("application.decide", {"app": self.sec, "outcome": "accept"}, CHAIR)
        for app in (self.pri, self.sec):
            self.assertEqual(self.get(app)["stage"], "programme")
        self.assertNotIn("review", [r["kind"] for r in self.get(self.pri)["requirements"]])
        self.assertIn("review", [r["kind"] for r in self.get(self.sec)["requirements"]])
        for p in ("p-la", "h-castle", "h-samuel"):
            d.ok("person.digest", {"id": p, "digest": True}, p)
        self.rig.mailer("m1")
        self.rig.settle()

    def apply(self, cand, head):
        d = self.d
        app = d.ok("application.create", {"cohort": COHORT, "candidate": cand},
                   cand)["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "ldp_application", "fields": ANSWER},
             cand)
        d.ok("application.signoff", {"app": app}, head)
        return app

    def get(self, app):
        return self.d.ok("application.get", {"app": app}, "p-la")["application"]

    def digests_to(self, who):
        """The digest emails delivered to person who, as flat text."""
        return [flat(text_of(m)) for m in self.rig.sink.snapshot()
                if m["rcpt"] == [who + "@example.org"] and
                m["msg"]["Subject"].startswith("Talent pool digest")]

    def at(self, *times):
        for t in times:
            self.d.ok("clock.set", {"now": t})
        self.rig.settle()

    def test_reviews_only_for_the_track_that_has_them(self):
        d = self.d
        # Monday 30 November, 07:00 GMT: the autumn review is due from today, for Simon.
        self.at("2026-11-30T07:00:00Z", "2026-11-30T10:00:00Z")
        sam = self.digests_to("h-samuel")
        self.assertEqual(len(sam), 1)
        self.assertIn("Waiting for you (1):", sam[0])
        self.assertIn("Simon Stone (%s, Samuel Ward Academy)" % self.sec, sam[0])
        self.assertIn("the termly reviews (0 of 3)", sam[0])
        # Nothing of a review waits on Priya's headteacher: no digest at all.
        self.assertEqual(self.digests_to("h-castle"), [])
        # Nothing waits on the LA adviser (a digest may bring them the groups' notices).
        for text in self.digests_to("p-la"):
            self.assertIn("Waiting for you (0): Nothing is waiting for you.", text)
        # Two reviews of Simon not met: the LA decides whether he continues.
        self.at("2026-12-14T10:00:00Z")
        d.ok("application.review", {"app": self.sec, "term": "autumn", "outcome": "not_met"},
             "h-samuel")
        self.at("2027-03-29T09:00:00Z")
        d.ok("application.review", {"app": self.sec, "term": "spring", "outcome": "not_met"},
             "h-samuel")
        self.assertIn("review_attention", self.get(self.sec))
        self.at("2027-03-30T07:00:00Z", "2027-03-30T10:00:00Z")
        la = self.digests_to("p-la")
        self.assertIn("Waiting for you (1): - Simon Stone (%s, Samuel Ward Academy)" % self.sec,
                      la[-1])
        self.assertIn("the termly reviews (2 of 3)", la[-1])
        for text in la[:-1]:
            self.assertIn("Waiting for you (0): Nothing is waiting for you.", text)
        for text in la:
            self.assertNotIn(self.pri, text)
            self.assertNotIn("Priya Patel", text)
        # Priya's headteacher never had a digest, nor a review to do.
        self.assertEqual(self.digests_to("h-castle"), [])
        self.assertNotIn("review", [r["kind"] for r in self.get(self.pri)["requirements"]])


if __name__ == "__main__":
    unittest.main()
