#!/usr/bin/python3
"""Erasure and the emails still to go to others, delivered for real.

A real pathwayd on a manual clock, a real pathway-mailer and an SMTP server
(aiosmtpd), on the shipped Norfolk Talent Pool and Norfolk LLE. Free text a
person wrote is copied into emails to other people when they are queued: a
candidate's withdrawal reason (to their headteacher and the LA), a
headteacher's note sending a form back (to the candidate), a headteacher's
support need (to the LA). Each writer is erased while those emails wait; the
mailer then delivers them: none holds the writer's text or name, each says
"(removed: ...)" where the text was, and the emails about someone else (a
withdrawal with its own reason) arrive as written. An email leased to a
worker at the erasure is counted as in flight; if it is not delivered then,
it goes later without the text.
"""
import json
import unittest

import zmq

from answers import ANSWERS
from test_mail import Rig, flat, text_of

START = "2026-09-07T08:00:00Z"
REMOVED = "(removed: personal data erased)"
ANN_REASON = "ANNREASON: my partner is seriously ill"
CY_REASON = "CYREASON: I have taken a post in Suffolk"
ELM_NOTE = "ELMNOTE: please say which governors you have worked with"
HS_NEED = "HSNEED: our new SENCo needs a mentor, Harold Sennet says"
NTP, LLE = "ntp-2026-27", "lle-2026-27"


class EraseMailTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rig = Rig(self, START)
        self.d = d = self.rig.d
        self.people = {}
        for sid, name in (("s-oak", "Oak Primary"), ("s-elm", "Elm Primary"),
                          ("s-lle", "Hethersett Junior")):
            d.ok("school.create", {"id": sid, "name": name, "phase": "primary"})
        for pid, name, roles, school in (
                ("p-la", "Helen Marsh", ["la_adviser"], None),
                ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-elm", "Edith Elmwood", ["headteacher"], "s-elm"),
                ("p-hs", "Harold Sennet", ["headteacher"], "s-lle"),
                ("p-ann", "Annabel Archer", ["candidate"], "s-oak"),
                ("p-cy", "Cyril Young", ["candidate"], "s-oak"),
                ("p-bob", "Bob Baxter", ["candidate"], "s-elm")):
            self.rig.person(pid, name, roles, school)
            self.people[pid] = name

    def app(self, cand):
        return self.d.ok("application.create", {"cohort": NTP, "candidate": cand},
                         cand)["application"]["id"]

    def jobs(self):
        return self.d.ok("outbox.list", {"vars": True, "limit": 1000})["jobs"]

    def delivered(self):
        """Start the mailer and let it deliver everything: {(person, template, app): text},
        the text being the subject and the plain body, whitespace flattened."""
        self.rig.mailer("m1")
        sent = {e["data"]["job"]: e for e in self.rig.settle()}
        msgs = self.rig.sink.snapshot()
        self.assertEqual(len(msgs), len(sent))
        out = {}
        for m in msgs:
            job = str(m["msg"]["Message-ID"]).strip("<> ").split(".")[0]
            e = sent[job]
            (rcpt,) = m["rcpt"]
            self.assertEqual(rcpt, e["data"]["person"] + "@example.org")
            key = (e["data"]["person"], e["data"]["template"], e.get("app"))
            self.assertNotIn(key, out, "one email each")
            out[key] = str(m["msg"]["Subject"]) + "\n" + flat(text_of(m))
        return out

    def test_pending_emails_lose_what_the_erased_wrote(self):
        d = self.d
        # A candidate's reason, to their headteacher and the LA; another's, as a control.
        ann = self.app("p-ann")
        d.ok("application.withdraw", {"app": ann, "reason": ANN_REASON}, "p-ann")
        cy = self.app("p-cy")
        d.ok("application.withdraw", {"app": cy, "reason": CY_REASON}, "p-cy")
        # A headteacher's note sending the candidate's form back, to the candidate.
        bob = self.app("p-bob")
        d.ok("application.submit", {"app": bob, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-bob")
        d.ok("application.return", {"app": bob, "form": "self_evaluation", "note": ELM_NOTE},
             "p-elm")
        # A headteacher's support need, to the LA.
        req = d.ok("support.request", {"cohort": LLE, "need": HS_NEED},
                   "p-hs")["request"]["id"]
        queued = json.dumps(self.jobs())
        for s in (ANN_REASON, CY_REASON, ELM_NOTE, HS_NEED):
            self.assertIn(s, queued)

        r = d.ok("person.erase", {"id": "p-ann"}, "p-la")["erased"]
        # Their own email goes; their reason leaves the headteacher's and the LA's.
        self.assertEqual((r["jobs"], r["jobs_redacted"]), (1, 2))
        self.assertNotIn("jobs_redacted_in_flight", r)
        withdrawn = {j["to"]["person"]: j["vars"]["reason"] for j in self.jobs()
                     if j.get("app") == ann}
        self.assertEqual(withdrawn, {"p-head": REMOVED, "p-la": REMOVED})
        r = d.ok("person.erase", {"id": "p-elm"}, "p-la")["erased"]
        self.assertEqual(r["jobs_redacted"], 1)
        r = d.ok("person.erase", {"id": "p-hs"}, "p-la")["erased"]
        self.assertEqual(r["jobs_redacted"], 1)
        self.assertNotIn("need", d.ok("support.get", {"request": req}, "p-la")["request"])
        # Nothing of theirs is left in the queue; the control's reason is still there.
        queued = json.dumps(self.jobs())
        for s in (ANN_REASON, ELM_NOTE, HS_NEED, "Annabel", "Edith", "Harold"):
            self.assertNotIn(s, queued)
        self.assertIn(CY_REASON, queued)

        mail = self.delivered()
        everything = json.dumps(list(mail.values()))
        for x in ("ANNREASON", "partner is seriously ill", "ELMNOTE", "governors you have",
                  "HSNEED", "SENCo", "Annabel Archer", "Edith Elmwood", "Harold Sennet",
                  "p-ann@", "p-elm@", "p-hs@"):
            self.assertNotIn(x, everything)
        self.assertFalse([k for k in mail if k[0] in ("p-ann", "p-elm", "p-hs")])
        # Where the text was, the placeholder; the rest of each email as it was.
        for who in ("p-head", "p-la"):
            text = mail[(who, "withdrawn", ann)]
            self.assertIn("Reason: " + REMOVED + ".", text)
            self.assertIn("withdrawn by erased person", text)
        text = mail[("p-bob", "form-returned", bob)]
        self.assertIn("The note with it: " + REMOVED, text)
        self.assertIn("Please make the changes", text)
        self.assertIn("The need, as given: " + REMOVED, mail[("p-la", "support-requested", None)])
        # The emails about Cyril keep his reason, word for word, for everyone told.
        for who in ("p-cy", "p-head", "p-la"):
            self.assertIn("Reason: " + CY_REASON + ".", mail[(who, "withdrawn", cy)])

    def test_job_in_flight(self):
        """A job a worker holds at the erasure was handed over with the text: the
        erasure counts it; the stored job loses the text, so an attempt after the
        worker gives it back sends the placeholder."""
        d = self.d
        ann = self.app("p-ann")
        d.ok("application.withdraw", {"app": ann, "reason": ANN_REASON}, "p-ann")
        w = d.ctx.socket(zmq.DEALER)
        w.setsockopt(zmq.LINGER, 0)
        w.connect("ipc://%s/workers.sock" % d.dir)
        self.addCleanup(w.close, 0)
        w.send_json({"type": "ready", "credit": 10, "name": "held", "protocol": 4})
        held = {}
        while len(held) < 3:
            self.assertTrue(w.poll(10000), "jobs offered")
            m = json.loads(w.recv_multipart()[-1])
            if m["type"] == "job":
                held[m["job"]["to"]["person"]] = m["job"]
        self.assertEqual(sorted(held), ["p-ann", "p-head", "p-la"])
        self.assertEqual(held["p-head"]["vars"]["reason"], ANN_REASON)

        r = d.ok("person.erase", {"id": "p-ann"}, "p-la")["erased"]
        self.assertEqual((r["jobs"], r["jobs_redacted"], r["jobs_redacted_in_flight"]),
                         (1, 2, 2))
        stored = {j["to"]["person"]: j for j in self.jobs()}
        self.assertEqual(sorted(stored), ["p-head", "p-la"])
        for j in stored.values():
            self.assertEqual((j["state"], j["vars"]["reason"]), ("inflight", REMOVED))

        def report(msg):
            w.send_json(msg)
            while True:
                self.assertTrue(w.poll(10000))
                m = json.loads(w.recv_multipart()[-1])
                if m["type"] in ("ack", "error"):
                    return m

        # The erased person's job is gone: its report is refused.
        m = report({"type": "done", "job": held["p-ann"]["id"]})
        self.assertEqual((m["type"], m["code"]), ("error", "not_found"))
        for who in ("p-head", "p-la"):
            m = report({"type": "retry", "job": held[who]["id"], "error": "421 try later"})
            self.assertEqual(m["type"], "ack", m)
        w.send_json({"type": "bye"})
        d.ok("clock.advance", {"seconds": 4000})
        mail = self.delivered()
        self.assertEqual(sorted(mail), [("p-head", "withdrawn", ann), ("p-la", "withdrawn", ann)])
        for text in mail.values():
            self.assertIn("Reason: " + REMOVED + ".", text)
            self.assertNotIn("ANNREASON", text)
            self.assertNotIn("Annabel", text)


if __name__ == "__main__":
    unittest.main()
