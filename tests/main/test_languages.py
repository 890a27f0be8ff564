"""Choosing the language: the footer's switch (cookie, and the account when signed in), the browser's
Accept-Language on a first visit, `<html lang>`; and emails in their recipient's language, through the worker.

The pseudo-language (tests/pseudo.py) stands in for a translated language: every message it has is marked, so a
test sees which language spoke whatever the real catalogs hold yet.
"""
import pytest
import sqlalchemy as sa

from app.emailer import enqueue
from app.extensions import db
from app.models.accounts import User
from app.models.houses import House
from tests.conftest import settings_for, with_pseudo_language
from tests.pseudo import CLOSE, OPEN, PSEUDO


@pytest.fixture
def app(database_url, _schema, tmp_path, pseudo_translations):
    from app import create_app
    from tests.conftest import empty_tables

    app = create_app(with_pseudo_language(settings_for(database_url, tmp_path), pseudo_translations))
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def spoken(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_first_visit_follows_the_browser(client):
    assert spoken(client.get("/login", headers={"Accept-Language": "xh-ZA,xh;q=0.9,en;q=0.5"})) == "xh"
    assert spoken(client.get("/login", headers={"Accept-Language": "af"})) == "af"
    assert spoken(client.get("/login", headers={"Accept-Language": "de-DE,fr;q=0.8"})) == "en"  # none of ours
    assert spoken(client.get("/login")) == "en"


def test_the_switch_remembers_the_language_in_a_cookie(client):
    response = client.post("/language", data={"language": "af", "next": "/login?x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?x=1"
    cookie = client.get_cookie("language")
    assert cookie.value == "af" and cookie.http_only
    assert spoken(client.get("/login", headers={"Accept-Language": "xh"})) == "af"  # the choice beats the browser


def test_the_switch_speaks_its_language_at_once(client):
    page = client.post("/language", data={"language": PSEUDO, "next": "/login"}, follow_redirects=True)
    assert f"{OPEN}Log in{CLOSE}" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:x"])
def test_the_switch_goes_back_only_to_a_local_page(client, target):
    response = client.post("/language", data={"language": "xh", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("code", ["", "de", "AF", "af\r\nSet-Cookie: x=1", "x" * 5000, "\x00", "ａｆ"])
def test_an_unknown_language_is_refused(client, code):
    response = client.post("/language", data={"language": code})
    assert response.status_code == 400
    assert client.get_cookie("language") is None


def test_a_signed_in_choice_is_kept_on_the_account(app, client, login, student):
    login(student)
    client.post("/language", data={"language": "xh"})
    with app.app_context():
        assert db.session.get(User, student.id).language == "xh"
    client.delete_cookie("language")  # another browser: the account's choice still holds
    assert spoken(client.get("/", headers={"Accept-Language": "af"})) == "xh"


def test_a_foreign_cookie_cannot_choose_for_the_account(app, client, login, student):
    with app.app_context():
        db.session.get(User, student.id).language = "af"
        db.session.commit()
    login(student)
    client.set_cookie("language", "xh")
    assert spoken(client.get("/")) == "af"


def test_the_switch_needs_the_csrf_token(app, database_url, tmp_path, pseudo_translations):
    from app import create_app

    guarded = create_app(with_pseudo_language({**settings_for(database_url, tmp_path), "WTF_CSRF_ENABLED": True},
                                              pseudo_translations))
    response = guarded.test_client().post("/language", data={"language": "af"})
    assert response.status_code == 400


def test_each_recipient_is_written_to_in_their_language(app, smtp_server, runner, house, make_user):
    """The account's language, else the house's, else DEFAULT_LANGUAGE: read when the worker claims the email."""
    chose = make_user(email="chose@example.ac.za", house=house)
    housed = make_user(email="housed@example.ac.za", house=house)
    with app.app_context():
        db.session.get(User, chose.id).language = PSEUDO
        db.session.get(House, house.id).language = "af"
        for address in (chose.email, housed.email, "nobody@example.ac.za"):
            enqueue("password_reset", address, {"name": "Sam", "link": "http://localhost/password/reset/t"})
        db.session.commit()
        assert db.session.scalar(sa.select(House.language).where(House.id == house.id)) == "af"
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    subjects = {message["To"]: str(message["Subject"]) for message in smtp_server.messages}
    assert subjects["chose@example.ac.za"].startswith(OPEN)  # the pseudo-language: their own choice
    assert not subjects["housed@example.ac.za"].startswith(OPEN)  # the house's Afrikaans
    assert not subjects["nobody@example.ac.za"].startswith(OPEN)  # no account: English
    with app.app_context():
        from app.languages import of_recipients

        assert of_recipients([" Chose@Example.ac.za ", "housed@example.ac.za", "nobody@example.ac.za"]) == {
            "chose@example.ac.za": PSEUDO, "housed@example.ac.za": "af"}


def test_a_language_chosen_before_signing_in_follows_the_account(app, client, auth, student):
    client.post("/language", data={"language": "xh"})
    auth.login(student)
    with app.app_context():
        assert db.session.get(User, student.id).language == "xh"  # so their emails are in it too


def test_signing_in_keeps_the_accounts_own_choice(app, client, auth, student):
    with app.app_context():
        db.session.get(User, student.id).language = "af"
        db.session.commit()
    client.set_cookie("language", "xh")
    auth.login(student)
    with app.app_context():
        assert db.session.get(User, student.id).language == "af"
