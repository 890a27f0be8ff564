"""Delivery visible to staff: the emails an issue caused on its admin page, the bounce flag on the student, and
correcting the address (the flag cleared, the change recorded, mail flowing again)."""
import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.emailer import enqueue
from app.extensions import db
from app.models import Role, User
from app.models.base import utcnow
from app.models.deliveries import AddressChange, UndeliverableAddress
from app.models.issues import Issue, IssueSubscription
from app.models.mail import OutboxEmail, Purpose
from tests.auth.accounts import mails

MATE = "mate@example.ac.za"


@pytest.fixture(autouse=True)
def no_delay(app):
    app.config.update(ISSUE_MAIL_DELAY=0, ISSUE_NEW_MAIL_DELAY=0)


def change_status(client, issue_id: int, status: str, comment: str = "On it"):
    response = client.post(f"/admin/issues/{issue_id}", data={"status": status, "comment": comment,
                                                                "visibility": "public"})
    assert response.status_code == 302, response.get_data(as_text=True)


def subscribe(app, issue_id: int, user) -> None:
    with app.app_context():
        db.session.add(IssueSubscription(issue_id=issue_id, user_id=user.id))
        db.session.commit()


def flag(app, address: str) -> UndeliverableAddress | None:
    with app.app_context():
        found = db.session.get(UndeliverableAddress, address)
        if found is not None:
            db.session.expunge(found)
        return found


