"""University sign-in against the real test provider: who gets in, bound to what, and what it costs."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LoginSession, OidcIdentity, Role, User
from tests.auth.accounts import account, accounts_count, mails
from tests.fixtures.oidc import provider_sign_in


def _roster_student(app, house, email="roster.student@example.ac.za", room="104"):
    from app.auth.roster import import_roster
    from app.models.houses import House

    with app.app_context():
        import_roster(f"email,name,room\n{email},Roster Student,{room}\n", db.session.get(House, house.id),
                      invite=False)


def test_login_page_offers_the_university_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your university account" in page
    assert 'href="/login/university"' in page


def test_roster_student_lands_home_in_roster_room_without_email(app, client, house):
    _roster_student(app, house)
    response = client.get(provider_sign_in(client, "roster.student@example.ac.za"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Report an issue" in home and "Acacia House, room 104" in home
    student = account(app, "roster.student@example.ac.za")
    assert student.verified and student.approved and student.room == "104" and not student.has_password
    assert mails(app) == []
    with app.app_context():
        identity = db.session.scalar(sa.select(OidcIdentity))
        assert identity.subject == "roster.student@example.ac.za" and identity.user_id == student.id
        assert db.session.scalar(sa.select(LoginSession.method)).value == "university"


def test_second_sign_in_finds_the_account_by_subject_after_an_address_change(app, client, house):
    _roster_student(app, house)
    client.get(provider_sign_in(client, "roster.student@example.ac.za"))
    client.post("/logout")
    with app.app_context():  # the account's address changed here; the provider's subject did not
        db.session.scalar(sa.select(User)).email = "renamed@example.ac.za"
        db.session.commit()
    response = client.get(provider_sign_in(client, "roster.student@example.ac.za"))
    assert response.headers["Location"] == "/"
    assert accounts_count(app) == 1


def test_newcomer_gives_house_and_room_then_waits_for_approval(app, client, house, admin):
    response = client.get(provider_sign_in(client, "new.comer@example.ac.za"))
    assert response.headers["Location"] == "/login/university/details"
    assert account(app, "new.comer@example.ac.za") is None
    page = client.get("/login/university/details").get_data(as_text=True)
    assert "new.comer@example.ac.za" in page
    bad = client.post("/login/university/details", data={"house": "acacia", "room": "999"})
    assert bad.status_code == 400 and "There is no room 999" in bad.get_data(as_text=True)
    response = client.post("/login/university/details", data={"house": "acacia", "room": "102"})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Waiting for approval" in home and "Acacia House" in home
    newcomer = account(app, "new.comer@example.ac.za")
    assert newcomer.verified and not newcomer.approved and newcomer.name == "New Comer"
    assert mails(app) == []
    assert client.post("/login/university/details", data={"house": "acacia", "room": "102"}).status_code == 400
    house_admin = app.test_client()
    house_admin.post("/login", data={"email": admin.email, "password": admin.password})
    assert "New Comer" in house_admin.get("/admin/").get_data(as_text=True)  # on the admin's pending list


def test_admin_signs_in_and_password_account_is_linked(app, client, admin):
    response = client.get(provider_sign_in(client, admin.email))
    assert response.headers["Location"] == "/"
    assert "Issue queue" in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(OidcIdentity.user_id)) == admin.id
    assert client.post("/login", data={"email": admin.email, "password": admin.password}).status_code == 302


def test_next_path_is_kept_and_foreign_next_is_dropped(app, client, student):
    callback = provider_sign_in(client, student.email, start="/login/university?next=/issues/")
    assert client.get(callback).headers["Location"] == "/issues/"
    client.post("/logout")
    callback = provider_sign_in(client, student.email, start="/login/university?next=https://evil.example/")
    assert client.get(callback).headers["Location"] == "/"


def test_logout_signs_out_at_the_provider_too(app, client, student, oidc_provider):
    client.get(provider_sign_in(client, student.email))
    response = client.post("/logout")
    location = response.headers["Location"]
    assert location.startswith(oidc_provider.issuer + "/session/end?")
    assert "id_token_hint=" in location and "post_logout_redirect_uri=http%3A%2F%2Flocalhost%2Flogin" in location
    assert client.get("/account/sessions").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_sessions_page_says_how_each_session_signed_in(app, client, login, student):
    login(student)
    other = app.test_client()
    other.get(provider_sign_in(other, student.email))
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "University account" in page and "Password" in page


def test_roles_keep_their_role(app, client, make_user):
    staff = make_user(Role.STAFF, email="fixer@example.ac.za")
    client.get(provider_sign_in(client, staff.email))
    assert "My jobs" in client.get("/").get_data(as_text=True)


CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)


@CSRF_ON
def test_details_without_a_valid_token_keep_the_form_and_create_nothing(app, client, house):
    client.get(provider_sign_in(client, "new.comer@example.ac.za"))
    for token in (None, "forged"):
        data = {"house": "acacia", "room": "102", **({"csrf_token": token} if token else {})}
        response = client.post("/login/university/details", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "This form had expired" in page and 'value="102"' in page
    assert accounts_count(app) == 0


def test_details_odd_input_is_a_400_and_stores_nothing(app, client, house):
    client.get(provider_sign_in(client, "new.comer@example.ac.za"))
    for value in ("", "é²", "\r\nX: y", "a\x00b", "9" * 5000, "../.."):
        for data in ({"house": value, "room": "101"}, {"house": "acacia", "room": value}):
            assert client.post("/login/university/details", data=data).status_code == 400
    assert accounts_count(app) == 0
    assert client.post("/login/university/details", data={"house": "acacia", "room": "101"}).status_code == 302
