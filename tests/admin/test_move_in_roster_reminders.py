"""The reminder button reaches everyone on the roster who has not submitted: students who never signed in get a
reminder that is also their way in, those who must not be emailed are left out and counted, an invitation at
roster import counts as the first reminder, and the page says when the emails will leave before the press."""
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.models.deliveries import UndeliverableAddress
from app.models.mail import OutboxEmail
from app.models.mail_preferences import MailKind, MailPreference
from app.models.move_in import MoveInReminder
from tests.admin.test_roster_upload import token_of, upload
from tests.conftest import PASSWORD

HEADER = "email,name,room\n"
ROSTER = [("ana@example.ac.za", "Ana A", "102"), ("ben@example.ac.za", "Ben B", "103"),
          ("cai@example.ac.za", "Cai C", "104")]
LOCAL = re.compile(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d SAST")


def import_roster(runner, tmp_path, rows=ROSTER, invite: bool = False) -> None:
    """`flask users import-roster`, by default without invitations (the students exist but were never told)."""
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "".join(f"{email},{name},{room}\n" for email, name, room in rows))
    result = runner.invoke(args=["users", "import-roster", str(path), "--house", "acacia",
                                 "--invite" if invite else "--no-invite"])
    assert result.exit_code == 0, result.output


def mail(app, template: str) -> dict[str, OutboxEmail]:
    with app.app_context():
        return {e.to_address: e for e in db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == template))}


def press(client):
    return client.post("/admin/move-in/reminders", data={"house": "acacia"}, follow_redirects=True)


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def test_a_roster_imported_without_invitations_is_counted_and_reminded(app, runner, tmp_path, login, admin, house,
                                                                       make_user):
    signed_in = make_user(Role.STUDENT, house=house, room="101", email="dee@example.ac.za")
    import_roster(runner, tmp_path)
    client = login(admin)
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert '<li class="muted">4 students</li>' in page
    assert "Remind 4 who have not submitted" in page
    assert "3 have not signed in yet: their reminder carries a link to set a password." in page
    assert page.count("· not signed in yet") == 3

    page = press(client).get_data(as_text=True)
    assert "4 reminders queued" in page and "3 of them have not signed in yet" in page
    reminders = mail(app, "move_in_reminder")
    assert sorted(reminders) == sorted([signed_in.email] + [email for email, _, _ in ROSTER])
    assert reminders[signed_in.email].context["link"] == "http://localhost/move-in/"
    assert reminders[signed_in.email].context["set_password"] is False
    for email, _, _ in ROSTER:
        context = reminders[email].context
        assert context["set_password"] is True
        assert context["link"].startswith(f"http://localhost/move-in/welcome/{user_id(app, email)}.")
    assert "Remind 0 who have not submitted" in page


