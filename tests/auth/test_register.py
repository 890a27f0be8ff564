"""Registration: the form, its errors, and where it leads (the verification itself: test_verify.py)."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.auth.accounts import account, last_link, mails
from tests.conftest import PASSWORD


def form(**overrides):
    data = {"email": "Thandi@Example.ac.za", "name": "Thandi M", "house": "acacia", "room": "102",
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return data


def user_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_register_creates_an_unverified_student_and_emails_a_link(client, app, house):
    response = client.post("/register", data=form(), environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "thandi@example.ac.za"))
        assert user is not None and user.is_student
        assert user.house.slug == "acacia" and user.room.number == "102"
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
        assert not user.is_verified and not user.is_approved and not user.is_active
    [mail] = mails(app)
    assert (mail.to, mail.template, mail.purpose, mail.cause) == \
        ("thandi@example.ac.za", "verify_email", "security", "ip:192.0.2.7")
    assert mail.context["link"].startswith("http://localhost/verify/") and not mail.context["set_password"]
    page = client.get("/verify").get_data(as_text=True)
    assert "Check your email" in page and "thandi@example.ac.za" in page
    assert "Hello, Thandi M" not in client.get("/").get_data(as_text=True)  # not logged in


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "Enter a valid email address."),
    ({"email": "thandi@gmail.com"}, "Use your university email address"),
    ({"password": "short", "confirm": "short"}, "at least 10 characters"),
    ({"confirm": "something-else-entirely"}, "The two passwords do not match."),
    ({"house": "nowhere"}, "Choose one of the listed houses."),
    ({"room": "999"}, "There is no room 999 in Acacia House."),
    ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
    ({"email": "a" * 250 + "@example.ac.za"}, "Field cannot be longer than 254 characters."),
    ({"name": ""}, "This field is required."),
    ({"email": "zoë@example.ac.za"}, "Use a plain address without accents"),  # the mailer could never reach it
    ({"name": "Thandi\x00M"}, "Remove the control characters"),
    ({"room": "1" * 21}, "Field cannot be longer than 20 characters."),
])
def test_bad_input_keeps_form_and_stores_nothing(client, app, house, overrides, message):
    response = client.post("/register", data=form(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert user_count(app) == 0
    if "name" not in overrides:
        assert 'value="Thandi M"' in page  # what the user typed is kept
    if "house" not in overrides:
        assert '<option selected value="acacia">' in page
    assert PASSWORD not in page  # passwords are never echoed back


def test_registering_a_taken_address_answers_as_a_new_one_and_tells_its_owner(client, app, house, student):
    """Issue 21 item 7: the page does not tell whether an address has an account (it said so with a 400)."""
    new = client.post("/register", data=form(email="nobody.yet@example.ac.za"))
    new_page = client.get("/verify").get_data(as_text=True).replace("nobody.yet@example.ac.za", "ADDRESS")
    taken = client.post("/register", data=form(email=student.email.upper(), name="Intruder",
                                               password="another-password-1", confirm="another-password-1"))
    taken_page = client.get("/verify").get_data(as_text=True).replace(student.email, "ADDRESS")
    assert (taken.status_code, taken.location) == (new.status_code, new.location) == (302, "/verify")
    token = re.compile(r'name="csrf_token" value="[^"]*"')  # (the footer's language switch: per session)
    assert token.sub("", taken_page) == token.sub("", new_page)
    kept = account(app, student.email)
    assert (kept.name, kept.password_ok, user_count(app)) == ("Test User", True, 2)
    [notice] = mails(app, "account_exists")
    assert notice.to == student.email and notice.purpose == "security"
    assert notice.context["reset_link"] == "http://localhost/password/forgot"
    again = client.post("/register", data=form(email=student.email))  # within the cooldown, as for a new one
    assert again.status_code == 429 and len(mails(app, "account_exists")) == 1


def test_a_deactivated_account_is_answered_the_same_and_not_emailed(client, app, house, student):
    from app.models.base import utcnow
    from tests.auth.accounts import set_standing

    set_standing(app, student.id, deactivated_at=utcnow())
    response = client.post("/register", data=form(email=student.email))
    assert (response.status_code, response.location) == (302, "/verify")
    assert mails(app) == [] and user_count(app) == 1


def test_an_unverified_address_may_register_again_and_the_old_link_dies(app, client, house, make_house):
    make_house("baobab")
    assert client.post("/register", data=form()).status_code == 302
    first = last_link(app)
    app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"] = 0  # the second registration comes after the cooldown
    renewed = form(name="Thandi Mokoena", house="baobab", room="105", password="another-password-1",
                   confirm="another-password-1")
    assert client.post("/register", data=renewed).status_code == 302
    user = account(app, "thandi@example.ac.za")
    assert (user.name, user.room, user.password_ok, user_count(app)) == ("Thandi Mokoena", "105", False, 1)
    assert "expired" in client.get(first, follow_redirects=True).get_data(as_text=True)
    assert client.post(last_link(app), data={"password": "another-password-1"}).status_code == 302
    assert account(app, "thandi@example.ac.za").verified


def test_registering_again_within_the_cooldown_sends_no_second_email(app, client, house):
    assert client.post("/register", data=form()).status_code == 302
    response = client.post("/register", data=form(name="Someone Else"))
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "a few minutes ago" in page and 'value="Someone Else"' in page and PASSWORD not in page
    assert len(mails(app)) == 1 and account(app, "thandi@example.ac.za").name == "Thandi M"


def test_register_page_lists_houses(client, house):
    page = client.get("/register").get_data(as_text=True)
    assert '<option value="acacia">Acacia House</option>' in page
    assert '<label for="email">' in page
    assert '="None"' not in page  # absent attributes are left out, not rendered as "None"
    assert 'autocomplete="email"' in page


def test_email_is_trimmed_and_lower_cased_before_checks(client, app, house):
    assert client.post("/register", data=form(email="  Thandi@Example.AC.ZA ")).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(User.email)).all() == ["thandi@example.ac.za"]


def test_house_from_a_qr_poster_is_prefilled(client, house, make_house):
    make_house("baobab")
    page = client.get("/register?house=baobab&next=/issues/new").get_data(as_text=True)
    assert '<option selected value="baobab">' in page
    assert '<input type="hidden" name="next" value="/issues/new">' in page
    assert "selected" not in client.get("/register?house=nowhere").get_data(as_text=True)


def test_next_travels_in_the_verification_link(client, app, house):
    response = client.post("/register?house=acacia&next=/issues/new", data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/verify?next=/issues/new"
    link = last_link(app)
    assert link.endswith("?next=/issues/new")
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/issues/new"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example", "/\r\nX: evil"])
def test_unsafe_next_falls_back_to_home(client, app, house, target):
    page = client.get("/register", query_string={"next": target}).get_data(as_text=True)
    assert "evil.example" not in page
    response = client.post("/register", query_string={"next": target}, data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    assert "evil" not in mails(app)[0].context["link"]


def test_next_is_kept_after_a_failed_post(client, app, house):
    response = client.post("/register", data=form(room="999", next="/issues/new"))
    assert response.status_code == 400
    assert '<input type="hidden" name="next" value="/issues/new">' in response.get_data(as_text=True)
    response = client.post("/register", data=form(next="/issues/new"))
    assert response.status_code == 302 and response.headers["Location"] == "/verify?next=/issues/new"
    assert user_count(app) == 1


def test_qr_landing_offers_registration_for_its_house(client, house):
    page = client.get("/r/acacia").get_data(as_text=True)
    assert 'href="/register?house=acacia&amp;next=/issues/new"' in page
