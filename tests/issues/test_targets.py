"""Response targets: deadlines per urgency and per category, the first response, the queue's time left, overdue
filter, count and sort, the targets page, and one coalesced notice per crossing (`flask issues overdue`).

The clock is injected: deadlines follow from each issue's created_at, and the services take `now`."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.emailer.labels import late_label
from app.extensions import db
from app.issues import notify, targets
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.issues import Category, EventKind, Issue, IssueEvent, IssueStatus, ResponseTarget, Urgency
from app.models.mail import OutboxEmail
from tests.issues.conftest import report_data

T0 = datetime(2026, 3, 2, 9, 0)  # a Monday morning


def stored(app, issue_id: int) -> Issue:
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        db.session.expunge(issue)
        return issue


def at(app, issue_id: int, created: datetime) -> None:
    """Move an issue's creation to `created` and recompute its deadlines (the injected clock)."""
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        issue.created_at = created
        targets.refresh(issue, now=created)
        db.session.commit()


def test_defaults_per_urgency(app, student, make_issue):
    normal, urgent = make_issue(student), make_issue(student, urgency="urgent")
    at(app, normal, T0)
    at(app, urgent, T0)
    n, u = stored(app, normal), stored(app, urgent)
    assert (n.respond_by, n.fix_by, n.next_due_at) == (T0 + timedelta(days=2), T0 + timedelta(days=7),
                                                       T0 + timedelta(days=2))
    assert (u.respond_by, u.fix_by, u.next_due_at) == (T0 + timedelta(hours=4), T0 + timedelta(hours=24),
                                                       T0 + timedelta(hours=4))


@pytest.mark.parametrize("app", [{"TARGET_NORMAL_RESPONSE_HOURS": 8, "TARGET_NORMAL_FIX_HOURS": 72}], indirect=True)
def test_settings_and_category_override(app, student, make_issue):
    with app.app_context():
        db.session.add(ResponseTarget(category="electrical", urgency="normal", response_hours=1.5, fix_hours=12))
        db.session.commit()
    plumbing, electrical = make_issue(student), make_issue(student, category="electrical")
    at(app, plumbing, T0)
    at(app, electrical, T0)
    assert stored(app, plumbing).fix_by == T0 + timedelta(hours=72)
    e = stored(app, electrical)
    assert (e.respond_by, e.fix_by) == (T0 + timedelta(minutes=90), T0 + timedelta(hours=12))


def test_new_issue_gets_deadlines_when_stored(app, login, student, admin):
    before = utcnow()
    login(student).post("/issues/new", data=report_data(urgency="urgent"))
    with app.app_context():
        issue = db.session.scalars(sa.select(Issue)).one()
        assert before <= issue.created_at and issue.respond_by == issue.created_at + timedelta(hours=4)
        assert issue.next_due_at == issue.respond_by and issue.first_response_at is None


def test_first_response_moves_the_next_deadline_to_the_fix(app, client, auth, student, admin, make_issue):
    issue_id = make_issue(student)
    auth.login(admin)
    client.post(f"/admin/issues/{issue_id}", data={"status": "reported", "comment": "Only for admins",
                                                   "visibility": "internal"})
    assert stored(app, issue_id).first_response_at is None  # an internal note does not answer the student
    client.post(f"/admin/issues/{issue_id}", data={"status": "in_progress", "comment": "", "visibility": "public"})
    issue = stored(app, issue_id)
    assert issue.first_response_at is not None and issue.next_due_at == issue.fix_by
    client.post(f"/admin/issues/{issue_id}", data={"status": "resolved", "comment": "", "visibility": "public"})
    assert stored(app, issue_id).next_due_at is None  # closed: no deadline left


def hold(issue: Issue, *changes: tuple[timedelta, IssueStatus]) -> None:
    """Status changes on the issue's timeline, each `after` its creation."""
    for after, status in changes:
        issue.events.append(IssueEvent(kind=EventKind.STATUS, to_status=status, created_at=T0 + after))
        issue.status = status


