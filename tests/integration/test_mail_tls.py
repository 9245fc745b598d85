#!/usr/bin/python3
"""pathway-mailer over STARTTLS with a private CA (mailer.ca_file).

A throwaway CA and a server certificate for 127.0.0.1 are made with the
openssl command-line tool; aiosmtpd offers STARTTLS with them and refuses mail
before it (require_starttls). A real pathwayd and real mailers with
starttls = "required":
- with ca_file, the sign-off notification is delivered over TLS (a real
  handshake, the server's certificate checked against the CA file);
- without ca_file (the system store does not know the CA) the job is retried,
  never delivered;
- against a server that offers no STARTTLS, or refuses it with a 5xx, the job
  is retried (a temporary failure), never sent in clear and never dead;
- a ca_file that cannot be read, or holds no certificate, stops the mailer at
  start-up with a clear message.
"""
import logging
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from test_mail import DOMAIN, Rig, Sink, message_id
from test_timers import BIN
from answers import ANSWERS

START = "2026-09-07T08:00:00Z"
OPENSSL = shutil.which("openssl")


def make_certs(d):
    """A CA (ca.pem) and a server certificate signed by it for 127.0.0.1 and
    localhost (server.pem, server.key) in d."""
    def run(*args):
        subprocess.run([OPENSSL] + list(args), cwd=d, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=Pathway test CA", "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem")


class TlsSink(Sink):
    """Keeps every message and whether its session was under TLS."""

    def __init__(self):
        super().__init__()
        self.tls = []  # (cipher, version) of each accepted message's session, or None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            obj = server.transport.get_extra_info("ssl_object")
            with self.lock:
                self.tls.append((obj.cipher()[0], obj.version()) if obj else None)
        return reply


class RefuseStarttls(SMTP):
    """Advertises STARTTLS, then refuses it with a 5xx."""

    async def smtp_STARTTLS(self, arg):
        await self.push("554 5.7.3 TLS not available today")


class RefusingController(Controller):
    def factory(self):
        return RefuseStarttls(self.handler, **self.SMTP_kwargs)


class TlsRig(Rig):
    """Rig whose SMTP server offers STARTTLS with certs and refuses mail before it
    (tls=True), offers no STARTTLS at all (tls=False), or advertises it and
    refuses it with a 554 (tls="refuse")."""

    def __init__(self, test, certs, tls=True, **kw):
        self.certs, self.tls = certs, tls
        super().__init__(test, START, **kw)

    def start_smtp(self):
        kw = {}
        if self.tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(os.path.join(self.certs, "server.pem"),
                                os.path.join(self.certs, "server.key"))
            kw = {"tls_context": ctx, "require_starttls": True}
        cls = RefusingController if self.tls == "refuse" else Controller
        self.smtp = cls(self.sink, hostname="127.0.0.1", port=self.port, **kw)
        self.smtp.start()


@unittest.skipIf(OPENSSL is None, "the openssl command-line tool is not installed")
class MailTlsTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="pw-tls-")
        make_certs(cls.certs)
        cls.ca = os.path.join(cls.certs, "ca.pem")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)

    def people(self):
        """A school, its headteacher and a candidate, on the rig just made."""
        self.d, self.sink = self.r.d, self.r.sink
        self.d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        self.d.ok("person.create", {"id": "p-head", "name": "Margaret Lowe",
                                    "email": "p-head@example.org", "roles": ["headteacher"],
                                    "school": "s-oak"})
        self.d.ok("person.create", {"id": "p-cand", "name": "Ann Cole",
                                    "email": "p-cand@example.org", "roles": ["candidate"],
                                    "school": "s-oak"})
        return self.r

    def rig(self, tls=True, mailer=None):
        if mailer is None:
            mailer = 'starttls = "required"; ca_file = "%s";' % self.ca
        self.r = TlsRig(self, self.certs, tls=tls, outbox="retry_min = 1; retry_max = 4;",
                        mailer=mailer, handler=TlsSink())
        return self.people()

    def signoff_job(self):
        """The candidate applies and submits the self-evaluation: the application
        moves to sign-off, which tells the headteacher. Returns that job's id."""
        app = self.d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                        "p-cand")["application"]["id"]
        self.d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                         "fields": ANSWERS["self_evaluation"]}, "p-cand")
        (job,) = [j for j in self.r.jobs() if j["app"] == app]
        self.assertEqual((job["template"], job["to"]["person"]), ("signoff-needed", "p-head"))
        return job["id"]

    def wait_event(self, job, type, timeout=30):
        end = time.monotonic() + timeout
        while True:
            evs = [e["data"] for e in self.r.events(types={type}) if e["data"].get("job") == job]
            if evs:
                return evs[0]
            self.assertLess(time.monotonic(), end, "no %s for %s" % (type, job))
            time.sleep(0.05)

    def assert_retried_not_sent(self, job, error_re):
        ev = self.wait_event(job, "notification.retrying")
        self.assertEqual(ev["attempts"], 1)
        self.assertRegex(ev["error"], error_re)
        (j,) = self.r.jobs()
        self.assertEqual((j["id"], j["state"]), (job, "pending"))
        # A second attempt (the backoff is on the daemon's manual clock) fails the same way.
        self.d.ok("clock.advance", {"seconds": 2})
        end = time.monotonic() + 30
        while self.r.jobs()[0]["attempts"] < 2:
            self.assertLess(time.monotonic(), end, "no second attempt")
            time.sleep(0.05)
        self.assertEqual(self.sink.count(), 0)
        self.assertEqual(self.r.events(types={"notification.sent", "notification.dead"}), [])

    def test_delivers_over_starttls_with_ca_file(self):
        r = self.rig()
        r.mailer("m1")
        job = self.signoff_job()
        (m,) = self.sink.wait(1)
        self.assertEqual(m["rcpt"], ["p-head@example.org"])
        self.assertEqual(message_id(m), (job, DOMAIN))
        (tls,) = self.sink.tls
        self.assertIsNotNone(tls, "the message was accepted outside TLS")
        self.assertIn(tls[1], ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(self.wait_event(job, "notification.sent")["attempts"], 1)
        r.settle()
        # A second message goes over TLS too (on the kept connection or a new one).
        d = self.d
        d.ok("person.create", {"id": "p-cand2", "name": "Bea Shaw", "email": "p-cand2@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand2"},
                   "p-cand2")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand2")
        self.sink.wait(2)
        self.assertNotIn(None, self.sink.tls)
        self.assertEqual(len(r.settle()), 2)

    def test_unknown_ca_is_retried_not_sent(self):
        # starttls required, no ca_file: the system store does not know the test CA.
        # (aiosmtpd logs the refused handshake with a traceback: expected here.)
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        self.addCleanup(logging.getLogger("mail.log").setLevel, logging.NOTSET)
        self.rig(mailer='starttls = "required";')
        self.r.mailer("m1")
        job = self.signoff_job()
        self.assert_retried_not_sent(job, "certificate")

    def test_required_starttls_without_server_support_is_retried(self):
        self.rig(tls=False)
        self.r.mailer("m1")
        job = self.signoff_job()
        self.assert_retried_not_sent(job, "STARTTLS not supported")

    def test_starttls_refused_with_5xx_is_retried(self):
        # The relay's configuration, not the message's: retried, not dead.
        self.rig(tls="refuse")
        self.r.mailer("m1")
        job = self.signoff_job()
        self.assert_retried_not_sent(job, "STARTTLS denied")

    def test_bad_ca_file_stops_the_mailer(self):
        r = self.rig()
        empty = os.path.join(r.d.dir, "empty.pem")
        open(empty, "w").close()
        for path, why in ((os.path.join(r.d.dir, "missing.pem"), "cannot read it"),
                          (empty, "no PEM certificate")):
            conf = os.path.join(r.d.dir, "bad.conf")
            with open(r.d.conf) as f, open(conf, "w") as g:
                g.write(f.read().replace('ca_file = "%s"' % self.ca, 'ca_file = "%s"' % path))
            p = subprocess.run([os.path.join(BIN, "pathway-mailer"), "-c", conf],
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn("mailer.ca_file %s: %s" % (path, why), p.stderr.decode())


class Authenticator:
    """SMTP AUTH for aiosmtpd: one user and password; remembers every attempt."""

    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.seen.append((mechanism, auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (self.user, self.password)
        return AuthResult(success=ok)


class AuthRig(TlsRig):
    """TlsRig whose server requires AUTH (over STARTTLS) before any mail."""

    def __init__(self, test, certs, auth, **kw):
        self.auth = auth
        super().__init__(test, certs, **kw)

    def start_smtp(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(os.path.join(self.certs, "server.pem"),
                            os.path.join(self.certs, "server.key"))
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=self.port,
                               tls_context=ctx, require_starttls=True,
                               authenticator=self.auth, auth_required=True)
        self.smtp.start()


PASSWORD = "corr3ct-h0rse-battery-staple"


@unittest.skipIf(OPENSSL is None, "the openssl command-line tool is not installed")
class MailAuthTest(MailTlsTest):
    """SMTP AUTH over STARTTLS, the password from a file or the environment,
    never in the mailer's log."""

    def auth_rig(self, mailer, password=PASSWORD):
        self.auth = Authenticator("pathway", password)
        self.r = AuthRig(self, self.certs, self.auth, outbox="retry_min = 1; retry_max = 4;",
                         mailer='starttls = "required"; ca_file = "%s"; user = "pathway"; %s'
                         % (self.ca, mailer), handler=TlsSink())
        return self.people()

    def mailer_log(self, name="m1"):
        with open(os.path.join(self.d.dir, name + ".log")) as f:
            return f.read()

    def test_password_from_a_file(self):
        r = self.auth_rig("")
        path = os.path.join(r.d.dir, "smtp-password")
        with open(path, "w") as f:
            f.write(PASSWORD + "\n")  # a trailing newline is not part of it
        with open(r.d.conf) as f:
            conf = f.read()
        with open(r.d.conf, "w") as f:
            f.write(conf.replace('user = "pathway";',
                                 'user = "pathway"; password_file = "%s";' % path))
        r.mailer("m1")
        job = self.signoff_job()
        (m,) = self.sink.wait(1)
        self.assertEqual(message_id(m), (job, DOMAIN))
        self.assertEqual([(u, p) for _, u, p in self.auth.seen],
                         [(b"pathway", PASSWORD.encode())])
        r.settle()
        r.stop_mailer("m1")
        self.assertNotIn(PASSWORD, self.mailer_log())

    def test_password_from_the_environment(self):
        r = self.auth_rig('password_env = "PW_TEST_SMTP_PASSWORD";')
        os.environ["PW_TEST_SMTP_PASSWORD"] = PASSWORD
        self.addCleanup(os.environ.pop, "PW_TEST_SMTP_PASSWORD", None)
        r.mailer("m1")
        job = self.signoff_job()
        (m,) = self.sink.wait(1)
        self.assertEqual(message_id(m), (job, DOMAIN))
        r.settle()
        r.stop_mailer("m1")
        self.assertNotIn(PASSWORD, self.mailer_log())

    def test_wrong_password_is_retried_not_sent(self):
        r = self.auth_rig('password_env = "PW_TEST_SMTP_PASSWORD";')
        os.environ["PW_TEST_SMTP_PASSWORD"] = "not-" + PASSWORD
        self.addCleanup(os.environ.pop, "PW_TEST_SMTP_PASSWORD", None)
        r.mailer("m1")
        job = self.signoff_job()
        # The relay's configuration, not the message: retried, never dead.
        self.assert_retried_not_sent(job, ".")
        self.assertTrue(self.auth.seen)
        r.stop_mailer("m1")
        self.assertNotIn(PASSWORD, self.mailer_log())

    def test_unusable_auth_settings_stop_the_mailer(self):
        r = self.auth_rig('password_env = "PW_TEST_SMTP_PASSWORD";')
        os.environ.pop("PW_TEST_SMTP_PASSWORD", None)
        secret = os.path.join(r.d.dir, "secret")
        with open(secret, "w") as f:
            f.write(PASSWORD + "\n")
        with open(r.d.conf) as f:
            good = f.read()
        base = good.replace('password_env = "PW_TEST_SMTP_PASSWORD";', "")
        cases = [
            (good, "mailer.password_env PW_TEST_SMTP_PASSWORD: not set"),
            (base, "mailer.user is set: set mailer.password_file or mailer.password_env"),
            (base.replace('user = "pathway";', 'user = "pathway"; password_file = "%s/none";'
                          % r.d.dir), "mailer.password_file %s/none: cannot read it" % r.d.dir),
            (good.replace('user = "pathway";', 'user = "pathway"; password_file = "%s";'
                          % secret), "not both"),
            (base.replace('starttls = "required";', 'starttls = "optional";')
                 .replace('user = "pathway";', 'user = "pathway"; password_file = "%s";'
                          % secret), "in clear"),
            (base.replace('smtp_url = "smtp://', 'smtp_url = "smtp://pathway:%s@' % PASSWORD)
                 .replace('user = "pathway";', 'user = "pathway"; password_file = "%s";'
                          % secret), "put no user or password in it"),
        ]
        for conf_text, why in cases:
            conf = os.path.join(r.d.dir, "bad.conf")
            with open(conf, "w") as g:
                g.write(conf_text)
            p = subprocess.run([os.path.join(BIN, "pathway-mailer"), "-c", conf],
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 1, why)
            self.assertIn(why, p.stderr.decode())
            self.assertNotIn(PASSWORD, p.stderr.decode())
        self.assertEqual(self.auth.seen, [])

    # The TLS cases are MailTlsTest's; run them once, there.
    test_delivers_over_starttls_with_ca_file = None
    test_unknown_ca_is_retried_not_sent = None
    test_required_starttls_without_server_support_is_retried = None
    test_starttls_refused_with_5xx_is_retried = None
    test_bad_ca_file_stops_the_mailer = None


if __name__ == "__main__":
    unittest.main()
