"""The weekly figures behind /admin/metrics (IssueWeek rows), kept as issues change.

An issue counts in up to three weeks of its house and category: opened in the week of created_at; fixed (status
resolved) in the week of resolved_at, with its deadline met or not, its rating and its time to the fix; first
answered in the week of first_response_at, with its time to that. Every flush that adds, changes or deletes
issues takes off the rows what each issue counted for before (its attributes' history; the columns read here
keep active history) and adds what it counts for now, so however an issue changes (status, first response,
reopen, re-categorise, hold, rating) the rows stay the sums over the issues. Counts and new times change in one
atomic upsert (times are appended, unsorted); times taken off are rewritten under the row's lock. Bulk
statements bypass the ORM: after one that touches these columns, call `rebuild` (`flask issues rebuild-weeks`
does; migration 0018 keeps a frozen copy of this counting).
"""
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.orm import Session

from app.extensions import db
from app.limits import hold
from app.models.issues import Category, Issue, IssueStatus, IssueWeek

COLUMNS = ("house_id", "category", "status", "created_at", "resolved_at", "first_response_at", "rating",
           "respond_by", "fix_by")
COUNTS = ("opened", "fixed", "fixed_with_target", "fixed_on_time", "responded", "responded_with_target",
          "responded_on_time", "rating_sum", "ratings")
TIMES = ("fix_times", "response_times")
BEFORE = "issue_weeks_before"  # session.info key: each changed issue's values before the flush


def week_of(when: datetime) -> date:
    """The Monday (UTC) of the week `when` falls in."""
    return when.date() - timedelta(days=when.weekday())


