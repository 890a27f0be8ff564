"""Who caused each email, and the per-cause daily cap: no one account or client address can use more than a
small share of the day's budget; what is held back is counted and shown to developers."""
from functools import partial

import pytest
import sqlalchemy as sa

from app.emailer import enqueue, enqueue_many
from app.emailer.causes import SYSTEM, top_causes
from app.extensions import db
from app.models.mail import OutboxEmail, Purpose
from tests.issues.conftest import report_data
from tests.races import race

SMALL = {"MAIL_DAILY_LIMIT": 100}  # caps: student 2, admin 5, anonymous address 2


def rows(app, **where) -> list[OutboxEmail]:
    with app.app_context():
        query = sa.select(OutboxEmail).filter_by(**where).order_by(OutboxEmail.id)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_a_cause_over_its_cap_queues_nothing_more_and_is_counted(app):
    with app.app_context():
        queued = [enqueue("password_reset", f"a{i}@example.ac.za", {}, purpose=Purpose.NOTICE, cause="student:7")
                  for i in range(5)]
        db.session.commit()
        assert [row is not None for row in queued] == [True, True, False, False, False]
        assert top_causes() == [{"cause": "student:7", "queued": 2, "held_back": 3, "cap": 2}]
    assert [row.cause for row in rows(app)] == ["student:7", "student:7"]


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_coalesced_updates_alerts_system_and_bulk_mail_are_not_capped(app):
    with app.app_context():
        for i in range(6):  # one email, updated in place
            assert enqueue("issue_update", "s@example.ac.za", {"n": i}, cause="admin:3", coalesce_key="k") is not None
        for i in range(6):
            assert enqueue("error_alert", f"d{i}@example.ac.za", {}, purpose=Purpose.ALERT, cause=SYSTEM)
            assert enqueue("password_reset", f"r{i}@example.ac.za", {}, purpose=Purpose.SECURITY, cause=SYSTEM)
        assert enqueue_many("move_in_reminder", [(f"m{i}@example.ac.za", {}) for i in range(9)], cause="admin:3") == 9
        db.session.commit()
        assert top_causes() == [{"cause": "admin:3", "queued": 1, "held_back": 0, "cap": 5}]
    assert len(rows(app)) == 1 + 12 + 9


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_the_cause_is_the_account_or_the_client_address(app, client, student, admin, login):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert enqueue("password_reset", "x@example.ac.za", {}, purpose=Purpose.SECURITY).cause == "ip:192.0.2.7"
        db.session.commit()
    login(student).post("/issues/new", data=report_data())
    assert [(row.template, row.cause) for row in rows(app)][-1] == ("issue_new", f"student:{student.id}")
    with app.app_context():
        assert enqueue("password_reset", "y@example.ac.za", {}, purpose=Purpose.SECURITY).cause == SYSTEM


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_parallel_requests_from_one_address_cannot_pass_its_cap(app, make_user, house):
    users = [make_user(house=house, room=str(101 + i % 10), email=f"s{i}@example.ac.za") for i in range(12)]
    race((partial(app.test_client().post, "/password/forgot", data={"email": user.email},
                  environ_base={"REMOTE_ADDR": "203.0.113.50"}) for user in users), timeout=60)
    assert len(rows(app, cause="ip:203.0.113.50")) == 2  # the anonymous cap, not one more


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_dev_mail_lists_the_top_causes(app, client, login, developer):
    with app.app_context():
        for i in range(4):
            enqueue("password_reset", f"a{i}@example.ac.za", {}, purpose=Purpose.SECURITY, cause="ip:198.51.100.4")
        db.session.commit()
    page = login(developer).get("/dev/mail").get_data(as_text=True)
    assert "<code>ip:198.51.100.4</code></th><td>2</td><td>2</td><td>2</td>" in page


@pytest.mark.parametrize(("app", "seen"), [({"TRUSTED_PROXIES": 0}, "ip:127.0.0.9"),
                                          ({"TRUSTED_PROXIES": 1}, "ip:203.0.113.9")], indirect=["app"])
def test_forwarded_for_counts_only_behind_a_trusted_proxy(app, student, seen):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.9"
    client.post("/password/forgot", data={"email": student.email}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert [row.cause for row in rows(app)] == [seen]
