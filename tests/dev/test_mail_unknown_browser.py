"""In a real phone-sized browser, with CSRF on: a developer finds the emails whose delivery is unknown on
/dev/mail, marks one as sent, resends a selection and a whole batch, and sees each decision with who and when;
the resent ones are delivered by the next drain."""
import re

import pytest

from app.models.mail import MailStatus
from tests.dev.test_errors_browser import log_in

pytestmark = pytest.mark.browser

WHEN = re.compile(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d SAST")  # residence time (UTC in a tooltip)


def test_developer_decides_on_unknown_rows(live_server, page, developer, unknown_rows, outbox, smtp_server, drain):
    one, other = unknown_rows(2)
    batch = unknown_rows(3, batch="reminders-7", prefix="late")
    url = live_server.url

    log_in(page, url, developer.email)
    page.get_by_role("heading", name="Hello").wait_for()
    page.goto(url + "/dev/mail")
    table = page.locator("table#unknown")
    assert table.locator("tbody tr").count() == 5
    assert page.locator("#unknown-batches").get_by_text("reminders-7").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # tables scroll inside

    # one row, by its own button
    row = table.locator("tr", has=page.locator(f'input[value="{one}"]'))
    row.get_by_role("button", name="Mark as sent").click()
    page.get_by_text("1 email marked sent.").wait_for()
    assert table.locator("tbody tr").count() == 4
    decisions = page.locator("table#decisions")
    decided = decisions.locator("tr", has_text="marked sent")
    assert decided.count() == 1 and developer.email in decided.inner_text()
    assert decided.locator("td").first.inner_text() == str(one) and WHEN.search(decided.inner_text())

    # a selection: the other single row, ticked, then the bulk button
    page.get_by_label(f"Select email {other}").check()
    page.get_by_role("button", name="Resend selected").click()
    page.get_by_text("1 email resent.").wait_for()

    # a whole batch
    page.locator("#unknown-batches li", has_text="reminders-7").get_by_role("button", name="Resend all").click()
    page.get_by_text("3 emails resent.").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name="Delivery unknown"))
    assert section.get_by_text("None.").is_visible()
    rows = decisions.locator("tbody tr")
    assert rows.count() == 5
    cells = {int(r.locator("td").first.inner_text()): r.locator("td").all_inner_texts() for r in rows.all()}
    assert set(cells) == {one, other, *batch}
    assert all(c[3] == developer.email and WHEN.fullmatch(c[4]) for c in cells.values())  # who and when
    assert (cells[one][2], cells[one][5]) == ("marked sent", "sent")  # decision, and the row's state now
    assert all((cells[i][2], cells[i][5]) == ("resent", "queued") for i in (other, *batch))

    drain()  # the resent rows go out once each; the one marked as sent does not
    assert sorted(smtp_server.recipients()) == sorted(r.to_address for r in outbox() if r.id in {other, *batch})
    assert {r.id: r.status for r in outbox()} == {i: MailStatus.SENT for i in (one, other, *batch)}
    page.reload()
    assert [r.locator("td").last.inner_text() for r in decisions.locator("tbody tr").all()] == ["sent"] * 5
