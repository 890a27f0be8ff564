"""On a phone: a house admin uploads a roster CSV, reads the preview (new, moved, missing), applies it with the
students missing from it retired, and finds the new students on the list; then moves one of them into a room
another student lives in, which needs "shared room" ticked."""
import pytest

from app.models import Role
from tests.browser.test_issue_journey import log_in

pytestmark = pytest.mark.browser


def test_admin_uploads_previews_and_applies_a_roster(live_server, page, house, admin, make_user, tmp_path):
    make_user(Role.STUDENT, house=house, room="102", email="ben@example.ac.za", name="Ben Mover")
    make_user(Role.STUDENT, house=house, room="104", email="cai@example.ac.za", name="Cai Leaver")
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,room\nben@example.ac.za,Ben Mover,103\nnaledi@example.ac.za,Naledi Khumalo,105\n"
                      "pieter@example.ac.za,Pieter Botha,106\n", encoding="utf-8")
    url = live_server.url

    log_in(page, url, admin.email)
    page.get_by_role("link", name="Students").click()
    page.get_by_role("link", name="Upload a roster").click()
    page.get_by_label("Roster file (CSV with columns email,name,room").set_input_files(str(roster))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Roster for Acacia House").wait_for()
    assert "Naledi Khumalo" in page.locator("section", has=page.get_by_role("heading", name="New students (2)")) \
        .inner_text()
    assert "102 → 103" in page.locator("section", has=page.get_by_role("heading", name="Moved (1)")).inner_text()
    assert "Cai Leaver" in page.locator("section", has=page.get_by_role("heading", name="Missing from the file (1)")) \
        .inner_text()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    page.get_by_label("Retire the students missing from the file", exact=False).check()
    page.get_by_role("button", name="Apply the roster").click()
    page.locator(".flash", has_text="Roster stored: 2 new, 1 updated, 0 unchanged, 1 retired.").wait_for()
    listing = page.locator("table").inner_text()
    assert "Naledi Khumalo" in listing and "Pieter Botha" in listing and "Email not confirmed" in listing
    assert "Deactivated" in listing  # Cai, retired, is still listed
    page.screenshot(path=str(tmp_path / "residents.png"), full_page=True)

    page.get_by_role("link", name="Pieter Botha").click()
    page.get_by_label("Room", exact=True).fill("105")
    page.get_by_label("Reason (optional, kept in the room history)").fill("Asked to share with Naledi")
    page.get_by_role("button", name="Move").click()
    page.get_by_text("already home to Naledi Khumalo").wait_for()
    assert page.get_by_label("Reason (optional, kept in the room history)").input_value() == \
        "Asked to share with Naledi"
    page.get_by_label("This is a shared room", exact=False).check()
    page.get_by_role("button", name="Move").click()
    page.locator(".flash", has_text="Pieter Botha moved to Acacia House, room 105.").wait_for()
    assert "Asked to share with Naledi" in page.locator("table").inner_text()
