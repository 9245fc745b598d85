#!/usr/bin/python3
"""pathway-web in a real browser ("Tests in a real browser").

Headless Chromium through chromedriver (Debian's chromium, chromium-driver and
python3-selenium, from scripts/deps). An LA adviser signs in from the link
in their email and opens the dashboard; in a second browser the headteacher
opens the link in their signoff-needed email, fills in the evidence form and
signs off, and the dashboard, never reloaded, shows the application move
within a second. The sign-off is the headteacher's next action: the
confirmation says so and sends them to sign in (the login flow from the
emailed link), and their page has it. A rater completes the 360 from their
link, and the candidate's page shows nothing of it. A person named
<script>alert(1)</script> is text (no alert; the DOM holds the name). A POST
whose CSRF field was taken out is refused; a used link and an expired one
(the manual clock moved past 30 days) say so. Every wait is on a condition
(WebDriverWait, or polling pathwayd), never a fixed sleep. A candidate starts their
self-evaluation, a long form, one question per page. Screenshots of the dashboard and the action page go to
$PATHWAY_ARTIFACTS (default: web-screenshots/ in the build directory).
"""
import os
import shutil
import time
import unittest

from answers import ANSWERS
from test_timers import BIN
from web_harness import WebDaemon, wait_until

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException,
                                            StaleElementReferenceException,
                                            TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
READY = HAVE_SELENIUM and os.path.exists(CHROMIUM) and os.path.exists(DRIVER)
START = "2026-09-07T08:00:00Z"
COHORT = "ntp-2026-27"
SCRIPT = "<script>alert(1)</script>"
ARTIFACTS = os.environ.get("PATHWAY_ARTIFACTS", os.path.join(BIN, "web-screenshots"))


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,2400"):
        o.add_argument(a)
    b = webdriver.Chrome(service=Service(DRIVER), options=o)
    b.set_page_load_timeout(20)
    return b


def fill(b, answers):
    """Fill in a form drawn from its definition: field f is the POST field f.f."""
    for field, value in answers.items():
        els = b.find_elements(By.NAME, "f." + field)
        if not els:
            continue
        kind = els[0].get_attribute("type")
        if els[0].tag_name == "textarea" or kind in ("text", "url", "date", "email"):
            b.execute_script("arguments[0].value = arguments[1];", els[0], str(value))
        elif kind in ("radio", "checkbox"):
            want = value if isinstance(value, list) else [
                ("yes" if value else "no") if isinstance(value, bool) else str(value)]
            for e in els:
                if e.get_attribute("value") in want and not e.is_selected():
                    b.execute_script("arguments[0].click();", e)


def click(b, value):
    """Press the button name="do" value=value."""
    btn = b.find_element(By.CSS_SELECTOR, 'button[name="do"][value="%s"]' % value)
    b.execute_script("arguments[0].click();", btn)


@unittest.skipUnless(READY, "chromium, chromium-driver or python3-selenium is missing "
                            "(scripts/deps installs them)")