def test_time_on_hold_moves_the_fix_deadline(app, student, make_issue):
    issue_id = make_issue(student)
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        issue.created_at, issue.first_response_at = T0, T0 + timedelta(hours=1)
        hold(issue, (timedelta(days=1), IssueStatus.ON_HOLD), (timedelta(days=3), IssueStatus.IN_PROGRESS),
             (timedelta(days=4), IssueStatus.ON_HOLD), (timedelta(days=4, hours=12), IssueStatus.IN_PROGRESS))
        found = targets.deadlines(issue, now=T0 + timedelta(days=5))
        assert found.fix_by == T0 + timedelta(days=9, hours=12) and found.next_due == found.fix_by


def test_on_hold_stops_the_clock_until_it_is_taken_off(app, student, make_issue):
    issue_id = make_issue(student)
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        issue.created_at, issue.first_response_at = T0, T0 + timedelta(hours=1)
        hold(issue, (timedelta(days=6), IssueStatus.ON_HOLD))
        assert targets.paused_for(issue, T0 + timedelta(days=10)) == (timedelta(days=4), True)
        assert targets.deadlines(issue, now=T0 + timedelta(days=10)).next_due is None  # not overdue on hold
        hold(issue, (timedelta(days=10), IssueStatus.IN_PROGRESS))
        assert targets.deadlines(issue, now=T0 + timedelta(days=10)).next_due == T0 + timedelta(days=11)


def test_standing_labels(app, student, make_issue):
    issue = stored(app, make_issue(student, urgency="urgent"))
    issue.next_due_at = issue.respond_by = T0
    assert targets.standing(issue, T0 - timedelta(minutes=90)).label == "1 h left to respond"
    late = targets.standing(issue, T0 + timedelta(days=3))
    assert late.overdue and late.label == "Response overdue by 3 d"
    issue.first_response_at, issue.next_due_at = T0, T0 + timedelta(hours=20)
    assert targets.standing(issue, T0).label == "20 h left to fix"


@pytest.fixture
def queue(make_house, make_user, make_issue, login):
    """Acacia: an urgent issue 5 hours old (response overdue), a normal one 3 days old (overdue), a fresh one,
    a resolved one; Baobab (not administered): an overdue issue."""
    acacia, baobab = make_house("acacia"), make_house("baobab")
    student, other = make_user(Role.STUDENT, house=acacia), make_user(Role.STUDENT, house=baobab)
    admin = make_user(Role.ADMIN, admin_of=[acacia])
    make_issue(student, title="Fresh leak")
    make_issue(student, title="Old leak", age_days=3)
    make_issue(student, title="Sparks", urgency="urgent", age_days=5 / 24)
    make_issue(student, title="Done door", status="resolved", age_days=9, resolved_days_ago=1)
    make_issue(other, title="Baobab leak", age_days=30)
    return login(admin)


def titles(html: str) -> list[str]:
    found = [t for t in ("Fresh leak", "Old leak", "Sparks", "Done door", "Baobab leak") if t in html]
    return sorted(found, key=html.index)


def test_queue_sorts_by_nearest_deadline_and_shows_time_left(queue):
    html = queue.get("/admin/?sort=due").get_data(as_text=True)
    assert titles(html) == ["Old leak", "Sparks", "Fresh leak"]
    assert "Response overdue by 24 h" in html and "Response overdue by 1 h" in html and "47 h left to respond" in html
    assert titles(queue.get("/admin/?sort=due&status=all").get_data(as_text=True))[-1] == "Done door"


def test_overdue_filter_and_count(queue):
    html = queue.get("/admin/").get_data(as_text=True)
    assert 'Overdue <span class="count">2</span>' in html
    html = queue.get("/admin/?overdue=1").get_data(as_text=True)
    assert titles(html) == ["Sparks", "Old leak"]  # newest first, the default sort
    assert 'Overdue <span class="count">2</span>' in html
    assert titles(queue.get("/admin/?overdue=1&urgency=urgent").get_data(as_text=True)) == ["Sparks"]
    assert 'Overdue <span class="count">1</span>' in queue.get("/admin/?urgency=urgent").get_data(as_text=True)


