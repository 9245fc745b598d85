#!/usr/bin/python3
"""Person tokens end to end: login links by email, sessions, action links.

A real pathwayd on a manual clock with web.base_url set, a real
pathway-mailer and a real SMTP server (aiosmtpd). auth.link answers the same
for every address and is rate-limited per address and hour; the email's link
carries a login token that auth.session trades for a session token, which
auth.whoami describes and auth.logout ends. The emails that ask their reader
to act carry an action link: its token works once, for its own command on its
own application, and dies when the application leaves the stage. Requests
carry tokens in their "token" field (pyzmq here, as pathway-web would).
"""
import json
import os
import re
import subprocess
import time
import unittest

from test_mail import Rig, text_of
from test_timers import BIN
from answers import ANSWERS

BASE = "https://pathway.example.org"
NOTE = "if a person has this address, a login link is on its way to it"


def with_web(rig, extra=""):
    """Restart rig's daemon with a web group (and extra daemon settings)."""
    with open(rig.d.conf) as f:
        conf = f.read()
    conf += '\nweb = { base_url = "%s/"; };\n' % BASE
    if extra:
        conf = conf.replace("log_level = \"warn\";", "log_level = \"warn\";\n\t" + extra, 1)
    with open(rig.d.conf, "w") as f:
        f.write(conf)
    rig.d.kill()
    rig.d.start()


class TokenTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rig = Rig(self, "2026-09-07T08:00:00Z")
        with_web(self.rig, "login_links_per_hour = 3;")
        self.d = self.rig.d
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        for pid, name, roles, school in [
                ("p-cand", "Amara Okafor", ["candidate"], "s-oak"),
                ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-la", "Helen Marsh", ["la_adviser"], None)]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)
        self.rig.mailer("m1")

    def login_link(self, addr):
        """Ask for a login link for addr; the token of the last one addr was sent."""
        self.d.ok("auth.link", {"email": addr})
        self.rig.settle()
        return self.links(addr, "login")[-1]

    def call(self, cmd, args=None, actor=None, token=None, rid=None):
        """A request as pathway-web would send it: with a token field and no actor (the
        token names who acts); without a token, the operator's."""
        d = self.d
        d.n += 1
        rid = rid or "k%d" % d.n
        req = {"id": rid, "cmd": cmd, "args": args or {}}
        if token is not None:
            req["token"] = token
        if actor is not None or token is None:
            req["actor"] = actor or "operator"
        d.sock.send_multipart([b"", json.dumps(req).encode()])
        self.assertTrue(d.sock.poll(10000), cmd)
        reply = json.loads(d.sock.recv_multipart()[-1])
        self.assertEqual(reply["id"], rid)
        return reply

    def code(self, reply):
        self.assertFalse(reply["ok"], reply)
        return reply["error"]["code"]

    def links(self, to, kind):
        """The tokens of the kind ("login" or "a") links emailed to address to."""
        out = []
        for m in self.rig.sink.snapshot():
            if to in m["rcpt"]:
                out += re.findall(re.escape(BASE) + "/%s/([A-Za-z0-9_-]+)" % kind, text_of(m))
        return out

    # -- login links --------------------------------------------------------------

    def test_login_link_session_whoami_logout(self):
        d = self.d
        known = d.ok("auth.link", {"email": "P-Head@example.org"})
        unknown = d.ok("auth.link", {"email": "nobody@example.org"})
        self.assertEqual(known, {"note": NOTE})
        self.assertEqual(unknown, known)
        self.rig.settle()
        msgs = self.rig.sink.snapshot()
        self.assertEqual([m["rcpt"] for m in msgs], [["p-head@example.org"]])
        self.assertEqual(str(msgs[0]["msg"]["Subject"]), "Your link to log in to Pathway")
        (login,) = self.links("p-head@example.org", "login")
        self.assertLess(len(login), 200)
        # Nobody reading the outbox sees the link.
        jobs = d.ok("outbox.list", {"limit": 100, "vars": True})["jobs"]
        self.assertNotIn(login, json.dumps(jobs))
        self.assertNotIn(login, json.dumps(d.ok("events.since", {"after": 0})))

        s = d.ok("auth.session", {"token": login})
        self.assertEqual(s["person"], "p-head")
        self.assertEqual(s["expires"], "2026-09-07T20:00:00Z")  # session_hours = 12
        session = s["token"]
        self.assertLess(len(session), 200)
        # A login link works once, and is not a session.
        self.assertEqual(self.code(self.call("auth.session", {"token": login})), "token_used")
        self.assertEqual(self.code(self.call("auth.session", {"token": session})),
                         "token_wrong_purpose")
        who = d.ok("auth.whoami", {"token": session})
        self.assertEqual((who["person"], who["roles"], who["purpose"], who["expires"]),
                         ("p-head", ["headteacher"], "session", "2026-09-07T20:00:00Z"))
        self.assertEqual(d.ok("auth.whoami")["purpose"], "none")
        who = self.call("auth.whoami", token=session)
        self.assertTrue(who["ok"], who)
        self.assertEqual((who["data"]["person"], who["data"]["purpose"]),
                         ("p-head", "session"))
        self.assertEqual(d.ok("auth.logout", {"token": session}),
                         {"person": "p-head", "ended": True})
        self.assertEqual(self.code(self.call("auth.whoami", {"token": session})),
                         "token_expired")
        # Expiry and tampering.
        login2 = self.login_link("p-head@example.org")
        self.assertNotEqual(login2, login)
        # A login token is for auth.session only.
        self.assertEqual(self.code(self.call("auth.whoami", token=login2)),
                         "token_wrong_purpose")
        self.assertEqual(self.code(self.call("application.list", token=login2)),
                         "token_wrong_purpose")
        bad = login2[:20] + ("A" if login2[20] != "A" else "B") + login2[21:]
        self.assertEqual(self.code(self.call("auth.session", {"token": bad})), "token_invalid")
        d.ok("clock.advance", {"seconds": 3600})
        self.assertEqual(self.code(self.call("auth.session", {"token": login2})),
                         "token_expired")

    def test_session_ends_with_the_roles(self):
        d = self.d
        session = d.ok("auth.session", {"token": self.login_link("p-head@example.org")})["token"]
        d.ok("person.update", {"id": "p-head", "roles": ["headteacher", "coach"]})
        d.ok("auth.whoami", {"token": session})
        d.ok("person.update", {"id": "p-head", "roles": ["coach"]})
        self.assertEqual(self.code(self.call("auth.whoami", {"token": session})),
                         "token_expired")

    def test_rate_limit_per_address_and_hour(self):
        d = self.d
        for _ in range(5):
            self.assertEqual(d.ok("auth.link", {"email": "p-cand@example.org"}), {"note": NOTE})
            self.assertEqual(d.ok("auth.link", {"email": "nobody@example.org"}), {"note": NOTE})
        self.rig.settle()
        self.assertEqual(len(self.links("p-cand@example.org", "login")), 3)
        # The next hour the address may have links again.
        d.ok("clock.advance", {"seconds": 3600})
        d.ok("auth.link", {"email": "p-cand@example.org"})
        self.rig.settle()
        self.assertEqual(len(self.links("p-cand@example.org", "login")), 4)
        self.assertEqual(self.code(self.call("auth.link", {"email": "not an address"})),
                         "invalid_request")

    def test_rotation_through_pathwayctl(self):
        d = self.d
        login = self.login_link("p-cand@example.org")
        ctl = [os.path.join(BIN, "pathwayctl"), "-c", d.conf]
        out = subprocess.run(ctl + ["token", "rotate"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("previous", out.stdout)
        self.assertEqual(d.ok("token.rotate")["secret"], 3)
        # Inside the grace the old secret's token still works.
        session = d.ok("auth.session", {"token": login})["token"]
        out = subprocess.run(ctl + ["whoami", "--of", session], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("p-cand", out.stdout)
        self.assertIn("session", out.stdout)
        out = subprocess.run(ctl + ["login", "p-cand@example.org"], capture_output=True,
                             text=True)
        self.assertEqual((out.returncode, out.stdout.strip()), (0, NOTE))
        # Past the grace (7 days) it does not.
        d.ok("clock.advance", {"seconds": 7 * 86400 + 1})
        self.assertEqual(self.code(self.call("auth.whoami", {"token": session})),
                         "token_expired")  # the session expired first (12 hours)
        old = self.login_link("p-cand@example.org")
        self.assertEqual(len(self.links("p-cand@example.org", "login")), 3)
        self.assertEqual(d.ok("token.rotate")["secret"], 4)
        d.ok("clock.advance", {"seconds": 7 * 86400 + 1})
        # Made with secret 3 (retired more than the grace ago): refused.
        self.assertEqual(self.code(self.call("auth.session", {"token": old})), "token_invalid")
        # Not an LA adviser: refused.
        self.assertEqual(self.code(self.call("token.rotate", actor="p-cand")), "forbidden")

    # -- action links -------------------------------------------------------------

    def signoff_link(self):
        """An application at signoff, and the headteacher's link from signoff-needed."""
        d = self.d
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        self.rig.settle()
        links = self.links("p-head@example.org", "a")
        self.assertEqual(len(links), 1)
        return app, links[0]

    def test_action_link_once_for_its_own_command(self):
        app, tok = self.signoff_link()
        # The headteacher's next step at signoff is the evidence form.
        self.assertEqual(self.code(self.call("application.signoff", {"app": app}, token=tok)),
                         "token_wrong_purpose")
        self.assertEqual(self.code(self.call("application.submit",
                                             {"app": "A999999", "doc": "evidence_form",
                                              "fields": ANSWERS["evidence_form"]},
                                             token=tok)), "token_wrong_purpose")
        r = self.call("application.submit", {"app": app, "doc": "evidence_form",
                                             "fields": ANSWERS["evidence_form"]}, token=tok,
                      rid="once")
        self.assertTrue(r["ok"], r)
        # A resend (same id, same token) after a lost reply gets the first reply, though the
        # one-use token is spent; the same id with other arguments does not.
        again = self.call("application.submit", {"app": app, "doc": "evidence_form",
                                                 "fields": ANSWERS["evidence_form"]}, token=tok,
                          rid="once")
        self.assertEqual(again, r)
        other = self.call("application.submit", {"app": app, "doc": "self_evaluation",
                                                 "fields": ANSWERS["self_evaluation"]},
                          token=tok, rid="once")
        self.assertIn(self.code(other), ("token_used", "invalid_request"))
        ev = [e for e in self.rig.events(types={"application.submitted"})
              if e["data"].get("doc") == "evidence_form"]
        self.assertEqual(ev[0]["actor"], "p-head")
        self.assertEqual(self.code(self.call("application.submit",
                                             {"app": app, "doc": "evidence_form",
                                              "fields": ANSWERS["evidence_form"]}, token=tok)),
                         "token_used")

    def test_action_link_dies_with_its_stage(self):
        d = self.d
        app, tok = self.signoff_link()
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        self.assertEqual(self.code(self.call("application.submit",
                                             {"app": app, "doc": "evidence_form",
                                              "fields": ANSWERS["evidence_form"]}, token=tok)),
                         "token_stale")

    def test_action_link_in_reminders(self):
        d = self.d
        app, _ = self.signoff_link()
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        for _ in range(5):
            d.ok("clock.advance", {"seconds": 86400})
        end = time.monotonic() + 30
        while True:
            reminders = [m for m in self.rig.sink.snapshot()
                         if str(m["msg"]["Subject"]).startswith("Reminder:")]
            if reminders or time.monotonic() > end:
                break
            time.sleep(0.05)
        self.assertTrue(reminders)
        (tok,) = re.findall(re.escape(BASE) + "/a/([A-Za-z0-9_-]+)", text_of(reminders[-1]))
        # Now the evidence form is in, the reminder's link is for the sign-off.
        r = self.call("application.signoff", {"app": app}, token=tok)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["data"]["application"]["stage"], "selection")


class NoWebTest(unittest.TestCase):
    def test_without_base_url(self):
        rig = Rig(self, "2026-09-07T08:00:00Z")
        d = rig.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        d.ok("person.create", {"id": "p-cand", "name": "A", "email": "a@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        d.ok("person.create", {"id": "p-head", "name": "H", "email": "h@example.org",
                               "roles": ["headteacher"], "school": "s-oak"})
        self.assertEqual(d.ok("auth.link", {"email": "a@example.org"}), {"note": NOTE})
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        rig.mailer("m1")
        rig.settle()
        msgs = rig.sink.snapshot()
        self.assertEqual([m["rcpt"] for m in msgs], [["h@example.org"]])
        self.assertIn("ask your LA adviser", " ".join(text_of(msgs[0]).split()))
        self.assertNotIn("/a/", text_of(msgs[0]))


if __name__ == "__main__":
    unittest.main()
