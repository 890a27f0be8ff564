"""Attacks on the sign-in through the real test provider: each is answered with a clear page and a 4xx, and
creates no account, identity or session, and no logged error."""
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LoginSession, OidcIdentity, Role, User
from app.models.base import utcnow
from app.models.errors import ErrorGroup
from tests.auth.accounts import set_standing
from tests.fixtures.oidc import provider_sign_in

NO_LOGIN = "no university sign-in in progress"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def nothing_new(app, users: int = 0) -> None:
    assert count(app, User) == users
    for model in (OidcIdentity, LoginSession, ErrorGroup):
        assert count(app, model) == 0, model.__name__


def with_params(callback: str, **changes) -> str:
    parts = urlsplit(callback)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.path}?{urlencode({**query, **changes})}"


def test_tampered_state_is_refused(app, client):
    callback = provider_sign_in(client, "someone@example.ac.za")
    response = client.get(with_params(callback, state="x" + parse_qs(urlsplit(callback).query)["state"][0]))
    assert response.status_code == 400 and NO_LOGIN in response.get_data(as_text=True)
    nothing_new(app)


def test_callback_without_a_login_in_progress(app, client):
    for path in ("/login/university/callback", "/login/university/callback?code=abc&state=def",
                 "/login/university/details"):
        response = client.get(path)
        assert response.status_code == 400 and NO_LOGIN in response.get_data(as_text=True), path
    nothing_new(app)


def test_a_replayed_code_is_refused_by_the_provider(app, client, student):
    callback = provider_sign_in(client, student.email)
    thief = app.test_client()  # holds the same session cookie, so the state still matches for it
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    assert client.get(callback).status_code == 302
    response = thief.get(callback)
    assert response.status_code == 400 and "could not be checked" in response.get_data(as_text=True)
    assert count(app, LoginSession) == 1


def test_a_login_refused_at_the_provider(app, client):
    callback = provider_sign_in(client, "someone@example.ac.za")
    response = client.get(with_params(callback, error="access_denied", code=""))
    assert response.status_code == 400
    nothing_new(app)


def test_an_answer_naming_another_issuer_is_refused(app, client):
    callback = provider_sign_in(client, "someone@example.ac.za")
    assert client.get(with_params(callback, iss="https://evil.example")).status_code == 400
    nothing_new(app)


@pytest.mark.parametrize("login, message", [
    ("someone@gmail.com", "is not one of the residence"),
    ("unverified.person@example.ac.za", "has not confirmed the email address"),
])
def test_addresses_the_university_does_not_vouch_for(app, client, house, login, message):
    response = client.get(provider_sign_in(client, login))
    assert response.status_code == 403 and message in response.get_data(as_text=True)
    nothing_new(app)


@pytest.mark.parametrize("app", [{"OIDC_REQUIRE_EMAIL_VERIFIED": False, "OIDC_EMAIL_CLAIM": "preferred_username"}],
                         indirect=True)
def test_entra_style_settings_take_the_address_from_another_claim(app, client, student):
    assert client.get(provider_sign_in(client, student.email)).headers["Location"] == "/"


def test_a_deactivated_account_is_refused_before_and_after_linking(app, client, make_user, house):
    user = make_user(Role.STUDENT, house=house, email="gone@example.ac.za")
    set_standing(app, user.id, deactivated_at=utcnow())
    response = client.get(provider_sign_in(client, user.email))
    assert response.status_code == 403 and "deactivated" in response.get_data(as_text=True)
    nothing_new(app, users=1)

    other = make_user(Role.STUDENT, house=house, email="later.gone@example.ac.za")
    assert client.get(provider_sign_in(client, other.email)).status_code == 302
    client.post("/logout")
    set_standing(app, other.id, deactivated_at=utcnow())
    response = client.get(provider_sign_in(client, other.email))
    assert response.status_code == 403 and "deactivated" in response.get_data(as_text=True)
    assert count(app, LoginSession) == 0


def test_an_address_linked_to_another_university_account_is_refused(app, client, student):
    with app.app_context():
        db.session.add(OidcIdentity(user_id=student.id, issuer=app.config["OIDC_ISSUER"], subject="someone-else"))
        db.session.commit()
    response = client.get(provider_sign_in(client, student.email))
    assert response.status_code == 403 and "already linked" in response.get_data(as_text=True)
    assert count(app, LoginSession) == 0


def test_a_flood_of_bad_callbacks_logs_no_error(app, client):
    for index in range(50):
        assert client.get(f"/login/university/callback?code={index}&state=s{index}").status_code == 400
    nothing_new(app)


def test_two_first_sign_ins_at_once_link_one_identity(app, student):
    from tests.races import race

    clients = [app.test_client() for _ in range(2)]
    callbacks = [provider_sign_in(one, student.email) for one in clients]
    responses = race([lambda one=one, path=path: one.get(path) for one, path in zip(clients, callbacks, strict=True)])
    assert [response.status_code for response in responses] == [302, 302]
    assert count(app, OidcIdentity) == 1 and count(app, LoginSession) == 2
