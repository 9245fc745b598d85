"""news.py: what a running pathwayd's log and outbox gained since the last look,
for tests that follow a programme step by step (test_lle, test_briefing,
test_booking_notices). d is a test harness's daemon with ok(cmd, args)."""


def last_seq(d):
    """The sequence number of the last event in the log (0 for none)."""
    seq = 0
    while True:
        page = d.ok("events.since", {"after": seq, "limit": 1000})["events"]
        if not page:
            return seq
        seq = page[-1]["seq"]


def last_job(d):
    """The id of the newest job in the outbox, or None."""
    last = None
    while True:
        args = {"limit": 1000}
        if last:
            args["after"] = last
        page = d.ok("outbox.list", args)["jobs"]
        if not page:
            return last
        last = page[-1]["id"]


class News:
    """Calling it returns (events, jobs with their variables) since the last call;
    the first call, what came after the News was made."""

    def __init__(self, d):
        self.d, self.seq, self.job = d, last_seq(d), last_job(d)

    def __call__(self):
        evs = self.d.ok("events.since", {"after": self.seq, "limit": 1000})["events"]
        if evs:
            self.seq = evs[-1]["seq"]
        args = {"limit": 1000, "vars": True}
        if self.job:
            args["after"] = self.job
        jobs = self.d.ok("outbox.list", args)["jobs"]
        if jobs:
            self.job = jobs[-1]["id"]
        return evs, jobs
