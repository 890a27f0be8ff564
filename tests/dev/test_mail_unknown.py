"""/dev/mail: a developer resends or marks as sent the emails whose delivery is unknown, one by one, a
selection or a whole batch; each decision is recorded (who, when)."""
import re

from app.models.mail import MailStatus

UNKNOWN, QUEUED, SENT = MailStatus.UNKNOWN, MailStatus.QUEUED, MailStatus.SENT


def statuses(outbox) -> dict[int, MailStatus]:
    return {row.id: row.status for row in outbox()}


def test_only_developers_decide(client, login, student, admin, unknown_rows, outbox):
    ids = unknown_rows(1)
    assert client.post("/dev/mail/unknown/resend", data={"row": ids[0]}).status_code == 302  # to the login page
    for user in (student, admin):
        login(user)
        assert client.post("/dev/mail/unknown/resend", data={"row": ids[0]}).status_code == 403
        assert client.post("/dev/mail/unknown/mark-sent", data={"ids": ids}).status_code == 403
        client.post("/logout")
    assert statuses(outbox) == {ids[0]: UNKNOWN}


def test_page_lists_unknown_rows_with_their_actions(client, login, developer, unknown_rows):
    ids = unknown_rows(2)
    unknown_rows(3, batch="reminders-1", prefix="late")
    login(developer)
    page = client.get("/dev/mail").get_data(as_text=True)
    assert "Delivery unknown" in page
    assert all(f'name="ids" value="{i}"' in page for i in ids)
    assert page.count('name="row" value=') == 2 * 5
    assert "Batch <code>reminders-1</code>: 3 unknown" in page
    assert 'formaction="/dev/mail/unknown/mark-sent"' in page


def test_resend_one_puts_it_back_in_the_queue_and_records_who(app, client, login, developer, unknown_rows, outbox,
                                                              smtp_server, drain):
    ids = unknown_rows(3)
    login(developer)
    response = client.post("/dev/mail/unknown/resend", data={"row": ids[1], "ids": [ids[0], ids[2]]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dev/mail#unknown-heading")
    rows = {row.id: row for row in outbox()}
    assert [rows[i].status for i in ids] == [UNKNOWN, QUEUED, UNKNOWN]  # the row's own button: that row only
    resent = rows[ids[1]]
    assert (resent.resolution, resent.resolved_by) == ("resent", developer.email) and resent.resolved_at
    assert resent.lease_owner is None
    page = client.get("/dev/mail").get_data(as_text=True)
    assert "1 email resent." in page and developer.email in page  # the decision is shown
    drain()
    assert smtp_server.recipients() == [resent.to_address]
    assert statuses(outbox)[ids[1]] == SENT


def test_mark_selected_as_sent(client, login, developer, unknown_rows, outbox):
    ids = unknown_rows(3)
    login(developer)
    client.post("/dev/mail/unknown/mark-sent", data={"ids": [ids[0], ids[2], "x1", "", "²", "9" * 40]})
    rows = {row.id: row for row in outbox()}
    assert [rows[i].status for i in ids] == [SENT, UNKNOWN, SENT]
    assert rows[ids[0]].resolution == "marked sent" and rows[ids[0]].resolved_by == developer.email
    assert rows[ids[0]].sent_at is not None


def test_a_whole_batch(client, login, developer, unknown_rows, outbox):
    batch = unknown_rows(3, batch="reminders-1")
    other = unknown_rows(2, batch="reminders-2", prefix="other")
    login(developer)
    response = client.post("/dev/mail/unknown/resend", data={"batch": "reminders-1"}, follow_redirects=True)
    assert "3 emails resent." in response.get_data(as_text=True)
    now = statuses(outbox)
    assert [now[i] for i in batch] == [QUEUED] * 3 and [now[i] for i in other] == [UNKNOWN] * 2


def test_nothing_chosen_or_no_longer_unknown_changes_nothing(client, login, developer, unknown_rows, outbox,
                                                             queue):
    ids = unknown_rows(1)
    queued = queue(1, prefix="fresh")
    login(developer)
    page = client.post("/dev/mail/unknown/resend", data={"ids": ["abc"]}, follow_redirects=True)
    assert "Choose at least one email whose delivery is unknown." in page.get_data(as_text=True)
    page = client.post("/dev/mail/unknown/mark-sent", data={"row": queued[0]}, follow_redirects=True)
    assert "Nothing changed" in page.get_data(as_text=True)
    assert statuses(outbox) == {ids[0]: UNKNOWN, queued[0]: QUEUED}
    client.post("/dev/mail/unknown/mark-sent", data={"row": ids[0]})
    second = client.post("/dev/mail/unknown/resend", data={"row": ids[0]}, follow_redirects=True)  # a double submit
    assert "Nothing changed" in second.get_data(as_text=True) and statuses(outbox)[ids[0]] == SENT
    assert client.post("/dev/mail/unknown/delete", data={"row": ids[0]}).status_code == 404


def test_decisions_need_the_csrf_token(app, client, login, developer, unknown_rows, outbox):
    ids = unknown_rows(1)
    login(developer)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/dev/mail/unknown/resend", data={"row": ids[0]}).status_code == 400
    assert statuses(outbox) == {ids[0]: UNKNOWN}
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/dev/mail").get_data(as_text=True))[1]
    assert client.post("/dev/mail/unknown/resend", data={"row": ids[0], "csrf_token": token}).status_code == 302
    assert statuses(outbox) == {ids[0]: QUEUED}
