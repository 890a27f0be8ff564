"""Cancelling a booked visit (the assignee or a house admin, with an optional reason): the student is emailed
once (double clicks and parallel posts too) and the timeline shows it; the reporter withdraws one offered time."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.issues import EventKind
from app.models.mail import MailStatus, OutboxEmail
from app.models.visits import Visit, VisitSlot
from tests.issues.test_visits import day, events, offered, parallel_posts, said_when, slots
from tests.staff.conftest import assign


def cancel_mails(app):
    with app.app_context():
        return [(e.to_address, said_when(e.context), e.context["reason"]) for e in db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "visit_cancelled").order_by(OutboxEmail.id))]


def booked(app, issue_id) -> bool:
    with app.app_context():
        return db.session.get(Visit, issue_id) is not None


@pytest.fixture
def booked_visit(app, client, login, student, admin, staff, room_issue):
    """The room issue with one offered morning, given to `staff`, booked by the admin; its email went out."""
    (slot,) = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""))
    login(admin)
    assign(client, room_issue, staff.id)
    assert client.post(f"/admin/issues/{room_issue}/visit", data={"slot": str(slot)}).status_code == 302
    client.post("/logout")
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT))
        db.session.commit()
    return room_issue


def test_the_assignee_cancels_with_a_reason_and_the_student_is_told_once(app, client, login, student, staff,
                                                                          booked_visit):
    login(staff)
    for _ in range(2):  # a double click
        response = client.post(f"/jobs/{booked_visit}/visit/cancel", data={"reason": "The carpenter is ill."})
        assert response.status_code == 302
    assert not booked(app, booked_visit)
    ((to, when, reason),) = cancel_mails(app)
    assert to == student.email and "morning (08:00–12:00 SAST)" in when and reason == "The carpenter is ill."
    assert events(app, booked_visit, EventKind.VISIT_CANCELLED) == [f"{when}\nReason: The carpenter is ill."]
    assert "Not yet" in client.get(f"/jobs/{booked_visit}").get_data(as_text=True)
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{booked_visit}").get_data(as_text=True)
    assert "Cancelled the visit" in page and "The carpenter is ill." in page and "Visit booked:" not in page


def test_a_booking_email_still_queued_is_replaced_by_the_cancellation(app, client, login, student, admin,
                                                                      room_issue):
    (slot,) = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""))
    login(admin)
    client.post(f"/admin/issues/{room_issue}/visit", data={"slot": str(slot)})
    assert client.post(f"/admin/issues/{room_issue}/visit/cancel", data={"reason": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(OutboxEmail.template)).all() == ["visit_cancelled"]
    assert events(app, room_issue, EventKind.VISIT_CANCELLED)[0].endswith("SAST)")  # no reason line


def test_a_bad_reason_is_refused_and_kept(app, client, login, admin, booked_visit):
    login(admin)
    response = client.post(f"/admin/issues/{booked_visit}/visit/cancel", data={"reason": "x" * 501})
    assert response.status_code == 400 and "x" * 501 in response.get_data(as_text=True)
    response = client.post(f"/admin/issues/{booked_visit}/visit/cancel", data={"reason": "ill\x00"})
    assert response.status_code == 400 and "plain text" in response.get_data(as_text=True)
    assert booked(app, booked_visit) and cancel_mails(app) == []


def test_only_the_assignee_and_house_admins_cancel(app, client, login, make_user, make_house, student, house,
                                                   booked_visit):
    login(make_user(Role.STAFF, email="other.fixit@example.com", staff_of=[house]))  # not their job
    assert client.post(f"/jobs/{booked_visit}/visit/cancel", data={}).status_code == 404
    client.post("/logout")
    login(make_user(Role.ADMIN, admin_of=[make_house("birch")]))
    assert client.post(f"/admin/issues/{booked_visit}/visit/cancel", data={}).status_code == 404
    client.post("/logout")
    login(student)
    assert client.post(f"/admin/issues/{booked_visit}/visit/cancel", data={}).status_code == 403
    assert client.post(f"/jobs/{booked_visit}/visit/cancel", data={}).status_code == 403
    assert booked(app, booked_visit) and cancel_mails(app) == []


def test_parallel_cancels_send_one_email(app, admin, booked_visit):
    assert parallel_posts(app, admin, f"/admin/issues/{booked_visit}/visit/cancel", {"reason": "Rain"}) == [302] * 4
    assert len(cancel_mails(app)) == 1
    assert len(events(app, booked_visit, EventKind.VISIT_CANCELLED)) == 1


def test_the_reporter_withdraws_one_time(app, client, login, make_user, house, student, make_issue, room_issue):
    first, second = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""),
                            (day(3), "evening", "", ""))
    other_issue = make_issue(student, title="Window latch")
    (elsewhere,) = offered(app, client, login, student, other_issue, (day(4), "morning", "", ""))
    login(make_user(Role.STUDENT, house=house, room="105"))
    assert client.post(f"/issues/{room_issue}/availability/{first}/withdraw").status_code == 404
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{room_issue}").get_data(as_text=True)
    assert f"/issues/{room_issue}/availability/{first}/withdraw" in page
    assert 'Withdraw<span class="visually-hidden"> time 1</span>' in page
    response = client.post(f"/issues/{room_issue}/availability/{elsewhere}/withdraw", follow_redirects=True)
    assert "no longer offered" in response.get_data(as_text=True)
    response = client.post(f"/issues/{room_issue}/availability/{first}/withdraw", follow_redirects=True)
    assert "Withdrawn:" in response.get_data(as_text=True)
    assert [part for part, *_ in slots(app, room_issue)] == ["evening"]
    assert len(slots(app, other_issue)) == 1
    (withdrawn,) = events(app, room_issue, EventKind.TIME_WITHDRAWN)
    assert "morning" in withdrawn
    assert "Withdrew a time for a visit" in client.get(f"/issues/{room_issue}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(VisitSlot.id).where(VisitSlot.issue_id == room_issue)) == second


def test_withdrawing_the_booked_time_cancels_the_visit_and_tells_maintenance(app, client, login, student, admin,
                                                                             staff, booked_visit):
    with app.app_context():
        (slot,) = db.session.scalars(sa.select(VisitSlot.id).where(VisitSlot.issue_id == booked_visit)).all()
    login(student)
    page = client.post(f"/issues/{booked_visit}/availability/{slot}/withdraw", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "The visit booked for then is cancelled, and maintenance is told." in text
    assert not booked(app, booked_visit)
    (cancelled,) = events(app, booked_visit, EventKind.VISIT_CANCELLED)
    assert "morning" in cancelled and cancelled.endswith("Reason: the student withdrew this time")
    assert cancel_mails(app) == []  # the student did it: no email to them
    with app.app_context():
        told = {e.to_address: e.context["issues"][0]["comment"] for e in db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "issue_comments", OutboxEmail.status == "queued"))}
    assert set(told) == {admin.email, staff.email}
    assert all("the visit booked for then is cancelled" in comment for comment in told.values())


def test_withdrawing_another_time_keeps_the_visit(app, client, login, student, booked_visit):
    login(student)
    client.post(f"/issues/{booked_visit}/availability", data={
        "day-0": day(2), "part-0": "morning", "day-1": day(5), "part-1": "evening"})
    with app.app_context():
        other = db.session.scalar(sa.select(VisitSlot.id).where(VisitSlot.issue_id == booked_visit,
                                                                VisitSlot.part == "evening"))
    assert other is not None
    page = client.post(f"/issues/{booked_visit}/availability/{other}/withdraw", follow_redirects=True)
    assert "is cancelled" not in page.get_data(as_text=True)
    assert booked(app, booked_visit)


@pytest.mark.parametrize("closer, path, data", [
    ("admin", "/admin/issues/{id}", {"status": "resolved", "comment": "", "visibility": "public"}),
    ("admin", "/admin/issues/{id}", {"status": "wont_fix", "comment": "Not ours to fix.", "visibility": "public"}),
    ("staff", "/jobs/{id}", {"status": "resolved", "note": ""}),
])
def test_resolving_closes_the_booked_visit(app, client, login, student, admin, staff, booked_visit, closer, path,
                                           data):
    login({"admin": admin, "staff": staff}[closer])
    assert client.post(path.format(id=booked_visit), data=data).status_code == 302
    assert not booked(app, booked_visit)
    (cancelled,) = events(app, booked_visit, EventKind.VISIT_CANCELLED)
    assert cancelled.endswith("Reason: the issue is resolved or closed")
    assert cancel_mails(app) == []  # the status email tells the student
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{booked_visit}").get_data(as_text=True)
    assert "Visit booked:" not in page and "Cancelled the visit" in page
