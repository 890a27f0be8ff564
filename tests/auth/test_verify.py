"""Address verification: no login before it; the emailed link (24 hours, single use, with the password); a new link."""
import time

import pytest
import sqlalchemy as sa

from app.auth.verification import make_token
from app.extensions import db
from app.limits import digest
from app.models import User
from app.models.limits import RateCount
from tests.auth.accounts import account, last_link, mails, register_form, set_standing
from tests.conftest import PASSWORD


@pytest.fixture
def registered(client, app, house):
    assert client.post("/register", data=register_form()).status_code == 302
    return account(app, "thandi@example.ac.za")


def test_an_unverified_account_cannot_log_in_and_is_offered_a_new_link(client, app, auth, registered):
    response = auth.login("thandi@example.ac.za", PASSWORD)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Confirm your email address first" in page and "Send the confirmation link again" in page
    assert 'action="/verify/resend"' in page and 'value="thandi@example.ac.za"' in page
    assert client.get("/issues/").status_code == 302  # still anonymous
    wrong = auth.login("thandi@example.ac.za", "not-the-password")  # says nothing about the account
    assert wrong.status_code == 400 and "Email or password is not right." in wrong.get_data(as_text=True)


def test_the_link_asks_for_the_password_then_verifies_and_logs_in(client, app, registered):
    link = last_link(app)
    page = client.get(link).get_data(as_text=True)
    assert "Confirm your email address" in page and "thandi@example.ac.za" in page
    assert not account(app, "thandi@example.ac.za").verified  # opening the link alone changes nothing
    wrong = client.post(link, data={"password": "someone-elses-pass"})
    assert wrong.status_code == 400 and "not the password you chose" in wrong.get_data(as_text=True)
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = account(app, "thandi@example.ac.za")
    assert user.verified and not user.approved
    home = client.get("/").get_data(as_text=True)
    assert "Waiting for approval" in home and "Report an issue" not in home


def test_the_link_works_once(client, app, auth, registered):
    link = last_link(app)
    assert client.post(link, data={"password": PASSWORD}).status_code == 302
    auth.logout()
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "already confirmed" in again
    assert client.post(link, data={"password": PASSWORD}).headers["Location"].startswith("/login")


def test_the_link_expires_after_24_hours(client, app, registered, monkeypatch):
    real = time.time
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, registered.id)
        monkeypatch.setattr(time, "time", lambda: real() - 24 * 3600 - 5)
        old = make_token(user)
        monkeypatch.setattr(time, "time", lambda: real() - 24 * 3600 + 60)
        recent = make_token(user)
    monkeypatch.setattr(time, "time", real)
    assert "expired" in client.get(f"/verify/{old}", follow_redirects=True).get_data(as_text=True)
    assert client.get(f"/verify/{recent}").status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1aWQiOjF9.Zm9v.YmFy", "x" * 3000, "%00%ff", "..", "é"])
def test_made_up_links_are_refused_without_a_500(client, registered, token):
    response = client.get(f"/verify/{token}", follow_redirects=True)
    assert response.status_code == 200 and "expired" in response.get_data(as_text=True)
    assert client.post(f"/verify/{token}", data={"password": PASSWORD}).status_code == 302


def test_a_deactivated_accounts_link_is_refused(client, app, registered):
    from app.models.base import utcnow

    set_standing(app, registered.id, deactivated_at=utcnow())
    assert "expired" in client.get(last_link(app), follow_redirects=True).get_data(as_text=True)


def test_wrong_passwords_on_the_link_are_throttled(client, app, registered, clock):
    link = last_link(app)
    for _ in range(5):
        assert client.post(link, data={"password": "wrong-password-1"}).status_code == 400
    delayed = client.post(link, data={"password": PASSWORD})  # the account's delay (app/auth/guessing.py)
    assert delayed.status_code == 429 and "wait 1 second" in delayed.get_data(as_text=True)
    assert not account(app, "thandi@example.ac.za").verified


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_the_link_has_the_pair_limit_too(client, app, registered):
    link = last_link(app)
    for _ in range(10):
        assert client.post(link, data={"password": "wrong-password-1"}).status_code == 400
    assert client.post(link, data={"password": PASSWORD}).status_code == 429
    assert not account(app, "thandi@example.ac.za").verified


