"""The "Resolved" email says what was done: the staff member's completion note (when they show it to the student,
also on the student's issue page), links to the photos of the fix, confirm / reopen buttons, and no update an
earlier email already told; resolving withdraws a "visit booked" email still queued. Real SMTP, real worker."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.mail import MailStatus, OutboxEmail
from tests.issues.conftest import photo_file
from tests.issues.test_email_flow import drain, html_of, mails_to, text_of
from tests.issues.test_visits import day
from tests.staff.conftest import assign

NO_DELAY = [{"ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 0}]
NOTE = "Replaced the washer and the seal; no drip after ten minutes."


def job_step(client, issue_id, status, note="", public=False, photos=()):
    data = {"status": status, "note": note, "photos": list(photos)}
    if public:
        data["note_public"] = "y"
    response = client.post(f"/jobs/{issue_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_the_resolved_email_says_what_was_done_once_with_photos(app, client, login, runner, smtp_server, student,
                                                               admin, staff, make_issue):
    issue_id = make_issue(student, title="Tap drips")
    login(admin)
    assign(client, issue_id, staff.id)
    client.post("/logout")
    login(staff)
    job_step(client, issue_id, "in_progress")
    drain(runner)
    (progress,) = mails_to(smtp_server, student.email)
    assert "status In progress" in text_of(progress)
    job_step(client, issue_id, "resolved", NOTE, public=True, photos=[photo_file(), photo_file(name="b.jpg")])
    drain(runner)
    resolved = mails_to(smtp_server, student.email)[-1]
    text, html = text_of(resolved), html_of(resolved)
    assert resolved["Subject"] == f"[#{issue_id}] Tap drips: Resolved"
    assert f"What was done: {NOTE}" in text and text.count(NOTE) == 1 and html.count(NOTE) == 1
    assert "In progress" not in text  # told in the earlier email: not repeated
    links = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Photo of the fix")]
    assert len(links) == 2 and all(link.startswith(f"http://localhost/issues/{issue_id}/photos/") for link in links)
    assert all(f'href="{link}"' in html for link in links)
    assert f'href="http://localhost/issues/{issue_id}#fixed-heading">Yes, it is fixed</a>' in html
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert NOTE in page  # on the student's page too
    assert all(client.get(link.removeprefix("http://localhost")).status_code == 200 for link in links)


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_a_note_not_shown_stays_internal(app, client, login, runner, smtp_server, student, admin, staff, make_issue):
    issue_id = make_issue(student, title="Tap drips")
    login(admin)
    assign(client, issue_id, staff.id)
    client.post("/logout")
    login(staff)
    job_step(client, issue_id, "resolved", "Tenant's kettle was the cause, charge them")
    drain(runner)
    (resolved,) = mails_to(smtp_server, student.email)
    assert "What was done" not in text_of(resolved) and "kettle" not in text_of(resolved)
    assert "Photo of the fix" not in text_of(resolved)
    client.post("/logout")
    login(student)
    assert "kettle" not in client.get(f"/issues/{issue_id}").get_data(as_text=True)


@pytest.mark.parametrize("app", [{"ISSUE_MAIL_DELAY": 60}], indirect=True)
def test_resolving_withdraws_a_visit_email_still_queued(app, client, login, runner, smtp_server, student, admin,
                                                       room_issue):
    login(admin)
    assert client.post(f"/admin/issues/{room_issue}/visit", data={"slot": "other", "day": day(3), "start": "10:00",
                                                                   "end": "11:00"}).status_code == 302
    client.post(f"/admin/issues/{room_issue}", data={"status": "resolved", "comment": "Hinge refitted.",
                                                     "visibility": "public"})
    with app.app_context():
        visit_row = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.template == "visit_booked"))
        assert visit_row.status == MailStatus.FAILED and visit_row.last_error.startswith("withdrawn: ")
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.status == MailStatus.QUEUED)
                           .values(send_after=visit_row.created_at))
        db.session.commit()
    drain(runner)
    assert [m["Subject"] for m in mails_to(smtp_server, student.email)] == [
        f"[#{room_issue}] Wardrobe door off its hinge: Resolved"]


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_a_visit_email_already_sent_is_not_touched(app, client, login, runner, smtp_server, student, admin,
                                                  room_issue):
    login(admin)
    client.post(f"/admin/issues/{room_issue}/visit", data={"slot": "other", "day": day(3), "start": "10:00",
                                                           "end": "11:00"})
    drain(runner)
    client.post(f"/admin/issues/{room_issue}", data={"status": "resolved", "comment": "", "visibility": "public"})
    with app.app_context():
        assert db.session.scalar(sa.select(OutboxEmail.status).where(OutboxEmail.template == "visit_booked")) \
            == MailStatus.SENT
