"""University sign-in in a real browser, through the test provider's own login and consent pages."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.mail import OutboxEmail
from tests.oidc.test_sign_in import _roster_student

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, login: str) -> None:
    """From the app's login page, through the provider's login page (and its consent page, the first time)."""
    page.goto(base_url + "/login")
    page.get_by_role("link", name="Sign in with your university account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(lambda url: url.startswith(base_url) or "/interaction/" in url)
    if page.url.startswith(base_url):
        return
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.startswith(base_url))


def outbox_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)))


def test_roster_student_lands_home_with_house_and_room(live_server, page, house):
    _roster_student(live_server.app, house)
    sign_in(page, live_server.url, "roster.student@example.ac.za")
    page.get_by_text("Acacia House, room 104").wait_for()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Report an issue").is_visible()
    assert outbox_rows(live_server.app) == 0


def test_student_not_on_a_roster_lands_on_the_pending_page(live_server, page, house):
    sign_in(page, live_server.url, "walk.in@example.ac.za")
    page.get_by_role("heading", name="Where do you live?").wait_for()
    page.get_by_label("House").select_option("acacia")
    page.get_by_label("Room number").fill("107")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Waiting for approval").wait_for()
    assert outbox_rows(live_server.app) == 0


def test_admin_signs_in_then_logs_out_here_and_at_the_provider(live_server, page, admin):
    sign_in(page, live_server.url, admin.email)
    page.get_by_role("link", name="Issue queue", exact=True).wait_for()
    page.goto(live_server.url + "/account/sessions")
    page.get_by_text("University account").wait_for()

    page.goto(live_server.url + "/logout")
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own logout page
    page.wait_for_url(lambda url: url.startswith(live_server.url + "/login"))
    page.get_by_text("You have been logged out.").wait_for()

    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Issue queue", exact=True).count() == 0
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_role("link", name="Sign in with your university account").click()
    page.locator("input[name=login]").wait_for()  # signed out at the provider too: it asks again
