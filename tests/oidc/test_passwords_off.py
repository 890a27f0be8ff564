"""AUTH_PASSWORDS=off: university sign-in only. No password pages; invitations lead to the sign-in page."""
import pytest

from app.extensions import db
from app.models.houses import House
from tests.auth.accounts import mails
from tests.fixtures.oidc import provider_sign_in

pytestmark = pytest.mark.parametrize("app", [{"AUTH_PASSWORDS": False}], indirect=True)
PASSWORD_PAGES = ["/register", "/password/forgot", "/password/reset/some-token", "/verify", "/verify/resend",
                  "/verify/some-token"]


def test_login_page_offers_only_the_university(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your university account" in page
    assert 'name="password"' not in page and "/register" not in page and "/password/forgot" not in page
    assert "/register" not in client.get("/").get_data(as_text=True)


def test_password_pages_and_password_login_are_gone(client, student):
    for path in PASSWORD_PAGES:
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code in (404, 405), path
    response = client.post("/login", data={"email": student.email, "password": student.password})
    assert response.status_code == 404 and "university account" in response.get_data(as_text=True)
    assert client.get("/account/sessions").status_code == 302  # not signed in


def test_roster_invitations_link_to_the_sign_in_page_and_the_student_gets_in(app, client, house):
    from app.auth.roster import import_roster

    with app.test_request_context():  # as `flask users import-roster` runs it
        import_roster("email,name,room\nroster.student@example.ac.za,Roster Student,104\n",
                      db.session.get(House, house.id))
    invitation, = mails(app, "account_invite")
    assert invitation.context["link"] == "http://localhost/login"
    assert client.get(provider_sign_in(client, "roster.student@example.ac.za")).headers["Location"] == "/"


def test_staff_invitation_leads_to_the_sign_in_page(app, client, admin):
    client.get(provider_sign_in(client, admin.email))  # password login is off: the admin signs in at the university
    response = client.post("/admin/staff", data={"email": "fixer@example.ac.za", "name": "Fixer F",
                                                       "house": "acacia"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    invitation, = mails(app, "staff_invite")
    assert invitation.context["link"] == "http://localhost/login"


def test_move_in_reminder_leads_to_the_sign_in_page(app, client, student):
    """A reminder to a student who never signed in carries the sign-in page (no password to choose), and an
    invitation link sent before passwords were turned off leads there too."""
    from app.move_in.invite import WayIn, _signature, _today

    with app.test_request_context():
        link, set_password = WayIn()(student.id, False)
        old_welcome = f"/move-in/welcome/{student.id}.{_today()}.{_signature(student.id, _today())}"
    assert (link, set_password) == ("http://localhost/login?next=/move-in/", False)
    assert client.get(old_welcome).headers["Location"] == "/login?next=/move-in/"


def test_invitation_emails_say_to_use_the_university_account(app, house):
    from app.emailer.render import render_parts

    with app.test_request_context():
        subject, text, html = render_parts("account_invite", {"name": "N", "house": "H", "link": "L"}, logo=False)
    assert "university account" in text and "Choose your password" not in text and "university account" in html
