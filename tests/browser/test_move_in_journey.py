"""Move-in in a real browser: a student saves a draft, comes back, submits; an admin presses the reminder button
and watches the batch's progress update without a reload."""
import re

import pytest

from app.models import Role
from app.move_in.checklist import DEFAULT_CHECKLIST, DEFAULT_TERMS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
LOCAL = re.compile(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d SAST")


def log_in(page, base_url: str, email: str, next_path: str) -> None:
    page.goto(f"{base_url}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_student_saves_a_draft_comes_back_and_submits(live_server, page, student):
    log_in(page, live_server.url, student.email, "/move-in/")
    page.get_by_role("heading", name="Move-in form").wait_for()
    page.wait_for_load_state("load")  # measured with the stylesheets applied
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    door = page.get_by_role("group", name="Door and lock")
    door.get_by_label("Damaged").check()
    page.get_by_label("Door and lock: comment").fill("The lock sticks")
    window = page.get_by_role("group", name="Window")
    window.get_by_label("Good").check()
    assert page.get_by_label("Window: comment").is_hidden()  # a good item folds its comment and photos away
    window.get_by_role("button", name="Add a comment or photos").click()
    page.get_by_label("Window: comment").fill("Fine, one tiny chip")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Your draft is saved").wait_for()
    page.get_by_role("link", name="Report this as a maintenance issue").wait_for()

    page.goto(live_server.url + "/")  # away, then back again
    page.get_by_role("navigation").get_by_role("link", name="Move-in form").click()
    assert page.get_by_label("Door and lock: comment").input_value() == "The lock sticks"
    assert page.get_by_role("group", name="Door and lock").get_by_label("Damaged").is_checked()
    assert page.get_by_role("group", name="Window").get_by_label("Good").is_checked()
    assert page.get_by_label("Window: comment").input_value() == "Fine, one tiny chip"  # open: it has a comment

    page.get_by_role("button", name="Submit form").click()  # asks first: submitting is final
    page.get_by_role("button", name="Yes, submit it").click()  # not complete yet: nothing is lost
    page.get_by_text("Some answers need your attention").wait_for()
    assert page.get_by_label("Door and lock: comment").input_value() == "The lock sticks"

    page.get_by_role("button", name="Everything else is in order").click()  # the rest, in one tap
    page.get_by_text(f"{len(DEFAULT_CHECKLIST) - 2} items marked Good.").wait_for()
    for label in DEFAULT_CHECKLIST[2:]:
        assert page.get_by_role("group", name=label, exact=True).get_by_label("Good").is_checked()
    assert page.get_by_role("group", name="Door and lock").get_by_label("Damaged").is_checked()  # kept
    for term in DEFAULT_TERMS:
        page.get_by_label(term).check()
    page.get_by_role("button", name="Submit form").click()
    page.get_by_role("button", name="Not yet").click()  # changed their mind: nothing was sent
    assert page.get_by_role("button", name="Yes, submit it").is_hidden()
    assert page.get_by_role("button", name="Save draft").is_visible()
    page.get_by_role("button", name="Submit form").click()
    page.get_by_role("button", name="Yes, submit it").click()
    page.get_by_text("your move-in form is submitted").wait_for()
    stamp = page.locator("#submitted-stamp").inner_text()
    assert re.match(r"Submitted \d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d SAST by ", stamp), stamp  # local time
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert "The lock sticks" in page.content()


def test_admin_presses_the_reminder_button_and_watches_progress(live_server, page, admin, house, make_user,
                                                                smtp_server, runner):
    for i in range(3):
        make_user(Role.STUDENT, house=house, room=str(102 + i), email=f"late{i}@example.ac.za")
    log_in(page, live_server.url, admin.email, "/admin/move-in")
    page.get_by_role("heading", name="Move-in forms").wait_for()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Remind 3 who have not submitted").dblclick()  # an impatient admin
    page.get_by_text("3 reminders queued; at the current budget the last goes out by").wait_for()
    panel = page.locator("[data-progress-url]")
    assert panel.locator('[data-count="queued"]').inner_text() == "3"
    assert panel.locator('[data-count="sent"]').inner_text() == "0"
    page.evaluate("window.notReloaded = true")
    eta = panel.locator('[data-time="estimated_done"]')
    for _ in ("as rendered", "as polled"):  # residence time, UTC in the tooltip
        assert LOCAL.fullmatch(eta.inner_text()), eta.inner_text()
        assert eta.evaluate("e => e.title || e.firstElementChild.title").endswith(" UTC")
        page.wait_for_timeout(2500)  # the first poll replaces the text

    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 3

    panel.locator('[data-count="sent"]').filter(has_text="3").wait_for(timeout=20_000)
    assert panel.locator('[data-count="queued"]').inner_text() == "0"
    panel.get_by_text("Nothing left to send.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    disabled = page.get_by_role("button", name="Remind 0 who have not submitted")
    assert disabled.is_disabled()
    looks = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).cursor]"
    active = page.evaluate("""() => { const b = document.createElement("button"); b.className = "button primary";
        document.body.append(b); const s = getComputedStyle(b); return [s.backgroundColor, s.cursor]; }""")
    assert disabled.evaluate(looks) == ["rgb(228, 231, 235)", "not-allowed"] and active[0] != "rgb(228, 231, 235)"
