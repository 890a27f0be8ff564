"""The database side of record(): atomic upserts of the group and its hourly count, the capped occurrences.

Statements are built once per dialect with bind parameters and run on the session's connection (Core, no
ORM unit of work): record() must stay cheap in an error storm.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.errors import ErrorGroup, ErrorHourlyCount, ErrorOccurrence, ErrorStatus

groups = ErrorGroup.__table__
hours = ErrorHourlyCount.__table__
occurrences = ErrorOccurrence.__table__


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
    """What counting this occurrence told us; the rest of the group's row is read only when an alert
    decision needs it (this transaction holds the row's write lock, so it cannot change meanwhile)."""

    group_id: int
    is_new: bool
    regressed: bool
    hour_count: int
    load_state: Callable[[], sa.Row] = field(repr=False)
    _state: sa.Row | None = field(default=None, repr=False)

    @property
    def state(self) -> sa.Row:
        """title, count, status, last_alert_at, first_seen."""
        if self._state is None:
            self._state = self.load_state()
        return self._state


def _param(name: str, column: sa.Column) -> sa.BindParameter:
    return sa.bindparam(name, type_=column.type)


def _is_mysql(dialect: str) -> bool:
    return dialect in ("mysql", "mariadb")


def _upsert(dialect: str, table: sa.Table, columns: list[str], keys: list[str],
            updates: list[tuple[str, Any]], returning: list[sa.Column]):
    """INSERT or, when the key exists, UPDATE in one atomic statement.

    MySQL/MariaDB evaluate `updates` left to right (later ones see earlier results); SQLite and PostgreSQL
    use the old row for all, so anything that reads a column comes before the update of that column.
    """
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect, mysql.insert)
    stmt = insert(table).values({name: _param(name, table.c[name]) for name in columns})
    if _is_mysql(dialect):
        return stmt.on_duplicate_key_update(updates)  # no RETURNING here: the row is read back
    return stmt.on_conflict_do_update(index_elements=keys, set_=dict(updates)).returning(*returning)


GROUP_COLUMNS = ["fingerprint", "source", "error_type", "title", "status", "count", "first_seen", "last_seen",
                 "sample_message", "sample_traceback", "sample_details", "regressed"]
GROUP_STATE = [groups.c.title, groups.c.count, groups.c.status, groups.c.last_alert_at, groups.c.first_seen]


def _build(dialect: str) -> dict[str, Any]:
    was_resolved = groups.c.status == ErrorStatus.RESOLVED.value
    at = _param("at", groups.c.last_seen)
    group_updates = [
        # MySQL: hand back 2 * id + was_resolved through LAST_INSERT_ID(expr), id itself unchanged.
        *([("id", groups.c.id + 0 * sa.func.last_insert_id(groups.c.id * 2 + sa.case((was_resolved, 1), else_=0)))]
          if _is_mysql(dialect) else []),
        ("count", groups.c.count + 1),
        ("last_seen", at),
        ("regressed", sa.case((was_resolved, sa.true()), else_=sa.false())),
        ("status_changed_at", sa.case((was_resolved, at), else_=groups.c.status_changed_at)),
        ("status", sa.case((was_resolved, ErrorStatus.OPEN.value), else_=groups.c.status)),
    ]
    keep_from = (sa.select(occurrences.c.id).where(occurrences.c.group_id == sa.bindparam("group_id"))
                 .order_by(occurrences.c.id.desc()).offset(sa.bindparam("offset")).limit(1))
    return {
        "group": _upsert(dialect, groups, GROUP_COLUMNS, ["fingerprint"], group_updates,
                         [groups.c.id, groups.c.count, groups.c.regressed, *GROUP_STATE]),
        "group_state": sa.select(*GROUP_STATE).where(groups.c.id == sa.bindparam("group_id")),
        # MySQL: LAST_INSERT_ID(expr) hands the new count back without another query (0 after an insert).
        "hour": _upsert(dialect, hours, ["group_id", "hour", "count"], ["group_id", "hour"],
                        [("count", sa.func.last_insert_id(hours.c.count + 1) if _is_mysql(dialect)
                          else hours.c.count + 1)], [hours.c.count]),
        "occurrence": occurrences.insert(),
        "keep_from": keep_from,
        "trim": occurrences.delete().where(occurrences.c.group_id == sa.bindparam("group_id"),
                                           occurrences.c.id < sa.bindparam("keep_from")),
        "prune_hours": hours.delete().where(hours.c.group_id == sa.bindparam("group_id"),
                                            hours.c.hour < sa.bindparam("before", type_=hours.c.hour.type)),
    }


_statements: dict[str, dict[str, Any]] = {}


def statements(dialect: str) -> dict[str, Any]:
    if dialect not in _statements:
        _statements[dialect] = _build(dialect)
    return _statements[dialect]


def store(session: Session, occ: Occurrence, keep: int, retention_days: float) -> Counted:
    """Count the occurrence in its group and hour and keep it among the latest `keep`; all in `session`.

    Trimming runs at a group's first occurrence of each hour and every `step = keep // 5` within the hour
    and leaves the latest `keep - step + 1`, so between those and `keep` occurrences are stored: never more.
    """
    conn = session.connection()
    sql = statements(conn.dialect.name)
    group_values = {"fingerprint": occ.fingerprint, "source": occ.source, "error_type": occ.error_type,
                    "title": occ.title, "status": ErrorStatus.OPEN, "count": 1, "first_seen": occ.at,
                    "last_seen": occ.at, "sample_message": occ.message, "sample_traceback": occ.traceback,
                    "sample_details": occ.details, "regressed": False, "at": occ.at}
    result = conn.execute(sql["group"], group_values)
    if _is_mysql(conn.dialect.name):
        is_new = result.rowcount == 1  # ON DUPLICATE KEY UPDATE: 1 inserted, 2 updated
        group_id, regressed = (result.lastrowid, False) if is_new else divmod(result.lastrowid, 2)
        state = None
    else:
        state = result.one()
        group_id, is_new, regressed = state.id, state.count == 1, state.regressed
    hour = occ.at.replace(minute=0, second=0, microsecond=0)
    result = conn.execute(sql["hour"], {"group_id": group_id, "hour": hour, "count": 1})
    hour_count = (result.lastrowid or 1) if _is_mysql(conn.dialect.name) else result.scalar_one()
    conn.execute(sql["occurrence"], {"group_id": group_id, "reference": occ.reference, "created_at": occ.at,
                                     "message": occ.message, "traceback": occ.traceback, "details": occ.details})
    keep, step = max(keep, 1), max(1, keep // 5)
    if hour_count == 1 or hour_count % step == 0:
        keep_from = conn.execute(sql["keep_from"], {"group_id": group_id, "offset": keep - step}).scalar()
        if keep_from is not None:
            conn.execute(sql["trim"], {"group_id": group_id, "keep_from": keep_from})
    if hour_count == 1:
        conn.execute(sql["prune_hours"], {"group_id": group_id, "before": occ.at - timedelta(days=retention_days)})
    return Counted(group_id=group_id, is_new=is_new, regressed=bool(regressed), hour_count=hour_count,
                   load_state=lambda: conn.execute(sql["group_state"], {"group_id": group_id}).one(),
                   _state=state)


def insert_ignore(session: Session, model, values: dict, keys: list[str]) -> None:
    """INSERT unless a row with the same key exists."""
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect, mysql.insert)
    stmt = insert(model).values(**values)
    if _is_mysql(dialect):
        session.execute(stmt.prefix_with("IGNORE"))
    else:
        session.execute(stmt.on_conflict_do_nothing(index_elements=keys))
