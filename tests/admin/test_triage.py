"""Triage on the admin issue page: category and urgency changes with a reason, and the on-hold status."""
import csv
import io

import pytest

from app.extensions import db
from app.issues import workflow
from app.models.accounts import Role
from app.models.issues import HoldReason, Issue


def update(client, issue_id, status, comment="", visibility="public", hold_reason="", hold_detail=""):
    return client.post(f"/admin/issues/{issue_id}", data={
        "status": status, "comment": comment, "visibility": visibility, "hold_reason": hold_reason,
        "hold_detail": hold_detail})


def triage(client, issue_id, category="plumbing", urgency="normal", reason="Checked on site"):
    return client.post(f"/admin/issues/{issue_id}/triage", data={
        "triage-category": category, "triage-urgency": urgency, "triage-reason": reason})


def state(app, issue_id):
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        return {"status": issue.status.value, "category": issue.category.value, "urgency": issue.urgency.value,
                "hold": issue.hold_reason, "events": [(e.kind.value, e.public, e.author_id, e.body)
                                                      for e in issue.events]}


def test_recategorise_and_change_urgency_with_who_and_why(app, login, student, admin, make_issue, outbox):
    issue_id = make_issue(student)
    client = login(admin)
    response = triage(client, issue_id, "electrical", "urgent", "The leak is onto the wall socket")
    assert response.status_code == 302
    after = state(app, issue_id)
    assert (after["category"], after["urgency"]) == ("electrical", "urgent")
    assert after["events"][-1] == ("triaged", False, admin.id, "Category: Plumbing → Electrical. Urgency: normal "
                                   "→ urgent. Reason: The leak is onto the wall socket")
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    assert "Changed the category or urgency" in page and "The leak is onto the wall socket" in page
    assert outbox("issue_update") == []


@pytest.mark.parametrize("changes, message", [
    ({"category": "electrical", "reason": ""}, "Say why you change it"),
    ({"category": "electrical", "reason": "   "}, "Say why you change it"),
    ({}, "nothing was changed"),
    ({"category": "bogus"}, "Not a valid choice"),
    ({"urgency": "extreme"}, "Not a valid choice"),
    ({"category": "electrical", "reason": "x" * 301}, "under 300 characters"),
    ({"category": "electrical", "reason": "bad\x00"}, "cannot store"),
])
def test_bad_triage_is_refused_and_nothing_changes(app, login, student, admin, make_issue, changes, message):
    issue_id = make_issue(student)
    before = state(app, issue_id)
    response = triage(login(admin), issue_id, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert state(app, issue_id) == before


def test_triage_in_another_house_is_not_found(app, login, make_house, make_user, student, make_issue):
    issue_id = make_issue(student)
    other = make_user(Role.ADMIN, admin_of=[make_house("birch")])
    assert triage(login(other), issue_id, "electrical").status_code == 404
    assert state(app, issue_id)["category"] == "plumbing"


def test_on_hold_tells_the_student_why_and_can_go_back_to_in_progress(app, client, auth, student, admin, make_issue,
                                                                     outbox):
    issue_id = make_issue(student, status="in_progress")
    auth.login(admin)
    response = update(client, issue_id, "on_hold", hold_reason="parts", hold_detail="The pump is on order")
    assert response.status_code == 302
    after = state(app, issue_id)
    assert after["status"] == "on_hold" and after["hold"] == "Waiting for parts: The pump is on order"
    [(to, _, context)] = outbox("issue_update")
    assert to == student.email and context["status"] == "on_hold"
    assert context["updates"][-1]["text"] == "Waiting for parts: The pump is on order"
    page = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)  # the form shows what was saved
    assert '<option selected value="parts">' in page and 'value="The pump is on order"' in page
    auth.logout()
    auth.login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "On hold:</strong> Waiting for parts: The pump is on order" in page
    auth.logout()
    auth.login(admin)
    assert update(client, issue_id, "in_progress").status_code == 302
    assert state(app, issue_id)["hold"] is None


@pytest.mark.parametrize("reason, detail, message", [
    ("", "", "Choose why the issue is on hold"),
    ("nonsense", "", "Not a valid choice"),
    ("access", "x" * 201, "under 200 characters"),
])
def test_on_hold_needs_a_reason(app, login, student, admin, make_issue, outbox, reason, detail, message):
    issue_id = make_issue(student)
    response = update(login(admin), issue_id, "on_hold", hold_reason=reason, hold_detail=detail)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert state(app, issue_id)["status"] == "reported"
    assert outbox() == []


def test_on_hold_is_open_in_the_queue_counts_filters_and_csv(app, login, student, admin, make_issue):
    held = make_issue(student, title="Held geyser", status="on_hold")
    make_issue(student, title="Reported tap")
    make_issue(student, title="Done door", status="resolved", resolved_days_ago=1)
    client = login(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Held geyser" in page and "Reported tap" in page and "Done door" not in page
    assert "On hold" in page
    only = client.get("/admin/?status=on_hold").get_data(as_text=True)
    assert "Held geyser" in only and "Reported tap" not in only
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/issues.csv?status=open").get_data(as_text=True))))
    assert {r["status"] for r in rows} == {"on_hold", "reported"}
    assert [r["id"] for r in rows if r["status"] == "on_hold"] == [str(held)]


def test_open_count_includes_on_hold(app, login, student, admin, make_issue):
    from app.admin.queue import QueueFilters, status_counts
    make_issue(student, status="on_hold")
    make_issue(student, status="in_progress")
    make_issue(student, status="resolved", resolved_days_ago=1)
    with app.app_context():
        counts = status_counts(QueueFilters(house_ids=[student.house_id]))
    assert (counts["on_hold"], counts["open"], counts["all"]) == (1, 2, 3)


@pytest.mark.parametrize("text, parts", [
    (None, (None, "")), ("Waiting for parts", (HoldReason.PARTS, "")),
    ("Waiting for a contractor: the roofer: Tuesday", (HoldReason.CONTRACTOR, "the roofer: Tuesday")),
    ("Waiting for partsX", (None, "")),
])
def test_hold_parts_reads_back_what_hold_text_made(text, parts):
    assert HoldReason.parts(text) == parts
    if parts[0] is not None:
        assert workflow.hold_text(*parts) == text