def microseconds(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def unpack(packed: bytes | None) -> array:
    times = array("q")
    times.frombytes(packed or b"")
    return times


@dataclass
class Change:
    """What one week row gains: count deltas, and times added (+1) or taken off (-1)."""

    counts: Counter = field(default_factory=Counter)
    times: dict = field(default_factory=lambda: {name: Counter() for name in TIMES})

    def add(self, name: str, amount: int) -> None:
        self.counts[name] += amount

    @property
    def deltas(self) -> dict:
        return {name: n for name, n in self.counts.items() if n}

    @property
    def retimed(self) -> bool:
        return any(any(counter.values()) for counter in self.times.values())


def count(values: dict | None, sign: int, into: dict) -> None:
    """Add to `into` ({(house_id, week, category): Change}) what an issue with `values` (COLUMNS) counts for,
    times `sign` (1 or -1)."""
    if values is None or values["house_id"] is None or values["created_at"] is None:
        return
    created = values["created_at"]

    def row(when: datetime) -> Change:
        return into.setdefault((values["house_id"], week_of(when), Category(values["category"])), Change())

    row(created).add("opened", sign)
    resolved, fix_by, rating = values["resolved_at"], values["fix_by"], values["rating"]
    if values["status"] == IssueStatus.RESOLVED and resolved is not None:
        fixed = row(resolved)
        for name, amount in (("fixed", 1), ("fixed_with_target", fix_by is not None),
                             ("fixed_on_time", fix_by is not None and resolved <= fix_by),
                             ("rating_sum", rating or 0), ("ratings", rating is not None)):
            fixed.add(name, sign * int(amount))
        fixed.times["fix_times"][microseconds(resolved - created)] += sign
    responded, respond_by = values["first_response_at"], values["respond_by"]
    if responded is not None:
        answered = row(responded)
        for name, amount in (("responded", 1), ("responded_with_target", respond_by is not None),
                             ("responded_on_time", respond_by is not None and responded <= respond_by)):
            answered.add(name, sign * int(amount))
        answered.times["response_times"][microseconds(responded - created)] += sign


def _stored(issue: Issue) -> dict:
    """The issue's values as the database has them now (before this flush writes it)."""
    state, values = sa.inspect(issue), {}
    for name in COLUMNS:
        history = state.attrs[name].history
        values[name] = (history.deleted or history.unchanged or [getattr(issue, name)])[0]
    return values


def _current(issue: Issue) -> dict:
    return {name: getattr(issue, name) for name in COLUMNS}


def _appended(column: sa.Column, packed: bytes, dialect: str) -> sa.ColumnElement:
    """`column` with `packed` times after its own (the rows keep times unsorted: readers sort them)."""
    if dialect == "sqlite":  # || makes text of blobs: cast back, bytes unchanged
        return sa.cast(column.op("||")(sa.literal(packed, sa.LargeBinary)), sa.LargeBinary)
    return sa.func.concat(column, sa.literal(packed, sa.LargeBinary))


def _upsert(connection: sa.Connection, key: tuple, change: Change) -> None:
    """Add the change's counts and new times to the row in one statement, making the row if it is new; the
    statement also takes the row's lock (MariaDB) for any times taken off after it.

    On MariaDB new rows of a house are made one transaction at a time (a stripe lock, app/limits.py): made by
    several at once, a maker that rolls back leaves the others waiting on its row to deadlock on the gap
    (InnoDB, INSERT ... ON DUPLICATE KEY by three at once)."""
    house_id, week, category = key
    table, dialect = IssueWeek.__table__, connection.dialect.name
    added = {name: _packed(+change.times[name]) for name in TIMES}  # Counter's + keeps the positive counts
    values = {"house_id": house_id, "week": week, "category": category, **{name: 0 for name in COUNTS},
              **change.deltas, **added}
    increments = {name: table.c[name] + amount for name, amount in change.deltas.items()}
    increments.update({name: _appended(table.c[name], times, dialect) for name, times in added.items() if times})
    increments = increments or {"opened": table.c.opened}
    if dialect == "sqlite":  # one writer at a time: nothing to deadlock on
        connection.execute(sqlite.insert(table).values(values).on_conflict_do_update(
            index_elements=["house_id", "week", "category"], set_=increments))
        return
    update = sa.update(table).where(table.c.house_id == house_id, table.c.week == week,
                                    table.c.category == category).values(increments)
    if connection.execute(update).rowcount == 0:
        hold(f"issue-weeks:{house_id}", connection=connection)
        connection.execute(mysql.insert(table).values(values).on_duplicate_key_update(increments))


def _packed(times: Counter) -> bytes:
    return array("q", sorted(times.elements())).tobytes()


def apply(connection: sa.Connection, changes: dict) -> None:
    """Write `changes` into the week rows, in key order (two flushes lock shared rows in the same order): one
    upsert a row, and only when times are taken off (a reopened or re-dated issue) a read and rewrite of them."""
    table = IssueWeek.__table__
    for key in sorted(changes, key=lambda k: (k[0], k[1], k[2].value)):
        change = changes[key]
        if not change.deltas and not change.retimed:
            continue
        _upsert(connection, key, change)
        removed = {name: -change.times[name] for name in TIMES if -change.times[name]}  # Counter's - keeps those < 0
        if not removed:
            continue
        where = (table.c.house_id == key[0], table.c.week == key[1], table.c.category == key[2])
        stored = connection.execute(sa.select(*[table.c[name] for name in removed]).where(*where)
                                    .with_for_update()).one()
        packed = {}
        for name, old in zip(removed, stored, strict=True):
            times = Counter(unpack(old))
            times.subtract(removed[name])
            packed[name] = _packed(+times)
        connection.execute(sa.update(table).where(*where).values(packed))


@sa.event.listens_for(Session, "before_flush")
def _remember_stored(session, _context, _instances) -> None:
    """Note each changed or deleted issue's stored values before the flush writes over them."""
    session.info[BEFORE] = [(issue, _stored(issue)) for issue in (*session.dirty, *session.deleted)
                            if isinstance(issue, Issue) and sa.inspect(issue).persistent]


@sa.event.listens_for(Session, "after_flush")
def _count_changes(session, _context) -> None:
    """Take off what the flushed issues counted for before, add what they count for now."""
    before = session.info.pop(BEFORE, [])
    changes: dict = {}
    for issue in session.new:
        if isinstance(issue, Issue):
            count(_current(issue), 1, changes)
    for issue, values in before:
        count(values, -1, changes)
        if issue not in session.deleted:
            count(_current(issue), 1, changes)
    if changes:
        apply(session.connection(), changes)


def rebuild(connection: sa.Connection | None = None) -> int:
    """Recompute every week row from the issues (a backfill, or after bulk statements); returns the rows."""
    connection = connection or db.session.connection()
    table, issues = IssueWeek.__table__, Issue.__table__
    changes: dict = {}
    for values in connection.execute(sa.select(*[issues.c[name] for name in COLUMNS])).mappings():
        count({**values, "status": IssueStatus(values["status"])}, 1, changes)
    rows = [{"house_id": house_id, "week": week, "category": category, **{name: 0 for name in COUNTS},
             **change.counts, **{name: _packed(change.times[name]) for name in TIMES}}
            for (house_id, week, category), change in changes.items()]
    connection.execute(sa.delete(table))
    for start in range(0, len(rows), 500):
        connection.execute(sa.insert(table), rows[start:start + 500])
    return len(rows)
