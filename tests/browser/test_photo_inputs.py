"""Every photo input looks like the report form's (issue 25 item 13): the move-in form's and the completion photos'
buttons are drawn by the same rules, measured in Chromium at phone width."""
import pytest

from tests.browser.test_move_in_journey import log_in

pytestmark = pytest.mark.browser
LOOK = """el => { const b = getComputedStyle(el, '::file-selector-button'), i = getComputedStyle(el);
  return [i.minHeight, i.fontSize, b.minHeight, b.borderTopColor, b.borderTopLeftRadius, b.fontWeight,
          b.color, b.backgroundColor]; }"""


def looks(page, path: str) -> list[list[str]]:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
    page.wait_for_load_state("load")
    inputs = page.locator("input[type=file]")
    assert inputs.count() > 0, path
    return [inputs.nth(n).evaluate(LOOK) for n in range(inputs.count())]


def test_move_in_photo_inputs_look_like_the_report_forms(live_server, page, student):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, student.email, "/issues/new")
    page.get_by_role("heading", name="Report an issue").wait_for()
    (report,) = looks(page, "/issues/new")
    assert report[2] == "44px" and report[3] != report[6]  # a button with its own border, a tap target
    for look in looks(page, "/move-in/"):
        assert look == report
