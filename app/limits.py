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
HELD = "rate_lock_stripes"  # Connection.info key: (transaction, the stripes it holds)


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


def _held(conn: sa.Connection) -> set[int]:
    """The stripes the connection's transaction has locked already: a second check of the same person in one
    transaction (its report limit, then its mail cap) takes no second lock statement."""
    transaction = conn.get_transaction()
    if transaction is None:
        return set()
    held = conn.info.get(HELD)
    if held is None or held[0] is not transaction:
        held = conn.info[HELD] = (transaction, set())
    return held[1]


def _lock(conn: sa.Connection, names: list[str]) -> None:
    """Lock the stripe rows of `names` in id order (each row is made on first use)."""
    held = _held(conn)
    for stripe in sorted({_stripe(name) for name in names} - held):
        bump = sa.update(RateLock).where(RateLock.id == stripe).values(takes=RateLock.takes + 1)
        if conn.execute(bump).rowcount != 1:
            insert = (sqlite_insert if conn.dialect.name == "sqlite" else mysql_insert)(RateLock)
            statement = insert.values(id=stripe, takes=1)
            if conn.dialect.name == "sqlite":
                conn.execute(statement.on_conflict_do_nothing())
            else:
                conn.execute(statement.on_duplicate_key_update(takes=RateLock.takes + 1))
        held.add(stripe)


def _locked_use(conn: sa.Connection, limits: tuple[Limit, ...], now: datetime) -> list[int]:
    """Lock the limits' stripes and read their counts (`used`): on MariaDB in one locking read when no stripe is
    held yet (the stripe rows first, STRAIGHT_JOIN: every writer of these counts holds them, so nobody waits on a
    count row while holding a stripe we want). Falls back to `_lock` then `used` (SQLite, a stripe row not made
    yet, or some stripes held already)."""
    held, stripes = _held(conn), {_stripe(limit.lock or limit.key) for limit in limits}
    if conn.dialect.name == "sqlite" or held & stripes:
        _lock(conn, [limit.lock or limit.key for limit in limits])
        return used(conn, limits, now)
    since = now - max(limit.window for limit in limits)
    rows = conn.execute(
        sa.select(RateLock.id, RateCount.key, RateCount.bucket, RateCount.count).prefix_with("STRAIGHT_JOIN")
        .select_from(RateLock).outerjoin(RateCount, sa.and_(RateCount.key.in_({limit.key for limit in limits}),
                                                            RateCount.bucket > since))
        .where(RateLock.id.in_(stripes)).order_by(RateLock.id).with_for_update()).all()
    if {row.id for row in rows} != stripes:  # a stripe row not made yet (first use): make it, then read
        _lock(conn, [limit.lock or limit.key for limit in limits])
        return used(conn, limits, now)
    held |= stripes
    counts = {(key, bucket): count for _id, key, bucket, count in rows if key is not None}
    return _sums(limits, [(key, bucket, count) for (key, bucket), count in counts.items()], now)


def used(conn: sa.Connection, limits: tuple[Limit, ...], now: datetime) -> list[int]:
    """Units of each limit's key counted inside its window, in one query."""
    rows = conn.execute(sa.select(RateCount.key, RateCount.bucket, RateCount.count).where(
        RateCount.key.in_({limit.key for limit in limits}),
        RateCount.bucket > now - max(limit.window for limit in limits))).all()
    return _sums(limits, rows, now)


def _sums(limits: tuple[Limit, ...], rows, now: datetime) -> list[int]:
    return [sum(count for key, bucket, count in rows if key == limit.key and bucket > now - limit.window)
            for limit in limits]


def _add(conn: sa.Connection, changes: list[tuple[Limit, int, int]], now: datetime) -> None:
    """Add (count, refused) to each limit's current bucket, in one upsert (nobody else writes these keys while we
    hold their locks)."""
    rows = [{"key": limit.key, "bucket": limit.bucket(now), "count": count, "refused": refused}
            for limit, count, refused in changes]
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        statement = sqlite_insert(RateCount)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["key", "bucket"],
            set_={"count": RateCount.count + new.count, "refused": RateCount.refused + new.refused})
    else:
        statement = mysql_insert(RateCount)
        new = statement.inserted
        statement = statement.on_duplicate_key_update(count=RateCount.count + new.count,
                                                      refused=RateCount.refused + new.refused)
    conn.execute(statement.values(rows))


def _take(conn: sa.Connection, limits: tuple[Limit, ...], units: int, now: datetime) -> Limit | None:
    counts = _locked_use(conn, limits, now)
    refused = next((limit for limit, count in zip(limits, counts, strict=True) if count + units > limit.limit), None)
    if refused is None:
        _add(conn, [(limit, units, 0) for limit in limits], now)
    else:
        _add(conn, [(refused, 0, units)], now)
    return refused


def take(*limits: Limit, units: int = 1, now: datetime | None = None) -> Limit | None:
    """Consume `units` of every limit, or of none: returns the first limit that refused, else None."""
    return _take(db.session.connection(), limits, units, now or utcnow())


def take_up_to(*limits: Limit, units: int, now: datetime | None = None) -> int:
    """Consume as many of `units` as every one of `limits` has room for (the rest are counted as refused on the
    limits that were short); returns how many."""
    conn, now = db.session.connection(), now or utcnow()
    rooms = [limit.limit - count for limit, count in zip(limits, _locked_use(conn, limits, now), strict=True)]
    taken = max(0, min(units, *rooms))
    _add(conn, [(limit, taken, units - taken if room < units else 0)
                for limit, room in zip(limits, rooms, strict=True)], now)
    return taken


def hold(*locks: str, connection: sa.Connection | None = None) -> None:
    """Lock the stripe rows of `locks` until the transaction ends (before reading counts with `used`), on the
    session's connection or `connection`."""
    _lock(connection or db.session.connection(), list(locks))


def give_back(*limits: Limit, now: datetime, units: int = 1) -> None:
    """Return `units` taken at `now` (the same buckets) to every limit: what was reserved was not used."""
    conn = db.session.connection()
    _lock(conn, [limit.lock or limit.key for limit in limits])
    _add(conn, [(limit, -units, 0) for limit in limits], now)


def top(prefix: str, window: timedelta, count: int = 10, now: datetime | None = None) -> list[tuple[str, int, int]]:
    """The keys starting with `prefix` with most units in `window`: (key without prefix, counted, refused)."""
    now = now or utcnow()
    counted, refused = sa.func.sum(RateCount.count), sa.func.sum(RateCount.refused)
    rows = db.session.execute(
        sa.select(RateCount.key, counted, refused)
        .where(RateCount.key.startswith(prefix, autoescape=True), RateCount.bucket > now - window)
        .group_by(RateCount.key).order_by((counted + refused).desc(), RateCount.key).limit(count))
    return [(key[len(prefix):], int(c or 0), int(r or 0)) for key, c, r in rows]
