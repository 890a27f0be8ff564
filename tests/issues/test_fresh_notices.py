"""Delayed new-issue and job emails are re-read when the worker sends them (app/issues/fresh_notices.py): they
describe the issue as it is then, are withdrawn when nothing is left to say, and leave at once when the issue
becomes urgent. Real SMTP (aiosmtpd), the real worker (`flask mail drain`)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail
from tests.issues.conftest import photo_file, report_data
from tests.issues.test_email_flow import html_of, mails_to, text_of
from tests.issues.test_visits import day, slots_form
from tests.staff.conftest import assign

HELD = [{"ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 300}]  # the production gathering delay


def age_queue(app) -> None:
    """The gathering delay has passed."""
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.status == MailStatus.QUEUED)
                           .values(send_after=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def drain(runner) -> str:
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    return result.output


def rows(app, template):
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.template == template)
                                   .order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        return found


def report(client, **changes) -> int:
    response = client.post("/issues/new", data=report_data(**changes), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


@pytest.mark.parametrize("app", HELD, indirect=True)
def test_a_delayed_new_issue_email_tells_the_issue_as_it_is_when_it_leaves(app, client, login, runner, smtp_server,
                                                                         student, admin, staff):
    login(student)
    issue_id = report(client, title="Window will not close", description="The latch broke off in the storm.",
                      enter_permission="y", photos=[photo_file()])
    assert client.post(f"/issues/{issue_id}/availability",
                       data=slots_form((day(2), "morning", "", ""), enter=True)).status_code == 302
    client.post("/logout")
    (queued,) = rows(app, "issue_new")
    assert queued.send_after > utcnow() + timedelta(seconds=200) and "status_label" not in queued.context["issues"][0]
    login(admin)  # while it waits: taken up, assigned, a visit booked, the title corrected
    client.post(f"/admin/issues/{issue_id}", data={"status": "in_progress", "comment": "", "visibility": "public"})
    assign(client, issue_id, staff.id)
    assert client.post(f"/admin/issues/{issue_id}/visit", data={"slot": "other", "day": day(3), "start": "10:00",
                                                                 "end": "11:00"}).status_code == 302
    age_queue(app)
    assert "0 withdrawn" in drain(runner)
    (mail,) = mails_to(smtp_server, admin.email)
    text, html = text_of(mail), html_of(mail)
    assert "Now: In progress, with Sipho Fixit" in text and "Now: In progress, with Sipho Fixit" in html
    assert '"The latch broke off in the storm."' in text
    assert "Entry: Staff may enter when the student is out" in text
    assert "Visit booked: " in text and "10:00–11:00" in text
    photo_link = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Photo: "))
    assert photo_link.startswith(f"http://localhost/issues/{issue_id}/photos/") and f'href="{photo_link}"' in html
    assert client.get(photo_link.removeprefix("http://localhost")).status_code == 200  # the admin may open it
    (sent,) = rows(app, "issue_new")
    assert sent.status == MailStatus.SENT
    assert "status_label" not in sent.context["issues"][0]  # the row keeps what was queued; the text is fresh


@pytest.mark.parametrize("app", HELD, indirect=True)
def test_an_issue_resolved_before_the_email_leaves_withdraws_it(app, client, login, runner, smtp_server, student,
                                                               admin):
    login(student)
    issue_id = report(client, title="Light flickers")
    client.post("/logout")
    login(admin)
    client.post(f"/admin/issues/{issue_id}", data={"status": "resolved", "comment": "New tube fitted.",
                                                   "visibility": "public"})
    age_queue(app)
    assert "1 withdrawn" in drain(runner)
    assert mails_to(smtp_server, admin.email) == []
    (row,) = rows(app, "issue_new")
    assert row.status == MailStatus.FAILED and row.last_error.startswith("withdrawn: ")
    assert row.charged_at is None  # its budget slot went back
    assert [m["Subject"] for m in mails_to(smtp_server, student.email)] == [f"[#{issue_id}] Light flickers: Resolved"]
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)  # the admin's list of its emails
    assert '<span class="badge">withdrawn</span>' in page and "withdrawn: every issue it listed" in page


@pytest.mark.parametrize("app", HELD, indirect=True)
def test_a_coalesced_email_keeps_only_what_is_still_open(app, client, login, runner, smtp_server, student, admin):
    login(student)
    fixed = report(client, title="Light flickers")
    still = report(client, title="Door sticks")
    client.post("/logout")
    (queued,) = rows(app, "issue_new")
    assert queued.context["count"] == 2
    login(admin)
    client.post(f"/admin/issues/{fixed}", data={"status": "wont_fix", "comment": "Not ours: Eskom.",
                                                "visibility": "public"})
    age_queue(app)
    drain(runner)
    (mail,) = mails_to(smtp_server, admin.email)
    assert mail["Subject"] == f"New issue #{still} in Acacia House: Door sticks"
    assert "Light flickers" not in text_of(mail) and "Now: Reported" in text_of(mail)


@pytest.mark.parametrize("app", HELD, indirect=True)
def test_a_job_email_follows_the_job(app, client, login, runner, smtp_server, student, admin, staff, make_issue):
    gone, urgent_later = make_issue(student, title="Blind broken"), make_issue(student, title="Socket sparks")
    login(admin)
    assign(client, gone, staff.id)
    assign(client, urgent_later, staff.id)
    (job_mail,) = rows(app, "jobs_assigned")
    assert job_mail.send_after > utcnow() + timedelta(seconds=200)
    response = client.post(f"/admin/issues/{urgent_later}/triage", data={
        "triage-category": "electrical", "triage-urgency": "urgent", "triage-reason": "Sparks seen"})
    assert response.status_code == 302
    (job_mail,) = rows(app, "jobs_assigned")
    assert job_mail.send_after <= utcnow()  # became urgent: leaves at once
    client.post(f"/admin/issues/{gone}", data={"status": "resolved", "comment": "", "visibility": "public"})
    drain(runner)  # no ageing: it is due already
    (mail,) = mails_to(smtp_server, staff.email)
    assert mail["Subject"] == f"URGENT: New job #{urgent_later} in Acacia House: Socket sparks"
    assert "Blind broken" not in text_of(mail) and '"It drips all night long."' in text_of(mail)
    assert "Entry: Only when the student is in" in text_of(mail)


@pytest.mark.parametrize("app", HELD, indirect=True)
def test_a_job_taken_back_before_the_email_leaves_withdraws_it(app, client, login, runner, smtp_server, student,
                                                              admin, staff, make_issue):
    issue_id = make_issue(student, title="Blind broken")
    login(admin)
    assign(client, issue_id, staff.id)
    with app.app_context():  # reassigned behind the queue's back (no withdraw at the change): the re-read sees it
        from app.models.issues import Issue
        db.session.get(Issue, issue_id).assignee_id = admin.id
        db.session.commit()
    age_queue(app)
    assert "1 withdrawn" in drain(runner)
    assert mails_to(smtp_server, staff.email) == []
