import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


def form(**overrides):
    data = {"email": "Thandi@Example.ac.za", "name": "Thandi M", "house": "acacia", "room": "102",
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return data


def user_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_register_creates_student_and_logs_in(client, app, house):
    response = client.post("/register", data=form())
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "thandi@example.ac.za"))
        assert user is not None and user.is_student
        assert user.house.slug == "acacia" and user.room.number == "102"
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    home = client.get("/")
    assert b"Hello, Thandi M" in home.data


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


def test_registering_twice_gets_a_message_not_a_500(client, app, house):
    assert client.post("/register", data=form()).status_code == 302
    client.post("/logout")
    response = client.post("/register", data=form(email="THANDI@example.ac.za"))
    assert response.status_code == 400
    assert "An account with this email already exists" in response.get_data(as_text=True)
    assert user_count(app) == 1


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


def test_register_redirects_to_a_safe_next(client, house):
    response = client.post("/register?house=acacia&next=/issues/new", data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/issues/new"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_unsafe_next_falls_back_to_home(client, house, target):
    page = client.get("/register", query_string={"next": target}).get_data(as_text=True)
    assert "evil.example" not in page
    response = client.post("/register", query_string={"next": target}, data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_next_is_kept_after_a_failed_post(client, app, house):
    response = client.post("/register", data=form(room="999", next="/issues/new"))
    assert response.status_code == 400
    assert '<input type="hidden" name="next" value="/issues/new">' in response.get_data(as_text=True)
    response = client.post("/register", data=form(next="/issues/new"))
    assert response.status_code == 302 and response.headers["Location"] == "/issues/new"
    assert user_count(app) == 1


def test_qr_landing_offers_registration_for_its_house(client, house):
    page = client.get("/r/acacia").get_data(as_text=True)
    assert 'href="/register?house=acacia&amp;next=/issues/new"' in page
