"""One-click unsubscribe (RFC 8058): bulk mail carries the headers, the link's POST turns that kind of mail off
for that person with no session or CSRF token, the next send honours it (left out and counted), and a bad,
forged or expired link is a clear 4xx. Alerts carry Auto-Submitted (RFC 3834)."""
import base64
import json
import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.emailer import enqueue, enqueue_many, unsubscribe
from app.extensions import db
from app.models.mail import OutboxEmail, Purpose
from app.models.mail_preferences import MailKind, MailPreference

CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
REMINDER = {"house": "Acacia House", "year": "2026", "set_password": False, "link": "http://localhost/move-in/"}


def reminders(app, *addresses: str) -> int:
    with app.app_context():
        queued = enqueue_many("move_in_reminder", [(to, {**REMINDER, "name": "Student"}) for to in addresses])
        db.session.commit()
        return queued


def token_path(link: str) -> str:
    assert link.startswith("http://localhost/unsubscribe/"), link
    return link.removeprefix("http://localhost")


def link_for(app, template: str, address: str) -> str:
    with app.app_context():
        return token_path(unsubscribe.link(template, address))


def preference(app, user_id: int, kind: MailKind):
    with app.app_context():
        found = db.session.get(MailPreference, (user_id, kind))
        if found is not None:
            db.session.expunge(found)
        return found


def queued_to(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxEmail.to_address).order_by(OutboxEmail.id)))


def test_bulk_mail_carries_one_click_headers_and_a_footer_link(app, smtp_server, drain, student):
    reminders(app, student.email)
    drain()
    message = smtp_server.messages[0]
    link = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "To stop receiving move-in form reminders" in text and link in text
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    assert message["Auto-Submitted"] is None
    assert app.test_client().get(token_path(link)).status_code == 200


def test_other_mail_has_no_unsubscribe_and_alerts_are_auto_submitted(app, smtp_server, drain, queue):
    queue(1, purpose=Purpose.SECURITY, prefix="reset")
    queue(1, purpose=Purpose.ALERT, prefix="alert", logo=False)
    drain()
    by_to = {message["To"]: message for message in smtp_server.messages}
    reset, alert = by_to["reset0@example.ac.za"], by_to["alert0@example.ac.za"]
    assert reset["List-Unsubscribe"] is None and reset["Auto-Submitted"] is None
    assert alert["Auto-Submitted"] == "auto-generated" and alert["List-Unsubscribe"] is None


@CSRF_ON
def test_one_click_post_without_session_or_csrf_turns_the_kind_off_and_the_next_send_honours_it(
        app, smtp_server, drain, make_user, house):
    assert app.config["WTF_CSRF_ENABLED"]
    anna, ben = (make_user(email=f"{name}@example.ac.za", house=house) for name in ("anna", "ben"))
    path = link_for(app, "move_in_reminder", anna.email)
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})  # what a mail provider sends
    assert response.status_code == 200
    assert "will get no more move-in form reminders" in response.get_data(as_text=True)
    assert preference(app, anna.id, MailKind.MOVE_IN_REMINDERS).skipped == 0

    assert reminders(app, anna.email, ben.email) == 1  # anna is left out ...
    assert preference(app, anna.id, MailKind.MOVE_IN_REMINDERS).skipped == 1  # ... and counted
    drain()
    assert [message["To"] for message in smtp_server.messages] == [ben.email]


@CSRF_ON
def test_other_kinds_and_other_mail_still_reach_the_person(app, make_user, house):
    anna = make_user(email="anna@example.ac.za", admin_of=[house])
    assert app.test_client().post(link_for(app, "digest", anna.email)).status_code == 200
    with app.app_context():
        assert enqueue("digest", anna.email, {"name": "Anna", "count": 0, "issues": [], "queue_link": "x"},
                       purpose=Purpose.BULK) is None
        assert enqueue("password_reset", anna.email, {"name": "Anna", "link": "x"},
                       purpose=Purpose.SECURITY) is not None
        db.session.commit()
    assert reminders(app, anna.email) == 1
    assert preference(app, anna.id, MailKind.DIGEST).skipped == 1
    assert preference(app, anna.id, MailKind.MOVE_IN_REMINDERS) is None


def test_what_was_still_queued_is_cancelled_and_counted(app, client, student, make_user):
    other = make_user(email="other@example.ac.za")
    reminders(app, student.email, other.email)
    response = client.post(link_for(app, "move_in_reminder", student.email))
    assert "1 waiting email was cancelled" in response.get_data(as_text=True)
    assert queued_to(app) == [other.email]
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS).skipped == 1
    again = client.post(link_for(app, "move_in_reminder", student.email))  # a second click is harmless
    assert again.status_code == 200
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS).skipped == 1