def test_setting_a_password_from_an_emailed_link_verifies_too(client, app, auth, registered):
    client.post("/password/forgot", data={"email": "thandi@example.ac.za"})
    reset = last_link(app, "password_reset")
    assert client.post(reset, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"}).status_code == 302
    assert account(app, "thandi@example.ac.za").verified
    auth.logout()
    assert auth.login("thandi@example.ac.za", "a-brand-new-pass").status_code == 302


def test_resend_queues_a_fresh_link_within_the_limits(client, app, registered):
    app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"] = 0  # past the registration email's cooldown
    response = client.post("/verify/resend", data={"email": "thandi@example.ac.za"}, follow_redirects=True)
    assert "a new link is on its way" in response.get_data(as_text=True)
    emails = mails(app, "verify_email")
    assert len(emails) == 1 and emails[0].purpose == "security"  # the queued email was refreshed in place
    assert client.post(last_link(app), data={"password": PASSWORD}).status_code == 302


def test_resend_answers_the_same_for_any_address(client, app, house, student, registered):
    app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"] = 0
    answers = [client.post("/verify/resend", data={"email": email}, follow_redirects=True).get_data(as_text=True)
               .replace(email, "ADDRESS")
               for email in ("thandi@example.ac.za", "nobody@example.ac.za", student.email)]
    assert answers[0] == answers[1] == answers[2]
    assert [m.to for m in mails(app)] == ["thandi@example.ac.za"]  # a verified account gets nothing


def test_resend_is_limited_per_address_and_per_client(client, app, house):
    for n in range(3):
        client.post("/register", data=register_form(email=f"s{n}@example.ac.za"))
    for _ in range(4):
        client.post("/verify/resend", data={"email": "s0@example.ac.za"})
    assert len([m for m in mails(app) if m.to == "s0@example.ac.za"]) == 1  # within the cooldown: the first only
    app.config["ACCOUNT_MAIL_PER_IP_HOUR"] = 2
    app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"] = 0
    codes = [client.post("/verify/resend", data={"email": f"s{n}@example.ac.za"}).status_code for n in range(3)]
    assert codes[-1] == 429
    refused = client.post("/verify/resend", data={"email": "s2@example.ac.za"})
    assert refused.status_code == 429 and 'value="s2@example.ac.za"' in refused.get_data(as_text=True)


def test_check_email_page_without_a_registration(client):
    page = client.get("/verify").get_data(as_text=True)
    assert "Check your email" in page and "Send a new link" in page


@pytest.mark.parametrize("raw", ["%00", "%FF%FE", "%ED%B3%BF", "a" * 5000, "%0D%0ABcc%3A%20x%40y", ""])
def test_odd_bytes_in_the_new_fields_are_a_4xx(client, app, registered, raw):
    form = "application/x-www-form-urlencoded"
    confirm = client.post(last_link(app), data=f"password={raw}", content_type=form)
    assert confirm.status_code == 400 and not account(app, "thandi@example.ac.za").verified
    resend = client.post("/verify/resend", data=f"email={raw}", content_type=form)
    assert resend.status_code == 400
    assert len(mails(app)) == 1


def test_a_line_break_in_next_is_not_followed_and_a_nul_in_the_login_email_not_stored(client, app, student):
    response = client.post("/login", query_string={"next": "/\r\nX-Injected: y"},
                           data={"email": student.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client.post("/logout")
    odd = client.post("/login", data={"email": "a\x00b@example.ac.za", "password": "whatever-it-is"})
    assert odd.status_code == 400 and "control characters" in odd.get_data(as_text=True)
    with app.app_context():
        odd_keys = RateCount.key.contains(digest("a\x00b@example.ac.za"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCount).where(odd_keys)) == 0
