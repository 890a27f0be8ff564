"""On a phone, the admin queue shows who each issue is assigned to without sideways scrolling, and filters by
assignee; on a wide screen the assignee has its own column."""
import pytest

from app.extensions import db
from app.models import Role
from app.models.issues import Issue
from tests.browser.test_issue_journey import log_in

pytestmark = pytest.mark.browser


def test_queue_assignee_on_a_phone_and_a_desk(live_server, page, browser, house, student, admin, make_user,
                                              make_issue):
    staff = make_user(Role.STAFF, name="Nomvuyiswa Mahlangu-Oppenheimer", staff_of=[house], password=None)
    assigned = make_issue(student, title="Geyser drips onto the electrical distribution board")
    make_issue(student, title="Window latch broken", urgency="urgent")
    with live_server.app.app_context():
        db.session.get(Issue, assigned).assignee_id = staff.id
        db.session.commit()
    url = live_server.url

    log_in(page, url, admin.email)
    page.goto(url + "/admin/")
    page.wait_for_load_state("load")  # measured with the stylesheets applied
    queue = page.locator("table.queue")
    assert queue.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    row = page.locator("tr", has_text="Geyser drips")
    assert row.get_by_text("Assigned to Nomvuyiswa Mahlangu-Oppenheimer").is_visible()
    assert not page.get_by_role("columnheader", name="Assigned to").is_visible()
    assert page.locator("tr", has_text="Window latch").get_by_text("Assigned to nobody").is_visible()

    page.get_by_text("Filters and sort").click()
    page.get_by_label("Assigned to").select_option(label="Not assigned")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Filters and sort (1 active)").wait_for()
    assert "Window latch broken" in queue.inner_text() and "Geyser drips" not in queue.inner_text()
    page.get_by_label("Assigned to").select_option(label=staff.name)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**assignee=*")
    assert "Geyser drips" in queue.inner_text() and "Window latch broken" not in queue.inner_text()
    assert queue.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")

    page.set_viewport_size({"width": 1200, "height": 900})
    header = page.get_by_role("columnheader", name="Assigned to")
    assert header.is_visible()
    assert page.get_by_role("cell", name=staff.name, exact=True).is_visible()
    assert not row.get_by_text("Assigned to Nomvuyiswa").is_visible()
