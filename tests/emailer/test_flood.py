"""Nobody can use up the day's mail: floods from one account and from one client address, then, the same
minute, a real reset, a status email and a developer alert all arrive, and the budget is never exceeded.

Real parts: the app through its test client, the outbox, `flask mail drain` and an aiosmtpd server.
"""
import re
from functools import partial

import pytest
import sqlalchemy as sa

from app.errorlog import record
from app.extensions import db
from app.models import Role
from app.models.issues import Issue
from app.models.mail import OutboxEmail
from tests.conftest import PASSWORD
from tests.issues.conftest import report_data
from tests.races import race

FLOOD = {"MAIL_DAILY_LIMIT": 100, "ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 0,
         "ISSUE_REPORTS_PER_HOUR": 1000, "ISSUE_REPORTS_PER_DAY": 1000}  # caps: student 2, admin 5, address 2
pytestmark = pytest.mark.parametrize("app", [FLOOD], indirect=True)


def client_at(app, address: str, user=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if user is not None:
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def drain(runner) -> None:
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output + repr(result.exception)


def caused_by(app, cause: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.cause == cause))


def charged(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.charged_at.is_not(None)))


def to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address]


@pytest.fixture
def residents(make_user, make_house, house):
    admins = [make_user(Role.ADMIN, admin_of=[house], email=f"admin{i}@example.ac.za") for i in range(3)]
    flooder = make_user(house=house, room="101", email="flooder@example.ac.za")
    victim = make_user(house=house, room="102", email="victim@example.ac.za")
    real = make_user(house=house, room="103", email="real@example.ac.za")
    return admins, flooder, victim, real


def test_floods_stay_within_their_caps_and_real_mail_still_arrives(app, runner, smtp_server, residents, house):
    admins, flooder, victim, real = residents
    attacker = client_at(app, "127.0.0.2", flooder)
    for round_ in range(4):  # 40 reports, the worker draining between them
        for i in range(10):
            assert attacker.post("/issues/new", data=report_data(title=f"Flood {round_}.{i}")).status_code == 302
        drain(runner)
    assert caused_by(app, f"student:{flooder.id}") == 2  # the student cap (2% of 100)
    with app.app_context():  # every report was stored and is in the admins' queue
        assert db.session.scalar(sa.select(sa.func.count(Issue.id)).where(Issue.reporter_id == flooder.id)) == 40
    queue = client_at(app, "127.0.0.3", admins[0]).get("/admin/?status=all").get_data(as_text=True)
    assert "Flood 3.9" in queue

    anonymous = client_at(app, "127.0.0.4")
    for i in range(60):
        anonymous.post("/password/forgot", data={"email": victim.email if i % 2 else f"nobody{i}@example.ac.za"})
    drain(runner)
    assert caused_by(app, "ip:127.0.0.4") <= 2  # the anonymous-address cap
    assert len(to(smtp_server, victim.email)) <= 2

    victim_issue = client_at(app, "127.0.0.5", victim).post("/issues/new", data=report_data(title="Real leak"))
    issue_id = int(victim_issue.headers["Location"].rsplit("/", 1)[1])
    noisy = client_at(app, "127.0.0.6", admins[1])
    for i in range(12):  # one admin flips the status back and forth, the worker draining in between
        noisy.post(f"/admin/issues/{issue_id}", data={"status": "in_progress" if i % 2 == 0 else "reported",
                                                        "comment": f"flip {i}", "visibility": "public"})
        drain(runner)
    assert caused_by(app, f"admin:{admins[1].id}") == 5  # the admin cap (5% of 100)
    before = len(smtp_server.messages)

    # The same minute: a real reset, a real status email and a developer alert all arrive.
    client_at(app, "127.0.0.7").post("/password/forgot", data={"email": real.email})
    client_at(app, "127.0.0.8", admins[2]).post(f"/admin/issues/{issue_id}", data={
        "status": "resolved", "comment": "Fixed the washer.", "visibility": "public"})
    with app.app_context():
        record("web", RuntimeError("the dashboard fell over"))
    drain(runner)
    arrived = smtp_server.messages[before:]
    reset = [m for m in arrived if m["To"] == real.email and "password" in m["Subject"].lower()]
    status = [m for m in arrived if m["To"] == victim.email and "Resolved" in m.get_body(("plain",)).get_content()]
    alert = [m for m in arrived if m["X-Rinaibra-Purpose"] == "alert"]
    assert len(reset) == 1 and len(status) == 1 and len(alert) == 1, [m["Subject"] for m in arrived]
    link = re.search(r"http://localhost(/password/reset/\S+)", reset[0].get_body(("plain",)).get_content())[1]
    assert client_at(app, "127.0.0.7").get(link).status_code == 200  # and its link works
    assert charged(app) <= 100 and len(smtp_server.messages) <= 100  # the budget was never exceeded


class SourceClient:
    """HTTP to the served app from one loopback source address (127.0.0.x), with its cookies and CSRF token."""

    def __init__(self, base: str, source: str):
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        self.host, self.port, self.source, self.cookie = parts.hostname, parts.port, source, ""

    def request(self, method: str, path: str, form: dict | None = None):
        import http.client
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, text

    def post_form(self, path: str, form: dict) -> int:
        _, page = self.request("GET", path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        return self.request("POST", path, {"csrf_token": token, **form})[0]


def test_parallel_floods_from_several_addresses_each_stay_within_their_cap(app, live_server, make_user, house):
    users = [make_user(house=house, room=str(101 + i % 10), email=f"roster{i}@example.ac.za") for i in range(30)]
    sources = [f"127.0.0.{i}" for i in range(20, 25)]

    def flood(client: SourceClient) -> list[int]:
        return [client.post_form("/password/forgot", {"email": user.email}) for user in users[:12]]

    statuses = sum(race(partial(flood, SourceClient(live_server.url, source)) for source in sources), [])
    assert len(statuses) == 60 and set(statuses) <= {302, 429}  # every request answered, none failed
    for source in sources:  # (one link per user address per cooldown: a source may have queued none)
        assert caused_by(app, f"ip:{source}") <= 2  # each address within its cap, however many raced
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)))
    assert 0 < total <= 2 * len(sources)
    with app.app_context():  # the server saw each client's own address (no cap was shared between them)
        seen = set(db.session.scalars(sa.select(OutboxEmail.cause).distinct()))
    assert seen <= {f"ip:{source}" for source in sources} and len(seen) >= 3
