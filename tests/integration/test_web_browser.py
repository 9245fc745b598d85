#!/usr/bin/python3
"""pathway-web in a real browser (issue 12, "Tests in a real browser").

Headless Chromium through chromedriver (Debian's chromium, chromium-driver and
python3-selenium, from scripts/deps). An LA adviser signs in from the link
in their email and opens the dashboard; in a second browser the headteacher
opens the link in their signoff-needed email, fills in the evidence form and
signs off, and the dashboard, never reloaded, shows the application move
within a second. A person named <script>alert(1)</script> is text (no alert;
the DOM holds the name). A POST whose CSRF field was taken out is refused; a
used link says so. Screenshots of the dashboard and the action page go to
$PATHWAY_ARTIFACTS (default: web-screenshots/ in the build directory).
"""
import os
import shutil
import time
import unittest

from answers import ANSWERS
from test_timers import BIN
from web_harness import WebDaemon

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException,
                                            StaleElementReferenceException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
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
        w.ok("application.create", {"cohort": COHORT, "candidate": "p-xss"}, "p-xss")
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
        for _ in range(20):
            try:
                return int(self.a.find_element(By.CSS_SELECTOR,
                                               "#stage-%s .count" % stage).text)
            except StaleElementReferenceException:
                time.sleep(0.01)
        raise AssertionError("the dashboard never settled")

    def test_signoff_moves_the_live_dashboard(self):
        w, a, b = self.w, self.a, self.b
        # The LA adviser signs in from the link in their email.
        a.get(w.base + "/login/" + w.login_token("p-la@example.org"))
        if a.find_elements(By.CSS_SELECTOR, "form button"):  # a page that asks to confirm
            a.find_element(By.CSS_SELECTOR, "form button").click()
        self.assertIn("pw_session", [c["name"] for c in a.get_cookies()])
        a.get(w.base + "/dashboard?cohort=" + COHORT)
        self.assertEqual((self.count("interest"), self.count("signoff")), (1, 1))
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
        fill(b, ANSWERS["evidence_form"])
        click(b, "submit")
        self.assertIn("submitted", b.find_element(By.TAG_NAME, "body").text.lower())
        # The link worked once; the headteacher signs in (an emailed link) to sign off.
        b.get(w.base + "/login/" + w.login_token("p-head@example.org"))
        if b.find_elements(By.CSS_SELECTOR, "form button"):
            b.find_element(By.CSS_SELECTOR, "form button").click()
        b.get(w.base + "/")  # "Waiting on you": the sign-off, as a link
        todo = b.find_elements(By.PARTIAL_LINK_TEXT, "Sign off")
        b.get(todo[0].get_attribute("href") if todo else w.base + "/app/" + self.app)
        if not b.find_elements(By.CSS_SELECTOR, 'button[name="do"][value="signoff"]'):
            self.shot(b, "no-signoff-button")
            self.fail("no sign-off button on /app/%s:\n%s" % (
                self.app, b.find_element(By.TAG_NAME, "body").text[:600]))
        click(b, "signoff")
        wait = time.monotonic() + 5
        while time.monotonic() < wait and w.ok("application.get", {"app": self.app})[
                "application"]["stage"] == "signoff":
            time.sleep(0.02)
        committed = time.monotonic()
        self.assertEqual(w.ok("application.get", {"app": self.app})["application"]["stage"],
                         "selection")
        # The dashboard follows within a second, without a reload.
        while time.monotonic() - committed < 1.0:
            if self.count("signoff") == 0 and self.count("selection") == 1:
                break
            time.sleep(0.05)
        took = time.monotonic() - committed
        self.assertEqual((self.count("signoff"), self.count("selection")), (0, 1),
                         "the dashboard did not follow within a second")
        self.assertTrue(a.execute_script("return window.notReloaded === true;"))
        print("\ndashboard followed the sign-off in %.0f ms" % (took * 1000))
        self.shot(a, "dashboard-after")

        # The link is used: it says so plainly.
        b.get(url)
        self.assertRegex(b.find_element(By.TAG_NAME, "body").text.lower(),
                         "already|used|no longer")

    def test_live_without_reload(self):
        """The dashboard alone: a commit made through the api shows within a second."""
        w, a = self.w, self.a
        a.get(w.base + "/login/" + w.login_token("p-la@example.org"))
        if a.find_elements(By.CSS_SELECTOR, "form button"):
            a.find_element(By.CSS_SELECTOR, "form button").click()
        a.get(w.base + "/dashboard?cohort=" + COHORT)
        a.execute_script("window.notReloaded = true;")
        w.ok("application.submit", {"app": self.app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        w.ok("application.signoff", {"app": self.app}, "p-head")
        committed = time.monotonic()
        while time.monotonic() - committed < 1.0 and self.count("selection") != 1:
            time.sleep(0.05)
        print("\nfollowed in %.0f ms" % ((time.monotonic() - committed) * 1000))
        self.assertEqual((self.count("signoff"), self.count("selection")), (0, 1))
        self.assertTrue(a.execute_script("return window.notReloaded === true;"))

    def test_post_without_csrf_is_refused(self):
        w, b = self.w, self.b
        b.get(w.base + "/a/" + w.action_token("p-head@example.org", "signoff-needed"))
        b.execute_script("document.querySelectorAll('input[name=csrf]')"
                         ".forEach(function (e) { e.remove(); });")
        fill(b, ANSWERS["evidence_form"])
        click(b, "submit")
        self.assertIn("signoff", w.ok("application.get", {"app": self.app})
                      ["application"]["stage"])
        self.assertNotIn("evidence_form", w.ok("application.get", {"app": self.app})
                         ["application"].get("docs", {}))


if __name__ == "__main__":
    unittest.main()
