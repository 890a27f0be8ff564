from datetime import timedelta

import pytest

from app.auth import guessing
from app.models.base import utcnow
from tests.conftest import PASSWORD


def test_login_and_logout(client, auth, student):
    response = auth.login(student)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Test User" in client.get("/").get_data(as_text=True)
    assert client.get("/issues/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/issues/").status_code == 302


def test_login_is_case_insensitive_on_email(auth, student):
    assert auth.login(student.email.upper(), PASSWORD).status_code == 302


def test_wrong_password_shows_message(auth, student):
    response = auth.login(student.email, "wrong-password-123")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Email or password is not right." in page
    assert f'value="{student.email}"' in page


def test_user_without_password_cannot_log_in(auth, make_user, house):
    user = make_user(house=house, password=None)
    assert auth.login(user.email, "anything-at-all").status_code == 400


@pytest.mark.parametrize("target, expected", [
    ("/issues/", "/issues/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
])
def test_next_is_followed_only_when_local(client, student, target, expected):
    response = client.post(f"/login?next={target}", data={"email": student.email, "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/issues/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fissues%2F"


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_throttle_after_ten_failures(client, auth, student):
    for _ in range(10):
        assert auth.login(student.email, "wrong-password-123").status_code == 400
    response = auth.login(student)  # even the right password is refused from this address while throttled
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_throttle_window_expires(app, client, auth, student, monkeypatch):
    """Failures older than LOGIN_THROTTLE_WINDOW no longer count."""
    window, now = app.config["LOGIN_THROTTLE_WINDOW"], utcnow()
    monkeypatch.setattr(guessing, "utcnow", lambda: now)
    for _ in range(10):
        auth.login(student.email, "wrong-password-123")
    monkeypatch.setattr(guessing, "utcnow", lambda: now + timedelta(seconds=window - 60))
    assert auth.login(student).status_code == 429  # a minute before the window ends: still throttled
    monkeypatch.setattr(guessing, "utcnow", lambda: now + timedelta(seconds=window + 60))
    assert auth.login(student.email, "wrong-password-123").status_code == 400  # counted afresh, not 429
    assert auth.login(student).status_code == 302


def test_session_cookie_flags(client, auth, student):
    response = auth.login(student)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
