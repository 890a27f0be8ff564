"""Urgent reports always reach someone (admins whatever they chose, else the fallback address), the student is told
who; students' comments reach the house admins, coalesced."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.mail import PRIORITY, OutboxEmail, Purpose
from tests.auth.accounts import set_standing
from tests.issues.conftest import report_data

FALLBACK = {"URGENT_FALLBACK_EMAIL": "desk@residence.example.ac.za",
            "URGENT_FALLBACK_BY_HOUSE": {"baobab": "baobab-desk@residence.example.ac.za"}}


def rows(app, template=None):
    with app.app_context():
        query = sa.select(OutboxEmail).order_by(OutboxEmail.id)
        found = db.session.scalars(query.where(OutboxEmail.template == template) if template else query).all()
        db.session.expunge_all()
        return found


def report(client, **changes):
    return client.post("/issues/new", data=report_data(**changes), follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("choice", ["off", "daily", "each"])
def test_urgent_reaches_every_admin_at_once_whatever_they_chose(app, client, auth, student, admin, make_user, house,
                                                               choice):
    other = make_user(Role.ADMIN, admin_of=[house], email="other-admin@example.ac.za")
    for user in (admin, other):
        auth.login(user)
        client.post("/admin/settings", data={"new_issues": choice})
        auth.logout()
    auth.login(student)
    before = utcnow()
    page = report(client, title="Burst pipe", urgency="urgent")
    emails = rows(app)
    assert sorted(e.to_address for e in emails) == sorted([admin.email, other.email])
    assert {(e.purpose, e.priority) for e in emails} == {(Purpose.URGENT, PRIORITY[Purpose.URGENT])}
    assert all(e.send_after <= utcnow() and e.send_after >= before for e in emails)  # no gathering delay
    assert "the house admins were emailed at once" in page
    assert admin.email not in page and other.email not in page


def test_two_urgent_reports_coalesce_while_queued(app, client, auth, student, admin):
    auth.login(student)
    report(client, title="Burst pipe", urgency="urgent")
    report(client, title="Sparks", urgency="urgent")
    (email,) = rows(app)
    assert [i["title"] for i in email.context["issues"]] == ["Sparks", "Burst pipe"] and email.context["count"] == 2


@pytest.mark.parametrize("app", [FALLBACK], indirect=True)
def test_urgent_in_a_house_without_admins_goes_to_the_fallback(app, client, auth, make_house, make_user):
    acacia, baobab = make_house("acacia"), make_house("baobab")
    in_acacia, in_baobab = make_user(Role.STUDENT, house=acacia), make_user(Role.STUDENT, house=baobab)
    auth.login(in_acacia)
    page = report(client, urgency="urgent")
    assert "the residence&#39;s maintenance desk was emailed at once" in page and "desk@" not in page
    auth.logout()
    auth.login(in_baobab)
    report(client, urgency="urgent")
    report(client, title="Ordinary", urgency="normal")  # nobody to tell, and no fallback for ordinary reports
    assert [(e.to_address, e.purpose) for e in rows(app)] == [
        ("desk@residence.example.ac.za", Purpose.URGENT), ("baobab-desk@residence.example.ac.za", Purpose.URGENT)]


@pytest.mark.parametrize("app", [FALLBACK], indirect=True)
def test_urgent_goes_to_the_fallback_when_no_admin_can_receive_mail(app, client, auth, student, admin):
    set_standing(app, admin.id, deactivated_at=utcnow())
    auth.login(student)
    report(client, urgency="urgent")
    assert [e.to_address for e in rows(app)] == ["desk@residence.example.ac.za"]


def test_urgent_with_nobody_to_tell_says_so(app, client, auth, student):
    auth.login(student)
    page = report(client, urgency="urgent")
    assert rows(app) == [] and "nobody could be emailed about it right now" in page


def test_urgent_reopen_reaches_admins_who_chose_off(app, client, auth, student, admin, make_issue):
    auth.login(admin)
    client.post("/admin/settings", data={"new_issues": "off"})
    auth.logout()
    issue_id = make_issue(student, urgency="urgent", status="resolved", resolved_days_ago=1)
    auth.login(student)
    client.post(f"/issues/{issue_id}/reopen", data={"reason": "Still leaking"})
    assert [(e.to_address, e.context["issues"][0]["reopened"]) for e in rows(app, "issue_new")] == [
        (admin.email, True)]


def test_student_comments_reach_the_admins_coalesced(app, client, auth, student, admin, make_user, house,
                                                      make_issue):
    off = make_user(Role.ADMIN, admin_of=[house], email="off-admin@example.ac.za")
    auth.login(off)
    client.post("/admin/settings", data={"new_issues": "off"})
    auth.logout()
    first, second = make_issue(student, title="Leak"), make_issue(student, title="Door")
    auth.login(student)
    client.post(f"/issues/{first}/comment", data={"body": "I am home after 5pm"})
    client.post(f"/issues/{second}/comment", data={"body": "The key is at reception"})
    (email,) = rows(app, "issue_comments")  # one per admin, the second comment joined the first
    assert email.to_address == admin.email and email.purpose == Purpose.NOTICE
    assert email.send_after > utcnow()  # gathered for a few minutes
    assert [(i["title"], i["comment"]) for i in email.context["issues"]] == [
        ("Door", "The key is at reception"), ("Leak", "I am home after 5pm")]
    assert email.context["count"] == 2 and email.cause == f"student:{student.id}"


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 100, "MAIL_CAUSE_SHARE_STUDENT": 0.02}], indirect=True)
def test_comment_notices_respect_the_students_cap(app, client, auth, student, admin, make_user, house, make_issue):
    """Two admins, a cap of 2 emails a day for the student: the cap holds even though the emails coalesce later."""
    make_user(Role.ADMIN, admin_of=[house], email="second-admin@example.ac.za")
    issue_id = make_issue(student)
    auth.login(student)
    client.post(f"/issues/{issue_id}/comment", data={"body": "One"})
    with app.app_context():  # the first emails left: the next comment would need new ones
        db.session.execute(sa.update(OutboxEmail).values(status="sent"))
        db.session.commit()
    client.post(f"/issues/{issue_id}/comment", data={"body": "Two"})
    assert len(rows(app, "issue_comments")) == 2  # the second comment's emails were held back by the cap


def assign(app, issue_id: int, staff_id: int) -> None:
    from app.models.issues import Issue

    with app.app_context():
        db.session.get(Issue, issue_id).assignee_id = staff_id
        db.session.commit()


def test_the_assignee_hears_of_comments_and_of_an_urgent_reopen(app, client, auth, student, admin, make_user, house,
                                                                 make_issue):
    staff = make_user(Role.STAFF, staff_of=[house], email="fixer@example.ac.za")
    leak = make_issue(student, title="Leak")
    assign(app, leak, staff.id)
    auth.login(student)
    client.post(f"/issues/{leak}/comment", data={"body": "I am home after 5pm"})
    assert sorted(e.to_address for e in rows(app, "issue_comments")) == sorted([admin.email, staff.email])
    urgent = make_issue(student, urgency="urgent", status="resolved", resolved_days_ago=1, title="Sparks")
    assign(app, urgent, staff.id)
    client.post(f"/issues/{urgent}/reopen", data={"reason": "Sparks again"})
    assert staff.email in {e.to_address for e in rows(app, "issue_new")}
