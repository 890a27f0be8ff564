"""Drafts in the browser (static/js/drafts.js): when a send fails (the database is down: a 503), the report,
comment and move-in forms offer back what was typed, with a note, on the next visit; the draft is gone once the
server confirms, and on logging out; without JavaScript the forms still send."""
import pytest

from tests.browser.test_issue_journey import log_in, log_out
from tests.browser.test_move_in_journey import log_in as log_in_to
from tests.conftest import wait_for

pytestmark = pytest.mark.browser

DOWN = "<!doctype html><title>Unavailable</title><h1>Service unavailable</h1><p>Try again in a minute.</p>"


def drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('draft:'))")


def failing_posts(page, path: str) -> None:
    """Every POST to `path` answers 503, as during a database outage; GETs pass."""
    page.route(f"**{path}", lambda route: route.fulfill(status=503, body=DOWN, content_type="text/html")
               if route.request.method == "POST" else route.continue_())


def fill_report(page) -> None:
    page.get_by_label("What kind of problem?").select_option("plumbing")
    page.get_by_label("Short title").fill("Geyser leaks into the ceiling")
    page.get_by_label("What is wrong?").fill("Drops on the ceiling since last night, getting worse.")


def test_a_report_lost_in_an_outage_is_offered_back_and_cleared_once_sent(live_server, page, student):
    url = live_server.url
    log_in(page, url, student.email)
    page.goto(url + "/issues/new")
    fill_report(page)
    failing_posts(page, "/issues/new")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Service unavailable").wait_for()
    page.unroute("**/issues/new")

    page.goto(url + "/issues/new")  # the next visit
    page.locator(".draft-note").wait_for()
    assert "it was not sent yet" in page.locator(".draft-note").inner_text()
    assert page.get_by_label("Short title").input_value() == "Geyser leaks into the ceiling"
    assert page.get_by_label("What is wrong?").input_value().startswith("Drops on the ceiling")
    assert page.get_by_label("What kind of problem?").input_value() == "plumbing"
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Geyser leaks into the ceiling").wait_for()
    wait_for(lambda: drafts(page) == [])  # the server confirmed: the page clears it
    page.goto(url + "/issues/new")
    assert page.locator(".draft-note").count() == 0 and page.get_by_label("Short title").input_value() == ""


def test_a_refused_send_keeps_the_draft_and_discard_drops_it(live_server, page, student):
    url = live_server.url
    log_in(page, url, student.email)
    page.goto(url + "/issues/new")
    page.get_by_label("Short title").fill("Half a report")
    page.get_by_role("button", name="Send report").click()  # refused: no description (400, input kept)
    page.locator(".has-error").first.wait_for()
    assert page.locator(".draft-note").count() == 0  # the server's own copy of the input shows
    assert drafts(page) == [f"draft:report:u{student.id}"]
    page.goto(url + "/issues/new")
    page.get_by_role("button", name="Discard this draft").click()
    page.wait_for_load_state("load")
    assert drafts(page) == [] and page.get_by_label("Short title").input_value() == ""


def test_a_comment_is_kept_per_issue_and_logging_out_clears_drafts(live_server, page, student, make_issue):
    url = live_server.url
    first, second = make_issue(student, title="First"), make_issue(student, title="Second")
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{first}")
    page.get_by_label("Comment").fill("The water is brown again this morning.")
    failing_posts(page, f"/issues/{first}/comment")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_role("heading", name="Service unavailable").wait_for()
    page.unroute(f"**/issues/{first}/comment")
    page.goto(f"{url}/issues/{second}")
    assert page.get_by_label("Comment").input_value() == ""  # another issue's comment box
    page.goto(f"{url}/issues/{first}")
    assert page.get_by_label("Comment").input_value() == "The water is brown again this morning."
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added.").wait_for()
    wait_for(lambda: drafts(page) == [])
    page.get_by_label("Comment").fill("Typed, never sent")
    wait_for(lambda: drafts(page) == [f"draft:comment:{first}:u{student.id}"])
    log_out(page)
    assert drafts(page) == []  # a shared computer keeps nobody's text


def test_the_move_in_form_offers_back_unsaved_answers(live_server, page, student):
    log_in_to(page, live_server.url, student.email, "/move-in/")
    page.get_by_role("heading", name="Move-in form").wait_for()
    page.get_by_role("group", name="Door and lock").get_by_label("Damaged").check()
    page.get_by_label("Door and lock: comment").fill("The lock sticks")
    wait_for(lambda: drafts(page) == [f"draft:move-in:u{student.id}"])
    page.goto(live_server.url + "/move-in/")  # closed the tab without saving; back later
    page.locator(".draft-note").wait_for()
    assert page.get_by_label("Door and lock: comment").input_value() == "The lock sticks"
    assert page.get_by_role("group", name="Door and lock").get_by_label("Damaged").is_checked()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Your draft is saved.").wait_for()
    wait_for(lambda: drafts(page) == [])


def test_the_report_form_works_without_javascript(live_server, browser, student):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in(page, live_server.url, student.email)
        page.goto(live_server.url + "/issues/new")
        fill_report(page)
        page.get_by_role("button", name="Send report").click()
        page.get_by_role("heading", name="Geyser leaks into the ceiling").wait_for()
        assert "your issue was reported" in page.content()
    finally:
        context.close()
