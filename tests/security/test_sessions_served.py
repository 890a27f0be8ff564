"""Sessions that really end, against the app served by a real server: a cookie copied from Chromium before
logout is refused afterwards, and "Log out everywhere" on one browser ends another browser's session."""
import urllib.request

import pytest

from tests.security.test_browser import log_in

pytestmark = pytest.mark.browser


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch_with_cookie(url: str, cookie: str) -> tuple[int, str]:
    """(status, Location) of a GET sent with only this session cookie, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": f"session={cookie}"})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def session_cookie(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "session")


def test_a_cookie_copied_before_logout_is_refused_after_it(live_server, page, student):
    log_in(page, live_server.url, student.email)
    copied = session_cookie(page.context)
    assert fetch_with_cookie(live_server.url + "/issues/", copied) == (200, "")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()
    status, location = fetch_with_cookie(live_server.url + "/issues/", copied)
    assert status == 302 and location.startswith("/login")


def test_log_out_everywhere_ends_the_other_browsers_session(live_server, browser, page, student):
    other = browser.new_context()
    try:
        other_page = other.new_page()
        log_in(other_page, live_server.url, student.email)
        log_in(page, live_server.url, student.email)
        page.get_by_role("link", name="Your sessions").click()
        assert page.get_by_role("row").count() == 3  # the header and two sessions
        page.get_by_role("button", name="Log out everywhere").click()
        page.get_by_text("You have been logged out everywhere.").wait_for()
        other_page.goto(live_server.url + "/issues/")
        assert "/login" in other_page.url
    finally:
        other.close()
