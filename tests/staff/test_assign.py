"""Assigning issues to staff: who may be given a job, the one coalesced email, what the student sees."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.models.issues import Issue, IssueEvent
from tests.staff.conftest import assign


def issue_row(app, issue_id):
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        return issue.assignee_id, [(e.kind.value, e.public, e.body) for e in issue.events]


def test_admin_assigns_and_the_assignee_gets_one_email_for_two_jobs(app, login, student, admin, staff, make_issue,
                                                                    outbox):
    first, second = make_issue(student, title="Leaking tap"), make_issue(student, title="Broken blind")
    client = login(admin)
    assert assign(client, first, staff.id).status_code == 302
    assert assign(client, second, staff.id).status_code == 302
    mails = outbox("jobs_assigned")
    assert len(mails) == 1, mails  # coalesced: one pending email lists both jobs
    to, _, context = mails[0]
    assert to == staff.email and context["count"] == 2
    assert [job["title"] for job in context["jobs"]] == ["Broken blind", "Leaking tap"]
    assert context["jobs"][0]["link"].endswith(f"/jobs/{second}")
    assignee, events = issue_row(app, first)
    assert assignee == staff.id
    assert ("assigned", True, "") in events and ("note", False, "Assigned to Sipho Fixit.") in events
    page = client.get(f"/admin/issues/{first}").get_data(as_text=True)
    assert "Sipho Fixit" in page


def test_the_student_sees_assigned_to_maintenance_without_who(app, client, auth, student, admin, staff, make_issue):
    issue_id = make_issue(student)
    auth.login(admin)
    assign(client, issue_id, staff.id)
    client.get(f"/admin/issues/{issue_id}")  # the admin's browser shows the flash message
    auth.logout()
    auth.login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "Assigned to maintenance" in page
    assert "Sipho" not in page and staff.email not in page and "Fixit" not in page


def test_assigning_outside_the_house_is_refused_and_nothing_is_stored(app, login, make_house, make_user, student,
                                                                      admin, staff, make_issue, outbox):
    other_house = make_house("birch")
    outsider = make_user(Role.STAFF, email="outsider@example.com", name="Out Sider", staff_of=[other_house])
    issue_id = make_issue(student)
    client = login(admin)
    for value in (outsider.id, student.id, admin.id, 999999, "abc", "-1"):
        response = assign(client, issue_id, value)
        assert response.status_code == 400, value
        text = response.get_data(as_text=True)
        assert "nothing was changed" in text, value
    assert issue_row(app, issue_id) == (None, [("reported", True, "")])
    assert outbox("jobs_assigned") == []


def test_reassign_and_unassign(app, login, student, admin, staff, make_user, house, make_issue, outbox):
    other = make_user(Role.STAFF, email="thabo@example.com", name="Thabo Tools", staff_of=[house])
    issue_id = make_issue(student)
    client = login(admin)
    assign(client, issue_id, staff.id)
    assert assign(client, issue_id, staff.id).status_code == 400  # already theirs
    assert assign(client, issue_id, other.id).status_code == 302
    assert issue_row(app, issue_id)[0] == other.id
    assert {to for to, _, _ in outbox("jobs_assigned")} == {staff.email, other.email}
    assert assign(client, issue_id, "").status_code == 302
    assignee, events = issue_row(app, issue_id)
    assert assignee is None and ("unassigned", True, "") in events
    assert assign(client, issue_id, "").status_code == 400  # nobody to take it from


def test_admin_of_another_house_cannot_assign(app, login, make_house, make_user, student, staff, make_issue):
    other_admin = make_user(Role.ADMIN, admin_of=[make_house("birch")])
    issue_id = make_issue(student)
    assert assign(login(other_admin), issue_id, staff.id).status_code == 404
    assert issue_row(app, issue_id)[0] is None


def test_deleting_the_staff_account_leaves_the_issue_unassigned(app, login, student, admin, staff, make_issue):
    issue_id = make_issue(student)
    assign(login(admin), issue_id, staff.id)
    with app.app_context():
        db.session.execute(sa.delete(IssueEvent).where(IssueEvent.author_id == staff.id))
        db.session.execute(sa.delete(User).where(User.id == staff.id))
        db.session.commit()
        issue = db.session.get(Issue, issue_id)
        assert issue is not None and issue.assignee_id is None  # ON DELETE SET NULL, never a cascade


def test_deactivated_staff_cannot_be_given_jobs(app, login, student, admin, staff, make_issue, outbox):
    from app.models.base import utcnow
    with app.app_context():
        db.session.get(User, staff.id).deactivated_at = utcnow()
        db.session.commit()
    issue_id = make_issue(student)
    client = login(admin)
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    assert "Sipho Fixit" not in page  # not offered
    assert assign(client, issue_id, staff.id).status_code == 400
    assert outbox("jobs_assigned") == []


def test_urgent_job_email_leaves_at_once(app, login, student, admin, staff, make_issue):
    from app.models.mail import OutboxEmail
    issue_id = make_issue(student, urgency="urgent")
    assign(login(admin), issue_id, staff.id)
    with app.app_context():
        email = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.template == "jobs_assigned"))
        assert email.context["urgent"] is True
        assert email.send_after <= email.created_at + __import__("datetime").timedelta(seconds=1)



def test_a_job_taken_back_leaves_the_pending_email(app, login, student, admin, staff, house, make_user, make_issue,
                                                   outbox):
    from app.models.mail import OutboxEmail
    other = make_user(Role.STAFF, email="thabo@example.com", name="Thabo Tools", staff_of=[house])
    first, second = make_issue(student, title="Leaking tap"), make_issue(student, title="Broken blind")
    client = login(admin)
    assign(client, first, staff.id)
    assign(client, second, staff.id)
    assign(client, first, other.id)  # reassigned before the email left
    emails = {to: context for to, _, context in outbox("jobs_assigned")}
    assert [job["issue_id"] for job in emails[staff.email]["jobs"]] == [second]
    assert emails[staff.email]["count"] == 1
    assign(client, second, "")  # and the last one taken back: nothing left to tell them
    with app.app_context():
        mine = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == staff.email))
        assert mine.status.value == "failed" and mine.last_error == "job assigned to someone else"