class BrowserTest(unittest.TestCase):
    def setUp(self):
        self.w = w = WebDaemon(START)
        self.addCleanup(w.stop)
        w.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        for pid, name, roles in [("p-la", "Helen Marsh", ["la_adviser"]),
                                 ("p-head", "Margaret Lowe", ["headteacher"]),
                                 ("p-cand", "Amara Okafor", ["candidate"]),
                                 ("p-xss", SCRIPT, ["candidate"])]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if pid != "p-la":
                args["school"] = "s-oak"
            w.ok("person.create", args)
        # The named one applies (interest stage); the other waits on the headteacher.
        self.xss_app = w.ok("application.create", {"cohort": COHORT, "candidate": "p-xss"},
                            "p-xss")["application"]["id"]
        self.app = w.ok("application.create", {"cohort": COHORT, "candidate": "p-cand"},
                        "p-cand")["application"]["id"]
        w.ok("application.submit", {"app": self.app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.a = browser()
        self.addCleanup(self.a.quit)
        self.b = browser()
        self.addCleanup(self.b.quit)

    def shot(self, b, name):
        path = os.path.join(ARTIFACTS, name + ".png")
        b.save_screenshot(path)
        print("\nscreenshot: " + path)

    def count(self, stage):
        """A stage's count on the dashboard (read again if live.js swaps the part meanwhile)."""
        return int(WebDriverWait(self.a, 2, poll_frequency=0.01,  # (text: 0 is falsy)
                                 ignored_exceptions=[StaleElementReferenceException]).until(
            lambda a: a.find_element(By.CSS_SELECTOR, "#stage-%s .count" % stage).text))

    def counts(self, *stages):
        return tuple(self.count(s) for s in stages)

    def follows(self, want, stages=("signoff", "selection")):
        """Wait (at most a second) for the dashboard, never reloaded, to show want; the ms."""
        t = time.monotonic()
        try:
            WebDriverWait(self.a, 1.0, poll_frequency=0.02).until(
                lambda a: self.counts(*stages) == want)
        except TimeoutException:
            pass
        self.assertEqual(self.counts(*stages), want, "the dashboard did not follow in a second")
        self.assertTrue(self.a.execute_script("return window.notReloaded === true;"))
        return (time.monotonic() - t) * 1000

    def body(self, b):
        """The page's text (read in one go: the page may be changing under a wait)."""
        return b.execute_script("return document.body ? document.body.innerText : '';")

    def sign_in(self, b, email):
        """The login flow: ask /login for a link, open the emailed link, press Sign in."""
        w = self.w
        if not b.current_url.rstrip("/").endswith("/login"):
            b.get(w.base + "/login")
        seen = {j["id"] for j in w.worker.jobs}
        b.find_element(By.ID, "email").send_keys(email)
        b.find_element(By.CSS_SELECTOR, 'form[action="/login"] button').click()
        WebDriverWait(b, 5).until(lambda b: "If that address is known" in self.body(b))
        job = w.worker.wait(lambda j: j["id"] not in seen and j["to"]["email"] == email and
                            "login_url" in j.get("vars", {}), what="the login email")
        link = job["vars"]["login_url"]
        self.assertTrue(link.startswith(w.base + "/login/"), link)
        b.get(link)  # only a button: a mail scanner opening it spends nothing
        self.assertNotIn("pw_session", [c["name"] for c in b.get_cookies()])
        b.find_element(By.CSS_SELECTOR, "form button").click()
        WebDriverWait(b, 5).until(
            lambda b: "pw_session" in [c["name"] for c in b.get_cookies()])
        return link

    def stage(self):
        return self.w.ok("application.get", {"app": self.app})["application"]["stage"]

    def test_signoff_moves_the_live_dashboard(self):
        w, a, b = self.w, self.a, self.b
        # The LA adviser signs in from the link in their email.
        login = self.sign_in(a, "p-la@example.org")
        a.get(w.base + "/dashboard?cohort=" + COHORT)
        self.assertEqual(self.counts("interest", "signoff"), (1, 1))
        # The name is text: no alert, and the DOM holds it as written.
        with self.assertRaises(NoAlertPresentException):
            a.switch_to.alert.text
        self.assertIn(SCRIPT, a.find_element(By.ID, "activity").text)
        a.execute_script("window.notReloaded = true;")
        self.shot(a, "dashboard")

        # The headteacher, in another browser, acts from the signoff-needed email.
        url = w.base + "/a/" + w.action_token("p-head@example.org", "signoff-needed")
        b.get(url)
        self.shot(b, "action-page")
        self.assertIn("Margaret Lowe", self.body(b))  # whose link it is
        fill(b, ANSWERS["evidence_form"])
        click(b, "submit")
        WebDriverWait(b, 5).until(lambda b: "Form submitted" in self.body(b))
        self.assertEqual(self.stage(), "signoff")
        # What happens next: the sign-off is theirs, by signing in (the link worked once).
        self.assertIn("Sign off the application", self.body(b))
        b.find_element(By.ID, "next").click()
        self.sign_in(b, "p-head@example.org")
        # Their page: "Waiting on you", the sign-off as a link to the application.
        WebDriverWait(b, 5).until(lambda b: "Waiting on you" in self.body(b))
        b.find_element(By.PARTIAL_LINK_TEXT, "Sign off").click()
        WebDriverWait(b, 5).until(lambda b: b.find_elements(
            By.CSS_SELECTOR, 'button[name="do"][value="signoff"]'))
        self.assertIn("/app/" + self.app, b.current_url)
        click(b, "signoff")
        WebDriverWait(b, 5).until(lambda b: "Application signed off" in self.body(b))
        self.assertEqual(self.stage(), "selection")
        # The dashboard follows within a second, without a reload.
        took = self.follows((0, 1))
        print("\ndashboard followed the sign-off in %.0f ms (after the page said so)" % took)
        self.shot(a, "dashboard-after")

        # The links are used: they say so plainly, and offer a fresh one.
        for link in (url, login):
            b.get(link)
            if link == login:  # its GET only shows the button (it checks nothing)
                b.find_element(By.CSS_SELECTOR, "main form button").click()
                WebDriverWait(b, 5).until(lambda b: "used" in self.body(b))
            self.assertIn("already been used", self.body(b))
            self.assertTrue(b.find_elements(By.CSS_SELECTOR, 'form[action="/login"]'))

    def test_live_without_reload(self):
        """The dashboard alone: a commit made through the api shows within a second."""
        w, a = self.w, self.a
        self.sign_in(a, "p-la@example.org")
        a.get(w.base + "/dashboard?cohort=" + COHORT)
        self.assertEqual(self.counts("signoff", "selection"), (1, 0))
        a.execute_script("window.notReloaded = true;")
        w.ok("application.submit", {"app": self.app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        w.ok("application.signoff", {"app": self.app}, "p-head")
        print("\nfollowed in %.0f ms" % self.follows((0, 1)))
        # The other candidate's self-evaluation, a long form: one question per page.
        b = self.b
        self.sign_in(b, "p-xss@example.org")
        b.get(w.base + "/app/" + self.xss_app)
        b.find_element(By.ID, "start").click()
        WebDriverWait(b, 5).until(lambda b: "Question 1 of" in self.body(b))
        b.find_element(By.NAME, "f.current_role").send_keys("Deputy headteacher")
        b.find_element(By.ID, "continue").click()
        WebDriverWait(b, 5).until(lambda b: "Question 2 of" in self.body(b))
        self.assertEqual(w.ok("form.get", {"app": self.xss_app, "form": "self_evaluation"},
                              "p-xss")["form"]["fields"]["current_role"], "Deputy headteacher")

    def test_post_without_csrf_is_refused(self):
        w, b = self.w, self.b
        b.get(w.base + "/a/" + w.action_token("p-head@example.org", "signoff-needed"))
        b.execute_script("document.querySelectorAll('input[name=csrf]')"
                         ".forEach(function (e) { e.remove(); });")
        fill(b, ANSWERS["evidence_form"])
        click(b, "submit")
        WebDriverWait(b, 5).until(lambda b: "403" in b.title or "refused" in
                                  self.body(b).lower() or "expired" in self.body(b).lower())
        self.assertNotIn("Form submitted", self.body(b))
        self.assertEqual(self.stage(), "signoff")
        self.assertNotIn("evidence_form", w.ok("application.get", {"app": self.app})
                         ["application"].get("docs", {}))

    def test_expired_link(self):
        """The signoff-needed link after the manual clock moved past 30 days."""
        w, b = self.w, self.b
        url = w.base + "/a/" + w.action_token("p-head@example.org", "signoff-needed")
        w.ok("clock.advance", {"seconds": 31 * 86400})
        b.get(url)
        self.assertIn("This link has expired", self.body(b))
        self.assertTrue(b.find_elements(By.CSS_SELECTOR, 'form[action="/login"]'))
        self.assertFalse(b.find_elements(By.CSS_SELECTOR, 'button[name="do"]'))
        self.assertEqual(self.stage(), "signoff")

    def test_rater_completes_the_360(self):
        """The candidate invites a rater from their page; the rater answers from the link
        in their email; the candidate's page shows nothing of it."""
        w, a, b = self.w, self.a, self.b
        w.ok("application.submit", {"app": self.app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        w.ok("application.signoff", {"app": self.app}, "p-head")
        w.ok("application.decide", {"app": self.app, "outcome": "accept"}, "p-la")
        self.sign_in(a, "p-cand@example.org")
        a.get(w.base + "/app/" + self.app)
        a.find_element(By.ID, "rater-name").send_keys("Pat Rowe")
        a.find_element(By.ID, "rater-email").send_keys("pat@example.org")
        a.execute_script("arguments[0].click();", a.find_element(
            By.CSS_SELECTOR, 'input[name="category"][value="peers"]'))
        click(a, "invite")
        WebDriverWait(a, 5).until(lambda a: "Invitation sent" in self.body(a))
        a.get(w.base + "/app/" + self.app)
        before = a.find_element(By.ID, "raters").text
        self.assertIn("Pat Rowe", before)
        # The rater, from the link in the email the daemon produced.
        token = w.action_token("pat@example.org", "rater-invitation")
        b.get(w.base + "/a/" + token)
        self.assertIn("Give your 360 feedback", self.body(b))
        self.assertIn("Amara Okafor", self.body(b))
        self.assertRegex(self.body(b), r"at least \d+ others")
        self.shot(b, "rater-page")
        for radio in b.find_elements(By.CSS_SELECTOR, 'input[type="radio"][value="4"]'):
            b.execute_script("arguments[0].click();", radio)
        click(b, "respond")
        WebDriverWait(b, 5).until(lambda b: "Thank you" in self.body(b))
        wait_until(lambda: any("responded" in r for r in w.ok(
            "application.get", {"app": self.app}, "p-la")["application"]["raters"].values()),
            5, "the response")
        # The candidate's page: who was invited, never who responded.
        a.get(w.base + "/app/" + self.app)
        self.assertEqual(a.find_element(By.ID, "raters").text, before)
        text = self.body(a).lower()
        self.assertNotIn("responded", text)
        self.assertIn("fewer than 3 responses", text)
        b.get(w.base + "/a/" + token)
        self.assertIn("already been used", self.body(b))


if __name__ == "__main__":
    unittest.main()
