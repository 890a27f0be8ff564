"""A student's report rate limit: per hour and per day, 429 with the form kept, never slipped past in parallel."""
from functools import partial

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.issues import Issue
from tests.conftest import PASSWORD
from tests.issues.conftest import report_data
from tests.races import race

FEW = {"ISSUE_REPORTS_PER_HOUR": 3, "ISSUE_REPORTS_PER_DAY": 5}


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Issue.id)))


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_over_the_hourly_limit_answers_429_and_keeps_the_form(app, login, student):
    client = login(student)
    for i in range(3):
        assert client.post("/issues/new", data=report_data(title=f"Report {i}")).status_code == 302
    response = client.post("/issues/new", data=report_data(title="Fourth ‘report’ <b>", description="Still dripping."))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "You have reported 3 issues in the last hour" in page
    assert 'value="Fourth ‘report’ &lt;b&gt;"' in page and "Still dripping." in page  # nothing typed is lost
    assert stored(app) == 3


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_the_daily_limit_holds_when_the_hour_has_passed(app, login, student):
    from datetime import timedelta

    from app.models.base import utcnow
    from app.models.limits import RateCount

    client = login(student)
    for i in range(3):
        client.post("/issues/new", data=report_data(title=f"Report {i}"))
    with app.app_context():  # the hour passes
        for row in db.session.scalars(sa.select(RateCount)):
            row.bucket -= timedelta(hours=1, minutes=5)
        db.session.commit()
    assert [client.post("/issues/new", data=report_data()).status_code for _ in range(3)] == [302, 302, 429]
    assert "in the last 24 hours" in client.post("/issues/new", data=report_data()).get_data(as_text=True)
    assert stored(app) == 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.max(RateCount.bucket))) <= utcnow()


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_invalid_reports_do_not_count(app, login, student):
    client = login(student)
    for _ in range(5):
        assert client.post("/issues/new", data=report_data(title="")).status_code == 400
    assert client.post("/issues/new", data=report_data()).status_code == 302


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_the_limit_is_per_student(app, login, student, make_user, house):
    client = login(student)
    for _ in range(3):
        client.post("/issues/new", data=report_data())
    other = app.test_client()
    other.post("/login", data={"email": make_user(house=house, room="102").email, "password": PASSWORD})
    assert other.post("/issues/new", data=report_data()).status_code == 302


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_parallel_reports_cannot_slip_past_the_limit(app, student):
    clients = []
    for i in range(8):  # one account, eight sessions on eight client addresses
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"127.0.0.{i + 2}"
        assert client.post("/login", data={"email": student.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    answers = race((partial(client.post, "/issues/new", data=report_data()) for client in clients), timeout=60)
    assert sorted(r.status_code for r in answers) == [302] * 3 + [429] * 5
    assert stored(app) == 3
