"""Term start end to end (issue 20): two weeks of ordinary mail in the history, fifteen houses of 100 roster students
who never signed in, every house admin pressing the reminder button, the real mail worker and aiosmtpd.

- On MAIL_DAILY_LIMIT=2000 all 1,500 reminders leave as fast as the worker sends, and a password reset, a developer
  alert, an urgent notice and a status email each leave within a minute, during the drain and after it.
- On 500 the worker's schedule is played out on a controlled clock: reminders leave at the rate the budget allows,
  the other purposes still leave at once, the window never passes the limit, what /admin/move-in said would leave
  today is what the claims let through, and the finishing time it showed is right within 10 %.
- A burst of 60 urgent reports while the 1,500 reminders drain: each leaves within a minute.
"""
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

import app.models.base as base
from app import errorlog
from app.delivery_estimate import end_of_today
from app.emailer import enqueue_many, estimate_delivery
from app.extensions import db
from app.models.accounts import Role, User
from app.models.houses import House
from app.models.issues import Issue
from app.models.mail import MailStatus, OutboxEmail, Purpose
from bench.term_data import HOUSES, PASSWORD, STUDENTS_PER_HOUSE, add_history, add_houses, admin_email
from tests.conftest import wait_for
from tests.issues.conftest import report_data

REMINDERS = HOUSES * STUDENTS_PER_HOUSE
MINUTE = 60.0
QUICK_MAIL = {"ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 0, "ISSUE_REPORTS_PER_HOUR": 100}
WORKER = {"MAIL_POLL_SECONDS": 0.2, "ISSUE_MAIL_DELAY": 0}


def seed(app, now: datetime, history: dict | None = None) -> list[str]:
    """The history, the houses and their admins; returns the houses' slugs."""
    with app.app_context():
        add_history(now, day=history)
        slugs = add_houses(now)
        db.session.commit()
        return slugs


def signed_in(app, *clients_of: str) -> list:
    """A test client logged in as each address (password PASSWORD)."""
    clients = []
    for email in clients_of:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        clients.append(client)
    return clients


def press_all(admins: list, slugs: list[str]) -> list[dict]:
    """Every house admin presses the reminder button (JSON answers)."""
    answers = []
    for client, slug in zip(admins, slugs, strict=True):
        response = client.post("/admin/move-in/reminders", data={"house": slug}, headers={"Accept": "application/json"})
        assert response.status_code == 200, response.get_data(as_text=True)
        answers.append(response.get_json())
        assert answers[-1]["queued"] == STUDENTS_PER_HOUSE and answers[-1]["not_signed_in"] == STUDENTS_PER_HOUSE
    return answers


def text_of(message) -> str:
    body = message.get_body(("plain",))
    return f"{message['Subject']}\n{body.get_content() if body else ''}"


def received(smtp_server, to: str, marker: str) -> bool:
    return any(to in message["To"] and marker in text_of(message) for message in list(smtp_server.messages))


def reminders_received(smtp_server) -> int:
    return sum(1 for rcpt in smtp_server.recipients() if rcpt.startswith("h") and "-s" in rcpt)


@pytest.fixture
def residents(app, make_house, make_user):
    """A house outside the term houses with its admin and two students who can sign in (a reset, an urgent report
    and a status change each, once during the drain and once after it)."""
    house = make_house("acacia")
    admin = make_user(Role.ADMIN, admin_of=[house], email="acacia-admin@example.ac.za", password=PASSWORD)
    during = make_user(Role.STUDENT, house=house, email="during@example.ac.za", password=PASSWORD)
    after = make_user(Role.STUDENT, house=house, email="after@example.ac.za", password=PASSWORD)
    return SimpleNamespace(house=house, admin=admin, during=during, after=after)


def other_mail(app, residents, student) -> dict[str, tuple[str, str]]:
    """A password reset, a developer alert, an urgent notice and a status email, each made the way the product
    makes it; returns {kind: (recipient, text it carries)}."""
    tag = student.email.partition("@")[0]
    reporter, admin = signed_in(app, student.email, residents.admin.email)
    title = f"Burst pipe {tag}"
    response = reporter.post("/issues/new", data=report_data(title=title, urgency="urgent"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id).where(Issue.title == title))
    response = admin.post(f"/admin/issues/{issue_id}", data={"status": "in_progress", "comment": f"On it {tag}",
                                                             "visibility": "public"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = app.test_client().post("/password/forgot", data={"email": student.email})
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    with app.app_context():
        errorlog.record("term-start", f"Disk full on the {tag} host")
    return {"urgent notice": (residents.admin.email, title), "status email": (student.email, f"On it {tag}"),
            "password reset": (student.email, "/password/reset/"), "developer alert": ("dev-alerts@", tag)}


def leave_within_a_minute(app, smtp_server, wanted: dict[str, tuple[str, str]], since: float) -> dict[str, float]:
    """Wait for each wanted email; returns how long each took from `since` (fails after a minute, naming those
    still missing and what the outbox says of them)."""
    took: dict[str, float] = {}
    while len(took) < len(wanted) and time.monotonic() - since < MINUTE:
        for kind, (to, marker) in wanted.items():
            if kind not in took and received(smtp_server, to, marker):
                took[kind] = time.monotonic() - since
        time.sleep(0.02)
    if missing := [kind for kind in wanted if kind not in took]:
        with app.app_context():
            rows = db.session.execute(sa.select(OutboxEmail.purpose, OutboxEmail.status, OutboxEmail.to_address,
                                                OutboxEmail.send_after, OutboxEmail.last_error).where(
                OutboxEmail.template != "move_in_reminder", OutboxEmail.charged_at.is_(None)
                | (OutboxEmail.charged_at > base.utcnow() - timedelta(minutes=5)))).all()
        pytest.fail(f"not out within a minute: {missing}; outbox: {rows}")
    return took


@pytest.mark.mysql_only
@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2000, **QUICK_MAIL}], indirect=True)
def test_on_2000_every_reminder_leaves_as_fast_as_the_worker_sends(app, smtp_server, spawn, residents):
    now = base.utcnow()
    slugs = seed(app, now)
    admins = signed_in(app, *(admin_email(h) for h in range(HOUSES)))
    smtp_server.slow_down(0.002)  # a server that takes a little time, so the drain lasts a few seconds
    spawn("worker", MAIL_DAILY_LIMIT=2000, **WORKER)
    pressed = time.monotonic()
    answers = press_all(admins, slugs)
    assert time.monotonic() - pressed < 10 * MINUTE
    last_out_by = datetime.fromisoformat(answers[-1]["last_out_by"])
    assert last_out_by <= base.utcnow() + timedelta(minutes=1), answers[-1]["message"]  # no wait for budget

    since = time.monotonic()
    during = leave_within_a_minute(app, smtp_server, other_mail(app, residents, residents.during), since)
    assert reminders_received(smtp_server) < REMINDERS, "the drain was over before the other mail was made"

    wait_for(lambda: reminders_received(smtp_server) == REMINDERS, timeout=3 * MINUTE)
    drained = time.monotonic() - pressed
    since = time.monotonic()
    after = leave_within_a_minute(app, smtp_server, other_mail(app, residents, residents.after), since)
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(OutboxEmail.status, sa.func.count()).where(
            OutboxEmail.template == "move_in_reminder").group_by(OutboxEmail.status)).all())
    assert statuses == {MailStatus.SENT: REMINDERS}
    print(f"1,500 reminders out {drained:.1f} s after the first press; during: {during}; after: {after}",
          file=sys.stderr)


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2000, "MAIL_BATCH_SIZE": 200}], indirect=True)
def test_one_drain_sends_every_reminder_and_the_other_purposes_first(app, smtp_server, queue, drain):
    with app.app_context():
        add_history(base.utcnow())
        db.session.commit()
        assert estimate_delivery(REMINDERS, Purpose.BULK) - base.utcnow() < timedelta(seconds=5)  # all of it today
        enqueue_many("password_reset", [(f"student{i}@example.ac.za", {"name": "S", "link": "http://x/r"})
                                        for i in range(REMINDERS)], purpose=Purpose.BULK, batch="term")
        db.session.commit()
    for purpose in (Purpose.NOTICE, Purpose.URGENT, Purpose.ALERT, Purpose.SECURITY):
        queue(1, purpose=purpose, prefix=purpose.value, cause="system")
    drain()
    sent = [message["To"] for message in smtp_server.messages]
    assert len(sent) == REMINDERS + 4
    assert sent[:4] == ["security0@example.ac.za", "alert0@example.ac.za", "urgent0@example.ac.za",
                        "notice0@example.ac.za"]
    queue(1, purpose=Purpose.SECURITY, prefix="after", cause="system")  # the reserves are still there
    drain()
    assert smtp_server.messages[-1]["To"] == "after0@example.ac.za"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status == MailStatus.QUEUED)) == 0