def test_overdue_notice_is_one_email_per_admin_and_once_per_crossing(app, make_house, make_user, make_issue):
    acacia, baobab = make_house("acacia"), make_house("baobab")
    student = make_user(Role.STUDENT, house=acacia)
    both = make_user(Role.ADMIN, admin_of=[acacia, baobab])
    only_baobab = make_user(Role.ADMIN, admin_of=[baobab])
    first, second = make_issue(student, title="Leak"), make_issue(student, title="Sparks", urgency="urgent")
    fresh = make_issue(student, title="Fresh")
    for issue_id in (first, second):
        at(app, issue_id, T0)
    at(app, fresh, T0 + timedelta(days=10))

    def run(now):
        with app.test_request_context():
            count = notify.overdue(now)
            db.session.commit()
            rows = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.template == "issue_overdue")
                                      .order_by(OutboxEmail.id)).all()
            return count, [(r.to_address, [i["title"] for i in r.context["issues"]], r.cause) for r in rows]

    assert run(T0 + timedelta(hours=3)) == (0, [])
    count, emails = run(T0 + timedelta(hours=5))  # the urgent one's response target passed
    assert count == 1 and emails == [(both.email, ["Sparks"], "system")]
    assert run(T0 + timedelta(hours=6))[0] == 0  # the same crossing is not told twice
    count, emails = run(T0 + timedelta(days=2, hours=1))  # the normal one's response target passed too
    assert count == 1 and emails == [(both.email, ["Leak", "Sparks"], "system")]  # still one email, coalesced
    assert only_baobab.email not in {e[0] for e in emails}
    with app.app_context():  # an admin responds to the urgent one: its fix target is the next crossing
        issue = db.session.get(Issue, second)
        issue.status = IssueStatus.IN_PROGRESS
        targets.record_response(issue, now=T0 + timedelta(days=2, hours=2))
        db.session.commit()
    assert stored(app, second).next_due_at == T0 + timedelta(hours=24)  # long passed: a new crossing
    count, emails = run(T0 + timedelta(days=2, hours=3))
    assert count == 1 and emails == [(both.email, ["Sparks", "Leak"], "system")]


def test_fix_deadline_crossing_is_told_once(app, student, admin, make_issue):
    issue_id = make_issue(student, urgency="urgent")
    at(app, issue_id, T0)
    with app.test_request_context():
        assert notify.overdue(T0 + timedelta(hours=5)) == 1  # response target
        issue = db.session.get(Issue, issue_id)
        targets.record_response(issue, now=T0 + timedelta(hours=6))
        assert notify.overdue(T0 + timedelta(hours=7)) == 0
        assert notify.overdue(T0 + timedelta(hours=25)) == 1  # fix target: a new crossing
        assert notify.overdue(T0 + timedelta(hours=26)) == 0
        db.session.commit()
        (email,) = db.session.scalars(sa.select(OutboxEmail)).all()  # coalesced while queued
        assert email.to_address == admin.email
        assert late_label(email.context["issues"][0]) == "Fix overdue by 1 hour"  # as the email says it


def test_overdue_command(app, runner, student, admin, make_issue):
    make_issue(student, age_days=3)
    with app.app_context():  # an issue from before targets existed
        db.session.execute(sa.update(Issue).values(respond_by=None, fix_by=None, next_due_at=None))
        db.session.commit()
    result = runner.invoke(args=["issues", "overdue"])
    assert result.exit_code == 0 and "1 issue(s) passed a target; 1 older issue(s) given targets." in result.output
    assert "0 issue(s) passed a target." in runner.invoke(args=["issues", "overdue"]).output


def test_targets_page_saves_and_retimes(app, client, auth, student, admin, make_issue):
    issue_id = make_issue(student, category="electrical")
    created = stored(app, issue_id).created_at
    auth.login(admin)
    assert client.get("/admin/targets").status_code == 200
    response = client.post("/admin/targets", data={"response-electrical-normal": "2", "fix-electrical-normal": "10"},
                           follow_redirects=True)
    assert "Targets saved: 1 changed." in response.get_data(as_text=True)
    issue = stored(app, issue_id)
    assert (issue.respond_by, issue.fix_by) == (created + timedelta(hours=2), created + timedelta(hours=10))
    page = client.get("/admin/targets").get_data(as_text=True)
    assert 'name="fix-electrical-normal" value="10 hours"' in page and 'value="2 hours"' in page
    # the others show their defaults as values, whole days in days
    assert 'name="response-plumbing-normal" value="2 days"' in page and 'name="fix-plumbing-normal" value="7 days"' \
        in page and 'name="response-plumbing-urgent" value="4 hours"' in page and "(default)" in page
    client.post("/admin/targets", data={"response-electrical-normal": "", "fix-electrical-normal": ""})
    assert stored(app, issue_id).fix_by == created + timedelta(days=7)  # cleared: the defaults again
    assert client.post("/admin/targets", data={"response-electrical-normal": "0.5 days", "fix-electrical-normal":
                                               "3 Days"}).status_code == 302
    issue = stored(app, issue_id)
    assert (issue.respond_by, issue.fix_by) == (created + timedelta(hours=12), created + timedelta(days=3))


