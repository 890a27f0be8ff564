"""On a phone: an admin assigns a reported issue to a staff member, who finds it on My jobs and marks it resolved
with a photo of the fix; the student sees it resolved (not who fixed it) and confirms."""
import pytest

from app.models import Role
from tests.browser.test_issue_journey import log_in, log_out
from tests.issues.images import image_bytes

pytestmark = pytest.mark.browser


def test_admin_assigns_staff_resolves_student_confirms(live_server, page, house, student, admin, make_user,
                                                       make_issue, tmp_path):
    staff = make_user(Role.STAFF, email="sipho.fixit@example.com", name="Sipho Fixit", staff_of=[house])
    issue_id = make_issue(student, title="Geyser drips", area_id=house.common_area_ids[0])
    fixed = tmp_path / "fixed.png"
    fixed.write_bytes(image_bytes("PNG"))
    url = live_server.url

    log_in(page, url, admin.email)
    page.goto(f"{url}/admin/issues/{issue_id}")
    page.get_by_label("Assign to").select_option(label="Sipho Fixit")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.locator(".flash", has_text="Assigned to Sipho Fixit.").wait_for()
    log_out(page)

    log_in(page, url, staff.email)
    page.get_by_role("link", name="My jobs").first.click()
    job = page.locator(".issue-card", has_text="Geyser drips")
    assert "Kitchen" in job.inner_text()
    page.wait_for_load_state("load")  # measured with the stylesheets applied
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    job.get_by_role("link", name="Geyser drips").click()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Status changed to “In progress”.").wait_for()
    page.get_by_label("Status").select_option(label="Resolved")
    page.get_by_label("Note (house admins see it)").fill("Replaced the washer")
    page.get_by_label("Completion photos (optional, up to 3, when you mark it resolved)").set_input_files(str(fixed))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Status changed to “Resolved”.").wait_for()
    page.get_by_text("You have no open jobs.").wait_for()
    page.screenshot(path=str(tmp_path / "staff-my-jobs.png"), full_page=True)
    log_out(page)

    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    timeline = page.locator("#timeline").inner_text()
    assert "Assigned to maintenance" in timeline and "to Resolved" in timeline
    assert "Sipho" not in page.content() and "Replaced the washer" not in page.content()
    image = page.get_by_role("img", name="Photo 1 of the fix")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    page.get_by_role("button", name="Yes, it is fixed").click()
    page.get_by_text("Thanks for confirming the fix.").wait_for()


def test_a_completion_note_shown_to_the_student(live_server, page, house, student, make_user, make_issue, app):
    """The staff member ticks 'Show this note to the student': the student reads what was done on the timeline."""
    staff = make_user(Role.STAFF, email="sipho.fixit@example.com", name="Sipho Fixit", staff_of=[house])
    issue_id = make_issue(student, title="Geyser drips", area_id=house.common_area_ids[0])
    with app.app_context():
        from app.extensions import db
        from app.models.issues import Issue

        db.session.get(Issue, issue_id).assignee_id = staff.id
        db.session.commit()
    url = live_server.url
    log_in(page, url, staff.email)
    page.goto(f"{url}/jobs/{issue_id}")
    page.get_by_label("Status").select_option(label="Resolved")
    page.get_by_label("Note (house admins see it)").fill("Replaced the washer and the seal")
    page.get_by_label("Show this note to the student (say what was done)").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Status changed to “Resolved”.").wait_for()
    log_out(page)
    log_in(page, url, student.email)
    page.goto(f"{url}/issues/{issue_id}")
    timeline = page.locator("#timeline").inner_text()
    assert "Replaced the washer and the seal" in timeline and "Sipho" not in page.content()
