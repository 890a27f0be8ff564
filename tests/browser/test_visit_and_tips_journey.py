"""At phone size: choosing a category on the report form shows its tips (and the server counts it); the student
offers times for a visit, the assignee books one, the student sees it; the assignee cancels it, the student
sees why and withdraws the time."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.issues import Category, Issue
from app.models.tips import ReportStartCategory, SelfHelpTip
from tests.browser.test_issue_journey import log_in, log_out
from tests.conftest import wait_for

pytestmark = pytest.mark.browser


def test_choosing_a_category_shows_its_tips(app, live_server, page, student):
    with app.app_context():
        db.session.add_all([SelfHelpTip(category=Category.ELECTRICAL, body="Reset the breaker in your room's box."),
                            SelfHelpTip(category=Category.PLUMBING, body="Try the plunger first.")])
        db.session.commit()
    log_in(page, live_server.url, student.email)
    page.goto(live_server.url + "/issues/new")
    breaker, plunger = page.get_by_text("Reset the breaker"), page.get_by_text("Try the plunger first.")
    assert not breaker.is_visible() and not plunger.is_visible()  # nothing chosen yet
    page.get_by_label("What kind of problem?").select_option("electrical")
    breaker.wait_for()
    assert not plunger.is_visible()
    page.get_by_label("What kind of problem?").select_option("furniture")  # no tips: the box goes away
    breaker.wait_for(state="hidden")
    page.get_by_label("What kind of problem?").select_option("plumbing")
    plunger.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def counted():
        with app.app_context():
            return {(c.category.value, c.tip_shown) for c in db.session.scalars(sa.select(ReportStartCategory))}

    wait_for(lambda: counted() == {("electrical", True), ("furniture", False), ("plumbing", True)})
    page.get_by_label("Short title").fill("Basin blocked")
    page.get_by_label("What is wrong?").fill("The basin drains very slowly since Monday.")
    page.get_by_role("button", name="Send report").click()  # the tips never block it
    page.get_by_role("heading", name="Basin blocked").wait_for()


def test_student_offers_times_and_staff_books_one(app, live_server, page, student, make_user, house, make_issue):
    staff = make_user(Role.STAFF, email="sipho.fixit@example.com", name="Sipho Fixit", staff_of=[house])
    issue_id = make_issue(student, title="Wardrobe door off its hinge", category="furniture")
    with app.app_context():
        db.session.get(Issue, issue_id).assignee_id = staff.id
        db.session.commit()
    url, day = live_server.url, (datetime.now(ZoneInfo("Africa/Johannesburg")).date() + timedelta(days=2)).isoformat()
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    page.get_by_label("Time 1: date").fill(day)
    page.get_by_label("Time 1: part of the day").select_option("morning")
    page.get_by_role("button", name="Save times").click()
    page.get_by_text("Thanks: staff see your times.").wait_for()
    log_out(page)
    log_in(page, url, staff.email)
    page.goto(f"{url}/jobs/{issue_id}")
    page.get_by_label("morning (08:00–12:00 SAST)").check()
    page.get_by_role("button", name="Book visit").click()
    page.get_by_text("Visit booked for").first.wait_for()
    log_out(page)
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    assert "morning (08:00–12:00 SAST)" in page.locator(".visit-booked").inner_text()
    log_out(page)
    log_in(page, url, staff.email)  # the staff member cancels, with a reason the student reads
    page.goto(f"{url}/jobs/{issue_id}")
    page.get_by_label("Reason (optional; the student sees it)").fill("The carpenter is ill today.")
    page.get_by_role("button", name="Cancel the visit").click()
    page.get_by_text("The visit of").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    log_out(page)
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    assert page.locator(".visit-booked").count() == 0
    assert "Cancelled the visit" in page.locator("#timeline").inner_text()
    assert "The carpenter is ill today." in page.locator("#timeline").inner_text()
    page.get_by_role("button", name="Withdraw time 1").click()  # and takes back the time offered
    page.get_by_text("Withdrawn:").wait_for()
    assert page.get_by_label("Time 1: date").input_value() == ""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_times_form_is_one_row_with_add_another_and_the_timeline_comes_first(live_server, page, student,
                                                                                 make_issue):
    """On a phone: the timeline before the visit card; one row of date and part of the day; From/To only for
    "Between two times"; "Add another time" shows the next row; two times are saved at once."""
    issue_id = make_issue(student, title="Window latch broken", category="furniture")
    url, today = live_server.url, datetime.now(ZoneInfo("Africa/Johannesburg")).date()
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    page.wait_for_load_state("load")
    top = {name: page.locator(f"#{name}-heading").bounding_box()["y"] for name in ("timeline", "visit")}
    assert top["timeline"] < top["visit"]
    rows = page.locator(".slot-row:visible")
    assert rows.count() == 1
    row = rows.first.bounding_box()
    assert row["height"] < 200, row  # date and part of the day side by side, no From/To
    assert not page.get_by_label("Time 1: From").is_visible()
    page.get_by_label("Time 1: date").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Time 1: part of the day").select_option("times")
    assert page.get_by_label("Time 1: From").is_visible()
    page.get_by_label("Time 1: From").fill("14:00")
    page.get_by_label("Time 1: To").fill("15:30")
    page.get_by_role("button", name="Add another time").click()
    assert rows.count() == 2 and page.get_by_label("Time 2: date").evaluate("e => e === document.activeElement")
    page.get_by_label("Time 2: date").fill((today + timedelta(days=2)).isoformat())
    page.get_by_label("Time 2: part of the day").select_option("evening")
    assert not page.get_by_label("Time 2: From").is_visible()
    page.get_by_role("button", name="Save times").click()
    page.get_by_text("Thanks: staff see your times.").wait_for()
    assert rows.count() == 3  # the two saved, and one blank row for another
    assert page.get_by_label("Time 1: From").input_value() == "14:00"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