def test_the_page_as_it_is_shown_saves_nothing(app, client, auth, admin):
    """Every row shows its targets as values: sending the page back unchanged stores no category's own targets."""
    auth.login(admin)
    page = client.get("/admin/targets").get_data(as_text=True)
    shown = dict(re.findall(r'name="((?:response|fix)-[a-z_]+-[a-z]+)" value="([^"]*)"', page))
    assert len(shown) == 2 * len(Category) * len(Urgency) and shown["fix-plumbing-urgent"] == "1 day"
    assert "Nothing changed." in client.post("/admin/targets", data=shown, follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ResponseTarget.id))) == 0


@pytest.mark.parametrize("response, fix, message", [
    ("0", "10", "Response: a target must be longer than zero hours"),
    ("-2", "10", "Response: write a number of hours or days"),
    ("2", "soon", "Fix: write a number of hours or days"),
    ("2", "3 weeks", "Fix: write a number of hours or days"),
    ("2 days", "1 day", "The fix target cannot be shorter than the response target."),
    ("2", "", "Give both the response and the fix target"),
    ("5", "2", "The fix target cannot be shorter than the response target."),
    ("nan", "2", "Response: write a number of hours or days"),
    ("400 days", "500 days", "Response: a target must be longer than zero hours (and at most a year)"),
])
def test_targets_page_refuses_bad_input_and_keeps_it(app, client, auth, admin, response, fix, message):
    auth.login(admin)
    page = client.post("/admin/targets", data={"response-plumbing-urgent": response, "fix-plumbing-urgent": fix,
                                               "response-cleaning-normal": "3", "fix-cleaning-normal": "9"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and message in html and "Nothing was saved" in html
    assert f'value="{response}"' in html and 'value="9"' in html  # the input is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ResponseTarget.id))) == 0  # nothing half-stored


def test_targets_page_access(client, auth, student, admin, developer):
    assert client.get("/admin/targets").status_code == 302  # to the log-in page
    auth.login(student)
    assert client.get("/admin/targets").status_code == 403
    assert client.post("/admin/targets", data={"response-plumbing-urgent": "1"}).status_code == 403
    auth.logout()
    auth.login(developer)
    assert client.get("/admin/targets").status_code == 200


def test_issue_page_shows_its_targets(app, client, auth, student, admin, make_issue):
    issue_id = make_issue(student, urgency="urgent", age_days=5 / 24)
    auth.login(admin)
    html = client.get(f"/admin/issues/{issue_id}").get_data(as_text=True)
    assert "first response by" in html and "Response overdue by 1 h" in html


def test_a_process_reads_the_targets_once_per_cache_period(app, student, make_issue, monkeypatch):
    """Issue 24: a status change or a report reads no response_targets while the process's copy is fresh; a row
    written by another process counts from the next read (at most targets.CACHE_SECONDS later)."""
    from tests.main.test_query_counts import counted

    with counted(app) as statements:
        first = make_issue(student)
        make_issue(student)
    assert sum("FROM response_targets" in s for s in statements) == 1
    with app.app_context():  # as another process would: straight into the table, this app's copy untouched
        db.session.add(ResponseTarget(category="plumbing", urgency="normal", response_hours=3, fix_hours=9))
        db.session.commit()
    assert stored(app, make_issue(student)).fix_by - stored(app, first).created_at > timedelta(hours=9)  # old copy
    monkeypatch.setattr(targets, "CACHE_SECONDS", 0)
    late = stored(app, make_issue(student))
    assert late.fix_by == late.created_at + timedelta(hours=9)