def test_the_reminder_lets_a_student_who_never_signed_in_set_a_password_and_open_the_form(
        app, runner, tmp_path, client, login, admin, house):
    import_roster(runner, tmp_path, ROSTER[:1])
    press(login(admin))
    client.post("/logout")
    link = urlsplit(mail(app, "move_in_reminder")["ana@example.ac.za"].context["link"]).path
    response = client.get(link)
    assert response.status_code == 302 and "/password/reset/" in response.headers["Location"]
    reset = urlsplit(response.headers["Location"])
    response = client.post(f"{reset.path}?{reset.query}", data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/move-in/"
    assert "Move-in form" in client.get("/move-in/").get_data(as_text=True)
    with app.app_context():  # setting the password through the emailed link confirmed the address
        assert db.session.get(User, user_id(app, "ana@example.ac.za")).is_verified
    client.post("/logout")
    assert client.get(link).headers["Location"].startswith("/login?next=")  # used up: they can sign in now


def test_an_unconfirmed_student_with_a_password_gets_the_way_in_too(app, runner, tmp_path, login, admin, house):
    """A roster student who chose a password but never confirmed the address cannot sign in either."""
    import_roster(runner, tmp_path, ROSTER[:1])
    with app.app_context():
        db.session.get(User, user_id(app, "ana@example.ac.za")).set_password(PASSWORD)
        db.session.commit()
    press(login(admin))
    assert mail(app, "move_in_reminder")["ana@example.ac.za"].context["set_password"] is True


def deactivate(app, email):
    from app.auth.deactivation import deactivate

    with app.app_context():
        deactivate(db.session.get(User, user_id(app, email)))
        db.session.commit()


def anonymise(app, email):
    from app.auth.privacy import anonymise

    with app.app_context():
        anonymise(db.session.get(User, user_id(app, email)))
        db.session.commit()


def unsubscribe(app, email):
    with app.app_context():
        db.session.add(MailPreference(user_id=user_id(app, email), kind=MailKind.MOVE_IN_REMINDERS, skipped=0))
        db.session.commit()


def bounce(app, email):
    with app.app_context():
        db.session.add(UndeliverableAddress(address=email, reason="550 no such user", skipped=0))
        db.session.commit()


@pytest.mark.parametrize(("left_out", "says"), [
    (deactivate, None),
    (anonymise, None),
    (unsubscribe, "1 has turned move-in reminders off."),
    (bounce, "1 not emailed: the address bounced (correct it on the student's page)."),
], ids=["deactivated", "anonymised", "unsubscribed", "bounced"])
def test_addresses_that_must_not_be_emailed_are_never_reminded(app, runner, tmp_path, login, admin, house, left_out,
                                                             says):
    import_roster(runner, tmp_path)
    left_out(app, "ana@example.ac.za")
    client = login(admin)
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "Remind 2 who have not submitted" in page
    assert "2 have not signed in yet" in page
    if says:
        assert says in page
    else:  # no longer a resident: not counted at all
        assert '<li class="muted">2 students</li>' in page
    page = press(client).get_data(as_text=True)
    assert "2 reminders queued" in page
    assert sorted(mail(app, "move_in_reminder")) == ["ben@example.ac.za", "cai@example.ac.za"]
    with app.app_context():  # nothing recorded for the one left out: the next press leaves them out again
        assert db.session.scalar(sa.select(sa.func.count(MoveInReminder.id))
                                 .where(MoveInReminder.to_address.like("ana@%"))) == 0
    if left_out is bounce:
        assert "1 student not emailed: the address bounced" in page


def test_a_bounced_address_once_cleared_is_reminded(app, runner, tmp_path, login, admin, house):
    import_roster(runner, tmp_path, ROSTER[:1])
    bounce(app, "ana@example.ac.za")
    with app.app_context():
        db.session.get(UndeliverableAddress, "ana@example.ac.za").cleared_at = datetime(2026, 1, 1)
        db.session.commit()
    press(login(admin))
    assert list(mail(app, "move_in_reminder")) == ["ana@example.ac.za"]


def shift_reminders(app, hours: float) -> None:
    with app.app_context():
        for reminder in db.session.scalars(sa.select(MoveInReminder)):
            reminder.created_at -= timedelta(hours=hours)
        db.session.commit()


def test_an_invitation_at_roster_import_counts_as_the_first_reminder(app, login, admin, house):
    client = login(admin)
    rows = HEADER + "".join(f"{email},{name},{room}\n" for email, name, room in ROSTER[:2])
    client.post("/admin/residents/roster/apply", data={"plan": token_of(upload(client, rows))})
    invitations = mail(app, "account_invite")
    assert sorted(invitations) == ["ana@example.ac.za", "ben@example.ac.za"]
    assert len({e.batch for e in invitations.values()}) == 1

    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "Remind 0 who have not submitted" in page
    assert "2 not submitted but reminded or invited in the last 24 hours, or at the yearly cap." in page
    assert "Invitations of " in page and '<dd data-count="total">2</dd>' in page  # their progress, on this page
    page = press(client).get_data(as_text=True)
    assert "No reminders queued. 2 students not reminded: reminded or invited in the last 24 hours" in page
    assert mail(app, "move_in_reminder") == {}  # one email per student, not an invitation and then a reminder
    history = client.get(f"/admin/move-in/students/{user_id(app, 'ana@example.ac.za')}").get_data(as_text=True)
    assert "<td>Invitation</td>" in history and "1 this year (at most 5)" in history

    shift_reminders(app, 25)  # the cooldown is over: the reminder carries a fresh way in
    page = press(client).get_data(as_text=True)
    assert "2 reminders queued" in page and "Reminders of " in page
    assert all(e.context["set_password"] for e in mail(app, "move_in_reminder").values())


def test_the_cli_import_with_invitations_also_counts_them(app, runner, tmp_path, login, admin, house):
    import_roster(runner, tmp_path, invite=True)
    assert len(mail(app, "account_invite")) == 3
    assert "No reminders queued. 3 students not reminded" in press(login(admin)).get_data(as_text=True)


def local_time(text: str) -> datetime:
    return datetime.strptime(text.removesuffix(" SAST"), "%d %b %Y, %H:%M")


def test_the_page_says_when_the_emails_will_leave_before_the_press(app, runner, tmp_path, login, admin, house):
    import_roster(runner, tmp_path)
    client = login(admin)
    page = client.get("/admin/move-in").get_data(as_text=True)
    match = re.search(rf"3 emails: all today, the last by ({LOCAL.pattern})", page)
    assert match, page


SMALL_BUDGET = {"MAIL_DAILY_LIMIT": 6, "MAIL_SHARE_SECURITY": 0, "MAIL_SHARE_ALERT": 0, "MAIL_SHARE_URGENT": 0,
                "MAIL_SHARE_NOTICE": 0.5, "MAIL_SHARE_BULK": 0.5}  # 3 bulk emails a day


@pytest.mark.parametrize("app", [SMALL_BUDGET], indirect=True)
def test_the_estimate_before_the_press_is_the_finishing_time_after_it(app, runner, tmp_path, login, admin, house):
    rows = [(f"s{i}@example.ac.za", f"Student {i}", str(101 + i)) for i in range(5)]
    import_roster(runner, tmp_path, rows)
    client = login(admin)
    page = client.get("/admin/move-in").get_data(as_text=True)
    match = re.search(rf"5 emails: about 3 today, the rest by ({LOCAL.pattern})", page)
    assert match, page
    before = local_time(match[1])

    page = press(client).get_data(as_text=True)
    after = local_time(re.search(rf"the last goes out by ({LOCAL.pattern})", page)[1])
    shown = local_time(re.search(r'<dd data-time="estimated_done"><time[^>]*>([^<]+)</time></dd>', page)[1])
    batch = re.search(r"/admin/move-in/batches/(\w+)", page)[1]
    polled = local_time(client.get(f"/admin/move-in/batches/{batch}").get_json()["estimated_done_local"])
    assert timedelta(0) <= after - before <= timedelta(minutes=1)  # the same arithmetic, seconds apart
    assert after == shown == polled


def test_the_roster_preview_says_when_the_invitations_will_leave(app, login, admin, house):
    client = login(admin)
    rows = HEADER + "".join(f"{email},{name},{room}\n" for email, name, room in ROSTER)
    page = upload(client, rows).get_data(as_text=True)
    assert re.search(rf"3 emails: all today, the last by {LOCAL.pattern}", page), page
    no_new = upload(client, HEADER).get_data(as_text=True)
    assert "emails:" not in no_new


def test_a_student_added_by_an_admin_is_not_reminded_right_after_their_invitation(app, login, admin, house):
    from tests.admin.test_residents import add_form

    client = login(admin)
    assert client.post("/admin/residents/new", data=add_form()).status_code == 302
    assert list(mail(app, "account_invite")) == ["lindiwe@example.ac.za"]
    page = press(client).get_data(as_text=True)
    assert "No reminders queued. 1 student not reminded: reminded or invited in the last 24 hours" in page
    assert mail(app, "move_in_reminder") == {}
