"""`flask db upgrade` on an empty database builds exactly the models' schema."""
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
