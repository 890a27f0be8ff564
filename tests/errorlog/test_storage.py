"""Storage grows with groups, not events: capped occurrences, hourly counts, atomic increments."""
from datetime import datetime
from functools import partial

import pytest

from app.errorlog import record
from app.models.errors import ErrorStatus
from tests.errorlog.conftest import raised
from tests.races import race


@pytest.mark.parametrize("app", [{"ERRORLOG_OCCURRENCES_PER_GROUP": 5}], indirect=True)
def test_occurrences_are_capped_per_group_but_counted(app, read):
    with app.app_context():
        refs = [record("test", raised(ValueError(f"bad value {i}"))) for i in range(12)]
        record("other", "something else")
    first, other = read.groups()
    assert first.count == 12 and other.count == 1
    kept = read.occurrences(first.id)
    assert [o.reference for o in kept] == refs[-5:]  # the latest five
    assert len(read.occurrences(other.id)) == 1
    assert first.sample_message == "bad value 0"  # the sample outlives the cap


@pytest.mark.parametrize("app", [{"ERRORLOG_OCCURRENCES_PER_GROUP": 10}], indirect=True)
def test_the_cap_is_never_exceeded_and_the_latest_are_kept(app, read, clock):
    """Trimming is batched (every 2nd record here), yet no moment ever shows more than the cap."""
    refs = []
    with app.app_context():
        for i in range(37):
            if i == 20:
                clock.advance(hours=1)  # a new hour restarts the hourly count that paces the trimming
            refs.append(record("test", f"bad value {i}"))
            kept = [o.reference for o in read.occurrences()]
            assert 9 <= len(kept) <= 10 or len(kept) == i + 1
            assert kept == refs[-len(kept):]
    assert read.group().count == 37


def test_hourly_counts_follow_the_clock(app, read, clock):
    clock.now = datetime(2026, 3, 10, 8, 59, 59)
    with app.app_context():
        record("test", "tick")
        record("test", "tick")
        clock.advance(seconds=2)
        record("test", "tick")
    assert [(h.hour, h.count) for h in read.hourly()] == [
        (datetime(2026, 3, 10, 8), 2), (datetime(2026, 3, 10, 9), 1)]
    group = read.group()
    assert group.first_seen == datetime(2026, 3, 10, 8, 59, 59)
    assert group.last_seen == datetime(2026, 3, 10, 9, 0, 1)


@pytest.mark.parametrize("app", [{"ERRORLOG_HOURLY_RETENTION_DAYS": 2}], indirect=True)
def test_old_hourly_counts_are_pruned(app, read, clock):
    with app.app_context():
        record("test", "tick")
        clock.advance(days=3)
        record("test", "tick")
    assert [h.count for h in read.hourly()] == [1]
    assert read.group().count == 2


@pytest.mark.parametrize("app", [{"ERRORLOG_OCCURRENCES_PER_GROUP": 10}], indirect=True)
def test_counts_are_atomic_under_concurrent_threads(app, read):
    """Threads record the same two errors at once: no count is lost, no duplicate group appears."""
    threads, per_thread = 6, 15

    def work(index):
        with app.app_context():
            for i in range(per_thread):
                record("storm", f"Failed to send to user{index}-{i}@example.ac.za")
                record("storm-b", f"Other failure {i}", alert=False)

    race(partial(work, n) for n in range(threads))  # a failure in a thread is raised here
    groups = read.groups()
    assert sorted((g.source, g.count) for g in groups) == [("storm", threads * per_thread),
                                                             ("storm-b", threads * per_thread)]
    assert sum(h.count for h in read.hourly()) == 2 * threads * per_thread
    for group in groups:
        assert 9 <= len(read.occurrences(group.id)) <= 10  # trimmed every 2nd record to the latest 9
    assert len(read.alerts()) == 1  # the new "storm" group alerted once; storm-b never
    assert all(g.status == ErrorStatus.OPEN for g in groups)


@pytest.fixture
def no_lock_waits(app):
    """SQLite connections give up at once on a lock instead of waiting for it (busy_timeout 0), so a record()
    that would wait for its caller loses the error instead of being merely slow."""
    import sqlalchemy as sa

    from app.extensions import db

    def no_wait(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", no_wait)  # after the app's own pragmas
            db.engine.dispose()


def test_a_caller_in_the_middle_of_a_write_is_neither_blocked_nor_touched(app, read, house, no_lock_waits):
    """The caller has written but not committed (SQLite: it holds the one write lock). record() must not
    wait for it nor write into it; the error is stored in its own transaction, even if the caller rolls back."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models.houses import House

    with app.app_context():
        db.session.execute(sa.update(House).values(name="Renamed House"))
        reference = record("web", "failed halfway through a write")
        db.session.rollback()
        assert db.session.scalar(sa.select(House.name)) != "Renamed House"
    assert read.group().count == 1
    assert read.occurrences()[0].reference == reference


def test_recording_a_failed_flush_before_the_caller_rolls_back(app, read, student):
    """The usual pattern: commit fails, the caller records the exception, then rolls back."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models.accounts import User

    with app.app_context():
        duplicate = User(email=student.email, name="Duplicate")
        duplicate.set_password("s3cret-in-a-flush")
        db.session.add(duplicate)
        try:
            db.session.commit()
        except sa.exc.IntegrityError as exc:
            reference = record("auth.register", exc)
            db.session.rollback()
    assert reference is not None
    group = read.group()
    assert group.source == "auth.register" and group.error_type == "sqlalchemy.exc.IntegrityError"
    stored = read.occurrences()[0]
    assert "[parameters: [scrubbed]]" in stored.message and "[parameters: [scrubbed]]" in stored.traceback
    assert "scrypt:" not in stored.message + stored.traceback and "pbkdf2:" not in stored.message
