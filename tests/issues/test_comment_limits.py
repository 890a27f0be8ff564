"""Issue 21 item 9: a student's comments and "me too" presses are limited as reports are (per hour and per
day, 429, a comment's text kept), and parallel requests cannot slip past the limit."""
from functools import partial

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role
from app.models.issues import EventKind, IssueEvent, IssueSubscription
from tests.conftest import PASSWORD
from tests.races import race

FEW = {"ISSUE_COMMENTS_PER_HOUR": 3, "ISSUE_COMMENTS_PER_DAY": 5, "ISSUE_ME_TOO_PER_HOUR": 2,
       "ISSUE_ME_TOO_PER_DAY": 5}


def comments(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(IssueEvent.id)).where(IssueEvent.kind == EventKind.COMMENT))


def subscribed(app, issue_id: int, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(IssueSubscription, (issue_id, user_id)) is not None


def sessions(app, user, count: int) -> list:
    """`count` signed-in clients of one account, each from its own client address."""
    clients = []
    for i in range(count):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"127.0.0.{i + 2}"
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    return clients


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_over_the_comment_limit_answers_429_and_keeps_the_text(app, login, student, make_user, house, make_issue):
    issue = make_issue(student)
    client = login(student)
    for i in range(3):
        assert client.post(f"/issues/{issue}/comment", data={"body": f"Comment {i}"}).status_code == 302
    response = client.post(f"/issues/{issue}/comment", data={"body": "Still <dripping> & ‘loud’"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "You have commented 3 times in the last hour" in page
    assert "Still &lt;dripping&gt; &amp; ‘loud’" in page  # nothing typed is lost
    assert comments(app) == 3
    other = make_user(Role.STUDENT, house=house, room="102")
    other_issue = make_issue(other)
    [other_client] = sessions(app, other, 1)
    assert other_client.post(f"/issues/{other_issue}/comment", data={"body": "Mine"}).status_code == 302


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_over_the_me_too_limit_answers_429_and_changes_nothing(app, login, student, make_user, house, make_issue):
    issue = make_issue(student, area_id=house.common_area_ids[0])
    housemate = make_user(Role.STUDENT, house=house, room="105")
    client = login(housemate)
    assert client.post(f"/issues/{issue}/me-too", data={"follow": "1"}).status_code == 302
    assert client.post(f"/issues/{issue}/me-too", data={"follow": "0"}).status_code == 302
    response = client.post(f"/issues/{issue}/me-too", data={"follow": "1"})
    assert response.status_code == 429 and "pressed “me too” 2 times" in response.get_data(as_text=True)
    assert not subscribed(app, issue, housemate.id)


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_parallel_comments_cannot_slip_past_the_limit(app, student, make_issue):
    issue = make_issue(student)
    clients = sessions(app, student, 8)
    answers = race((partial(client.post, f"/issues/{issue}/comment", data={"body": f"Flood {n}"})
                    for n, client in enumerate(clients)), timeout=60)
    assert sorted(r.status_code for r in answers) == [302] * 3 + [429] * 5
    assert comments(app) == 3


@pytest.mark.parametrize("app", [FEW], indirect=True)
def test_parallel_me_too_presses_cannot_slip_past_the_limit(app, student, make_user, house, make_issue):
    issue = make_issue(student, area_id=house.common_area_ids[0])
    housemate = make_user(Role.STUDENT, house=house, room="105")
    clients = sessions(app, housemate, 6)
    answers = race((partial(client.post, f"/issues/{issue}/me-too", data={"follow": "1"}) for client in clients),
                   timeout=60)
    assert sorted(r.status_code for r in answers) == [302] * 2 + [429] * 4
    assert subscribed(app, issue, housemate.id)
