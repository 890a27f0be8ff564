"""Rolling-window limits shared by every process and host, counted atomically in the database.

    allowed = take(Limit(f"report:{user.id}:hour", 10, timedelta(hours=1)),
                   Limit(f"report:{user.id}:day", 30, timedelta(days=1)))

`take` consumes one unit of every limit or of none, and returns the limit that refused (None when all
allowed). Refusals are counted too, so a page can show what was held back. Each key's checks are serialised
by a lock on one of a fixed set of stripe rows, so parallel requests cannot slip past a limit:
- MySQL/MariaDB: in a short transaction of its own (READ COMMITTED), committed at once, so the caller's
  transaction holds no limiter lock and a later rollback of the caller does not give the unit back;
- SQLite: inside the caller's transaction (SQLite has a single writer, so a second connection would wait
  for the caller).
"""
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.base import utcnow
from app.models.limits import RateCount, RateStripe

STRIPES = 64
BUCKETS_PER_WINDOW = 24


@dataclass(frozen=True)
class Limit:
    key: str  # at most 190 characters; long parts (an email address) should be hashed by the caller
    limit: int
    window: timedelta

    @property
    def bucket_seconds(self) -> int:
        return max(1, int(self.window.total_seconds() // BUCKETS_PER_WINDOW))

    def bucket(self, now: datetime) -> datetime:
        seconds = self.bucket_seconds
        epoch = int((now - datetime(1970, 1, 1)).total_seconds())
        return datetime(1970, 1, 1) + timedelta(seconds=epoch - epoch % seconds)


def digest(value: str) -> str:
    """A short stable stand-in for a value that should not be stored as such (an email address)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _stripe(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % STRIPES


def _insert(dialect: str):
    return mysql_insert if dialect in ("mysql", "mariadb") else sqlite_insert


def _lock_stripes(conn: sa.Connection, keys: Iterable[str]) -> None:
    """Lock the stripe rows of `keys` in id order (no deadlock between two callers)."""
    for stripe in sorted({_stripe(key) for key in keys}):
        bump = sa.update(RateStripe).where(RateStripe.id == stripe).values(takes=RateStripe.takes + 1)
        if conn.execute(bump).rowcount == 0:
            _create_stripe(conn, stripe)
            conn.execute(bump)


def _create_stripe(conn: sa.Connection, stripe: int) -> None:
    dialect = conn.dialect.name
    statement = _insert(dialect)(RateStripe).values(id=stripe, takes=0)
    if dialect == "sqlite":  # the caller holds the only write lock: no race
        conn.execute(statement.on_conflict_do_nothing())
        return
    with db.engine.connect() as own:  # committed at once: no lock of ours is held while others wait
        own.execute(statement.prefix_with("IGNORE"))
        own.commit()


def used(conn: sa.Connection, limit: Limit, now: datetime) -> int:
    """Units of `limit.key` counted inside its window (a locking read on MySQL, so it sees the latest)."""
    query = sa.select(sa.func.coalesce(sa.func.sum(RateCount.count), 0)).where(
        RateCount.key == limit.key, RateCount.bucket > now - limit.window)
    return int(conn.execute(query).scalar_one())


def _add(conn: sa.Connection, limit: Limit, now: datetime, count: int, refused: int) -> None:
    bucket = limit.bucket(now)
    changed = conn.execute(
        sa.update(RateCount).where(RateCount.key == limit.key, RateCount.bucket == bucket)
        .values(count=RateCount.count + count, refused=RateCount.refused + refused)).rowcount
    if not changed:  # nobody else writes this key's rows while we hold its stripe
        conn.execute(sa.insert(RateCount).values(key=limit.key, bucket=bucket, count=count, refused=refused))


def _take(conn: sa.Connection, limits: tuple[Limit, ...], units: int, now: datetime) -> Limit | None:
    _lock_stripes(conn, [limit.key for limit in limits])
    refused = next((limit for limit in limits if used(conn, limit, now) + units > limit.limit), None)
    for limit in limits:
        if refused is None:
            _add(conn, limit, now, units, 0)
        elif limit is refused:
            _add(conn, limit, now, 0, units)
    return refused


def take(*limits: Limit, units: int = 1, now: datetime | None = None) -> Limit | None:
    """Consume `units` of every limit, or of none: returns the first limit that refused, else None."""
    now = now or utcnow()
    if db.engine.dialect.name == "sqlite":
        return _take(db.session.connection(), limits, units, now)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="READ COMMITTED")
        with conn.begin():
            return _take(conn, limits, units, now)


def top(prefix: str, window: timedelta, count: int = 10, now: datetime | None = None) -> list[tuple[str, int, int]]:
    """The keys starting with `prefix` with most units in `window`: (key without prefix, counted, refused)."""
    now = now or utcnow()
    counted, refused = sa.func.sum(RateCount.count), sa.func.sum(RateCount.refused)
    rows = db.session.execute(
        sa.select(RateCount.key, counted, refused)
        .where(RateCount.key.startswith(prefix, autoescape=True), RateCount.bucket > now - window)
        .group_by(RateCount.key).order_by((counted + refused).desc(), RateCount.key).limit(count))
    return [(key[len(prefix):], int(c or 0), int(r or 0)) for key, c, r in rows]
