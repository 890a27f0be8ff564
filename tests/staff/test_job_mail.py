"""The staff emails through a real SMTP server: the invitation and the one coalesced "new jobs" email."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.models.mail import OutboxEmail
from tests.issues.test_email_flow import drain, html_of, mails_to, text_of
from tests.staff.conftest import assign

HELD_A_MINUTE = [{"ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 60}]  # held a minute: two assignments meet in one
EVIL = '<script>alert("x")</script>'


@pytest.mark.parametrize("app", HELD_A_MINUTE, indirect=True)
def test_invite_and_coalesced_jobs_email_with_real_smtp(app, client, auth, runner, smtp_server, student, admin,
                                                        make_issue):
    auth.login(admin)
    response = client.post("/admin/staff", data={"name": "Lindiwe Plumber", "email": "lindiwe@example.com",
                                                 "house": "acacia"})
    assert response.status_code == 302
    with app.app_context():  # as if they had used the link
        staff_id = db.session.scalar(sa.select(User.id).where(User.email == "lindiwe@example.com"))
        db.session.get(User, staff_id).email_verified_at = db.session.get(User, staff_id).created_at
        db.session.commit()
    first, second = make_issue(student, title="Tap " + EVIL), make_issue(student, title="Blind broken")
    assign(client, first, staff_id)
    assign(client, second, staff_id)
    with app.app_context():  # the minute has passed
        db.session.execute(sa.update(OutboxEmail).values(send_after=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    drain(runner)
    invite, jobs = sorted(mails_to(smtp_server, "lindiwe@example.com"), key=lambda m: "job" in m["Subject"])
    assert "maintenance account for Acacia House" in invite["Subject"]
    assert "/password/reset/" in text_of(invite)
    assert jobs["Subject"] == "2 new jobs for you"
    assert f"http://localhost/jobs/{first}" in text_of(jobs) and f"http://localhost/jobs/{second}" in text_of(jobs)
    assert "<script>" not in html_of(jobs) and "&lt;script&gt;" in html_of(jobs)
