"""The workflow: admin transitions and comments, the reporter's confirm/reopen/rate, and their emails."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.issues import Issue, IssueEvent


def status_of(app, issue_id):
    with app.app_context():
        return db.session.get(Issue, issue_id).status.value


def update(client, issue_id, status, comment="", visibility="public"):
    return client.post(f"/admin/issues/{issue_id}", data={"status": status, "comment": comment,
                                                          "visibility": visibility})


def test_reported_in_progress_resolved_with_one_coalesced_email(app, client, auth, student, admin, make_issue,
                                                                  outbox):
    issue_id = make_issue(student)
    auth.login(admin)
    assert update(client, issue_id, "in_progress", "Plumber booked for Tuesday").status_code == 302
    assert update(client, issue_id, "resolved", "Washer replaced").status_code == 302
    assert status_of(app, issue_id) == "resolved"
    mails = outbox("issue_update")
    assert len(mails) == 1  # two quick changes, one pending email per issue and recipient
    to, _, context = mails[0]
    assert to == student.email and context["status"] == "resolved"
    assert [u["text"] for u in context["updates"]] == ["Plumber booked for Tuesday", "Washer replaced"]
    auth.logout()
    auth.login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "Plumber booked for Tuesday" in page and "Washer replaced" in page and "Is it fixed?" in page


@pytest.mark.parametrize("start, target", [
    ("in_progress", "reported"), ("resolved", "reported"), ("resolved", "wont_fix"), ("in_progress", "bogus"),
])
def test_transitions_that_make_no_sense_are_refused(app, client, login, student, admin, make_issue, outbox,
                                                     start, target):
    issue_id = make_issue(student, status=start, resolved_days_ago=0 if start == "resolved" else None)
    response = update(login(admin), issue_id, target, "trying")
    assert response.status_code == 400
    assert "cannot be moved" in response.get_data(as_text=True) or "Not a valid choice" in response.get_data(
        as_text=True)
    assert status_of(app, issue_id) == start
    assert outbox() == []


def test_wont_fix_needs_a_public_reason(app, login, student, admin, make_issue):
    issue_id = make_issue(student)
    client = login(admin)
    assert update(client, issue_id, "wont_fix").status_code == 400
    assert update(client, issue_id, "wont_fix", "secret", visibility="internal").status_code == 400
    assert status_of(app, issue_id) == "reported"
    assert update(client, issue_id, "wont_fix", "The landlord replaces these in December").status_code == 302
    assert status_of(app, issue_id) == "wont_fix"


def test_nothing_to_change_is_refused(app, login, student, admin, make_issue):
    issue_id = make_issue(student)
    response = update(login(admin), issue_id, "reported")
    assert response.status_code == 400 and "nothing was changed" in response.get_data(as_text=True)


def test_internal_note_is_hidden_from_students_and_sends_nothing(app, client, auth, student, admin, make_issue,
                                                                 outbox):
    issue_id = make_issue(student)
    auth.login(admin)
    assert update(client, issue_id, "reported", "Tenant was rude on the phone", "internal").status_code == 302
    assert "Tenant was rude on the phone" in client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    assert outbox("issue_update") == []
    auth.logout()
    auth.login(student)
    assert "Tenant was rude" not in client.get(f"/issues/{issue_id}").get_data(as_text=True)


def test_status_change_with_internal_note_keeps_the_note_internal(app, client, auth, student, admin, make_issue,
                                                                  outbox):
    issue_id = make_issue(student)
    auth.login(admin)
    update(client, issue_id, "in_progress", "Budget code 4411", "internal")
    (_, _, context), = outbox("issue_update")
    assert context["status"] == "in_progress"
    assert "Budget code 4411" not in str(context)


def test_public_comment_emails_subscribers_but_not_the_reporter_comment(app, client, auth, student, admin,
                                                                        make_issue, outbox):
    issue_id = make_issue(student)
    auth.login(admin)
    update(client, issue_id, "reported", "Could you send a photo?")
    assert [m[0] for m in outbox("issue_update")] == [student.email]


def test_confirm_and_rate_a_resolved_issue(app, login, student, make_issue):
    issue_id = make_issue(student, status="resolved", resolved_days_ago=2)
    client = login(student)
    assert client.post(f"/issues/{issue_id}/confirm").status_code == 302
    assert client.post(f"/issues/{issue_id}/confirm").status_code == 400  # only once
    assert client.post(f"/issues/{issue_id}/rate", data={"rating": "4"}).status_code == 302
    assert client.post(f"/issues/{issue_id}/rate", data={"rating": "9"}).status_code == 400
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        assert issue.confirmed_at is not None and issue.rating == 4


def test_reopen_within_14_days_with_a_reason(app, client, auth, student, admin, make_issue, outbox):
    issue_id = make_issue(student, status="resolved", resolved_days_ago=13)
    auth.login(student)
    assert client.post(f"/issues/{issue_id}/reopen", data={"reason": ""}).status_code == 400
    assert status_of(app, issue_id) == "resolved"
    assert client.post(f"/issues/{issue_id}/reopen", data={"reason": "Still dripping"}).status_code == 302
    assert status_of(app, issue_id) == "reported"
    assert [(m[0], m[2]["issues"][0]["reopened"]) for m in outbox("issue_new")] == [(admin.email, True)]
    with app.app_context():
        kinds = [e.kind.value for e in db.session.scalars(sa.select(IssueEvent).order_by(IssueEvent.id))]
    assert kinds[-1] == "reopened"


def test_reopen_and_confirm_refused_after_14_days(app, login, student, make_issue):
    issue_id = make_issue(student, status="resolved", resolved_days_ago=15)
    client = login(student)
    response = client.post(f"/issues/{issue_id}/reopen", data={"reason": "Still dripping"})
    assert response.status_code == 400 and "14 days" in response.get_data(as_text=True)
    assert client.post(f"/issues/{issue_id}/confirm").status_code == 400
    assert status_of(app, issue_id) == "resolved"


@pytest.mark.parametrize("status", ["reported", "in_progress"])
def test_reopen_refused_while_open(app, login, student, make_issue, outbox, status):
    """Refused because the issue is still open (not for the 14 days), and nothing changes."""
    issue_id = make_issue(student, status=status)
    response = login(student).post(f"/issues/{issue_id}/reopen", data={"reason": "why not"})
    assert response.status_code == 400
    assert "Only a resolved or closed issue can be reopened." in response.get_data(as_text=True)
    assert status_of(app, issue_id) == status and outbox() == []
    with app.app_context():
        assert [e.kind.value for e in db.session.scalars(sa.select(IssueEvent))] == ["reported"]


def test_student_comment(app, login, student, make_issue):
    issue_id = make_issue(student)
    client = login(student)
    assert client.post(f"/issues/{issue_id}/comment", data={"body": ""}).status_code == 400
    assert client.post(f"/issues/{issue_id}/comment", data={"body": "I am home after 5pm"}).status_code == 302
    assert "I am home after 5pm" in client.get(f"/issues/{issue_id}").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"status": "in_progress", "comment": "x", "visibility": "everyone"}, "Not a valid choice"),
    ({"status": "in_progress", "comment": "x" * 5001, "visibility": "public"}, "limited to 5000"),
    ({"status": "", "comment": "x", "visibility": "public"}, "Choose a status"),
    ({"status": "in_progress", "comment": "bad \x00 byte", "visibility": "public"}, "cannot store"),
])
def test_admin_bad_input_keeps_everything_as_it_was(app, login, student, admin, make_issue, outbox, data,
                                                    message):
    issue_id = make_issue(student)
    response = login(admin).post(f"/admin/issues/{issue_id}", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert status_of(app, issue_id) == "reported" and outbox() == []


def test_me_too_on_a_closed_issue_is_refused(app, login, house, student, make_user, make_issue):
    from app.models.accounts import Role
    housemate = make_user(Role.STUDENT, house=house, room="103")
    issue_id = make_issue(student, area_id=house.common_area_ids[0], status="resolved", resolved_days_ago=1)
    assert login(housemate).post(f"/issues/{issue_id}/me-too").status_code == 404


def test_confirm_and_rate_in_one_submit(app, login, student, make_issue):
    """The "Is it fixed?" card is one form: stars (optional) and "Yes, it is fixed"; a bad rating stores nothing."""
    issue_id = make_issue(student, status="resolved", resolved_days_ago=1)
    client = login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    card = page[page.index('id="fixed-heading"'):page.index("</section>", page.index('id="fixed-heading"'))]
    assert card.count("<form") == 1 and f'action="/issues/{issue_id}/confirm"' in card and 'name="rating"' in card
    assert client.post(f"/issues/{issue_id}/confirm", data={"rating": "9"}).status_code == 400
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        assert issue.confirmed_at is None and issue.rating is None  # nothing half-stored
    assert client.post(f"/issues/{issue_id}/confirm", data={"rating": "5"}).status_code == 302
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        assert issue.confirmed_at is not None and issue.rating == 5
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "You confirmed the fix" in page and "Change rating" in page  # the rating can still change
