"""The weekly figures (issue_weeks, app/issues/weekly.py) stay the sums over the issues whatever changes them:
the workflow's steps (response, fix, rating, reopen, hold, re-categorise), an issue deleted, a value changed on an
issue loaded before; `rebuild` and its command repair them after a bulk statement."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.admin import metrics
from app.admin.triage import retriage
from app.extensions import db
from app.issues import weekly, workflow
from app.models import User
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Category, HoldReason, Issue, IssueStatus, IssueWeek, Urgency

NOW = datetime(2026, 11, 26, 12, 0)  # a Thursday; weeks start on Mondays


def stored() -> dict:
    """{(house_id, week, category): (counts, fix times, response times)} of the non-empty week rows."""
    found = {}
    for row in db.session.scalars(sa.select(IssueWeek)):
        counts = tuple(getattr(row, name) for name in weekly.COUNTS)
        if any(counts):
            found[(row.house_id, row.week, Category(row.category))] = (
                counts, sorted(weekly.unpack(row.fix_times)), sorted(weekly.unpack(row.response_times)))
    return found


def assert_kept(app) -> None:
    """The kept rows are those a rebuild from the issues makes."""
    with app.app_context():
        kept = stored()
        nested = db.session.begin_nested()
        weekly.rebuild()
        rebuilt = stored()
        nested.rollback()
        assert kept == rebuilt
        assert kept  # something is counted: the comparison is not of two empty tables


def figures(app, weeks: int = 4, now: datetime = NOW) -> metrics.Metrics:
    with app.app_context():
        houses = list(db.session.scalars(sa.select(House)))
        return metrics.compute(metrics.Filters(houses=houses, weeks=weeks), now=now)


@pytest.fixture
def issue_at(app, student):
    def add(created: datetime, category: str = "plumbing", **values) -> int:
        with app.app_context():
            issue = Issue(house_id=student.house_id, reporter_id=student.id, category=category, title="Leaking tap",
                          description="It drips.", created_at=created, updated_at=created, **values)
            db.session.add(issue)
            db.session.commit()
            return issue.id

    return add


def change(app, issue_id: int, step) -> None:
    """Run `step(issue)` on the issue as loaded after a commit (every attribute expired), and commit."""
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        db.session.expire(issue)
        step(issue)
        db.session.commit()


def test_reopen_and_recategorise_keep_figures_and_medians(app, issue_at):
    hour = timedelta(hours=1)
    first = issue_at(datetime(2026, 11, 16, 9), status=IssueStatus.RESOLVED,
                     first_response_at=datetime(2026, 11, 16, 10), resolved_at=datetime(2026, 11, 16, 19), rating=4)
    second = issue_at(datetime(2026, 11, 17, 9), status=IssueStatus.RESOLVED,
                      first_response_at=datetime(2026, 11, 17, 12), resolved_at=datetime(2026, 11, 18, 15), rating=2)
    total = figures(app).total
    assert (total.opened, total.fixed, total.ratings, total.rating_sum) == (2, 2, 2, 6)
    assert total.median_fix == 20 * hour  # 10 h and 30 h
    assert total.median_response == 2 * hour  # 1 h and 3 h
    assert_kept(app)

    def reopened(issue):
        issue.status, issue.resolved_at = IssueStatus.REPORTED, None

    change(app, second, reopened)
    total = figures(app).total
    assert (total.opened, total.fixed, total.ratings, total.responded) == (2, 1, 1, 2)
    assert total.median_fix == 10 * hour and total.median_response == 2 * hour
    assert_kept(app)

    def electrical(issue):
        issue.category = Category.ELECTRICAL

    change(app, first, electrical)
    result = figures(app)
    by_category = {row.category: row for row in result.rows}
    assert (by_category["Plumbing"].opened, by_category["Plumbing"].fixed) == (1, 0)
    assert by_category["Plumbing"].median_fix is None and by_category["Plumbing"].median_response == 3 * hour
    assert (by_category["Electrical"].opened, by_category["Electrical"].fixed) == (1, 1)
    assert by_category["Electrical"].median_fix == 10 * hour
    assert result.total.median_fix == 10 * hour
    assert_kept(app)

    def moved_earlier(issue):  # a fix recorded a week later than it was: it moves to the other week
        issue.resolved_at = datetime(2026, 11, 23, 19)

    change(app, first, moved_earlier)
    assert [(w.opened, w.fixed) for w in figures(app).weeks] == [(0, 0), (0, 0), (2, 0), (0, 1)]
    assert_kept(app)


def test_an_emptied_group_leaves_the_page(app, issue_at):
    issue = issue_at(datetime(2026, 11, 16, 9))

    def electrical(issue):
        issue.category = Category.ELECTRICAL

    change(app, issue, electrical)
    assert [row.category for row in figures(app).rows] == ["Electrical"]
    with app.app_context():
        db.session.delete(db.session.get(Issue, issue))
        db.session.commit()
        assert stored() == {}
    assert figures(app).rows == [] and figures(app).total.opened == 0


def test_the_workflow_steps_keep_the_rows(app, student, admin, issue_at):
    now = utcnow().replace(microsecond=0)
    ids = [issue_at(now - timedelta(hours=n + 5), category=category)
           for n, category in enumerate(["plumbing", "plumbing", "electrical", "internet"])]
    with app.test_request_context():
        staff_admin, reporter = db.session.get(User, admin.id), db.session.get(User, student.id)
        issues = [db.session.get(Issue, n) for n in ids]
        workflow.admin_update(issues[0], staff_admin, IssueStatus.IN_PROGRESS, "On it.", True)
        workflow.admin_update(issues[1], staff_admin, IssueStatus.RESOLVED, "Fixed the washer.", True)
        workflow.admin_update(issues[2], staff_admin, IssueStatus.ON_HOLD, "", True, HoldReason.PARTS, "Pump ordered")
        workflow.admin_update(issues[3], staff_admin, IssueStatus.RESOLVED, "Router restarted.", True)
        db.session.commit()
    assert_kept(app)
    with app.test_request_context():
        staff_admin, reporter = db.session.get(User, admin.id), db.session.get(User, student.id)
        issues = [db.session.get(Issue, n) for n in ids]
        workflow.rate(issues[1], reporter, 5)
        workflow.reopen(issues[3], reporter, "It drops again.")
        workflow.admin_update(issues[2], staff_admin, IssueStatus.IN_PROGRESS, "", True)
        retriage(issues[0], staff_admin, Category.ELECTRICAL, Urgency.URGENT, "Sparks, not water.")
        db.session.commit()
    assert_kept(app)
    with app.test_request_context():
        staff_admin = db.session.get(User, admin.id)
        issues = [db.session.get(Issue, n) for n in ids]
        workflow.admin_update(issues[2], staff_admin, IssueStatus.RESOLVED, "New pump in.", True)
        workflow.admin_update(issues[3], staff_admin, IssueStatus.WONT_FIX, "The provider's fault.", True)
        db.session.commit()
        fixed = {issue.id: issue for issue in issues if issue.status == IssueStatus.RESOLVED}
    assert_kept(app)
    total = figures(app, weeks=2, now=utcnow()).total
    assert (total.opened, total.fixed, total.responded, total.ratings) == (4, 2, 4, 1)
    assert {row.category for row in figures(app, weeks=2, now=utcnow()).rows} == {
        "Plumbing", "Electrical", "Internet"}
    assert len(fixed) == 2


def test_rebuild_repairs_after_a_bulk_statement(app, runner, issue_at):
    issue = issue_at(datetime(2026, 11, 16, 9), status=IssueStatus.RESOLVED,
                     first_response_at=datetime(2026, 11, 16, 10), resolved_at=datetime(2026, 11, 16, 19))
    with app.app_context():  # bypasses the ORM, so the rows do not follow
        db.session.execute(sa.update(Issue.__table__).where(Issue.__table__.c.id == issue)
                           .values(category="electrical"))
        db.session.commit()
    assert [row.category for row in figures(app).rows] == ["Plumbing"]
    result = runner.invoke(args=["issues", "rebuild-weeks"])
    assert result.exit_code == 0 and "1 week row(s) rebuilt." in result.output
    assert [row.category for row in figures(app).rows] == ["Electrical"]
    assert figures(app).total.median_fix == timedelta(hours=10)
    assert_kept(app)


def test_two_transactions_changing_fix_times_of_one_week_both_count(app, issue_at):
    """Both read their issue before either writes, and each moves a fix time within the week (no count changes:
    only the packed times). The second's write waits for the first's commit and then reads the row's times with a
    locking read, so neither change is lost (MariaDB; SQLite has one writer at a time)."""
    import threading

    from sqlalchemy.orm import Session

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite lets one transaction write at a time")
        engine = db.engine
    ids = [issue_at(datetime(2026, 11, 16, 9), status=IssueStatus.RESOLVED, resolved_at=datetime(2026, 11, 16, 19)),
           issue_at(datetime(2026, 11, 16, 9), status=IssueStatus.RESOLVED, resolved_at=datetime(2026, 11, 17, 15))]
    read, first_flushed = threading.Barrier(2), threading.Event()

    def refix(issue_id: int, hours: int, first: bool) -> None:
        with Session(engine) as session:
            issue = session.get(Issue, issue_id)
            read.wait(timeout=10)
            if not first:
                first_flushed.wait(timeout=10)
            issue.resolved_at = issue.created_at + timedelta(hours=hours)
            session.flush()
            if first:
                first_flushed.set()
                threading.Event().wait(0.5)  # the other one is now waiting for this row
            session.commit()

    threads = [threading.Thread(target=refix, args=(ids[0], 12, True)),
               threading.Thread(target=refix, args=(ids[1], 32, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    total = figures(app).total
    assert (total.fixed, total.median_fix) == (2, timedelta(hours=22))  # 12 h and 32 h
    assert_kept(app)


def test_a_new_week_row_whose_maker_rolls_back_deadlocks_no_one(app, student):
    """Three reports open the first issues of a week and category at once and the first one's transaction
    rolls back while the other two wait on its row: both others are stored and counted (MariaDB; INSERT ...
    ON DUPLICATE KEY by the three at once deadlocked one of the two in about a third of such tries)."""
    import threading

    from sqlalchemy.orm import Session

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite lets one transaction write at a time")
        engine = db.engine
    errors: list[BaseException] = []
    weeks = [datetime(2026, 6, 1, 9) + timedelta(weeks=n) for n in range(8)]  # a new week row each time

    def report(created: datetime, made: threading.Event, keep: bool) -> None:
        try:
            with app.app_context(), Session(engine) as session:
                session.add(Issue(house_id=student.house_id, reporter_id=student.id, category="plumbing",
                                  title="Tap", description="Drips.", created_at=created, updated_at=created))
                if not keep:
                    session.flush()
                    made.set()
                    threading.Event().wait(0.3)  # the others are now waiting on this row
                    session.rollback()
                    return
                made.wait(timeout=10)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - raised in the test's thread below
            errors.append(exc)

    for created in weeks:
        made = threading.Event()
        threads = [threading.Thread(target=report, args=(created, made, keep)) for keep in (False, True, True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    with app.app_context():
        opened = dict(db.session.execute(sa.select(IssueWeek.week, IssueWeek.opened)).all())
    assert sorted(opened.values()) == [2] * len(weeks)
    assert_kept(app)


def test_a_house_and_its_first_issue_in_one_transaction(app, student):
    """Seeding and imports make a house and its issues in one transaction: the week row is made in that same
    transaction (made on a connection of its own, it would wait for the uncommitted house for ever)."""
    from app.house_setup import create_house, parse_rooms

    with app.app_context():
        house = create_house("Protea", "protea", parse_rooms("1-3"), ["Kitchen"])
        db.session.flush()
        db.session.add(Issue(house_id=house.id, reporter_id=student.id, category="plumbing", title="Tap",
                             description="Drips.", created_at=NOW, updated_at=NOW))
        db.session.commit()
        assert db.session.scalar(sa.select(IssueWeek.opened).where(IssueWeek.house_id == house.id)) == 1