class Clock:
    """Every `utcnow` of the app's modules, standing still until the test moves it forward."""

    def __init__(self, monkeypatch):
        self.now = base.utcnow().replace(microsecond=0)
        original = base.utcnow
        for name, module in list(sys.modules.items()):
            if (name == "app" or name.startswith("app.")) and getattr(module, "utcnow", None) is original:
                monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def shown_finish(app, page: str) -> datetime:
    """The progress box's "Last expected out by" (local time, to the minute) as naive UTC."""
    shown = re.search(r'data-time="estimated_done">(?:<time[^>]*>)?(\d\d \w{3} \d{4}, \d\d:\d\d) ', page)
    assert shown, page
    moment = datetime.strptime(shown[1], "%d %b %Y, %H:%M").replace(tzinfo=ZoneInfo(app.config["LOCAL_TIMEZONE"]))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def charges(app, **where) -> list[datetime]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(OutboxEmail.charged_at).filter_by(**where)
                                         .where(OutboxEmail.charged_at.is_not(None))))


def sent_to(app) -> list[tuple[str, datetime]]:
    with app.app_context():
        return db.session.execute(sa.select(OutboxEmail.to_address, OutboxEmail.charged_at).where(
            OutboxEmail.template == "move_in_reminder")).all()


def most_in_a_window(times: list[datetime]) -> int:
    """The most charges any rolling 24 hours (ending at a charge) held."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - timedelta(hours=24):
            first += 1
        most = max(most, last - first + 1)
    return most


STEP = timedelta(hours=1)  # the simulated worker drains every STEP (the finishing time is checked to 10 %)


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 500, **QUICK_MAIL}], indirect=True)
def test_on_500_reminders_leave_as_the_budget_allows_and_the_finishing_time_shown_is_right(
        app, smtp_server, drain, residents, monkeypatch):
    clock = Clock(monkeypatch)
    start = clock.now
    slugs = seed(app, start)
    admins = signed_in(app, *(admin_email(h) for h in range(HOUSES)))
    press_all(admins[:2], slugs[:2])
    today_shown = int(re.search(r"data-estimate>100 emails: about (\d+) today, the rest by ",
                                admins[2].get("/admin/move-in").get_data(as_text=True))[1])
    press_all(admins[2:], slugs[2:])
    finish_shown = shown_finish(app, admins[-1].get(f"/admin/move-in?house={slugs[-1]}").get_data(as_text=True))
    with app.app_context():
        tonight = end_of_today()

    drain()  # what the budget allows at once; the rest stays queued
    first_day = len(charges(app, template="move_in_reminder"))
    assert 0 < first_day < REMINDERS
    clock.advance(minutes=1)
    wanted = other_mail(app, residents, residents.during)
    drain()  # reserves hold: the other purposes leave at once
    assert all(received(smtp_server, to, marker) for to, marker in wanted.values()), wanted

    later = None
    while len(charges(app, template="move_in_reminder", status=MailStatus.SENT)) < REMINDERS:
        assert clock.now - start < timedelta(days=7), "bulk mail does not get what the reserves leave"
        clock.advance(seconds=STEP.total_seconds())
        if later is None and clock.now - start > timedelta(days=2):  # still draining: the reserves still hold
            later = other_mail(app, residents, residents.after)
        drain()
        if later:
            assert all(received(smtp_server, to, marker) for to, marker in later.values()), later
    third_house = [to for to, at in sent_to(app) if to.startswith("h02-") and at < tonight]
    assert len(third_house) == today_shown  # what the page said would leave today is what the claims let through
    finished = charges(app, template="move_in_reminder")[-1]
    took = finished - start
    assert abs(finish_shown - finished) <= took * 0.1, (finish_shown, finished, took)
    assert most_in_a_window(charges(app)) <= 500  # history included
    print(f"limit 500: {first_day} reminders at once ({today_shown} of the third house, as shown), the last {took} "
          f"after the press; shown {finish_shown - start}",
          file=sys.stderr)


QUIET_DAY = {Purpose.SECURITY: 2, Purpose.ALERT: 0, Purpose.URGENT: 0, Purpose.NOTICE: 20}
BURST = 60


@pytest.mark.mysql_only
@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2000, **QUICK_MAIL}], indirect=True)
def test_a_burst_of_urgent_reports_while_reminders_drain_leaves_within_a_minute(app, smtp_server, spawn):
    now = base.utcnow()
    slugs = seed(app, now, history=QUIET_DAY)
    admins = signed_in(app, *(admin_email(h) for h in range(HOUSES)))
    smtp_server.slow_down(0.002)
    press_all(admins, slugs)
    hashed = generate_password_hash(PASSWORD)
    with app.app_context():  # a reporter in each house (after the presses: they are not reminded)
        houses = db.session.scalars(sa.select(House).where(House.slug.in_(slugs)).order_by(House.slug)).all()
        db.session.execute(sa.insert(User), [
            {"email": f"reporter{h:02d}@example.ac.za", "name": f"Reporter {h}", "role": Role.STUDENT,
             "house_id": house.id, "approved_at": now, "password_hash": hashed}
            for h, house in enumerate(houses)])
        db.session.commit()
    reporters = signed_in(app, *(f"reporter{h:02d}@example.ac.za" for h in range(HOUSES)))
    spawn("worker", MAIL_DAILY_LIMIT=2000, **WORKER)
    wait_for(lambda: reminders_received(smtp_server) > 0)

    reported: list[tuple[str, str, float]] = []
    for n in range(BURST):
        house = n % HOUSES
        title = f"Gas smell {n:02d}"
        at = time.monotonic()
        response = reporters[house].post("/issues/new", data=report_data(title=title, urgency="urgent"))
        assert response.status_code == 302, response.get_data(as_text=True)
        reported.append((admin_email(house), title, at))
    assert reminders_received(smtp_server) < REMINDERS, "the reminders were out before the burst ended"
    slowest = 0.0
    for to, title, at in reported:
        wait_for(lambda to=to, title=title: received(smtp_server, to, title), timeout=max(0.1, MINUTE - (
            time.monotonic() - at)))
        slowest = max(slowest, time.monotonic() - at)
    wait_for(lambda: reminders_received(smtp_server) == REMINDERS, timeout=3 * MINUTE)
    order = [message["To"] for message in smtp_server.messages]
    last_urgent = max(i for i, to in enumerate(order) if to.startswith("admin"))
    assert last_urgent < max(i for i, to in enumerate(order) if to.startswith("h")), "urgent after the reminders"
    print(f"{BURST} urgent reports: the slowest notice out within {slowest:.1f} s", file=sys.stderr)
