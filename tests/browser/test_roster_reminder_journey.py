"""A roster student who never signed in, in a real browser: the admin sees them counted apart and when the emails
will leave, presses the button; the student opens the reminder from the SMTP server, sets a password through its
link and fills in the move-in form."""
import re
from datetime import datetime

import pytest

from app.move_in.checklist import DEFAULT_CHECKLIST, DEFAULT_TERMS
from tests.conftest import PASSWORD, wait_for

pytestmark = pytest.mark.browser


def minutes_apart(first: str, second: str) -> float:
    def parse(text):
        return datetime.strptime(text.removesuffix(" SAST"), "%d %b %Y, %H:%M")

    return abs((parse(first) - parse(second)).total_seconds()) / 60


def test_a_reminder_is_the_way_in_for_a_student_who_never_signed_in(live_server, browser, page, admin, house,
                                                                      smtp_server, runner, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,room\nzola@example.ac.za,Zola Z,105\n")
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia", "--no-invite"])
    assert result.exit_code == 0, result.output

    page.goto(f"{live_server.url}/login?next=/admin/move-in")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("1 has not signed in yet").wait_for()
    estimate = page.locator("[data-estimate]").inner_text()
    assert re.fullmatch(r"1 email: all today, the last by \d\d \w{3} \d{4}, \d\d:\d\d SAST", estimate), estimate
    page.get_by_role("button", name="Remind 1 who has not submitted").click()
    page.get_by_text("1 reminder queued").wait_for()
    finishing = re.search(r"the last goes out by (.+? SAST)", page.locator(".flash, [role=status], main").first
                          .inner_text())[1]
    assert minutes_apart(finishing, estimate.rsplit("the last by ", 1)[1]) <= 1  # the press was seconds later
    eta = page.locator('[data-time="estimated_done"]')
    assert eta.inner_text() == finishing  # the progress shows the same time, in local time
    eta.evaluate("cell => { cell.textContent = 'stale'; }")
    wait_for(lambda: eta.inner_text() != "stale")  # the poll's answer: the same time (a minute on, when the
    assert minutes_apart(eta.inner_text(), finishing) <= 1  # queue is empty and the clock turned a minute)

    drained = runner.invoke(args=["mail", "drain"])
    assert drained.exit_code == 0, drained.output
    [message] = [m for m in smtp_server.messages if m["To"] == "zola@example.ac.za"]
    text = message.get_body(("plain",)).get_content()
    assert "You have not chosen a RINAIBRA password yet" in text
    link = re.search(rf"{re.escape(live_server.url)}/move-in/welcome/\S+", text)[0]

    student = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = student.new_page()
        phone.goto(link)
        phone.get_by_role("heading", name="Choose a password").wait_for()
        phone.get_by_label("Password", exact=True).fill(PASSWORD)
        phone.get_by_label("Confirm password").fill(PASSWORD)
        phone.get_by_role("button", name="Save password").click()
        phone.get_by_role("heading", name="Move-in form").wait_for()
        for label in DEFAULT_CHECKLIST:
            phone.get_by_role("group", name=label, exact=True).get_by_label("Good").check()
        for term in DEFAULT_TERMS:
            phone.get_by_label(term).check()
        phone.get_by_role("button", name="Submit form").click()
        phone.get_by_role("button", name="Yes, submit it").click()  # the form asks first: submitting is final
        phone.get_by_text("your move-in form is submitted").wait_for()
    finally:
        student.close()

    page.reload()
    page.get_by_role("button", name="Remind 0 who have not submitted").wait_for()
    assert page.get_by_text("have not signed in yet").count() == 0
    assert "1 submitted" in page.locator(".house-summary").inner_text().replace("\n", " ")