def deliveries_table(page: str) -> str:
    start = page.index('id="deliveries"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def drain(runner):
    def run() -> None:
        result = runner.invoke(args=["mail", "drain"])
        assert result.exit_code == 0, result.output

    return run


@pytest.fixture
def bounced(app, login, admin, student, make_user, house, make_issue, smtp_server, drain):
    """An issue whose reporter's address bounced (their update failed) while a housemate's update was sent; then
    a second change: the reporter's update skipped, the housemate's queued. Returns (issue id, admin client)."""
    mate = make_user(Role.STUDENT, email=MATE, house=house, room="102")
    issue_id = make_issue(student)
    subscribe(app, issue_id, mate)
    smtp_server.refuse(student.email)
    client = login(admin)
    change_status(client, issue_id, "in_progress")
    drain()
    change_status(client, issue_id, "resolved", "Fixed the washer")
    return issue_id, client


def test_the_admin_sees_each_email_of_the_issue_and_the_flag_on_the_student(app, bounced, student, admin):
    issue_id, client = bounced
    with app.app_context():  # a digest that lists the issue is linked to it too
        enqueue("digest", admin.email, {"name": "A", "count": 1, "queue_link": "http://localhost/admin/",
                                        "issues": [{"issue_id": issue_id, "title": "Leaking tap"}]},
                purpose=Purpose.BULK)
        db.session.commit()
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    table = html.unescape(deliveries_table(page))
    rows = table.split("<tr>")[2:]  # newest first, after the header
    summary = [(MATE in row, student.email in row, admin.email in row,
                next(s for s in ("queued", "sent", "failed", "skipped") if f'class="badge">{s}<' in row))
               for row in rows]
    assert summary[0] == (False, False, True, "queued")  # the digest, newest
    assert sorted(summary[1:3]) == [(False, True, False, "skipped"), (True, False, False, "queued")]
    assert sorted(summary[3:]) == [(False, True, False, "failed"), (True, False, False, "sent")]
    by_state = {state: row for row, (*_, state) in zip(rows, summary, strict=True) if state != "queued"}
    assert "550 5.1.1" in by_state["failed"] and "the address bounced" in by_state["skipped"]
    assert "Undeliverable" in by_state["skipped"] and "Undeliverable" not in by_state["sent"]
    assert "Test User (student)" in by_state["sent"] and "status update" in by_state["sent"]
    assert "daily digest" in rows[0] and "house admin" in rows[0]
    assert 'id="reporter-bounced"' in page and f"/admin/accounts/{student.id}/email?issue={issue_id}" in page
    accounts = client.get("/admin/accounts").get_data(as_text=True)
    assert f'id="bounced-{student.id}"' in accounts and "Correct email" in accounts


def test_an_admin_of_another_house_sees_nothing_of_it(app, bounced, make_house, make_user, make_issue, student):
    issue_id, _ = bounced
    other_house = make_house("baobab")
    other_admin = make_user(Role.ADMIN, admin_of=[other_house], email="baobab-admin@example.ac.za")
    neighbour = make_user(Role.STUDENT, house=other_house, email="neighbour@example.ac.za")
    other_issue = make_issue(neighbour)
    client = app.test_client()
    assert client.post("/login", data={"email": other_admin.email, "password": other_admin.password}).status_code == 302
    assert client.get(f"/admin/issues/{issue_id}").status_code == 404
    assert client.get(f"/admin/accounts/{student.id}/email").status_code == 404
    assert client.post(f"/admin/accounts/{student.id}/email", data={"email": "x@example.ac.za"}).status_code == 404
    page = client.get(f"/admin/issues/{other_issue}").get_data(as_text=True)
    assert "No emails about this issue yet." in page and MATE not in page and student.email not in page
    accounts = client.get("/admin/accounts").get_data(as_text=True)
    assert "bounced-" not in accounts


def test_correcting_the_address_clears_the_flag_records_it_and_mail_flows_again(app, bounced, student, admin,
                                                                                smtp_server, drain):
    issue_id, client = bounced
    assert flag(app, student.email).cleared_at is None
    new = "thandi.correct@example.ac.za"
    form = client.get(f"/admin/accounts/{student.id}/email?issue={issue_id}").get_data(as_text=True)
    assert 'id="bounce-flag"' in form and "550 5.1.1" in html.unescape(form)
    response = client.post(f"/admin/accounts/{student.id}/email", data={"email": " Thandi.Correct@Example.ac.za ",
                                                                      "issue": str(issue_id)})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/issues/{issue_id}"
    cleared = flag(app, student.email)
    assert cleared.cleared_at is not None and cleared.cleared_by == admin.email
    with app.app_context():
        assert db.session.get(User, student.id).email == new
        change = db.session.scalar(sa.select(AddressChange))
        assert (change.user_id, change.old_address, change.new_address, change.changed_by_id) == (
            student.id, student.email, new, admin.id)
    notice = [m for m in mails(app) if m.template == "address_changed"]
    assert [(m.to, m.purpose, m.status) for m in notice] == [(new, "security", "queued")]
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    assert 'id="reporter-bounced"' not in page
    change_status(client, issue_id, "in_progress", "Reopened to check again")
    drain()
    assert new in smtp_server.recipients()
    assert [m.status for m in mails(app) if m.to == new] == ["sent", "sent"]  # the notice and the update
    history = client.get(f"/admin/accounts/{student.id}/email").get_data(as_text=True)
    assert f"{student.email} → {new}" in html.unescape(history)


def test_keeping_the_same_address_clears_the_flag(app, bounced, student):
    issue_id, client = bounced
    response = client.post(f"/admin/accounts/{student.id}/email", data={"email": student.email})
    assert response.status_code == 302
    assert flag(app, student.email).cleared_at is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AddressChange.id))) == 0
    again = client.post(f"/admin/accounts/{student.id}/email", data={"email": student.email}, follow_redirects=True)
    assert "Nothing changed" in again.get_data(as_text=True)


@pytest.mark.parametrize("value, message", [
    ("not-an-address", "Enter a valid email address."),
    ("someone@elsewhere.org", "Use your university email address"),
    ("bad\x00byte@example.ac.za", "Enter a valid email address."),
    ("tab\there@example.ac.za", "Enter a valid email address."),
    ("é@example.ac.za", "Use a plain address"),
    ("a" * 300 + "@example.ac.za", "Field cannot be longer than 254 characters."),
    ("", "This field is required."),
    (MATE, "Another account already uses this address."),
])
def test_bad_input_keeps_the_form_and_changes_nothing(app, bounced, student, value, message):
    _, client = bounced
    response = client.post(f"/admin/accounts/{student.id}/email", data={"email": value})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    kept = value.strip().lower()
    assert not kept or kept[:40] in page
    with app.app_context():
        assert db.session.get(User, student.id).email == student.email
        assert db.session.scalar(sa.select(sa.func.count(AddressChange.id))) == 0
    assert flag(app, student.email).cleared_at is None


