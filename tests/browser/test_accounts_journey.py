"""First user journey in a real browser: register, log out, log in; a student is refused the admin page."""
import pytest

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


def test_register_logout_login(live_server, page, house):
    register(page, live_server.url, "lindiwe@example.ac.za", "Lindiwe N", "105")
    page.get_by_role("heading", name="Hello, Lindiwe N").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You have been logged out.").wait_for()

    page.get_by_label("Email").fill("lindiwe@example.ac.za")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Hello, Lindiwe N").wait_for()
    assert page.get_by_role("navigation").get_by_role("link", name="My issues").is_visible()


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
