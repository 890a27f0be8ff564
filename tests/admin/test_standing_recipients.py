"""Deactivated, unverified and unapproved accounts get no notices; for move-in, only the unverified (on the roster,
not signed in yet) are counted and reminded."""
import pytest

from app.extensions import db
from app.models import Role
from app.models.base import utcnow
from app.models.issues import IssueSubscription
from tests.auth.accounts import set_standing
from tests.issues.conftest import report_data

STANDINGS = {"deactivated": {"deactivated_at": utcnow()}, "unverified": {"email_verified_at": None},
             "unapproved": {"approved_at": None}}


@pytest.fixture
def housemates(app, make_user, house):
    """One student in good standing and one of each standing that may not act, in rooms 103-106."""
    made = {"active": make_user(Role.STUDENT, house=house, room="103", email="active@example.ac.za")}
    for n, (name, values) in enumerate(STANDINGS.items()):
        made[name] = make_user(Role.STUDENT, house=house, room=str(104 + n), email=f"{name}@example.ac.za")
        set_standing(app, made[name].id, **values)
    return made


def test_only_students_in_good_standing_hear_about_an_issue(app, login, admin, student, house, housemates, make_issue,
                                                             outbox):
    issue_id = make_issue(student, area_id=house.common_area_ids[0])
    with app.app_context():
        for user in housemates.values():
            db.session.add(IssueSubscription(issue_id=issue_id, user_id=user.id))
        db.session.commit()
    login(admin).post(f"/admin/issues/{issue_id}", data={"status": "in_progress", "comment": "On it",
                                                          "visibility": "public"})
    assert sorted(m[0] for m in outbox("issue_update")) == ["active@example.ac.za", student.email]


@pytest.mark.parametrize("standing", list(STANDINGS))
def test_house_admins_who_may_not_act_get_no_new_issue_emails(app, login, admin, student, make_user, house, outbox,
                                                             standing):
    other = make_user(Role.ADMIN, admin_of=[house], email="other-admin@example.ac.za")
    set_standing(app, other.id, **STANDINGS[standing])
    login(student).post("/issues/new", data=report_data())
    assert [m[0] for m in outbox("issue_new")] == [admin.email]


def test_a_deactivated_admin_gets_no_digest(app, client, auth, runner, admin, student, outbox):
    auth.login(admin)
    client.post("/admin/settings", data={"new_issues": "daily"})
    auth.logout()
    auth.login(student)
    client.post("/issues/new", data=report_data())
    set_standing(app, admin.id, deactivated_at=utcnow())
    assert "0 digest(s) queued" in runner.invoke(args=["issues", "send-digests"]).output
    assert outbox("digest") == []


def test_move_in_counts_and_reminds_students_on_the_roster_only(app, login, admin, housemates, outbox):
    """The roster (approved, not deactivated) is who move-in is for, whether or not they have signed in yet."""
    client = login(admin)
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert '<li class="muted">2 students</li>' in page
    assert "active@example.ac.za" in page and "unverified@example.ac.za · not signed in yet" in page
    assert "deactivated@" not in page and "unapproved@" not in page
    csv_text = client.get("/admin/move-in/export.csv?house=acacia").get_data(as_text=True)
    assert "active@example.ac.za" in csv_text and "unverified@" in csv_text
    assert "deactivated@" not in csv_text and "unapproved@" not in csv_text
    client.post("/admin/move-in/reminders", data={"house": "acacia"})
    assert sorted(m[0] for m in outbox("move_in_reminder")) == ["active@example.ac.za", "unverified@example.ac.za"]
