"""The database side of record(): atomic upserts of the group and its hourly count, the capped occurrences."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.errors import ErrorGroup, ErrorHourlyCount, ErrorOccurrence, ErrorStatus


@dataclass
class Occurrence:
    """One error, prepared in Python before the database is touched."""

    source: str
    fingerprint: str
    error_type: str | None
    title: str
    message: str
    traceback: str | None
    details: dict[str, Any] | None
    reference: str
    at: datetime


@dataclass
class Counted:
    """The group's state right after this occurrence was counted (read under the row's write lock)."""

    group_id: int
    title: str
    count: int
    status: ErrorStatus
    regressed: bool
    last_alert_at: datetime | None
    first_seen: datetime
    hour_count: int

    @property
    def is_new(self) -> bool:
        return self.count == 1


def _is_mysql(session: Session) -> bool:
    return session.get_bind().dialect.name in ("mysql", "mariadb")


def _insert(session: Session):
    """The dialect's INSERT construct (SQLite and PostgreSQL share ON CONFLICT)."""
    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(session.get_bind().dialect.name,
                                                                          mysql.insert)


def upsert(session: Session, model, values: dict, keys: list[str], updates: list[tuple[str, Any]],
           returning: list) -> sa.Row:
    """INSERT or, when the key exists, UPDATE in one atomic statement; return columns of the row after it.

    MySQL/MariaDB evaluate `updates` left to right (later ones see earlier results); SQLite uses the old
    row for all, so callers put anything that reads a column before the update of that column.
    """
    stmt = _insert(session)(model).values(**values)
    if not _is_mysql(session):
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=dict(updates))
        return session.execute(stmt.returning(*returning)).one()
    # No RETURNING for UPDATE on MariaDB: read back the row, which this transaction now holds locked.
    session.execute(stmt.on_duplicate_key_update(updates))
    where = [getattr(model, key) == values[key] for key in keys]
    return session.execute(sa.select(*returning).where(*where)).one()


def insert_ignore(session: Session, model, values: dict, keys: list[str]) -> None:
    """INSERT unless a row with the same key exists."""
    stmt = _insert(session)(model).values(**values)
    if _is_mysql(session):
        session.execute(stmt.prefix_with("IGNORE"))
    else:
        session.execute(stmt.on_conflict_do_nothing(index_elements=keys))


def count_group(session: Session, occ: Occurrence) -> sa.Row:
    """Create the group or count one more; a resolved group reopens (and says so in `regressed`)."""
    group = ErrorGroup
    was_resolved = group.status == ErrorStatus.RESOLVED.value
    values = dict(
        fingerprint=occ.fingerprint, source=occ.source[:120], error_type=(occ.error_type or None),
        title=occ.title, status=ErrorStatus.OPEN, count=1, first_seen=occ.at, last_seen=occ.at,
        sample_message=occ.message, sample_traceback=occ.traceback, sample_details=occ.details,
        regressed=False,
    )
    updates = [
        ("count", group.count + 1),
        ("last_seen", sa.bindparam("now_seen", occ.at, type_=group.last_seen.type)),
        ("regressed", sa.case((was_resolved, sa.true()), else_=sa.false())),
        ("status_changed_at", sa.case((was_resolved, sa.bindparam("now_changed", occ.at,
                                                                   type_=group.last_seen.type)),
                                      else_=group.status_changed_at)),
        ("status", sa.case((was_resolved, ErrorStatus.OPEN.value), else_=group.status)),
    ]
    return upsert(session, group, values, ["fingerprint"], updates,
                  [group.id, group.title, group.count, group.status, group.regressed, group.last_alert_at,
                   group.first_seen])


def count_hour(session: Session, group_id: int, at: datetime) -> int:
    hour = at.replace(minute=0, second=0, microsecond=0)
    row = upsert(session, ErrorHourlyCount, dict(group_id=group_id, hour=hour, count=1), ["group_id", "hour"],
                 [("count", ErrorHourlyCount.count + 1)], [ErrorHourlyCount.count])
    return row.count


def trim_occurrences(session: Session, group_id: int, keep: int) -> None:
    """Delete all but the latest `keep` occurrences of the group."""
    oldest_kept = session.scalar(
        sa.select(ErrorOccurrence.id).where(ErrorOccurrence.group_id == group_id)
        .order_by(ErrorOccurrence.id.desc()).offset(max(keep, 1) - 1).limit(1))
    if oldest_kept is not None:
        session.execute(sa.delete(ErrorOccurrence).where(
            ErrorOccurrence.group_id == group_id, ErrorOccurrence.id < oldest_kept))


def prune_hours(session: Session, group_id: int, before: datetime) -> None:
    session.execute(sa.delete(ErrorHourlyCount).where(
        ErrorHourlyCount.group_id == group_id, ErrorHourlyCount.hour < before))


def store(session: Session, occ: Occurrence, keep: int, retention_days: float) -> Counted:
    """Count the occurrence in its group and hour, keep it among the latest `keep`; all in `session`."""
    group = count_group(session, occ)
    hour_count = count_hour(session, group.id, occ.at)
    session.execute(sa.insert(ErrorOccurrence).values(
        group_id=group.id, reference=occ.reference, created_at=occ.at, message=occ.message,
        traceback=occ.traceback, details=occ.details))
    if group.count > keep:
        trim_occurrences(session, group.id, keep)
    if hour_count == 1:
        prune_hours(session, group.id, occ.at - timedelta(days=retention_days))
    return Counted(group_id=group.id, title=group.title, count=group.count, status=ErrorStatus(group.status),
                   regressed=bool(group.regressed), last_alert_at=group.last_alert_at,
                   first_seen=group.first_seen, hour_count=hour_count)
