"""On a phone: a developer creates a house, adds its rooms and a new admin; the admin opens the emailed link,
chooses a password and is the admin of the new house."""
import pytest

from app.models import Role
from tests.browser.test_accounts_journey import emailed_link
from tests.browser.test_issue_journey import log_in, log_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
FITS = "id => { const t = document.getElementById(id); return t.scrollWidth <= t.parentElement.clientWidth; }"


def test_developer_creates_house_adds_rooms_and_an_admin_who_logs_in(live_server, page, make_user, tmp_path):
    developer = make_user(Role.DEVELOPER, email="dev@example.ac.za", name="Dev")
    url = live_server.url

    log_in(page, url, developer.email)
    page.get_by_role("link", name="Houses").click()
    page.get_by_label("House name").fill("Baobab House")
    page.get_by_label("Slug (its address: /r/slug)").fill("Baobab")  # refused: upper case; the input is kept
    page.get_by_role("button", name="Create house").click()
    page.get_by_text("The slug may use lower-case letters").wait_for()
    assert page.get_by_label("House name").input_value() == "Baobab House"
    page.get_by_label("Slug (its address: /r/slug)").fill("baobab")
    page.get_by_role("button", name="Create house").click()
    page.get_by_text("Baobab House was created with 0 room(s).").wait_for()

    page.get_by_label("Room numbers").fill("1-12, G1")
    page.get_by_role("button", name="Add rooms").click()
    page.get_by_text("13 room(s) added").wait_for()
    assert page.locator("#room-list tbody tr").count() == 13
    page.get_by_label("Email", exact=True).fill("warden@baobab.example.com")
    page.get_by_label("Name (for a new account)").fill("Wanda Warden")
    page.get_by_role("button", name="Add admin").click()
    page.get_by_text("Wanda Warden is now an admin of Baobab House; they were emailed a link").wait_for()
    page.wait_for_load_state("load")  # measured with the stylesheets applied
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    assert page.evaluate(FITS, "room-list")  # no sideways scrolling to reach a Remove button
    page.screenshot(path=str(tmp_path / "house-page.png"), full_page=True)
    page.get_by_role("link", name="← All houses").click()
    assert "Baobab House" in page.locator("#houses").inner_text() and page.evaluate(FITS, "houses")
    log_out(page)

    page.goto(emailed_link(live_server.app, "warden@baobab.example.com", "admin_invite"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    page.get_by_text("Your password is set.").wait_for()
    page.get_by_role("link", name="Issue queue Baobab House").wait_for()  # the home page of the new admin
    assert page.goto(url + "/houses/baobab/poster").status == 200
    assert "Baobab House" in page.content()
