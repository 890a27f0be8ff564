"""A student without a password (or where passwords are off) deletes her account by signing in again at the
university: the provider is asked for her login again, its answer must be her own identity, signed in after she
asked, and afterwards nothing links her university identity to the former account."""
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from app.auth.privacy_routes import DELETING
from app.extensions import db
from app.models import OidcIdentity, Role, User
from tests.auth.accounts import account
from tests.conftest import PASSWORD
from tests.fixtures.oidc import provider_sign_in, through_provider

EMAIL = "roster.student@example.ac.za"


@pytest.fixture
def signed_in(app, client, make_user, house):
    """A student with no password, signed in at the university with her own browser there; returns it."""
    make_user(Role.STUDENT, email=EMAIL, house=house, password=None)
    browser = requests.Session()
    start = client.get("/login/university")
    assert client.get(through_provider(browser, start.headers["Location"], EMAIL)).headers["Location"] == "/"
    return browser


def ask_to_delete(client) -> str:
    """Press the button; returns the provider's authorization URL it leads to."""
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Confirm at the university and delete my account" in page and 'name="password"' not in page
    response = client.post("/account/privacy/delete")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def test_she_confirms_at_the_university_and_nothing_links_her_any_more(app, client, signed_in):
    data = client.get("/account/data.json").get_json()  # her data says which university identity is hers
    assert [identity["subject"] for identity in data["university_identities"]] == [EMAIL]
    location = ask_to_delete(client)
    assert parse_qs(urlsplit(location).query)["prompt"] == ["login"]  # the provider asks for her login again
    response = client.get(through_provider(signed_in, location, EMAIL))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert account(app, EMAIL) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OidcIdentity.id))) == 0
        assert db.session.scalar(sa.select(User.email).where(User.role == Role.STUDENT)).startswith("former-")
    assert client.get("/issues/").status_code == 302  # signed out
    again = client.get(provider_sign_in(client, EMAIL))  # she may come back as a newcomer
    assert again.headers["Location"] == "/login/university/details"


def test_someone_else_at_the_university_deletes_nothing(app, client, signed_in):
    location = ask_to_delete(client)
    response = client.get(through_provider(requests.Session(), location, "other.student@example.ac.za"))
    assert response.status_code == 403
    assert "signed in at the university as someone else" in response.get_data(as_text=True)
    assert account(app, EMAIL) is not None
    assert client.get("/account/privacy").status_code == 200  # still signed in as herself


def test_a_sign_in_from_before_she_asked_deletes_nothing(app, client, signed_in):
    location = ask_to_delete(client)
    with client.session_transaction() as session:  # as if the provider had not asked for her login again
        session[DELETING] = {**session[DELETING], "at": int(time.time()) + 600}
    response = client.get(through_provider(signed_in, location, EMAIL))
    assert response.status_code == 403 and "did not ask for your login again" in response.get_data(as_text=True)
    assert account(app, EMAIL) is not None


def test_a_late_confirmation_deletes_nothing(app, client, signed_in):
    location = ask_to_delete(client)
    with client.session_transaction() as session:
        session[DELETING] = {**session[DELETING], "at": int(time.time()) - 3600}
    response = client.get(through_provider(signed_in, location, EMAIL))
    assert response.status_code == 400 and "came too late" in response.get_data(as_text=True)
    assert account(app, EMAIL) is not None


def test_the_confirmation_is_a_post_with_csrf(app, client, signed_in):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/privacy/delete", data={"csrf_token": "forged"})
    assert response.status_code == 400 and account(app, EMAIL) is not None
    with client.session_transaction() as session:
        assert DELETING not in session


@pytest.mark.parametrize("app", [{"AUTH_PASSWORDS": False}], indirect=True)
def test_with_passwords_off_a_student_with_an_old_password_confirms_at_the_university(app, client, student):
    client.get(provider_sign_in(client, student.email))
    ask_to_delete(client)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and account(app, student.email) is not None  # her password is no way in
    client.get(through_provider(requests.Session(), response.headers["Location"], student.email))
    assert account(app, student.email) is None


def test_a_password_account_still_confirms_with_its_password(app, client, login, student):
    login(student)
    page = client.get("/account/privacy").get_data(as_text=True)
    assert 'name="password"' in page and "Confirm at the university" not in page
    assert client.post("/account/privacy/delete", data={"password": "wrong-password-here"}).status_code == 400
    assert account(app, student.email) is not None
