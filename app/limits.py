"""Rolling-window limits shared by every process and host, counted atomically in the database.

    allowed = take(Limit(f"report:{user.id}:hour", 10, timedelta(hours=1), lock=f"student:{user.id}"),
                   Limit(f"report:{user.id}:day", 30, timedelta(days=1), lock=f"student:{user.id}"))

`take` consumes one unit of every limit or of none, in the caller's transaction, and returns the limit that
refused (None when all allowed); refusals are counted too, so a page can show what was held back. A check
first locks the stripe row of each limit's `lock` (who is being limited: an account, a client address), held
until the caller's transaction ends, so parallel requests on any number of processes cannot slip past a limit.
Locking by who, not by key, means the checks of one request (its report limit, then the mail cap of the same
account) take the same row: requests of different people rarely wait for each other and never deadlock over
their order. On MySQL/MariaDB the app runs at READ COMMITTED (app/config.py), so the counts read after the
lock are the latest committed ones; SQLite serialises writers anyway.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.base import utcnow
from app.models.limits import RateCount, RateLock

STRIPES = 1024
BUCKETS_PER_WINDOW = 24


@dataclass(frozen=True)
class Limit:
    key: str  # at most 190 characters; long parts (an email address) should be hashed by the caller
    limit: int
    window: timedelta
    lock: str = ""  # who is limited (default: the key); a request's checks of one person share a lock

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


def _stripe(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") % STRIPES


def _lock(conn: sa.Connection, names: list[str]) -> None:
    """Lock the stripe rows of `names` in id order (each row is made on first use)."""
    for stripe in sorted({_stripe(name) for name in names}):
        bump = sa.update(RateLock).where(RateLock.id == stripe).values(takes=RateLock.takes + 1)
        if conn.execute(bump).rowcount == 1:
            continue
        insert = (sqlite_insert if conn.dialect.name == "sqlite" else mysql_insert)(RateLock)
        statement = insert.values(id=stripe, takes=1)
        if conn.dialect.name == "sqlite":
            conn.execute(statement.on_conflict_do_nothing())
        else:
            conn.execute(statement.on_duplicate_key_update(takes=RateLock.takes + 1))


def used(conn: sa.Connection, limits: tuple[Limit, ...], now: datetime) -> list[int]:
    """Units of each limit's key counted inside its window, in one query."""
    rows = conn.execute(sa.select(RateCount.key, RateCount.bucket, RateCount.count).where(
        RateCount.key.in_({limit.key for limit in limits}),
        RateCount.bucket > now - max(limit.window for limit in limits))).all()
    return [sum(count for key, bucket, count in rows if key == limit.key and bucket > now - limit.window)
            for limit in limits]


def _add(conn: sa.Connection, limit: Limit, now: datetime, count: int, refused: int) -> None:
    """Add to the key's current bucket (an upsert: nobody else writes this key while we hold its lock)."""
    values = {"key": limit.key, "bucket": limit.bucket(now), "count": count, "refused": refused}
    increments = {"count": RateCount.count + count, "refused": RateCount.refused + refused}
    if conn.dialect.name == "sqlite":
        statement = sqlite_insert(RateCount).values(values)
        conn.execute(statement.on_conflict_do_update(index_elements=["key", "bucket"], set_=increments))
    else:
        conn.execute(mysql_insert(RateCount).values(values).on_duplicate_key_update(**increments))


def _take(conn: sa.Connection, limits: tuple[Limit, ...], units: int, now: datetime) -> Limit | None:
    _lock(conn, [limit.lock or limit.key for limit in limits])
    counts = used(conn, limits, now)
    refused = next((limit for limit, count in zip(limits, counts, strict=True) if count + units > limit.limit), None)
    for limit in limits:
        if refused is None:
            _add(conn, limit, now, units, 0)
        elif limit is refused:
            _add(conn, limit, now, 0, units)
    return refused


def take(*limits: Limit, units: int = 1, now: datetime | None = None) -> Limit | None:
    """Consume `units` of every limit, or of none: returns the first limit that refused, else None."""
    return _take(db.session.connection(), limits, units, now or utcnow())


def take_up_to(*limits: Limit, units: int, now: datetime | None = None) -> int:
    """Consume as many of `units` as every one of `limits` has room for (the rest are counted as refused on the
    limits that were short); returns how many."""
    conn, now = db.session.connection(), now or utcnow()
    _lock(conn, [limit.lock or limit.key for limit in limits])
    rooms = [limit.limit - count for limit, count in zip(limits, used(conn, limits, now), strict=True)]
    taken = max(0, min(units, *rooms))
    for limit, room in zip(limits, rooms, strict=True):
        _add(conn, limit, now, taken, units - taken if room < units else 0)
    return taken


def hold(*locks: str, connection: sa.Connection | None = None) -> None:
    """Lock the stripe rows of `locks` until the transaction ends (before reading counts with `used`), on the
    session's connection or `connection`."""
    _lock(connection or db.session.connection(), list(locks))


def give_back(*limits: Limit, now: datetime, units: int = 1) -> None:
    """Return `units` taken at `now` (the same buckets) to every limit: what was reserved was not used."""
    conn = db.session.connection()
    _lock(conn, [limit.lock or limit.key for limit in limits])
    for limit in limits:
        _add(conn, limit, now, -units, 0)


def top(prefix: str, window: timedelta, count: int = 10, now: datetime | None = None) -> list[tuple[str, int, int]]:
    """The keys starting with `prefix` with most units in `window`: (key without prefix, counted, refused)."""
    now = now or utcnow()
    counted, refused = sa.func.sum(RateCount.count), sa.func.sum(RateCount.refused)
    rows = db.session.execute(
        sa.select(RateCount.key, counted, refused)
        .where(RateCount.key.startswith(prefix, autoescape=True), RateCount.bucket > now - window)
        .group_by(RateCount.key).order_by((counted + refused).desc(), RateCount.key).limit(count))
    return [(key[len(prefix):], int(c or 0), int(r or 0)) for key, c, r in rows]
