"""CSRF: every account form refuses a missing or forged token, keeps what was typed and stores nothing."""
import re

import pytest
import sqlalchemy as sa

from app.auth.forms import CSRF_MESSAGE
from app.extensions import db
from app.models import OutboxEmail, User
from tests.auth.accounts import account, mails
from tests.conftest import PASSWORD

CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
REGISTER = {"email": "xolani@example.ac.za", "name": "Xolani Dube", "house": "acacia", "room": "101",
            "password": PASSWORD, "confirm": PASSWORD}


def page_token(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


@CSRF_ON
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_register_without_valid_token_keeps_the_form_and_stores_nothing(client, app, house, token):
    data = dict(REGISTER, **({"csrf_token": token} if token else {}))
    response = client.post("/register", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page
    assert 'value="xolani@example.ac.za"' in page and 'value="Xolani Dube"' in page and 'value="101"' in page
    assert '<option selected value="acacia">' in page
    assert PASSWORD not in page
    assert count(app, User) == 0
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]  # sending again works
    assert client.post("/register", data=dict(REGISTER, csrf_token=fresh)).status_code == 302
    assert count(app, User) == 1


@CSRF_ON
def test_post_with_csrf_token_from_the_page_works(client, app, house):
    token = page_token(client, "/register")
    assert client.post("/register", data=dict(REGISTER, csrf_token=token)).status_code == 302


@CSRF_ON
def test_login_without_token_does_not_log_in(client, student):
    response = client.post("/login", data={"email": student.email, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page and f'value="{student.email}"' in page
    assert client.get("/issues/").status_code == 302  # still anonymous


@CSRF_ON
def test_logout_without_token_keeps_the_session(client, student):
    client.post("/login", data={"email": student.email, "password": PASSWORD,
                                "csrf_token": page_token(client, "/login")})
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/issues/").status_code == 200
    assert client.post("/logout", data={"csrf_token": page_token(client, "/logout")}).status_code == 302
    assert client.get("/issues/").status_code == 302


@CSRF_ON
@pytest.mark.parametrize("action", ["{id}/end", "end-others", "end-all"])
def test_ending_sessions_without_token_ends_nothing(client, app, student, action):
    from app.models.accounts import LoginSession

    client.post("/login", data={"email": student.email, "password": PASSWORD,
                                "csrf_token": page_token(client, "/login")})
    with app.app_context():
        session_id = db.session.scalar(sa.select(LoginSession.id))
    response = client.post("/account/sessions/" + action.format(id=session_id), data={"csrf_token": "forged"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert count(app, LoginSession) == 1 and client.get("/issues/").status_code == 200


@CSRF_ON
def test_deleting_an_account_without_token_deletes_nothing(client, app, student):
    client.post("/login", data={"email": student.email, "password": PASSWORD,
                                "csrf_token": page_token(client, "/login")})
    response = client.post("/account/privacy/delete", data={"password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, student.id).email == student.email


@CSRF_ON
def test_forgot_password_without_token_queues_nothing(client, app, student):
    response = client.post("/password/forgot", data={"email": student.email})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert count(app, OutboxEmail) == 0


@CSRF_ON
def test_reset_password_without_token_changes_nothing(client, app, student):
    from app.auth.services import make_password_token

    with app.app_context():
        link = f"/password/reset/{make_password_token(db.session.get(User, student.id))}"
    response = client.post(link, data={"password": "another-password", "confirm": "another-password"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, student.id).check_password(PASSWORD)


@CSRF_ON
def test_verify_without_token_verifies_nothing(client, app, house):
    client.post("/register", data=dict(REGISTER, csrf_token=page_token(client, "/register")))
    link = mails(app)[0].context["link"].removeprefix("http://localhost")
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert not account(app, REGISTER["email"]).verified


@CSRF_ON
def test_resend_without_token_queues_nothing(client, app, house):
    response = client.post("/verify/resend", data={"email": "someone@example.ac.za"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and CSRF_MESSAGE in page and 'value="someone@example.ac.za"' in page
    assert count(app, OutboxEmail) == 0


@CSRF_ON
def test_every_auth_post_route_is_covered(app):
    """A new POST route in app/auth needs a test above: the blueprint leaves CSRF to its forms."""
    posts = sorted(rule.rule for rule in app.url_map.iter_rules()
                   if rule.endpoint.startswith("auth.") and "POST" in rule.methods)
    assert posts == ["/account/privacy/delete", "/account/sessions/<int:session_id>/end", "/account/sessions/end-all",
                     "/account/sessions/end-others", "/login", "/login/university/details", "/logout",
                     "/password/forgot", "/password/reset/<token>", "/register", "/verify/<token>", "/verify/resend"]
    # /login/university/details: tests/oidc/test_sign_in.py sends it without a valid token


@CSRF_ON
def test_other_forms_get_a_plain_message(client, admin):
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": page_token(client, "/login")})
    response = client.post("/admin/move-in/reminders")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form had expired" in page and "CSRF" not in page
