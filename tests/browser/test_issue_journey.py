"""A student reports an issue with a photo from a phone; an admin moves it along; the student sees the timeline."""
import pytest

from tests.conftest import PASSWORD
from tests.issues.images import jpeg_with_gps

pytestmark = pytest.mark.browser


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You have been logged out.").wait_for()


def admin_sets(page, status: str, comment: str) -> None:
    page.get_by_label("Status").select_option(label=status)
    page.get_by_label("Comment", exact=True).fill(comment)
    page.get_by_role("button", name="Save").click()
    page.get_by_text(f"Status changed to “{status}”.").wait_for()


def test_report_with_photo_then_admin_progress_and_resolve(live_server, page, house, student, admin, tmp_path):
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(jpeg_with_gps())
    url = live_server.url

    log_in(page, url, student.email)
    page.get_by_role("link", name="My issues").first.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report an issue").click()  # top nav
    page.get_by_label("What kind of problem?").select_option("plumbing")
    page.get_by_label("Where?").select_option(label="Kitchen")
    page.get_by_label("Short title").fill("Kitchen tap leaks <fast>")
    page.get_by_label("What is wrong?").fill("Water runs down the cupboard under the sink.\nSince Monday.")
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Photos (optional, up to 3)").set_input_files(str(photo))
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("heading", name="Kitchen tap leaks <fast>").wait_for()
    assert "/issues/" in page.url
    issue_path = page.url.removeprefix(url)
    image = page.get_by_role("img", name="Photo 1 of the problem")
    image.scroll_into_view_if_needed()  # loading="lazy": it loads once on screen; decode() waits for that
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    page.screenshot(path=str(tmp_path / "student-report.png"), full_page=True)
    log_out(page)

    log_in(page, url, admin.email)
    page.goto(url + "/admin/")
    queue = page.locator("table.queue")
    assert queue.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # no sideways scrolling on a phone
    row = page.locator("tr.is-urgent", has_text="Kitchen tap leaks <fast>")
    row.get_by_role("link").click()
    admin_sets(page, "In progress", "Plumber booked for tomorrow")
    admin_sets(page, "Resolved", "Washer replaced")
    log_out(page)

    log_in(page, url, student.email)
    page.goto(url + issue_path)
    timeline = page.locator("#timeline")
    timeline.get_by_text("Washer replaced").wait_for()
    text = timeline.inner_text()
    assert text.index("Reported the issue") < text.index("Plumber booked") < text.index("Washer replaced")
    assert "to In progress" in text and "to Resolved" in text
    assert page.get_by_role("button", name="Yes, it is fixed").is_visible()
    page.screenshot(path=str(tmp_path / "student-timeline.png"), full_page=True)
    page.get_by_label("4 stars").check()  # confirm and rate in one submit
    page.get_by_role("button", name="Yes, it is fixed").click()
    page.get_by_text("Thanks for confirming the fix.").wait_for()
    assert page.get_by_label("4 stars").is_checked() and page.get_by_role("button", name="Change rating").is_visible()


def test_qr_landing_log_in_and_me_too(live_server, page, house, student, make_user, make_issue):
    from app.models.accounts import Role

    housemate = make_user(Role.STUDENT, house=house, room="108")
    make_issue(student, area_id=house.common_area_ids[1], title="Dryer burns clothes")
    page.goto(live_server.url + "/r/acacia")
    assert "Dryer burns clothes" not in page.content()  # not for strangers
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Email").fill(housemate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Acacia House").wait_for()
    page.get_by_role("button", name="Me too: Dryer burns clothes").click()
    page.get_by_text("You will get an email when this issue moves.").wait_for()
    assert page.get_by_role("button", name="Stop following: Dryer burns clothes").is_visible()
    page.get_by_role("link", name="Report something new").click()
    page.get_by_role("heading", name="Report an issue").wait_for()
