"""Accounts in a real browser: register, open the verification email, confirm, wait for the admin, who approves in
the browser; then report an issue. A student is refused the admin page; an admin deactivates an account."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.mail import OutboxEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def register(page, base_url: str, email: str, name: str, room: str) -> None:
    page.goto(base_url + "/register")
    page.get_by_label("University email").fill(email)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("House").select_option("acacia")
    page.get_by_label("Room number").fill(room)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def emailed_link(app, to: str, template: str = "verify_email") -> str:
    """The link in the queued email, as the mail worker would render it."""
    with app.app_context():
        return db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == to,
                                                              OutboxEmail.template == template)).context["link"]


def test_register_verify_get_approved_and_report(live_server, page, browser, house, admin):
    url, email = live_server.url, "lindiwe@example.ac.za"
    register(page, url, email, "Lindiwe N", "105")
    page.get_by_role("heading", name="Check your email").wait_for()
    assert email in page.content()

    log_in(page, url, email)  # not yet: the address is unconfirmed
    page.get_by_text("Confirm your email address first").wait_for()
    assert page.get_by_role("button", name="Send the confirmation link again").is_visible()

    page.goto(emailed_link(live_server.app, email))
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm and log in").click()
    page.get_by_text("Your email address is confirmed.").wait_for()
    page.get_by_role("heading", name="Waiting for approval").wait_for()
    page.goto(url + "/issues/new")
    page.get_by_text("waiting for a house admin's approval").wait_for()

    admin_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    admin_page = admin_context.new_page()
    admin_page.set_default_timeout(10_000)
    log_in(admin_page, url, admin.email)
    admin_page.goto(url + "/admin/")
    pending = admin_page.locator("#pending")
    pending.get_by_role("heading", name="Pending students").wait_for()
    assert "lindiwe@example.ac.za" in pending.inner_text()
    assert pending.get_by_label("Room", exact=True).input_value() == "105"
    pending.get_by_role("button", name="Approve Lindiwe N").click()
    admin_page.get_by_text("Lindiwe N is approved: Acacia House, room 105.").wait_for()
    assert admin_page.locator("#pending").count() == 0
    assert emailed_link(live_server.app, email, "registration_approved").startswith(url)
    admin_context.close()

    page.goto(url + "/issues/new")
    page.get_by_label("What kind of problem?").select_option("plumbing")
    page.get_by_label("Short title").fill("Shower drain blocked")
    page.get_by_label("What is wrong?").fill("Water stays in the shower for an hour.")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Shower drain blocked").wait_for()
    page.get_by_text("your issue was reported").wait_for()


def test_register_error_keeps_input(live_server, page, house):
    register(page, live_server.url, "someone@gmail.com", "Kept Name", "101")
    page.get_by_text("Use your university email address").wait_for()
    assert page.get_by_label("Full name").input_value() == "Kept Name"


def test_student_is_refused_admin_page(live_server, page, student):
    page.goto(live_server.url + "/login?next=/admin/")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="403 · Forbidden").wait_for()
    assert "does not have access" in page.content()


def test_admin_deactivates_a_student_whose_session_ends(live_server, page, browser, student, admin):
    url = live_server.url
    log_in(page, url, student.email)
    page.get_by_role("heading", name="Hello").wait_for()

    admin_context = browser.new_context()
    admin_page = admin_context.new_page()
    log_in(admin_page, url, admin.email)
    admin_page.get_by_role("link", name="Accounts").click()
    admin_page.get_by_role("button", name=f"Deactivate {student.name}").click()
    admin_page.get_by_text("is deactivated: their sessions ended").wait_for()
    admin_context.close()

    page.goto(url + "/issues/")
    page.get_by_role("heading", name="Log in").wait_for()
