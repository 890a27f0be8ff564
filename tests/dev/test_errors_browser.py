"""In a real phone-sized browser, with CSRF on: a student hits a failing page and gets a reference; the
developer finds the error by that reference on the dashboard and resolves it."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def exploding(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise ZeroDivisionError("division by zero while counting rooms")

    app.add_url_rule("/test-explode", "test_explode", explode)
    return app


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_reference_from_the_500_page_leads_the_developer_to_the_error(exploding, live_server, page, developer):
    page.goto(live_server.url + "/test-explode")
    page.get_by_role("heading", name="500 · Internal Server Error").wait_for()
    reference = page.get_by_test_id("error-reference").inner_text()
    assert len(reference) == 9

    log_in(page, live_server.url, developer.email)
    page.goto(live_server.url + "/dev/errors")
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="ZeroDivisionError: division by zero while counting rooms").click()
    page.get_by_role("heading", name="ZeroDivisionError: division by zero while counting rooms").wait_for()
    assert page.locator("code.ref", has_text=reference).count() == 1
    assert page.locator("svg.chart").get_attribute("aria-label").startswith("1 occurrence in the last 7 days")

    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("Marked resolved").wait_for()
    assert page.locator("#group-status").inner_text() == "resolved"
    page.get_by_role("button", name="Reopen").click()
    page.get_by_text("Reopened.").wait_for()
    assert page.locator("#group-status").inner_text() == "open"
    # Phone-sized: nothing wider than the screen (measured once the stylesheets have loaded: a crowded machine
    # can show the text before them, and the unstyled chart is 846 px wide).
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
