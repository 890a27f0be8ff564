"""`flask db upgrade` on an empty database builds exactly the models' schema."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from app.models import Base
from tests.conftest import settings_for


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "migrations.db")
        return
    url = sa.make_url(database_url)
    name = f"{url.database}_migrations"
    server = sa.create_engine(url.set(database=None))
    with server.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


def test_upgrade_matches_models_and_downgrades(empty_database_url, tmp_path):
    app = create_app(settings_for(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_visit_times_move_between_local_time_and_utc(empty_database_url, tmp_path):
    """0020: rows stored before it hold Johannesburg wall-clock times; after it, UTC (and back on downgrade)."""
    from datetime import datetime

    from app.house_setup import create_house, parse_rooms
    from app.models import Role, User
    from app.models.issues import Issue
    from app.models.visits import DayPart, Visit, VisitSlot

    app = create_app(settings_for(empty_database_url, tmp_path))
    morning, noon = datetime(2026, 12, 8, 8), datetime(2026, 12, 8, 12)
    with app.app_context():
        upgrade()  # the models are the head's: rows are stored there, then taken down past 0020
        house = create_house("Acacia House", "acacia", parse_rooms("101"), [])
        student = User(email="s@example.ac.za", name="S", role=Role.STUDENT, house=house)
        issue = Issue(house=house, reporter=student, category="plumbing", title="Tap", description="Drips",
                      urgency="normal")
        db.session.add(issue)
        db.session.flush()
        db.session.add_all([VisitSlot(issue_id=issue.id, part=DayPart.MORNING, starts_at=morning, ends_at=noon),
                            Visit(issue_id=issue.id, part=DayPart.MORNING, starts_at=morning, ends_at=noon,
                                  notice_key="20261208T0800-20261208T1200")])
        db.session.commit()
        rows = "SELECT s.starts_at, s.ends_at, v.starts_at, v.notice_key FROM visit_slots s JOIN visits v"
        downgrade(revision="0017")  # back to wall-clock time, UTC+2
        with db.engine.connect() as conn:
            assert [(*(str(v)[:19] for v in row[:3]), row[3]) for row in conn.execute(sa.text(rows))] == [
                ("2026-12-08 10:00:00", "2026-12-08 14:00:00", "2026-12-08 10:00:00", "20261208T1000-20261208T1400")]
        upgrade(revision="0020")
        with db.engine.connect() as conn:
            assert [(*(str(v)[:19] for v in row[:3]), row[3]) for row in conn.execute(sa.text(rows))] == [
                ("2026-12-08 08:00:00", "2026-12-08 12:00:00", "2026-12-08 08:00:00", "20261208T0800-20261208T1200")]
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def test_no_migration_imports_the_application():
    """A migration runs the code of its own day: it must not import app/, which changes after it."""
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    offenders = [path.name for path in versions.glob("*.py")
                 if re.search(r"^\s*(from|import)\s+app\b", path.read_text(), re.MULTILINE)]
    assert offenders == []


def test_0018_fills_the_week_rows_as_the_app_counts_them(empty_database_url, tmp_path):
    """0018's frozen backfill gives the rows app/issues/weekly.py's rebuild gives today."""
    from datetime import datetime

    from app.house_setup import create_house, parse_rooms
    from app.issues.weekly import rebuild
    from app.models import Role, User
    from app.models.issues import Issue, IssueStatus

    app = create_app(settings_for(empty_database_url, tmp_path))
    monday = datetime(2026, 11, 30, 9)
    with app.app_context():
        upgrade()
        house = create_house("Acacia House", "acacia", parse_rooms("101"), [])
        student = User(email="s@example.ac.za", name="S", role=Role.STUDENT, house=house)
        issues = ((0, "plumbing", IssueStatus.RESOLVED, 30, 2, 4, 48), (1, "plumbing", IssueStatus.RESOLVED, 200, 1,
                                                                       None, 48),
                  (2, "electrical", IssueStatus.IN_PROGRESS, None, 5, None, None),
                  (9, "other", IssueStatus.REPORTED, None, None, None, 24))
        for day, category, status, fixed_after, answered_after, rating, target in issues:
            created = monday + timedelta(days=day)

            def later(hours, created=created):
                return None if hours is None else created + timedelta(hours=hours)

            db.session.add(Issue(house=house, reporter=student, category=category, title="T", description="D",
                                 urgency="normal", status=status, created_at=created, resolved_at=later(fixed_after),
                                 first_response_at=later(answered_after), rating=rating, respond_by=later(target),
                                 fix_by=later(target)))
        db.session.commit()
        week_rows = "SELECT * FROM issue_weeks ORDER BY house_id, week, category"
        with db.engine.begin() as conn:
            rebuild(conn)
            expected = [tuple(row) for row in conn.execute(sa.text(week_rows))]
        assert len(expected) >= 4
        downgrade(revision="0017")
        upgrade(revision="0018")
        with db.engine.connect() as conn:
            assert [tuple(row) for row in conn.execute(sa.text(week_rows))] == expected
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
