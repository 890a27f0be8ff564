"""The whole flow with a real SMTP server: report, in progress, resolved, reopen, me too; escaping in emails."""
import pytest

from app.models.accounts import Role
from tests.issues.conftest import report_data

NO_DELAY = [{"ISSUE_MAIL_DELAY": 0, "ISSUE_NEW_MAIL_DELAY": 0}]
EVIL = '<script>alert("x")</script> & <b>bold</b>'


def update(client, issue_id, status, comment=""):
    response = client.post(f"/admin/issues/{issue_id}", data={"status": status, "comment": comment,
                                                               "visibility": "public"})
    assert response.status_code == 302, response.get_data(as_text=True)


def drain(runner):
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output


def mails_to(smtp_server, address):
    return [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == address]


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_report_progress_resolve_reopen_with_real_smtp(app, client, auth, runner, smtp_server, house, student,
                                                       admin, make_user):
    housemate = make_user(Role.STUDENT, house=house, room="107")
    auth.login(student)
    response = client.post("/issues/new", data=report_data(title="Kitchen " + EVIL,
                                                           location=str(house.common_area_ids[0])))
    issue_id = int(response.headers["Location"].rsplit("/", 1)[1])
    auth.logout()
    auth.login(housemate)
    client.post(f"/issues/{issue_id}/me-too")
    auth.logout()
    drain(runner)
    (new_issue_mail,) = mails_to(smtp_server, admin.email)
    assert "New issue" in new_issue_mail["Subject"]
    assert f"http://localhost/admin/issues/{issue_id}" in text_of(new_issue_mail)
    assert "<script>" not in html_of(new_issue_mail) and "&lt;script&gt;" in html_of(new_issue_mail)

    auth.login(admin)
    update(client, issue_id, "in_progress", "Electrician comes " + EVIL)
    update(client, issue_id, "resolved", "New bulb fitted")
    drain(runner)
    for person in (student, housemate):
        (mail,) = mails_to(smtp_server, person.email)  # two quick changes, one email each
        assert mail["Subject"] == f'[#{issue_id}] Kitchen {EVIL}: Resolved'
        html, text = html_of(mail), text_of(mail)
        assert "Resolved" in text and "Electrician comes" in text and "New bulb fitted" in text
        assert "<script>" not in html and "&lt;script&gt;alert" in html and "&amp; &lt;b&gt;bold" in html
        assert EVIL in text  # plain text stays plain
        assert f"http://localhost/issues/{issue_id}" in text
        assert "What was done: New bulb fitted" in text and "What was done:</strong>" in html  # said first
        assert f'href="http://localhost/issues/{issue_id}#fixed-heading">Yes, it is fixed</a>' in html
        assert f'href="http://localhost/issues/{issue_id}#reopen-heading">Not fixed? Reopen it</a>' in html

    auth.logout()
    auth.login(student)
    assert client.post(f"/issues/{issue_id}/reopen", data={"reason": "Flickers again"}).status_code == 302
    drain(runner)
    assert len(mails_to(smtp_server, student.email)) == 1  # the reporter's own step does not email them
    (first, second) = mails_to(smtp_server, housemate.email)
    assert second["Subject"].endswith(": Reported") and "Flickers again" in text_of(second)
    assert mails_to(smtp_server, admin.email)[-1]["Subject"].startswith(f"Reopened issue #{issue_id}")


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_status_visible_even_when_mail_is_down(app, client, auth, runner, student, admin, make_issue):
    issue_id = make_issue(student)
    auth.login(admin)
    update(client, issue_id, "in_progress")
    runner.invoke(args=["mail", "drain"])  # MAIL_PORT 9: nothing listens
    auth.logout()
    auth.login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "In progress" in page


def test_update_email_is_held_back_for_coalescing(app, client, auth, runner, smtp_server, student, admin,
                                                  make_issue):
    issue_id = make_issue(student)
    auth.login(admin)
    update(client, issue_id, "in_progress")
    drain(runner)
    assert mails_to(smtp_server, student.email) == []  # due a minute later, so further changes join it


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_replies_go_to_the_houses_admin_address(app, client, auth, runner, smtp_server, house, student, admin,
                                                make_issue):
    """With the house's admin address set (/dev/houses), the student's status email has it as Reply-To; without
    one, no Reply-To (replies go to the sender); an address that is not one clean address is never a header."""
    from app.extensions import db
    from app.models.houses import House

    issue_id = make_issue(student)
    auth.login(admin)
    update(client, issue_id, "in_progress")
    drain(runner)
    assert mails_to(smtp_server, student.email)[-1]["Reply-To"] is None
    for stored, header in [("maintenance@acacia.example.ac.za", "maintenance@acacia.example.ac.za"),
                           ("a@b.za\r\nBcc: everyone@b.za", None)]:
        with app.app_context():
            db.session.get(House, house.id).admin_email = stored
            db.session.commit()
        update(client, issue_id, "in_progress", comment=f"Update for {header}")  # a comment: a new email
        drain(runner)
        message = mails_to(smtp_server, student.email)[-1]
        assert message["Reply-To"] == header and message["Bcc"] is None