def test_an_unconfirmed_account_gets_its_verification_link_at_the_new_address(app, login, admin, house, make_user,
                                                                            developer):
    pending = make_user(Role.STUDENT, house=house, email="typo@example.ac.za", room="103")
    with app.app_context():
        db.session.get(User, pending.id).email_verified_at = None
        db.session.commit()
    client = login(developer)
    response = client.post(f"/admin/accounts/{pending.id}/email", data={"email": "fixed@example.ac.za"})
    assert response.status_code == 302
    assert [(m.to, m.template) for m in mails(app)] == [("fixed@example.ac.za", "verify_email"),
                                                        ("typo@example.ac.za", "address_moved")]  # told too


def test_a_student_may_not_correct_addresses(app, login, student):
    assert login(student).get(f"/admin/accounts/{student.id}/email").status_code == 403


def test_anonymising_forgets_the_flags_and_the_corrections(app, bounced, student):
    from app.auth.privacy import anonymise

    _, client = bounced
    assert client.post(f"/admin/accounts/{student.id}/email", data={"email": "second@example.ac.za"}).status_code == 302
    with app.app_context():
        anonymise(db.session.get(User, student.id))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(AddressChange.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0


def test_a_correction_queues_the_skipped_notices_that_still_matter_once(app, bounced, student, admin, smtp_server,
                                                                       drain):
    issue_id, client = bounced
    with app.app_context():  # also skipped for the old address: mail that no longer matters
        for template, purpose in (("password_reset", Purpose.SECURITY), ("move_in_reminder", Purpose.BULK)):
            enqueue(template, student.email, {"name": "T", "link": "http://localhost/x"}, purpose=purpose)
        enqueue("issue_update", student.email, {"issue_id": issue_id, "name": "T"}, purpose=Purpose.NOTICE)
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == db.session.scalar(
            sa.select(sa.func.max(OutboxEmail.id)))).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    skipped = [m for m in mails(app) if m.status == "skipped"]
    assert [m.template for m in skipped] == ["issue_update", "password_reset", "move_in_reminder", "issue_update"]
    new = "thandi.correct@example.ac.za"
    page = client.post(f"/admin/accounts/{student.id}/email", data={"email": new}, follow_redirects=True)
    assert "1 email that could not be delivered" in page.get_data(as_text=True)
    again = client.post(f"/admin/accounts/{student.id}/email", data={"email": new}, follow_redirects=True)
    assert "Nothing changed" in again.get_data(as_text=True)
    drain()
    subjects = sorted(m["Subject"] for m in smtp_server.messages if m["To"] == new)
    assert subjects == ["Your RINAIBRA account now uses this email address", f"[#{issue_id}] Leaking tap: Resolved"]
    assert [(m.template, m.status) for m in mails(app) if m.to == new] == [("issue_update", "sent"),
                                                                          ("address_changed", "sent")]
    assert [m.template for m in mails(app) if m.status == "skipped"] == [
        "password_reset", "move_in_reminder", "issue_update"]  # security, bulk, and the one of 8 days ago


def test_mail_about_a_settled_issue_stays_skipped(app, bounced, student):
    issue_id, client = bounced
    with app.app_context():
        db.session.execute(sa.update(Issue).where(Issue.id == issue_id).values(confirmed_at=utcnow()))
        db.session.commit()
    response = client.post(f"/admin/accounts/{student.id}/email", data={"email": "thandi.correct@example.ac.za"},
                           follow_redirects=True)
    assert "could not be delivered" not in response.get_data(as_text=True)
    assert [m.template for m in mails(app) if m.status == "skipped"] == ["issue_update"]