@CSRF_ON
def test_get_shows_a_confirm_page_that_changes_nothing_and_its_button_works(app, client, student):
    path = link_for(app, "move_in_reminder", student.email)
    page = client.get(path).get_data(as_text=True)
    assert "Stop sending move-in form reminders to " + student.email in page
    form = page.split(f'action="{path}"', 1)[1].split("</form>", 1)[0]
    assert "csrf_token" not in form  # (the footer's language switch has its own)
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS) is None
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert "already gets no move-in form reminders" in client.get(path).get_data(as_text=True)


def forged(app, payload, secret: str | None = None, age_days: float = 0) -> str:
    """A link made as `unsubscribe.link` makes it, with another secret or signed `age_days` ago."""
    class Dated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_days * 86400)

    serializer = URLSafeTimedSerializer(secret or app.config["SECRET_KEY"], salt=unsubscribe.SALT, signer=Dated)
    return "/unsubscribe/" + serializer.dumps(payload)


@pytest.mark.parametrize("case, status, says", [
    ("garbage", 400, "not valid"),
    ("cut_short", 400, "not valid"),
    ("other_secret", 400, "not valid"),
    ("unknown_kind", 400, "not valid"),
    ("not_an_address", 400, "not valid"),
    ("expired", 410, "has expired"),
    ("no_such_account", 404, "No account has this email address"),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_bad_forged_or_expired_link_is_a_clear_4xx(app, student, case, status, says, method):
    good = link_for(app, "move_in_reminder", student.email)
    path = {
        "garbage": "/unsubscribe/not-a-token",
        "cut_short": good[:-6],
        "other_secret": forged(app, [student.email, "move_in_reminders"], secret="someone-else"),
        "unknown_kind": forged(app, [student.email, "everything"]),
        "not_an_address": forged(app, [7, "digest"]),
        "expired": forged(app, [student.email, "digest"], age_days=unsubscribe.LINK_MAX_AGE_DAYS + 1),
        "no_such_account": forged(app, ["nobody@example.ac.za", "digest"]),
    }[case]
    response = app.test_client().open(path, method=method)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS) is None
    assert preference(app, student.id, MailKind.DIGEST) is None


def test_a_fresh_forged_helper_token_is_accepted(app, client, student):
    """The forging helper above signs like the app does: only what each case changes makes it fail."""
    assert client.post(forged(app, [student.email, "digest"], age_days=1)).status_code == 200
    assert preference(app, student.id, MailKind.DIGEST) is not None


def test_two_clicks_at_once_both_succeed(app, client, student, monkeypatch):
    """The provider's POST and the person's click race: the one that stores the preference second gets the
    duplicate key from the database and still answers 200."""
    with app.app_context():
        real_get = db.session.get

    def other_click_stored_it_first(model, key, *args, **kwargs):
        if model is MailPreference and not getattr(other_click_stored_it_first, "done", False):
            other_click_stored_it_first.done = True
            engine = db.engine
            with engine.begin() as connection:  # the other request's own transaction
                connection.execute(sa.insert(MailPreference.__table__).values(
                    user_id=key[0], kind=key[1].value, unsubscribed_at=sa.func.now(), skipped=0))
            return None  # this request looked just before
        return real_get(model, key, *args, **kwargs)

    monkeypatch.setattr(db.session, "get", other_click_stored_it_first)
    response = client.post(link_for(app, "move_in_reminder", student.email))
    assert response.status_code == 200
    assert getattr(other_click_stored_it_first, "done", False)
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS) is not None


def test_the_link_does_not_reveal_the_address(app, client, student):
    """The token is encrypted: neither its text nor its base64 decoding shows whose it is; links sent before
    (signed, address readable) still work, and an encrypted one expires like them."""
    path = link_for(app, "move_in_reminder", student.email)
    token = path.rsplit("/", 1)[1]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for shown in (token.encode(), decoded):
        assert student.email.encode() not in shown and student.email.split("@")[0].encode() not in shown
        assert b"move_in" not in shown
    assert client.get(path).status_code == 200
    assert client.post(forged(app, [student.email, "digest"])).status_code == 200  # a link from before
    assert preference(app, student.id, MailKind.DIGEST) is not None
    with app.app_context():
        old = unsubscribe._cipher().encrypt_at_time(
            json.dumps([student.email, "move_in_reminders"]).encode(),
            int(time.time() - (unsubscribe.LINK_MAX_AGE_DAYS + 1) * 86400)).decode()
    response = client.post(f"/unsubscribe/{old.rstrip('=')}")
    assert response.status_code == 410 and "has expired" in response.get_data(as_text=True)
    tampered = token[:-8] + ("A" if token[-8] != "A" else "B") + token[-7:]
    assert client.post(f"/unsubscribe/{tampered}").status_code == 400
    assert preference(app, student.id, MailKind.MOVE_IN_REMINDERS) is None
